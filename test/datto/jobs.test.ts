/**
 * Components and quick jobs: the simulator's job lifecycle, faults and alert "fix", and the DattoClient calls
 * (runQuickJob, getJob, getJobResults with stdout/stderr, listComponents paging, the device-job-create bucket, 429/403).
 */
import { isApiRequestError, ApiRequestError } from '../../nodes/shared/transport/http';
import { resetDattoClients } from '../../nodes/shared/transport/datto';
import type { DattoSimulator } from '../../simulators/datto';
import { clientFor, sleep, startReceiver, startSim } from './helpers';

const sims: DattoSimulator[] = [];
async function sim(options: Parameters<typeof startSim>[0] = {}): Promise<DattoSimulator> {
	const s = await startSim({ jobTimings: { startDelayMs: 20, runMs: 60 }, ...options });
	sims.push(s);
	return s;
}

afterEach(async () => {
	await Promise.all(sims.splice(0).map(async (s) => await s.close()));
	resetDattoClients();
});

async function caught(promise: Promise<unknown>): Promise<ApiRequestError> {
	try {
		await promise;
	} catch (error) {
		if (isApiRequestError(error)) return error;
		throw error;
	}
	throw new Error('expected the call to fail');
}

const SPOOLER = 'c0a1b2c3-0001-4000-8000-000000000001';
const RESTART_SERVICE = 'c0a1b2c3-0001-4000-8000-000000000002';
const DIAGNOSTICS = 'c0a1b2c3-0001-4000-8000-000000000004';

async function until<T>(fn: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 3000): Promise<T> {
	const end = Date.now() + timeoutMs;
	for (;;) {
		const value = await fn();
		if (done(value) || Date.now() > end) return value;
		await sleep(20);
	}
}

describe('quick jobs', () => {
	test('run: scheduled → running → success with stdout; the request body has the documented shape', async () => {
		const s = await sim();
		const client = clientFor(s);
		const device = s.data.devices[0];
		const job = await client.runQuickJob(device.uid, {
			componentUid: RESTART_SERVICE,
			jobName: 'Self-healing: restart',
			variables: [{ name: 'ServiceName', value: 'Spooler' }],
		});
		expect(job.jobUid).toMatch(/^[0-9a-f-]{36}$/);
		expect(job.status).toBe('active');
		const put = s.log.entries().find((e) => e.route === 'PUT /api/v2/device/:deviceUid/quickjob')!;
		expect(put.body).toEqual({ jobName: 'Self-healing: restart', jobComponent: { componentUid: RESTART_SERVICE, variables: [{ name: 'ServiceName', value: 'Spooler' }] } });

		const pending = await client.getJobResults(job.jobUid, device.uid, { withOutput: true });
		expect(['Pending', 'Running']).toContain(pending.jobDeploymentStatus);
		expect(pending.stdout).toBe('');
		await until(async () => await client.getJob(job.jobUid), (j) => j.status === 'completed');
		const phases = s.jobs.job(job.jobUid)!.phases.map((p) => p.phase);
		expect(phases).toEqual(['scheduled', 'running', 'success']);
		const results = await client.getJobResults(job.jobUid, device.uid, { withOutput: true });
		expect(results.jobDeploymentStatus).toBe('Success');
		expect(results.componentResults?.[0]).toMatchObject({ componentUid: RESTART_SERVICE, componentStatus: 'Success', hasStdOut: true, hasStdErr: false });
		expect(results.stdout).toBe('Restarting Spooler... OK');
		expect(results.stderr).toBe('');
		expect(s.log.count('GET /api/v2/job/:jobUid/results/:deviceUid/stderr')).toBe(0);
	});

	test('a failing component reports Failure with stderr', async () => {
		const s = await sim();
		const client = clientFor(s);
		const device = s.data.devices[1];
		const job = await client.runQuickJob(device.uid, { componentUid: DIAGNOSTICS, jobName: 'diag' });
		const results = await until(
			async () => await client.getJobResults(job.jobUid, device.uid, { withOutput: true }),
			(r) => r.jobDeploymentStatus === 'Failure',
		);
		expect(results.jobDeploymentStatus).toBe('Failure');
		expect(results.stderr).toContain('Access denied');
	});

	test('a job that never finishes stays active / Running', async () => {
		const s = await sim();
		s.jobs.setBehaviour(SPOOLER, { neverFinishes: true });
		const client = clientFor(s);
		const device = s.data.devices[0];
		const job = await client.runQuickJob(device.uid, { componentUid: SPOOLER, jobName: 'stuck' });
		await sleep(200);
		expect((await client.getJob(job.jobUid)).status).toBe('active');
		expect((await client.getJobResults(job.jobUid, device.uid)).jobDeploymentStatus).toBe('Running');
	});

	test('bad input: unknown device 404, unknown variable 400, unknown job 404, with Datto messages', async () => {
		const s = await sim();
		const client = clientFor(s);
		const device = s.data.devices[0];
		const noDevice = await caught(client.runQuickJob('00000000-0000-4000-8000-000000000000', { componentUid: SPOOLER, jobName: 'x' }));
		expect(noDevice.status).toBe(404);
		expect(noDevice.message).toContain('Device was not found.');
		const badVar = await caught(
			client.runQuickJob(device.uid, { componentUid: SPOOLER, jobName: 'x', variables: [{ name: 'Nope', value: '1' }] }),
		);
		expect(badVar.status).toBe(400);
		expect(badVar.message).toContain('"Nope"');
		const noJob = await caught(client.getJob('11111111-1111-4111-8111-111111111111'));
		expect(noJob.status).toBe(404);
		await expect(client.runQuickJob(device.uid, { componentUid: SPOOLER, jobName: ' ' })).rejects.toThrow('job name is required');
		expect(s.counters.jobsCreated).toBe(0);
	});

	test('a successful "fixing" component resolves the alert in Datto and fires the resolved webhook', async () => {
		const receiver = await startReceiver();
		try {
			const s = await sim({ webhook: { url: receiver.url } });
			const device = s.data.devices.find((d) => !d.deleted)!;
			const { alert } = await s.createAlert({ deviceUid: device.uid, context: { '@class': 'srvc_status_ctx', serviceName: 'Spooler', status: 'STOPPED' } });
			const client = clientFor(s);
			await client.runQuickJob(device.uid, { componentUid: RESTART_SERVICE, jobName: 'fix', variables: [{ name: 'ServiceName', value: 'Spooler' }] });
			const resolved = await until(async () => await client.getAlert(alert.alertUid), (a) => a.resolved === true);
			expect(resolved.resolved).toBe(true);
			await until(async () => receiver.received.length, (n) => n >= 2);
			expect(receiver.received[1].body).toContain(alert.alertUid);
		} finally {
			await receiver.close();
		}
	});
});

