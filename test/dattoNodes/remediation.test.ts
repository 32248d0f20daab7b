/**
 * Datto RMM node, Remediation → Start / Check (self-healing) through n8n-core against the Datto simulator, with the
 * remediation table in the static-data Mapping Store: run → wait → report with the note text, once per alert,
 * timeout of a job that never finishes, technician starts (listed components only), secrets never in the output.
 */
import type { IDataObject } from 'n8n-workflow';

import { DattoRmm } from '../../nodes/DattoRmm/DattoRmm.node';
import { DattoRmmTrigger } from '../../nodes/DattoRmmTrigger/DattoRmmTrigger.node';
import { StaticDataStore } from '../../nodes/shared/store';
import type { DattoSimulator } from '../../simulators/datto';
import { runNode } from '../helpers/nodeHarness';
import { callWebhook } from '../helpers/webhookHarness';
import { WEBHOOK_SECRET, apiCredentials, bodyFor, credentialTypes, recordOf, startSim, until, webhookCredentials } from './helpers';

const node = new DattoRmm();
const SECRET_VALUE = 'pw-Very-Secret-77';
let sim: DattoSimulator;
let componentUid: string;
const store = () => new StaticDataStore('harness-workflow', {}, { executionsMode: 'regular' });

beforeAll(async () => {
	sim = await startSim({ jobTimings: { startDelayMs: 10, runMs: 40 } });
	componentUid = sim.jobs.addComponent({
		name: 'Restart With Credentials',
		variables: ['ServiceName', 'AdminPassword'],
		behaviour: { stdout: 'Using {{AdminPassword}} to restart {{ServiceName}}... OK' },
	}).uid;
	await store().set('remediationRules', 'restart', {
		value: { id: 'restart', alertType: 'srvc_status_ctx', componentUid, componentName: 'Restart With Credentials', variables: { ServiceName: '{condition.detail}', AdminPassword: SECRET_VALUE }, timeoutMinutes: 1 },
	});
});
afterAll(async () => await sim.close());

const alert = (alertUid: string, deviceUid: string) => ({
	alertUid,
	event: 'triggered',
	priority: 'High',
	message: 'Service Spooler stopped',
	condition: 'srvc_status_ctx:Spooler',
	device: { uid: deviceUid, hostname: 'PC' },
	site: { uid: 'site', name: 'Site' },
	ticketId: 4242,
});

async function run(parameters: Record<string, unknown>, json: IDataObject = {}) {
	const result = await runNode({ node, parameters: { resource: 'remediation', backend: 'staticData', ...parameters } as never, credentials: apiCredentials(sim), input: [{ json }] });
	if (result.error) throw result.error;
	return result.items[0].json as IDataObject & { remediation: IDataObject };
}

test('alert: start → wait → check reports the note; a second delivery runs nothing; no secret in any output', async () => {
	const device = sim.data.devices[0].uid;
	const started = await run({ operation: 'start', source: 'alert' }, alert('a-1', device));
	expect(started.remediation).toMatchObject({ next: 'wait', ruleId: 'restart', componentUid, ticketId: 4242, jobUid: expect.any(String), waitSeconds: 10 });
	expect(started.remediation.safeVariables).toEqual([{ name: 'ServiceName', value: 'Spooler' }, { name: 'AdminPassword', value: '***' }]);
	const again = await run({ operation: 'start', source: 'alert' }, alert('a-1', device));
	expect(again.remediation).toMatchObject({ next: 'nothing', reason: 'already-ran-for-alert' });
	expect(sim.counters.jobsCreated).toBe(1);
	// Wait for the simulated job's end, not for a time: on a loaded machine the simulator's timers fire late.
	await until(() => sim.jobs.job(String(started.remediation.jobUid))?.phases.some((p) => p.phase === 'success') === true);
	const checked = await run({ operation: 'check' }, started);
	expect(checked.remediation).toMatchObject({ next: 'report', outcome: 'success', deploymentStatus: 'Success' });
	expect(checked.remediation.noteText).toContain('Self-healing: component "Restart With Credentials" succeeded.');
	expect(checked.remediation.noteText).toContain('Using *** to restart Spooler... OK');
	for (const output of [started, again, checked]) expect(JSON.stringify(output)).not.toContain(SECRET_VALUE);
	const record = await store().get('remediations', 'a-1');
	expect(record?.history.map((h) => h.event)).toEqual(['remediationPlanned', 'remediationStarted', 'remediationFinished']);
	expect(JSON.stringify(record)).not.toContain(SECRET_VALUE);
});

