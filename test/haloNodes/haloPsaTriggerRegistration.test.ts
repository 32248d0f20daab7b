/**
 * HaloPSA Trigger version 2: registers its own webhook in Halo on publish (webhookMethods through n8n-core's
 * HookContext), removes it on unpublish, keeps publishing when Halo refuses, and detects closes from small
 * status-only payloads with default settings (closed status ids from the cached status list; own closes by agent id).
 */
import type { INodeParameters } from 'n8n-workflow';

import { HaloPsaTrigger } from '../../nodes/HaloPsaTrigger/HaloPsaTrigger.node';
import { recentCloses } from '../../nodes/HaloPsaTrigger/recentCloses';
import type { HaloSimulator } from '../../simulators/halo';
import { startWebhookServer, type WebhookServer } from '../helpers/webhookHarness';
import { haloCredentials, startSim, warmClient } from './helpers';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const BASIC = { authMethod: 'basic', username: 'halo', password: 'Webhook-Pass-7f3a9c' };
const basicHeader = `Basic ${Buffer.from(`${BASIC.username}:${BASIC.password}`).toString('base64')}`;

describe('HaloPSA Trigger v2: webhook registration', () => {
	let sim: HaloSimulator;
	let server: WebhookServer | undefined;

	beforeAll(async () => {
		sim = await startSim();
	});
	afterAll(async () => await sim.close());
	beforeEach(() => {
		sim.reset('default');
		warmClient(sim);
		// The simulator reuses ticket ids after a reset; the trigger's duplicate-close memory must not see them as repeats.
		recentCloses.clear();
	});
	afterEach(async () => {
		await server?.close();
		server = undefined;
	});

	async function trigger(parameters: INodeParameters = {}, webhookCredential: Json = BASIC): Promise<WebhookServer> {
		server = await startWebhookServer({
			node: new HaloPsaTrigger(),
			parameters,
			credentials: { haloPsaWebhookApi: webhookCredential, haloPsaApi: haloCredentials(sim) },
		});
		return server;
	}

	const accepted = (s: WebhookServer) => s.calls.filter((c) => c.workflowData).flatMap((c) => c.workflowData![0].map((i) => i.json as Json));

	it('publish registers exactly one authenticated webhook at the production URL; a technician close arrives; unpublish removes it', async () => {
		const s = await trigger();
		expect((await s.hook('checkExists')).result).toBe(false);
		const created = await s.hook('create');
		expect(created.result).toBe(true);
		const stored = sim.registeredWebhooks.all();
		expect(stored).toHaveLength(1);
		expect(stored[0]).toMatchObject({ url: s.url, active: true, authentication_type: 1, basic_username: 'halo', basic_password: BASIC.password });
		expect(stored[0].name).toMatch(/^n8n .+ \(.+\)$/);
		expect(stored[0].events.map((e) => Number(e.eventno)).sort((a, b) => a - b)).toEqual([3, 19, 39, 76]);
		expect(s.staticData()).toMatchObject({ 'node:HaloPSA Trigger': { haloWebhookId: stored[0].id, haloWebhookUrl: s.url, haloWebhookCreated: true } });
		expect((await s.hook('checkExists')).result).toBe(true);

		// Publishing again (n8n restart) updates in place: still one webhook, no extra subscriptions.
		await s.hook('create');
		expect(sim.registeredWebhooks.all()).toHaveLength(1);
		expect(sim.registeredWebhooks.all()[0].events).toHaveLength(4);

		const t = sim.createTicketDirect({ summary: 'Disk alert', client_id: 12 });
		sim.closeAsTechnician(t.id as number);
		await sim.webhooks.idle();
		const deliveries = sim.webhooks.deliveries();
		expect(deliveries.length).toBeGreaterThan(0);
		for (const d of deliveries) {
			expect(d.headers.Authorization).toBe(basicHeader);
			expect(d.status).toBe(200);
		}
		// "Ticket Status Changed" and "Closed" both arrive; the close starts the workflow once.
		expect(deliveries.map((d) => (d.body as Json).event).sort()).toEqual(['Ticket Closed', 'Ticket Status Changed']);
		expect(accepted(s).filter((e) => e.event === 'closed' && e.ticketId === t.id)).toHaveLength(1);
		const ignored = s.calls.flatMap((c) => ((c.response.json as Json | undefined)?.ignored ?? []) as Json[]);
		expect(ignored).toEqual([{ ticketId: t.id, event: 'closed', reason: expect.stringMatching(/^duplicate close/) }]);

		expect((await s.hook('delete')).result).toBe(true);
		expect(sim.registeredWebhooks.all()).toEqual([]);
		expect(s.staticData()['node:HaloPSA Trigger']).toEqual({});
	});

	it('one close reported twice ("Closed" + "Ticket Status Changed") starts the workflow once; close → reopen → close twice', async () => {
		const s = await trigger({ events: ['closed'] });
		await s.hook('create');
		const t = sim.createTicketDirect({ summary: 'Flapping ticket', client_id: 12 });
		sim.closeAsTechnician(t.id as number);
		await sim.webhooks.idle();
		expect(accepted(s).map((e) => e.ticketId)).toEqual([t.id]);
		// Reopened by a technician (a status change that is not a close), then closed again: a new close.
		sim.setStatusAsTechnician(t.id as number, 2);
		await sim.webhooks.idle();
		sim.closeAsTechnician(t.id as number);
		await sim.webhooks.idle();
		expect(accepted(s).map((e) => e.ticketId)).toEqual([t.id, t.id]);
		expect(sim.webhooks.deliveries().map((d) => d.status)).toEqual([200, 200, 200, 200, 200]);
		// Version 1 keeps its behaviour: every delivery starts the workflow.
		await s.close();
		server = await startWebhookServer({
			node: new HaloPsaTrigger(),
			typeVersion: 1,
			parameters: { events: ['closed'] },
			credentials: { haloPsaWebhookApi: BASIC },
		});
		const v1 = server;
		sim.webhooks.clearSubscriptions();
		sim.webhooks.subscribe({ url: v1.url, events: ['Ticket Status Changed', 'Ticket Closed'], auth: { type: 'basic', username: BASIC.username, password: BASIC.password } });
		const t2 = sim.createTicketDirect({ summary: 'Version 1', client_id: 12 });
		sim.closeAsTechnician(t2.id as number);
		await sim.webhooks.idle();
		expect(accepted(v1).map((e) => e.ticketId)).toEqual([t2.id, t2.id]);
	});

	it('a delivery that cannot start the workflow costs no HaloPSA API call; an unnamed status that may be a close does', async () => {
		const s = await trigger({ events: ['closed'] });
		const post = async (body: Json) => {
			const res = await fetch(s.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: basicHeader }, body: JSON.stringify(body) });
			expect(res.status).toBe(200);
			return (await res.json()) as Json;
		};
		const apiCalls = (since: number) => sim.log.entries(since).filter((e) => e.path.toLowerCase().startsWith('/api/')).map((e) => e.route);
		const mark = sim.log.entries().at(-1)?.seq ?? 0;
		expect((await post({ event: 'Ticket Updated', ticket: { id: 5001, status_id: 2 } })).accepted).toBe(0);
		expect((await post({ event: 'Ticket Status Changed', ticket: { id: 5001, status_id: 2, status: { id: 2, name: 'In Progress' } } })).accepted).toBe(0);
		expect(apiCalls(mark)).toEqual([]);
		// Status 9 without a name may be a close: the trigger names it (GET /Status, cached) and, as the payload does not
		// say who closed it, re-reads the ticket.
		const t = sim.createTicketDirect({ summary: 'Closed elsewhere', client_id: 12 });
		sim.closeAsTechnician(t.id as number);
		await sim.webhooks.idle();
		const mark2 = sim.log.entries().at(-1)?.seq ?? 0;
		expect((await post({ event: 'Ticket Status Changed', ticket: { id: t.id, status_id: 9 } })).accepted).toBe(1);
		expect(apiCalls(mark2).some((r) => /^get \/api\/tickets\//i.test(r))).toBe(true);
	});

	it('a webhook the user made by hand is updated, not deleted on unpublish', async () => {
		const s = await trigger();
		const client = warmClient(sim);
		await client.request({ method: 'POST', path: '/Webhook', body: [{ name: 'Made by hand', url: s.url, type: 0, authentication_type: 0 }] });
		await s.hook('create');
		expect(sim.registeredWebhooks.all()).toHaveLength(1);
		expect(sim.registeredWebhooks.all()[0]).toMatchObject({ authentication_type: 1, url: s.url });
		await s.hook('delete');
		expect(sim.registeredWebhooks.all()).toHaveLength(1);
	});

	it('permission denied: publishing still succeeds, the warning names the permission and the manual steps', async () => {
		sim.registeredWebhooks.configure({ allowed: false });
		const s = await trigger();
		const { result, logs } = await s.hook('create');
		expect(result).toBe(true);
		const warning = logs.find((l) => l.level === 'warn')?.message ?? '';
		expect(warning).toContain('403');
		expect(warning).toContain('"admin"');
		expect(warning).toContain('Configuration > Integrations > Webhooks');
		expect(warning).toContain(s.url);
		expect(warning).not.toContain(BASIC.password);
		expect(s.staticData()['node:HaloPSA Trigger'] ?? {}).toEqual({});
		expect((await s.hook('delete')).result).toBe(true);
	});

	it('Register Webhook in Halo off, or version 1: nothing is registered', async () => {
		const off = await trigger({ registerWebhook: false });
		await off.hook('create');
		expect(sim.registeredWebhooks.all()).toEqual([]);
		await off.close();
		server = await startWebhookServer({
			node: new HaloPsaTrigger(),
			typeVersion: 1,
			credentials: { haloPsaWebhookApi: BASIC, haloPsaApi: haloCredentials(sim) },
		});
		expect((await server.hook('checkExists')).result).toBe(true);
		await server.hook('create');
		expect(sim.registeredWebhooks.all()).toEqual([]);
	});

	it('small status-only payloads, default settings: a technician close is detected, the integration\'s own close is dropped by agent id', async () => {
		sim.registeredWebhooks.configure({ statusOnlyStatusChanged: true });
		const s = await trigger({ events: ['closed'] });
		await s.hook('create');
		// Only "Ticket Status Changed" (76): drop the "Closed" subscription so the status-only payload must do.
		const client = warmClient(sim);
		const [hook] = sim.registeredWebhooks.all();
		for (const n of hook.events.filter((e) => Number(e.eventno) !== 76)) await client.request({ method: 'DELETE', path: `/Notification/${String(n.id)}` });
		expect(sim.registeredWebhooks.all()[0].events.map((e) => Number(e.eventno))).toEqual([76]);

		const t1 = sim.createTicketDirect({ summary: 'Technician closes', client_id: 12 });
		sim.closeAsTechnician(t1.id as number);
		const t2 = await client.createTicket({ summary: 'Integration closes', client_id: 12 });
		await client.addAction({ ticket_id: t2.id, outcome: 'Private Note', note: 'Resolved in Datto RMM', new_status: 9 });
		await sim.webhooks.idle();

		const bodies = sim.webhooks.deliveries().map((d) => d.body as Json);
		expect(bodies.map((b) => b.ticket)).toEqual([
			{ id: t1.id, status_id: 9 },
			{ id: t2.id, status_id: 9 },
		]);
		const events = accepted(s);
		expect(events).toHaveLength(1);
		expect(events[0]).toMatchObject({ ticketId: t1.id, event: 'closed', closed: true });
		const acks = s.calls.map((c) => c.response.json as Json);
		expect(acks.find((a) => a.ignored)?.ignored[0]).toMatchObject({ ticketId: t2.id, reason: 'caused by ignored agent 42' });
	});
});
