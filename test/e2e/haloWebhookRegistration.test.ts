/*
 * HaloPSA Trigger v2 registers its own webhook in Halo (issue 15), in real n8n against the Halo and Datto simulators:
 *
 * - the shipped all-in-one workflow (workflows/datto-halo-sync.json) is imported UNPUBLISHED while the Halo simulator
 *   holds no webhook; publishing it through n8n's API creates exactly one webhook at the trigger's PRODUCTION URL,
 *   authenticated with the HaloPSA Webhook credential (Basic) and subscribed to "Closed" and "Ticket Status Changed";
 * - a technician's close in Halo reaches n8n through that registration (and only through it) and resolves the Datto
 *   alert; Halo reports the close twice, the workflow runs once;
 * - n8n restarted (publish at start): the same webhook, no second one, no Halo write; unpublish deletes the webhook the
 *   trigger created, publish creates it again;
 * - a tenant whose small "Ticket Status Changed" payloads carry only status_id: a HaloPSA Trigger with DEFAULT settings
 *   (test workflow below) detects a technician's close from that payload alone, and drops the integration's own close
 *   (recognised by the API agent's id after re-reading the ticket);
 * - an API agent without the permission: publishing still succeeds, n8n logs a warning naming the permission and the
 *   manual steps, and the trigger still answers.
 *
 * Nothing of the shipped JSON is changed; the test workflow "HaloPSA Trigger (defaults)" is a v2 trigger with no
 * parameter set → No Operation.
 */
import { httpRequest } from '../../harness/http';
import { N8nInstance } from '../../harness/n8n/instance';
import { CREDENTIALS, NODES, NODE_TYPES, WORKFLOW_IDS, stableUuid, type WorkflowJson } from '../../scripts/workflows/definition';
import {
	CREDENTIALS_FIXTURE,
	HALO_WEBHOOK_AUTH,
	type Simulators,
	credentialVars,
	dattoCalls,
	expectHaloRegistration,
	haloRegistrations,
	lastExecutionId,
	logMark,
	readWorkflow,
	settledExecutions,
	sleep,
	startSimulators,
	staticStore,
	subscribeWebhooks,
	ticketsFor,
	waitFor,
	webhookPath,
} from './fixtures/sync';

const WF = WORKFLOW_IDS.static;
const DEFAULTS_WF = 'HaloRegDefaults1';
const DEFAULTS_TRIGGER = 'HaloPSA Trigger';
const RESOLVE_ROUTE = 'POST /api/v2/alert/:alertUid/resolve';
const BASIC = `Basic ${Buffer.from(`${HALO_WEBHOOK_AUTH.username}:${HALO_WEBHOOK_AUTH.password}`).toString('base64')}`;

