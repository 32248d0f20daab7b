/*
 * The shipped self-healing workflow (workflows/datto-halo-self-healing.json) in real n8n against the Halo and Datto
 * simulators, one n8n for the whole file, scenarios in order:
 *   1. matching alert → ticket → Datto job → private note with StdOut → the simulated fix resolves the alert →
 *      ticket closed with a note naming the remediation;
 *   2. a non-matching alert gets its ticket and runs nothing;
 *   3. a job that never finishes ends with a note saying so, within the rule's bound;
 *   4. a technician-started job (the authenticated Halo webhook) writes its result back to the ticket.
 *
 * Test-only changes to the import: the seed CSVs (sites; a remediation table with two enabled rules), the seed step
 * also imports the remediation table (one `n8n execute`), and the remediation nodes poll every second.
 */
import { httpRequest } from '../../harness/http';
import { N8nInstance } from '../../harness/n8n/instance';
import { NODES, type WorkflowJson } from '../../scripts/workflows/definition';
import { HEAL_NODES, SELF_HEALING_FILE, SELF_HEALING_WORKFLOW_ID, TECHNICIAN_CREDENTIAL, TECHNICIAN_WEBHOOK_PATH } from '../../scripts/workflows/selfHealing';
import {
	CREDENTIALS_FIXTURE,
	SEED_CSV,
	type Simulators,
	credentialVars,
	haloApiCalls,
	lastExecutionId,
	logMark,
	node,
	readWorkflow,
	runSeedStep,
	settledExecutions,
	startSimulators,
	staticStore,
	subscribeWebhooks,
	ticketsFor,
	transformWorkflow,
	waitFor,
	webhookPath,
} from './fixtures/sync';

const WF = SELF_HEALING_WORKFLOW_ID;
const SPOOLER = 'c0a1b2c3-0001-4000-8000-000000000001';
const STUCK = 'e2e0stuck-0000-4000-8000-000000000001';
const HEADER = { name: 'X-Remediation-Token', value: 'e2e-remediation-token-0123456789' };
const csvRow = (key: string, value: object) => `${key},"${JSON.stringify(value).replace(/"/g, '""')}"\n`;
const RULES_CSV =
	'key,value\n' +
	csvRow('restart-spooler', { id: 'restart-spooler', alertType: 'srvc_status_ctx', messagePattern: 'spooler', componentUid: SPOOLER, componentName: 'Restart Print Spooler', timeoutMinutes: 1 }) +
	csvRow('stuck-cleanup', { id: 'stuck-cleanup', alertType: 'perf_disk_usage_ctx', componentUid: STUCK, componentName: 'Stuck Cleanup', timeoutMinutes: 0.1 });

/** The private notes (POST /api/actions bodies) on a ticket since `mark`. */
function notesOn(sims: Simulators, ticketId: number, mark: number): Array<Record<string, unknown>> {
	return haloApiCalls(sims.halo, mark)
		.filter((c) => c.route === 'POST /api/actions')
		.map((c) => (c.body as Array<Record<string, unknown>>)[0])
		.filter((a) => a.ticket_id === ticketId);
}

