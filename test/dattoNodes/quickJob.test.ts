/**
 * Datto RMM node, self-healing operations (Device → Run Quick Job, Job → Get / Get Results, Component → Get Many,
 * the component dropdown) through n8n-core's WorkflowExecute against the Datto simulator.
 */
import type { ILoadOptionsFunctions } from 'n8n-workflow';

import { DattoRmm } from '../../nodes/DattoRmm/DattoRmm.node';
import type { DattoSimulator } from '../../simulators/datto';
import { runNode } from '../helpers/nodeHarness';
import type { RunNodeOptions } from '../helpers/nodeHarness';
import { apiCredentials, sleep, startSim } from './helpers';

const node = new DattoRmm();
const RESTART_SERVICE = 'c0a1b2c3-0001-4000-8000-000000000002';
const byId = (uid: string) => ({ __rl: true, mode: 'id', value: uid });
const fromList = (uid: string) => ({ __rl: true, mode: 'list', value: uid });

let sim: DattoSimulator;
beforeAll(async () => {
	sim = await startSim({ maxPageSize: 2, jobTimings: { startDelayMs: 10, runMs: 40 } });
});
afterAll(async () => await sim.close());

async function run(parameters: Record<string, unknown>, options: Partial<RunNodeOptions> = {}) {
	return await runNode({ node, parameters: parameters as never, credentials: apiCredentials(sim), ...options });
}

describe('self-healing operations', () => {
	it('Run Quick Job returns the job UID (variable values are not echoed), Job → Get and Get Results follow it to Success', async () => {
		const device = sim.data.devices[0];
		const started = await run({
			resource: 'device',
			operation: 'runQuickJob',
			deviceUid: device.uid,
			component: fromList(RESTART_SERVICE),
			jobName: 'Restart from n8n',
			variables: { variable: [{ name: 'ServiceName', value: 'Spooler' }] },
		});
		expect(started.status).toBe('success');
		const job = started.items[0].json;
		expect(job).toMatchObject({ jobUid: expect.stringMatching(/^[0-9a-f-]{36}$/), status: 'active', deviceUid: device.uid, componentUid: RESTART_SERVICE, variableNames: ['ServiceName'] });
		expect(JSON.stringify(job)).not.toContain('Spooler');
		expect(started.items[0].pairedItem).toEqual({ item: 0 });

		let status = '';
		for (let i = 0; i < 100 && status !== 'completed'; i++) {
			status = String((await run({ resource: 'job', operation: 'get', jobUid: job.jobUid })).items[0].json.status);
			if (status !== 'completed') await sleep(20);
		}
		expect(status).toBe('completed');
		const results = await run({ resource: 'job', operation: 'getResults', jobUid: job.jobUid, deviceUid: device.uid });
		expect(results.items[0].json).toMatchObject({ jobDeploymentStatus: 'Success', finished: true, stdout: 'Restarting Spooler... OK', stderr: '' });
		const noOutput = await run({ resource: 'job', operation: 'getResults', jobUid: job.jobUid, deviceUid: device.uid, includeOutput: false });
		expect(noOutput.items[0].json.stdout).toBeUndefined();
	});

	it('Run Quick Job: Datto\'s 400 for an unknown variable becomes a NodeApiError; continueOnFail gives an error item', async () => {
		const params = { resource: 'device', operation: 'runQuickJob', deviceUid: sim.data.devices[0].uid, component: byId(RESTART_SERVICE), jobName: 'x', variables: { variable: [{ name: 'Bogus', value: '1' }] } };
		const failed = await run(params);
		expect(failed.error).toMatchObject({ name: 'NodeApiError', httpCode: '400' });
		expect(JSON.stringify(failed.error)).toContain('Bogus');
		const soft = await run(params, { continueOnFail: true });
		expect(soft.items[0].json).toMatchObject({ httpCode: '400' });
	});

	it('Job → Get of an unknown job: 404 with Datto\'s message', async () => {
		const missing = await run({ resource: 'job', operation: 'get', jobUid: 'no-such-job' });
		expect(missing.error).toMatchObject({ name: 'NodeApiError', httpCode: '404' });
	});

	it('Component → Get Many pages through all components; the dropdown lists them by name and filters', async () => {
		const all = await run({ resource: 'component', operation: 'getMany', returnAll: true });
		expect(all.items.map((i) => i.json.uid).sort()).toEqual(sim.jobs.components.map((c) => c.uid).sort());
		expect(sim.log.count('GET /api/v2/account/components')).toBeGreaterThan(1);
		const limited = await run({ resource: 'component', operation: 'getMany', returnAll: false, limit: 1 });
		expect(limited.items).toHaveLength(1);
		const context = {
			getCredentials: async () => apiCredentials(sim).dattoRmmApi,
			getNode: () => ({ name: 'Datto RMM', type: 'n8n-nodes-halo-datto.dattoRmm', typeVersion: 1, position: [0, 0], parameters: {} }),
		} as unknown as ILoadOptionsFunctions;
		const list = await node.methods.listSearch.searchComponents.call(context);
		expect(list.results.map((r) => r.name)).toEqual([...list.results.map((r) => r.name)].sort((a, b) => a.localeCompare(b)));
		expect(list.results).toHaveLength(sim.jobs.components.length);
		const spooler = await node.methods.listSearch.searchComponents.call(context, 'spooler');
		expect(spooler.results.map((r) => r.name)).toEqual(['Restart Print Spooler']);
	});
});