/** A HaloPSA Trigger v2 with every parameter at its default (events: all four) → No Operation. */
function defaultsWorkflow(): WorkflowJson {
	return {
		id: DEFAULTS_WF,
		name: 'HaloPSA Trigger (defaults, test)',
		active: false,
		nodes: [
			{
				id: stableUuid(`${DEFAULTS_WF}/${DEFAULTS_TRIGGER}`),
				name: DEFAULTS_TRIGGER,
				type: NODE_TYPES.haloTrigger,
				typeVersion: 2,
				position: [0, 0],
				webhookId: stableUuid(`${DEFAULTS_WF}/webhook/${DEFAULTS_TRIGGER}`),
				parameters: {},
				credentials: { haloPsaWebhookApi: { ...CREDENTIALS.haloPsaWebhookApi }, haloPsaApi: { ...CREDENTIALS.haloPsaApi } },
			},
			{ id: stableUuid(`${DEFAULTS_WF}/Done`), name: 'Done', type: NODE_TYPES.noOp, typeVersion: 1, position: [300, 0], parameters: {} },
		],
		connections: { [DEFAULTS_TRIGGER]: { main: [[{ node: 'Done', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
		pinData: {},
		meta: { templateCredsSetupCompleted: false },
		tags: [],
	};
}

describe('HaloPSA Trigger v2 registers its webhook in Halo (real n8n)', () => {
	let sims: Simulators;
	let n8n: N8nInstance;
	let wf: WorkflowJson;
	let dattoPath: string;
	let haloPath: string;
	let defaultsPath: string;
	let registeredId = '';
	const timings: Record<string, number> = {};

	const haloRoutes = (since: number) => sims.halo.log.entries(since).map((e) => e.route.toLowerCase());
	const webhookWrites = (since: number) => haloRoutes(since).filter((r) => /^(post|delete) \/api\/(webhook|notification)/.test(r));

	async function setActive(id: string, active: boolean): Promise<void> {
		const res = await n8n.api('POST', `/workflows/${id}/${active ? 'activate' : 'deactivate'}`);
		expect({ id, active, status: res.status }).toEqual({ id, active, status: 200 });
		expect((res.json as { active?: boolean }).active).toBe(active);
	}

	beforeAll(async () => {
		const started = Date.now();
		sims = await startSimulators();
		n8n = await N8nInstance.create();
		wf = readWorkflow('workflows/datto-halo-sync.json');
		// Imported, not published: the test publishes through n8n's API.
		await n8n.provision({ credentials: [CREDENTIALS_FIXTURE], workflows: [wf, defaultsWorkflow()], vars: credentialVars(sims), publish: [] });
		dattoPath = webhookPath(wf, NODES.dattoTrigger, 'datto-alert');
		haloPath = webhookPath(wf, NODES.haloTrigger, 'halo');
		defaultsPath = webhookPath(defaultsWorkflow(), DEFAULTS_TRIGGER, 'halo');
		await n8n.start();
		await n8n.createApiKey();
		subscribeWebhooks(sims, n8n, dattoPath);
		timings.setup = Date.now() - started;
	}, 300_000);

	afterAll(async () => {
		process.stderr.write(`[haloWebhookRegistration] timings (ms): ${JSON.stringify(timings)}\n`);
		await n8n?.stop();
		await sims?.close();
	});

	test('publish with no webhook in Halo → exactly one authenticated webhook at the production URL, subscribed to Closed and Ticket Status Changed', async () => {
		expect(sims.halo.registeredWebhooks.all()).toEqual([]);
		expect(sims.halo.webhooks.list()).toEqual([]);
		await setActive(WF, true);
		const hook = await expectHaloRegistration(sims, n8n, haloPath); // one, active, Basic with the credential, events 39 + 76
		expect(sims.halo.registeredWebhooks.all()).toHaveLength(1);
		expect(hook.url).toBe(`${n8n.baseUrl}/webhook/${haloPath}`); // production (/webhook/), not the editor's /webhook-test/
		expect(hook).toMatchObject({ name: `n8n ${wf.name.slice(0, 60)} (${WF})`, method: 0, content_type: 'application/json' });
		// Halo never reads the password back; the registry delivers with it.
		const listed = (await httpRequest('GET', `${sims.halo.baseUrl}/_sim/halo-webhooks`)).json as Array<{ id: string }>;
		expect(listed.map((w) => w.id)).toEqual([hook.id]);
		expect(sims.halo.webhooks.list().map((s) => ({ id: s.id, url: s.url, source: s.source }))).toEqual([{ id: hook.id, url: hook.url, source: 'api' }]);
		// The trigger remembers what it created (node static data), so unpublish deletes only that.
		const saved = (await n8n.api('GET', `/workflows/${WF}`)).json as { staticData?: Record<string, Record<string, unknown>> };
		expect(saved.staticData?.[`node:${NODES.haloTrigger}`]).toMatchObject({ haloWebhookId: hook.id, haloWebhookUrl: hook.url, haloWebhookCreated: true });
		registeredId = String(hook.id);
	});

	test('a technician closes the ticket in Halo → delivered through the registration (Basic auth), the Datto alert is resolved, the workflow runs once', async () => {
		const { alert } = await sims.datto.createAlert({ deviceUid: sims.devices.contoso, priority: 'High' });
		const [ticket] = await waitFor('the ticket', () => {
			const t = ticketsFor(sims.halo, alert.alertUid);
			return t.length ? t : undefined;
		});
		await waitFor('the link to be open', async () => (await staticStore(n8n, WF)).alerts?.[alert.alertUid]?.status === 'open');
		const deliveriesBefore = sims.halo.webhooks.deliveries().length;
		const dattoMark = logMark(sims.datto);
		const before = await lastExecutionId(n8n);
		sims.halo.closeAsTechnician(ticket.id as number, { note: 'Replaced the disk.' });
		await waitFor('the Datto alert to be resolved', () => sims.datto.data.alerts.find((a) => a.alert.alertUid === alert.alertUid)?.alert.resolved === true);
		await sims.halo.webhooks.idle();
		const deliveries = sims.halo.webhooks.deliveries().slice(deliveriesBefore);
		expect(
			deliveries
				.map((d) => ({ subscription: d.subscriptionId, url: d.url, auth: d.headers.Authorization, status: d.status, event: (d.body as { event?: string }).event }))
				.sort((a, b) => String(a.event).localeCompare(String(b.event))),
		).toEqual([
			{ subscription: registeredId, url: `${n8n.baseUrl}/webhook/${haloPath}`, auth: BASIC, status: 200, event: 'Ticket Closed' },
			{ subscription: registeredId, url: `${n8n.baseUrl}/webhook/${haloPath}`, auth: BASIC, status: 200, event: 'Ticket Status Changed' },
		]);
		expect(deliveries.map((d) => (JSON.parse(d.responseBody ?? '{}') as { accepted?: number }).accepted).sort()).toEqual([0, 1]);
		await sims.datto.webhooks.idle();
		await sleep(1000);
		// One run for the close (the second report was a duplicate) + the lifecycle run for Datto's resolved webhook.
		const runs = await settledExecutions(n8n, WF, before, { mode: 'webhook' });
		expect(runs.map((e) => e.status)).toEqual(['success', 'success']);
		expect(dattoCalls(sims.datto, dattoMark).filter((c) => c.route === RESOLVE_ROUTE)).toHaveLength(1);
		expect((await staticStore(n8n, WF)).alerts[alert.alertUid]).toMatchObject({ status: 'closed', value: { closedBy: 'halo' } });
	});

	test('n8n restarted: the same webhook, no second one, no write to Halo\'s webhooks', async () => {
		const mark = logMark(sims.halo);
		await n8n.stop({ keepFolder: true });
		await n8n.start({ waitForWebhooks: [dattoPath] });
		// n8n 1.123 re-activates the workflow at start and the trigger checks its webhook (GET /api/Webhook); n8n 2.41's
		// workflow publication service handles the restart as a "startup" publication of webhooks it has stored and was
		// seen not to call the trigger's check at all. Either way nothing may be written to Halo's webhooks.
		await waitFor('the trigger\'s check at start', () => haloRoutes(mark).includes('get /api/webhook') || undefined, 15_000).catch(() => undefined);
		await sleep(2000);
		expect(sims.halo.registeredWebhooks.all().map((w) => w.id)).toEqual([registeredId]);
		expect(webhookWrites(mark)).toEqual([]);
	});

	test('unpublish deletes the webhook the trigger created; publishing again creates exactly one', async () => {
		let mark = logMark(sims.halo);
		await setActive(WF, false);
		await waitFor('the webhook to be deleted', () => sims.halo.registeredWebhooks.all().length === 0 || undefined);
		expect(webhookWrites(mark)).toEqual([`delete /api/webhook/:id`]);
		expect(sims.halo.webhooks.list()).toEqual([]); // nothing delivers to n8n any more
		mark = logMark(sims.halo);
		await setActive(WF, true);
		const hook = await expectHaloRegistration(sims, n8n, haloPath);
		expect(sims.halo.registeredWebhooks.all()).toHaveLength(1);
		expect(webhookWrites(mark)).toEqual(['post /api/webhook', 'post /api/notification']);
		registeredId = String(hook.id);
	});

	test('small status-only "Ticket Status Changed" payloads: a trigger with default settings detects a technician\'s close and drops the integration\'s own', async () => {
		sims.halo.registeredWebhooks.configure({ statusOnlyStatusChanged: true });
		try {
			await setActive(DEFAULTS_WF, true);
			const [hook] = await waitFor('the default trigger\'s registration', () => {
				const list = haloRegistrations(sims, n8n, defaultsPath);
				return list.length && list[0].events.length === 4 ? list : undefined;
			});
			expect(hook.events.map((e) => Number(e.eventno)).sort((a, b) => a - b)).toEqual([3, 19, 39, 76]);
			// A tenant whose "Closed" event does not fire: only the status-only "Ticket Status Changed" can report the close.
			for (const n of hook.events.filter((e) => Number(e.eventno) === 39)) sims.halo.registeredWebhooks.deleteNotification(Number(n.id));
			const toDefaults = (since: number) => sims.halo.webhooks.deliveries().slice(since).filter((d) => d.subscriptionId === hook.id);

			// A technician closes a ticket (closed status 17 in this tenant, a number the trigger was never told).
			const ticket = sims.halo.createTicketDirect({ summary: 'Printer offline', client_id: 12 });
			await sims.halo.webhooks.idle(); // its "New Ticket Logged" (a run of the defaults workflow) is not what this checks
			await sleep(500);
			let since = sims.halo.webhooks.deliveries().length;
			const before = await lastExecutionId(n8n);
			sims.halo.closeAsTechnician(ticket.id as number);
			await sims.halo.webhooks.idle();
			const closeDeliveries = toDefaults(since).filter((d) => (d.body as { event?: string }).event === 'Ticket Status Changed');
			expect(closeDeliveries.map((d) => (d.body as { ticket?: unknown }).ticket)).toEqual([{ id: ticket.id, status_id: 17 }]);
			const [run] = await settledExecutions(n8n, DEFAULTS_WF, before, { count: 1, mode: 'webhook' });
			const full = (await n8n.api('GET', `/executions/${String(run.id)}?includeData=true`)).json as {
				data?: { resultData?: { runData?: Record<string, Array<{ data?: { main?: Array<Array<{ json: Record<string, unknown> }>> } }>> } };
			};
			const items = full.data?.resultData?.runData?.[DEFAULTS_TRIGGER]?.[0]?.data?.main?.[0] ?? [];
			expect(items.map((i) => i.json)).toEqual([
				expect.objectContaining({ ticketId: ticket.id, event: 'closed', eventName: 'Ticket Status Changed', closed: true, statusId: 17, closedBy: 'statusName' }),
			]);

			// The integration closes a ticket (a Datto alert resolved → the shipped workflow closes its ticket as the API
			// agent): the status-only report of that close is dropped by agent id (the trigger re-read the ticket).
			const { alert } = await sims.datto.createAlert({ deviceUid: sims.devices.fabrikam, priority: 'High' });
			const [own] = await waitFor('the ticket', () => {
				const t = ticketsFor(sims.halo, alert.alertUid);
				return t.length ? t : undefined;
			});
			await waitFor('the link to be open', async () => (await staticStore(n8n, WF)).alerts?.[alert.alertUid]?.status === 'open');
			await sims.halo.webhooks.idle();
			await sleep(500);
			since = sims.halo.webhooks.deliveries().length;
			const before2 = await lastExecutionId(n8n);
			await sims.datto.resolveAlertInDatto(alert.alertUid);
			await waitFor('the close', () => sims.halo.ticket(own.id as number)?.status_id === 17);
			await sims.halo.webhooks.idle();
			const ownClose = toDefaults(since).filter((d) => (d.body as { event?: string }).event === 'Ticket Status Changed');
			expect(ownClose.map((d) => (d.body as { ticket?: unknown }).ticket)).toEqual([{ id: own.id, status_id: 17 }]);
			expect(ownClose.map((d) => JSON.parse(d.responseBody ?? '{}'))).toEqual([
				{ received: 1, accepted: 0, ignored: [{ ticketId: own.id, event: 'closed', reason: `caused by ignored agent ${sims.halo.profile.apiAgentId}` }] },
			]);
			await sleep(1500);
			expect(await settledExecutions(n8n, DEFAULTS_WF, before2, { mode: 'webhook' })).toEqual([]);
		} finally {
			sims.halo.registeredWebhooks.configure({ statusOnlyStatusChanged: false });
		}
	});

	test('API agent without the permission: publishing still succeeds, n8n logs a warning naming the permission and the manual steps', async () => {
		await setActive(DEFAULTS_WF, false);
		await waitFor('the default trigger\'s webhook deleted', () => haloRegistrations(sims, n8n, defaultsPath).length === 0 || undefined);
		sims.halo.registeredWebhooks.configure({ allowed: false });
		try {
			const logBefore = n8n.logTail(100_000).length;
			await setActive(DEFAULTS_WF, true);
			const warning = await waitFor('the warning in n8n\'s log', () =>
				n8n
					.logTail(100_000)
					.slice(logBefore)
					.split('\n')
					.find((l) => l.includes('HaloPSA Trigger: could not register the webhook in Halo')),
			);
			expect(warning).toContain('Halo refused it (403)');
			expect(warning).toContain('"admin"');
			expect(warning).toContain('Configuration > Integrations > Webhooks');
			expect(warning).toContain(`Payload URL ${n8n.baseUrl}/webhook/${defaultsPath}`);
			expect(warning).not.toContain(HALO_WEBHOOK_AUTH.password);
			expect(haloRegistrations(sims, n8n, defaultsPath)).toEqual([]);
			const listed = (await n8n.api('GET', `/workflows/${DEFAULTS_WF}`)).json as { active?: boolean };
			expect(listed.active).toBe(true);
			// The trigger is live: a hand-made webhook (the manual steps) would be answered.
			const res = await httpRequest('POST', `${n8n.baseUrl}/webhook/${defaultsPath}`, {
				json: { event: 'Ticket Updated', ticket: { id: 424242, status_id: 2, status: { id: 2, name: 'In Progress' } } },
				headers: { authorization: BASIC },
			});
			expect(res.status).toBe(200);
		} finally {
			sims.halo.registeredWebhooks.configure({ allowed: true });
		}
	});
});
