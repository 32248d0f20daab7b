/**
 * HaloPSA Trigger through n8n's WebhookContext on a real HTTP port, fed by the Halo simulator's outbound webhooks
 * (small / full / event / runbook payloads, batching, Basic / Bearer / header auth).
 */
import type { INodeParameters } from 'n8n-workflow';

import { HaloPsaTrigger } from '../../nodes/HaloPsaTrigger/HaloPsaTrigger.node';
import { LEGACY_HALO_MARKER } from '../../nodes/shared/domain/haloMarker';
import type { HaloSimulator } from '../../simulators/halo';
import { startWebhookServer, type WebhookServer } from '../helpers/webhookHarness';
import { haloCredentials, runHalo, startSim, warmClient } from './helpers';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const BASIC = { authMethod: 'basic', username: 'halo', password: 'Webhook-Pass-7f3a9c' };
const basicAuth = { type: 'basic' as const, username: BASIC.username, password: BASIC.password };
const basicHeader = `Basic ${Buffer.from(`${BASIC.username}:${BASIC.password}`).toString('base64')}`;

describe('HaloPSA Trigger', () => {
	let sim: HaloSimulator;
	let server: WebhookServer | undefined;

	beforeAll(async () => {
		sim = await startSim();
	});
	afterAll(async () => await sim.close());
	beforeEach(() => {
		sim.reset('default');
		warmClient(sim);
	});
	afterEach(async () => {
		await server?.close();
		server = undefined;
	});

	async function trigger(parameters: INodeParameters = {}, credentials: Record<string, Json> = {}): Promise<WebhookServer> {
		server = await startWebhookServer({
			node: new HaloPsaTrigger(),
			// Version 1 (no API unless asked, nothing registered); version 2: haloPsaTriggerRegistration.test.ts.
			typeVersion: 1,
			parameters,
			credentials: { haloPsaWebhookApi: BASIC, ...credentials },
		});
		return server;
	}

	/** Events the trigger emitted (one list per request that started an execution) and all acks. */
	function results(s: WebhookServer) {
		return {
			events: s.calls.filter((c) => c.workflowData).map((c) => c.workflowData![0].map((i) => i.json as Json)),
			responses: s.calls.map((c) => ({ status: c.response.statusCode, json: c.response.json as Json })),
		};
	}

	async function post(url: string, body: string, headers: Record<string, string>) {
		const res = await fetch(url, { method: 'POST', headers, body });
		const text = await res.text();
		let parsed: Json | undefined;
		try {
			parsed = JSON.parse(text) as Json;
		} catch {
			parsed = undefined;
		}
		return { status: res.status, json: parsed, headers: res.headers };
	}

	it('normalises each payload variant of a technician close: small, full, event-only, runbook', async () => {
		const s = await trigger();
		for (const payload of ['small', 'full', 'event', 'runbook'] as const) {
			sim.webhooks.subscribe({ url: s.url, payload, events: ['Ticket Closed'], auth: basicAuth });
		}
		const t = sim.createTicketDirect({ summary: 'Printer offline', client_id: 13, third_party_id_string: 'alert-42' });
		sim.closeAsTechnician(t.id as number);
		await sim.webhooks.idle();

		const { events, responses } = results(s);
		expect(responses).toHaveLength(4);
		for (const r of responses) expect(r).toEqual({ status: 200, json: { received: 1, accepted: 1 } });
		const byType = Object.fromEntries(events.map((list) => [list[0].payloadType, list[0]]));
		expect(Object.keys(byType).sort()).toEqual(['event', 'full', 'runbook', 'small']);
		const common = { ticketId: t.id, event: 'closed', closed: true };
		expect(byType.small).toMatchObject({
			...common,
			eventName: 'Ticket Closed',
			statusId: 9,
			clientId: 13,
			clientName: 'Fabrikam Inc',
			agentId: 5,
			externalRef: 'alert-42',
			summary: 'Printer offline',
			markerFound: false,
		});
		expect(byType.small.eventId).toMatch(/^[0-9a-f-]{36}$/);
		expect(byType.small.changedAt).toMatch(/Z$/);
		expect(byType.full).toMatchObject({ ...common, statusId: 9, statusName: 'Closed', agentId: 5, closedBy: 'event' });
		expect(byType.event).toMatchObject({ ...common, statusId: null, agentId: null, clientId: null, closedBy: 'event' });
		expect(byType.runbook).toMatchObject({ ...common, eventName: null, eventId: null, statusId: 9, statusName: 'Closed', closedBy: 'statusName' });
		expect(byType.runbook.raw).toEqual({ ticket: { id: t.id, status: { id: 9, name: 'Closed' }, dateclosed: sim.ticket(t.id as number)!.dateclosed } });
	});

	it('a batched delivery (array) becomes one item per event; the event filter drops the others with a 200 ack', async () => {
		const s = await trigger({ events: ['new', 'closed'] });
		sim.webhooks.subscribe({ url: s.url, payload: 'small', auth: basicAuth, batch: { delayMs: 1000, limit: 3 } });
		const a = sim.createTicketDirect({ summary: 'a', client_id: 12 }, { events: true });
		const b = sim.createTicketDirect({ summary: 'b', client_id: 12 }, { events: true });
		sim.setStatusAsTechnician(a.id as number, 2);
		await sim.webhooks.idle();
		const { events, responses } = results(s);
		expect(events).toHaveLength(1);
		expect(events[0].map((e) => [e.ticketId, e.event])).toEqual([
			[a.id, 'new'],
			[b.id, 'new'],
		]);
		expect(responses[0]).toEqual({
			status: 200,
			json: { received: 3, accepted: 2, ignored: [{ ticketId: a.id, event: 'statusChanged', reason: 'event "statusChanged" not selected' }] },
		});

		// Only unwanted events: acknowledged, no execution.
		sim.webhooks.clearSubscriptions();
		sim.webhooks.subscribe({ url: s.url, payload: 'small', auth: basicAuth });
		sim.setStatusAsTechnician(b.id as number, 2);
		await sim.webhooks.idle();
		const last = s.calls.at(-1)!;
		expect(last.workflowData).toBeUndefined();
		expect(last.response).toMatchObject({ statusCode: 200, json: { received: 1, accepted: 0 } });
	});

	it('wrong or missing auth → 401 JSON, no execution (Basic, Bearer, shared header)', async () => {
		const s = await trigger();
		const body = JSON.stringify({ event: 'Ticket Closed', webhook_id: 'w', object_id: 1 });
		const wrong = await post(s.url, body, {
			'content-type': 'application/json',
			authorization: `Basic ${Buffer.from('halo:nope').toString('base64')}`,
		});
		expect(wrong).toMatchObject({ status: 401, json: { error: 'Unauthorized', message: 'Wrong username or password' } });
		expect(wrong.headers.get('www-authenticate')).toMatch(/^Basic /);
		const missing = await post(s.url, body, { 'content-type': 'application/json' });
		expect(missing).toMatchObject({ status: 401, json: { error: 'Unauthorized', message: 'Missing Authorization header' } });
		const right = await post(s.url, body, { 'content-type': 'application/json', authorization: basicHeader });
		expect(right.status).toBe(200);
		expect(s.calls.map((c) => Boolean(c.workflowData))).toEqual([false, false, true]);
		await s.close();

		const bearer = await trigger({}, { haloPsaWebhookApi: { authMethod: 'bearer', token: 'tok-9b1e5c77d2' } });
		expect((await post(bearer.url, body, { 'content-type': 'application/json', authorization: 'Bearer tok-wrong' })).status).toBe(401);
		expect((await post(bearer.url, body, { 'content-type': 'application/json', authorization: 'Bearer tok-9b1e5c77d2' })).status).toBe(200);
		await bearer.close();

		const header = await trigger({}, { haloPsaWebhookApi: { authMethod: 'header', headerName: 'x-halo-secret', headerValue: 'hv-12345' } });
		sim.webhooks.subscribe({ url: header.url, payload: 'event', auth: { type: 'header', name: 'x-halo-secret', value: 'hv-12345' } });
		sim.webhooks.subscribe({ url: header.url, payload: 'event', auth: { type: 'header', name: 'x-halo-secret', value: 'wrong' } });
		sim.createTicketDirect({ summary: 'x', client_id: 12 }, { events: true });
		await sim.webhooks.idle();
		expect(sim.webhooks.deliveries().map((d) => d.status).sort()).toEqual([200, 401]);
		expect(results(header).events).toHaveLength(1);
	});

	it('echo suppression: a close made by the integration (API agent) is dropped, a technician close passes', async () => {
		const s = await trigger({ events: ['closed'], useApi: true }, { haloPsaApi: haloCredentials(sim) });
		sim.webhooks.subscribe({ url: s.url, payload: 'small', events: ['Ticket Closed'], auth: basicAuth });
		const ours = sim.createTicketDirect({ summary: 'closed by n8n', client_id: 12 });
		const theirs = sim.createTicketDirect({ summary: 'closed by Alice', client_id: 12 });

		const closed = await runHalo(sim, { resource: 'ticket', operation: 'close', ticketId: ours.id as number, options: { addMarker: false } });
		expect(closed.error).toBeUndefined();
		await sim.webhooks.idle();
		sim.closeAsTechnician(theirs.id as number);
		await sim.webhooks.idle();

		const { events, responses } = results(s);
		expect(responses[0]).toEqual({
			status: 200,
			json: { received: 1, accepted: 0, ignored: [{ ticketId: ours.id, event: 'closed', reason: 'caused by ignored agent 42' }] },
		});
		expect(events).toHaveLength(1);
		expect(events[0]).toEqual([expect.objectContaining({ ticketId: theirs.id, event: 'closed', agentId: 5 })]);
		// The API agent was asked once (GET /Agent/me, cached per credential).
		expect(sim.counts().byRoute['GET /api/agent/me']).toBe(1);
	});

	it('echo suppression by agent id first: a technician close note quoting the marker is not dropped (issue 18)', async () => {
		const s = await trigger({ events: ['closed'], useApi: true }, { haloPsaApi: haloCredentials(sim) });
		sim.webhooks.subscribe({ url: s.url, payload: 'full', events: ['Ticket Closed'], auth: basicAuth });
		const t = sim.createTicketDirect({ summary: 'quoted marker', client_id: 12 });
		sim.closeAsTechnician(t.id as number, { note: `Copied from the n8n note: disk cleaned ${LEGACY_HALO_MARKER}` });
		await sim.webhooks.idle();
		const { events, responses } = results(s);
		expect(responses[0]).toEqual({ status: 200, json: { received: 1, accepted: 1 } });
		expect(events[0]).toEqual([expect.objectContaining({ ticketId: t.id, agentId: 5, markerFound: true })]);
		// Without anything that names the integration's agent, the marker alone still decides (next test).
	});

	it('echo suppression without the API: by the marker in the closing note, or by configured agent IDs; can be switched off', async () => {
		const s = await trigger({ events: ['closed'] });
		sim.webhooks.subscribe({ url: s.url, payload: 'full', events: ['Ticket Closed'], auth: basicAuth });
		const t1 = sim.createTicketDirect({ summary: 'one', client_id: 12 });
		await runHalo(sim, { resource: 'ticket', operation: 'close', ticketId: t1.id as number });
		await sim.webhooks.idle();
		expect(results(s).responses[0].json).toMatchObject({ accepted: 0, ignored: [{ reason: 'carries the integration marker' }] });
		expect(sim.allActions(t1.id as number)[0].note_html).toMatch(/\[n8n-halo-datto:[a-z2-7]{16}\]/);
		await s.close();

		const byId = await trigger({ events: ['closed'], ignoreAgentIds: '42, 99' });
		sim.webhooks.clearSubscriptions();
		sim.webhooks.subscribe({ url: byId.url, payload: 'small', events: ['Ticket Closed'], auth: basicAuth });
		const t2 = sim.createTicketDirect({ summary: 'two', client_id: 12 });
		await runHalo(sim, { resource: 'ticket', operation: 'close', ticketId: t2.id as number, options: { addMarker: false } });
		await sim.webhooks.idle();
		expect(results(byId).responses[0].json).toMatchObject({ accepted: 0, ignored: [{ reason: 'caused by ignored agent 42' }] });
		await byId.close();

		const off = await trigger({ events: ['closed'], suppressEcho: false });
		sim.webhooks.clearSubscriptions();
		sim.webhooks.subscribe({ url: off.url, payload: 'full', events: ['Ticket Closed'], auth: basicAuth });
		const t3 = sim.createTicketDirect({ summary: 'three', client_id: 12 });
		await runHalo(sim, { resource: 'ticket', operation: 'close', ticketId: t3.id as number });
		await sim.webhooks.idle();
		expect(results(off).events[0]).toEqual([expect.objectContaining({ ticketId: t3.id, agentId: 42, markerFound: true })]);
	});

	it('re-fetch for event-only payloads (tenant acme, closed status 23): ticket, status name and newest actions from the API', async () => {
		sim.reset('acme');
		warmClient(sim);
		const s = await trigger({ useApi: true, refetch: 'incomplete', options: { actionCount: 1 } }, { haloPsaApi: haloCredentials(sim) });
		sim.webhooks.subscribe({ url: s.url, payload: 'event', events: ['Ticket Closed'], auth: basicAuth });
		sim.webhooks.subscribe({ url: s.url, payload: 'small', events: ['Ticket Closed'], auth: basicAuth });
		const t = sim.createTicketDirect({ summary: 'Globex server down', client_id: 502 });
		sim.setStatusAsTechnician(t.id as number, 12, { note: 'working on it' });
		sim.closeAsTechnician(t.id as number, { note: 'fixed' });
		await sim.webhooks.idle();
		const events = results(s).events.map((list) => list[0]);
		const refetched = events.find((e) => e.payloadType === 'event')!;
		expect(refetched).toMatchObject({
			ticketId: t.id,
			event: 'closed',
			closed: true,
			statusId: 23,
			statusName: 'Resolved',
			clientId: 502,
			agentId: 71,
			summary: 'Globex server down',
		});
		expect(refetched.ticket).toMatchObject({ id: t.id, status_id: 23 });
		expect(refetched.ticket.dateclosed).toMatch(/Z$/);
		expect(refetched.actions).toHaveLength(1);
		expect(refetched.actions[0]).toMatchObject({ note: 'fixed', new_status: 23 });
		expect(refetched.raw).toMatchObject({ event: 'Ticket Closed', object_id: t.id });
		expect(refetched.raw.ticket).toBeUndefined();
		// Small payloads are complete: not re-fetched, but the status gets its name from the cached status list.
		const small = events.find((e) => e.payloadType === 'small')!;
		expect(small).toMatchObject({ statusId: 23, statusName: 'Resolved', closed: true, agentId: 71 });
		expect(small.ticket).toBeUndefined();
		expect(sim.counts().byRoute['GET /api/status']).toBe(1);
		expect(sim.counts().byRoute['GET /api/tickets/:id'] ?? sim.counts().byRoute[`GET /api/tickets/${t.id as number}`]).toBe(1);
	});

	it('malformed bodies → 400 naming the problem; unknown content types are read from the raw body', async () => {
		const s = await trigger();
		const auth = { authorization: basicHeader };
		expect(await post(s.url, 'hello', { ...auth, 'content-type': 'text/plain' })).toMatchObject({
			status: 400,
			json: { error: 'Bad Request', message: expect.stringContaining('not valid JSON') },
		});
		expect(await post(s.url, '{}', { ...auth, 'content-type': 'application/json' })).toMatchObject({
			status: 400,
			json: { message: 'The request body is an empty JSON object' },
		});
		expect(await post(s.url, '{"foo": 1}', { ...auth, 'content-type': 'application/json' })).toMatchObject({
			status: 400,
			json: { message: expect.stringContaining('No ticket id') },
		});
		expect(await post(s.url, '[{"event": "Ticket Closed", "webhook_id": "w"}]', { ...auth, 'content-type': 'application/json' })).toMatchObject({
			status: 400,
		});
		// n8n itself rejects malformed JSON declared as JSON (422) before the trigger runs.
		expect((await post(s.url, '{"ticket": ', { ...auth, 'content-type': 'application/json' })).status).toBe(422);
		expect(s.calls.filter((c) => c.workflowData)).toHaveLength(0);

		const runbook = '{ "ticket": { "id": 77, "status": { "id": 9, "name": "Closed" }, "dateclosed": "2026-05-01T10:00:00" } }';
		const octet = await post(s.url, runbook, { ...auth, 'content-type': 'application/octet-stream' });
		expect(octet).toMatchObject({ status: 200, json: { received: 1, accepted: 1 } });
		const plain = await post(s.url, runbook, auth);
		expect(plain.status).toBe(200);
		expect(s.calls.filter((c) => c.workflowData).map((c) => c.workflowData![0][0].json.ticketId)).toEqual([77, 77]);
		// A batch with one bad element keeps the good one and reports the bad one.
		const mixed = await post(s.url, JSON.stringify([{ event: 'Ticket Closed', webhook_id: 'w', object_id: 5 }, { nope: true }]), {
			...auth,
			'content-type': 'application/json',
		});
		expect(mixed).toMatchObject({ status: 200, json: { received: 2, accepted: 1, rejected: [{ index: 1 }] } });
	});
	describe('limits before any work (issue 18: a 20,000-deep body with a ticket id was acted on, a 20,000-element batch fanned out)', () => {
		const json = { authorization: basicHeader, 'content-type': 'application/json' };
		const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

		it.each([
			[
				'a 20,000-deep body carrying a ticket id',
				{ body: `{"event":"Ticket Closed","ticket":{"id":7,"status_id":9},"x":${nested(20_000)}}`, options: {}, status: 400, message: 'Body is nested deeper than 32 levels (limit 32)' },
			],
			[
				'a 20,000-element batch',
				{
					body: JSON.stringify(Array.from({ length: 20_000 }, (_, i) => ({ event: 'Ticket Closed', object_id: i + 1 }))),
					options: {},
					status: 400,
					message: 'Batch too large: 20000 elements (limit 100 per delivery)',
				},
			],
			[
				'a 101-element batch',
				{
					body: JSON.stringify(Array.from({ length: 101 }, (_, i) => ({ event: 'Ticket Closed', object_id: i + 1 }))),
					options: {},
					status: 400,
					message: 'Batch too large: 101 elements (limit 100 per delivery)',
				},
			],
			[
				'a 2 MiB body',
				{ body: JSON.stringify({ event: 'Ticket Closed', ticket: { id: 7 }, pad: 'x'.repeat(2 * 1024 * 1024) }), options: {}, status: 413, message: /^Body too large: \d+ bytes \(limit 1048576\)$/ },
			],
			[
				'a body over a configured 1 KB',
				{ body: JSON.stringify({ event: 'Ticket Closed', ticket: { id: 7 }, pad: 'x'.repeat(2000) }), options: { maxBodySizeKb: 1 }, status: 413, message: /^Body too large: \d+ bytes \(limit 1024\)$/ },
			],
			[
				'a batch over a configured length of 2',
				{
					body: JSON.stringify([1, 2, 3].map((id) => ({ event: 'Ticket Closed', object_id: id }))),
					options: { maxBatch: 2 },
					status: 400,
					message: 'Batch too large: 3 elements (limit 2 per delivery)',
				},
			],
		] as Array<[string, { body: string; options: Json; status: number; message: string | RegExp }]>)('%s → refused, no execution, no API call', async (_name, { body, options, status, message }) => {
			const s = await trigger({ useApi: true, refetch: 'always', options }, { haloPsaApi: haloCredentials(sim) });
			const apiBefore = sim.counts().apiRequests;
			const res = await post(s.url, body, json);
			expect({ status: res.status, message: res.json?.message }).toEqual({
				status,
				message: typeof message === 'string' ? message : expect.stringMatching(message),
			});
			expect(s.calls.filter((c) => c.workflowData)).toHaveLength(0);
			expect(sim.counts().apiRequests - apiBefore).toBe(0);
		});

		it('a batch of 12 is taken, its re-fetches run at most 4 at a time (Max Parallel Re-Fetches)', async () => {
			const tickets = Array.from({ length: 12 }, (_, i) => sim.createTicketDirect({ summary: `Batch ${i}` }));
			const s = await trigger({ useApi: true, refetch: 'always', suppressEcho: false }, { haloPsaApi: haloCredentials(sim) });
			sim.apiLatencyMs = 40;
			const body = JSON.stringify(tickets.map((t) => ({ event: 'Ticket Updated', webhook_id: 'w', object_id: t.id })));
			const res = await post(s.url, body, json);
			expect(res).toMatchObject({ status: 200, json: { received: 12, accepted: 12 } });
			expect(sim.peakConcurrentApiRequests()).toBe(4);
			const [items] = results(s).events;
			expect(items.map((i) => i.ticketId)).toEqual(tickets.map((t) => t.id));
			expect(items.every((i) => i.ticket && !i.refetchError)).toBe(true);
		});
	});
});