test('an alert as the Datto RMM Trigger emits it from the recommended webhook body (no alert type in it) matches its alert-type rule', async () => {
	// The shipped workflows' trigger settings: enrichment only when a ticket field is missing. The recommended body has
	// them all, so the alert reaches Start without the context's @class (its condition is the message shape).
	const device = sim.data.devices[4].uid;
	const { alert: created } = await sim.createAlert({ webhook: false, deviceUid: device, priority: 'High', context: { '@class': 'srvc_status_ctx', serviceName: 'Spooler', status: 'STOPPED' } });
	const delivered = await callWebhook({
		node: new DattoRmmTrigger(),
		parameters: { events: 'both', enrich: 'whenMissing', respond: 'onReceived' } as never,
		credentials: { ...webhookCredentials(), ...apiCredentials(sim) },
		credentialTypes,
		request: { headers: { 'content-type': 'application/json' }, body: bodyFor(sim, recordOf(sim, created.alertUid), 'recommended', 'triggered'), query: { secret: WEBHOOK_SECRET } },
	});
	const item = delivered.workflowData![0][0].json;
	expect(item).toMatchObject({ alertUid: created.alertUid, condition: expect.stringMatching(/^message:/), device: { uid: device } });
	expect(JSON.stringify(item)).not.toContain('srvc_status_ctx');
	const jobs = sim.counters.jobsCreated;
	// As in the workflow: Start reads the alert from "Save alert link" (Create From Alert's `alert`).
	const started = await run({ operation: 'start', source: 'alert', alert: '={{ $json.alert }}', ticketId: '={{ $json.ticketId }}' }, { alert: item, ticketId: 4243 });
	expect(started.remediation).toMatchObject({ next: 'wait', ruleId: 'restart', componentUid, ticketId: 4243 });
	expect(started.remediation.alert).toEqual({ condition: 'srvc_status_ctx:Spooler', alertType: 'srvc_status_ctx', contextFrom: 'api' });
	expect(started.remediation.safeVariables).toEqual([{ name: 'ServiceName', value: 'Spooler' }, { name: 'AdminPassword', value: '***' }]);
	expect(sim.counters.jobsCreated).toBe(jobs + 1);
});

test('a job that never finishes: check waits with backoff, then reports the timeout at the deadline', async () => {
	sim.jobs.setBehaviour(componentUid, { neverFinishes: true });
	try {
		const device = sim.data.devices[1].uid;
		const started = await run({ operation: 'start', source: 'alert', settings: { pollSeconds: 2 } }, alert('a-2', device));
		await until(() => sim.jobs.job(String(started.remediation.jobUid))?.phases.some((p) => p.phase === 'running') === true);
		const waiting = await run({ operation: 'check', settings: { pollSeconds: 2 } }, started);
		expect(waiting.remediation).toMatchObject({ next: 'wait', polls: 1, waitSeconds: 3, deploymentStatus: 'Running' });
		const late = new Date(Date.parse(String(started.remediation.deadline)) + 1000).toISOString();
		const timedOut = await run({ operation: 'check', clockOverride: late }, waiting);
		expect(timedOut.remediation).toMatchObject({ next: 'report', outcome: 'timeout' });
		expect(timedOut.remediation.noteText).toContain('did not finish in time (waited 1 min; Datto status Running)');
	} finally {
		sim.jobs.setBehaviour(componentUid, { neverFinishes: false });
	}
});

test('dry run decides without starting a job', async () => {
	const before = sim.counters.jobsCreated;
	const result = await run({ operation: 'start', source: 'alert', dryRun: true }, alert('a-3', sim.data.devices[2].uid));
	expect(result.remediation).toMatchObject({ next: 'nothing', action: 'run', dryRun: true, message: expect.stringMatching(/^dry run: would run rule restart/) });
	expect(sim.counters.jobsCreated).toBe(before);
	expect((await store().get('dryRun.remediations', 'a-3'))?.history[0].event).toBe('remediationDryRun');
});

test('technician: a listed component starts on the given device; an unlisted one is refused', async () => {
	const body = { ticketId: 77, component: 'restart with credentials', deviceUid: sim.data.devices[3].uid, variables: { ServiceName: 'W32Time' }, technician: 'Jane' };
	const params = { operation: 'start', source: 'technician', ticketId: '={{ $json.body.ticketId }}', component: '={{ $json.body.component }}', deviceUid: '={{ $json.body.deviceUid }}', variables: '={{ $json.body.variables }}', startedBy: '={{ $json.body.technician }}' };
	const started = await run(params, { body });
	expect(started.remediation).toMatchObject({ next: 'wait', ticketId: 77, startedBy: 'Jane', ruleId: null, componentUid });
	expect(started.remediation.safeVariables).toEqual([{ name: 'ServiceName', value: 'W32Time' }, { name: 'AdminPassword', value: '***' }]);
	const refused = await runNode({ node, parameters: { resource: 'remediation', backend: 'staticData', ...params } as never, credentials: apiCredentials(sim), input: [{ json: { body: { ...body, component: 'Format C:' } } }] });
	expect(refused.status).toBe('error');
	expect(refused.error?.message).toMatch(/"format c:" is not listed in the remediation table/);
});