describe('shipped workflow datto-halo-self-healing.json in real n8n', () => {
	let sims: Simulators;
	let n8n: N8nInstance;
	let wf: WorkflowJson;
	const state: { quietTicket?: number } = {};

	beforeAll(async () => {
		sims = await startSimulators();
		sims.datto.configure({ jobTimings: { startDelayMs: 300, runMs: 1200 } });
		sims.datto.jobs.addComponent({ uid: STUCK, name: 'Stuck Cleanup', behaviour: { neverFinishes: true } });
		wf = transformWorkflow(readWorkflow(SELF_HEALING_FILE), { seedCsv: SEED_CSV, everySeconds: {} });
		node(wf, HEAL_NODES.rulesImport).parameters.csv = RULES_CSV;
		wf.connections[NODES.seedImport] = { main: [[{ node: HEAL_NODES.rulesImport, type: 'main', index: 0 }]] };
		for (const n of wf.nodes.filter((x) => x.parameters.resource === 'remediation')) n.parameters.settings = { pollSeconds: 1 };
		n8n = await N8nInstance.create();
		await n8n.provision({
			credentials: [CREDENTIALS_FIXTURE, [{ id: TECHNICIAN_CREDENTIAL.id, name: TECHNICIAN_CREDENTIAL.name, type: 'httpHeaderAuth', data: HEADER }]],
			workflows: [wf],
			vars: credentialVars(sims),
		});
		await runSeedStep(n8n, WF, HEAL_NODES.rulesImport);
		const dattoPath = webhookPath(wf, NODES.dattoTrigger, 'datto-alert');
		const haloPath = webhookPath(wf, NODES.haloTrigger, 'halo');
		await n8n.start({ waitForWebhooks: [dattoPath, haloPath, TECHNICIAN_WEBHOOK_PATH] });
		await n8n.createApiKey();
		subscribeWebhooks(sims, n8n, dattoPath, haloPath);
	}, 300_000);

	afterAll(async () => {
		await n8n?.stop();
		await sims?.close();
	});

	test('matching alert → ticket → job → note with StdOut → fixed → ticket closed with a note naming the remediation', async () => {
		const mark = logMark(sims.halo);
		const { alert } = await sims.datto.createAlert({
			deviceUid: sims.devices.contoso,
			priority: 'High',
			context: { '@class': 'srvc_status_ctx', serviceName: 'Spooler', status: 'STOPPED' },
		});
		const [ticket] = await waitFor('the ticket', () => {
			const found = ticketsFor(sims.halo, alert.alertUid);
			return found.length ? found : undefined;
		});
		const ticketId = ticket.id as number;
		const job = await waitFor('the Datto job', () => [...sims.datto.jobs.jobs.values()].find((j) => j.deviceUid === sims.devices.contoso));
		expect(job.componentUid).toBe(SPOOLER);
		const notes = await waitFor('the remediation note and the close', () => {
			const all = notesOn(sims, ticketId, mark);
			return all.some((a) => String(a.note_html).includes('Self-healing: component')) && all.some((a) => a.new_status === 17) ? all : undefined;
		}, 60_000);
		const note = notes.find((a) => String(a.note_html).includes('Self-healing: component'))!;
		expect(note).toMatchObject({ hiddenfromuser: true });
		expect(String(note.note_html)).toContain('Self-healing: component &quot;Restart Print Spooler&quot; succeeded.');
		expect(String(note.note_html)).toContain(`Datto job: ${job.uid}`);
		expect(String(note.note_html)).toContain('Service state: RUNNING');
		expect(notes.filter((a) => String(a.note_html).includes('Self-healing: component'))).toHaveLength(1);
		expect(sims.datto.data.alerts.find((r) => r.alert.alertUid === alert.alertUid)?.alert.resolvedBy).toBe('Component: Restart Print Spooler');
		const close = notes.find((a) => a.new_status === 17)!;
		expect(String(close.note_html)).toContain(`self-healing: component &quot;Restart Print Spooler&quot; (Datto job ${job.uid}) fixed it`);
		const record = await waitFor('the decision log', async () => {
			const r = (await staticStore(n8n, WF)).remediations?.[alert.alertUid];
			return r?.history.some((h) => h.event === 'remediationFinished') ? r : undefined;
		});
		expect(record.value).toMatchObject({ ruleId: 'restart-spooler', jobUid: job.uid, outcome: 'success' });
	}, 120_000);

	test('a non-matching alert gets its ticket and runs nothing', async () => {
		const jobs = sims.datto.counters.jobsCreated;
		const before = await lastExecutionId(n8n);
		const { alert } = await sims.datto.createAlert({ deviceUid: sims.devices.fabrikam, context: { '@class': 'online_offline_status_ctx', status: 'OFFLINE' } });
		const [ticket] = await waitFor('the ticket', () => {
			const found = ticketsFor(sims.halo, alert.alertUid);
			return found.length ? found : undefined;
		});
		const executions = await settledExecutions(n8n, WF, before, { count: 1, mode: 'webhook' });
		expect(executions.map((e) => e.status)).toEqual(['success']);
		expect(sims.datto.counters.jobsCreated).toBe(jobs);
		expect((await staticStore(n8n, WF)).remediations?.[alert.alertUid]).toBeUndefined();
		state.quietTicket = ticket.id as number;
	}, 60_000);

	test('a job that never finishes ends with a note saying so, within the rule\'s bound', async () => {
		const mark = logMark(sims.halo);
		const started = Date.now();
		const { alert } = await sims.datto.createAlert({
			deviceUid: sims.devices.unmapped,
			context: { '@class': 'perf_disk_usage_ctx', diskName: 'C:', freeSpace: 1, totalVolume: 100, unitOfMeasure: 'GB' },
		});
		const [ticket] = await waitFor('the ticket', () => {
			const found = ticketsFor(sims.halo, alert.alertUid);
			return found.length ? found : undefined;
		});
		const [note] = await waitFor('the timeout note', () => {
			const found = notesOn(sims, ticket.id as number, mark).filter((a) => String(a.note_html).includes('Self-healing'));
			return found.length ? found : undefined;
		}, 40_000);
		expect(String(note.note_html)).toContain('Self-healing: component &quot;Stuck Cleanup&quot; did not finish in time (waited 0.1 min; Datto status Running)');
		expect(Date.now() - started).toBeLessThan(30_000);
	}, 60_000);

	test('a technician-started job from Halo writes its result back; a request without the header is refused', async () => {
		const ticketId = state.quietTicket as number;
		expect(ticketId).toBeDefined();
		const mark = logMark(sims.halo);
		const url = `${n8n.baseUrl}/webhook/${TECHNICIAN_WEBHOOK_PATH}`;
		const json = { ticketId, component: 'Restart Print Spooler', technician: 'Jane Tech' };
		const refused = await httpRequest('POST', url, { json });
		expect(refused.status).toBe(403);
		const accepted = await httpRequest('POST', url, { json, headers: { [HEADER.name]: HEADER.value } });
		expect(accepted.status).toBe(200);
		const [note] = await waitFor('the technician note', () => {
			const found = notesOn(sims, ticketId, mark).filter((a) => String(a.note_html).includes('Self-healing'));
			return found.length ? found : undefined;
		}, 40_000);
		expect(String(note.note_html)).toContain('Self-healing: component &quot;Restart Print Spooler&quot; succeeded.');
		expect(String(note.note_html)).toContain('started by Jane Tech');
		const job = [...sims.datto.jobs.jobs.values()].pop()!;
		expect(job.deviceUid).toBe(sims.devices.fabrikam);
	}, 60_000);
});