describe('write limits', () => {
	test('job creation uses its own bucket: the client never exceeds device-job-create and the simulator never 429s', async () => {
		const s = await sim({ operationLimits: { 'device-job-create': 3 }, windowMs: 400 });
		const client = clientFor(s, { jobCreateBudget: { limit: 3, windowMs: 400 } });
		const device = s.data.devices[0];
		const jobs = await Promise.all(
			Array.from({ length: 7 }, async (_, i) => await client.runQuickJob(device.uid, { componentUid: SPOOLER, jobName: `j${i}` })),
		);
		expect(new Set(jobs.map((j) => j.jobUid)).size).toBe(7);
		expect(s.log.count('PUT /api/v2/device/:deviceUid/quickjob', 429)).toBe(0);
		expect((s.requestRate().operationWriteStatus as Record<string, { limit: number }>)['device-job-create'].limit).toBe(3);
	});

	test('a 429 on job creation (Datto JSON body, Retry-After) is retried and creates exactly one job', async () => {
		const s = await sim();
		s.faults.configure({ pathPattern: 'quickjob', burst429: 2, retryAfterSeconds: 0 });
		const client = clientFor(s);
		const job = await client.runQuickJob(s.data.devices[0].uid, { componentUid: SPOOLER, jobName: 'retry' });
		expect(job.jobUid).toBeTruthy();
		expect(s.log.count('PUT /api/v2/device/:deviceUid/quickjob', 429)).toBe(2);
		expect(s.counters.jobsCreated).toBe(1);
	});

	test('a timeout (500) on job creation is not repeated (no second job)', async () => {
		const s = await sim();
		s.faults.configure({ pathPattern: 'quickjob', failNext: 1, errorStatus: 500 });
		const client = clientFor(s);
		const error = await caught(client.runQuickJob(s.data.devices[0].uid, { componentUid: SPOOLER, jobName: 'once' }));
		expect(error.status).toBe(500);
		expect(s.log.count('PUT /api/v2/device/:deviceUid/quickjob')).toBe(1);
	});

	test('403 after 429s on job creation is read as the IP block and later calls fail fast', async () => {
		const s = await sim({ operationLimits: { 'device-job-create': 1 }, blockAfter429s: 1, retryAfter: 'never' });
		const client = clientFor(s, { jobCreateBudget: { limit: 100, windowMs: 60_000 } });
		const device = s.data.devices[0];
		await client.runQuickJob(device.uid, { componentUid: SPOOLER, jobName: 'a' });
		const error = await caught(client.runQuickJob(device.uid, { componentUid: SPOOLER, jobName: 'b' }));
		expect(error.status).toBe(403);
		expect(error.message).toMatch(/blocking this IP/);
		const before = s.log.entries().length;
		await expect(client.getJob('x')).rejects.toThrow(/blocking this IP/);
		expect(s.log.entries().length).toBe(before);
	});
});

describe('components', () => {
	test('listComponents pages with 0-based page and nextPageUrl (also when Datto drops the query params)', async () => {
		const s = await sim({ maxPageSize: 2, dropNextPageParams: true });
		for (let i = 0; i < 3; i++) s.jobs.addComponent({ name: `Extra ${i}`, variables: ['A'] });
		const client = clientFor(s, { pageSize: 2 });
		const all = await client.listComponents({ returnAll: true });
		expect(all.items).toHaveLength(7);
		expect(all.pages).toBe(4);
		expect(all.items.map((c) => c.name)).toContain('Restart Print Spooler');
		expect(all.items.find((c) => c.name === 'Restart Service')?.variables?.[0]).toMatchObject({ name: 'ServiceName', type: 'string' });
		const some = await client.listComponents({ limit: 3 });
		expect(some.items).toHaveLength(3);
	});
});
