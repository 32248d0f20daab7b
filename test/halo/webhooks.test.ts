/** The Halo simulator's outbound webhooks: events from API writes and technician actions, payload variants, auth, batching. */
import { SimAdminClient } from '../../simulators/common/client';
import { DEFAULT_RUNBOOK_TEMPLATE, HaloSimulator, renderRunbookTemplate } from '../../simulators/halo';
import { clientFor, startReceiver, startSim } from './helpers';

type Receiver = Awaited<ReturnType<typeof startReceiver>>;
type Payload = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('Halo outbound webhooks', () => {
	let sim: HaloSimulator;
	let receiver: Receiver;

	beforeAll(async () => {
		sim = await startSim();
	});
	afterAll(async () => await sim.close());
	beforeEach(async () => {
		sim.reset();
		receiver = await startReceiver();
	});
	afterEach(async () => await receiver.close());

	it('a close made through the API by the integration fires Ticket Closed with the API agent as the actor', async () => {
		sim.webhooks.subscribe({
			url: receiver.url,
			events: ['Ticket Closed'],
			payload: 'full',
			auth: { type: 'basic', username: 'halo', password: 'hook-pass-123' },
		});
		const client = clientFor(sim);
		const ticket = await client.createTicket({ summary: 'Disk alert', client_id: 12 });
		await client.addAction({ ticket_id: ticket.id, outcome: 'Private Note', note: 'Resolved in Datto RMM', new_status: 9 });
		await sim.webhooks.idle();
		expect(receiver.received).toHaveLength(1);
		const hit = receiver.received[0];
		expect(hit.method).toBe('POST');
		expect(hit.headers['content-type']).toBe('application/json');
		expect(hit.headers.authorization).toBe(`Basic ${Buffer.from('halo:hook-pass-123').toString('base64')}`);
		const body = hit.json as Payload;
		expect(body).toMatchObject({ event: 'Ticket Closed', object_id: ticket.id, notification_id: 4 });
		expect(body.ticket).toMatchObject({ id: ticket.id, status_id: 9, hasbeenclosed: true, closure_agent_id: 42, status: { id: 9, name: 'Closed' } });
		expect(body.ticket.client).toMatchObject({ id: 12, name: 'Contoso Ltd' });
		expect(body.action).toMatchObject({ who_agentid: 42, new_status: 9, note: 'Resolved in Datto RMM' });
		expect(body.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
	});

	it('a technician close through the admin API fires Ticket Status Changed and Ticket Closed with the technician as actor', async () => {
		const admin = new SimAdminClient(sim.baseUrl);
		await admin.post('/_sim/webhooks/subscriptions', {
			url: receiver.url,
			events: ['Ticket Status Changed', 'Ticket Closed'],
			payload: 'small',
			auth: { type: 'bearer', token: 'bearer-token-xyz' },
		});
		const t = sim.createTicketDirect({ summary: 'Printer offline', client_id: 13 });
		await admin.post(`/_sim/tickets/${t.id as number}/close-as-technician`, { note: 'Fixed on site' });
		await admin.post('/_sim/webhooks/flush');
		expect(receiver.received.map((r) => (r.json as Payload).event)).toEqual(['Ticket Status Changed', 'Ticket Closed']);
		for (const r of receiver.received) expect(r.headers.authorization).toBe('Bearer bearer-token-xyz');
		const closed = receiver.received[1].json as Payload;
		expect(closed.ticket).toMatchObject({ id: t.id, status_id: 9, closure_agent_id: 5, client_name: 'Fabrikam Inc' });
		expect(closed.ticket.status).toBeUndefined(); // small payload: key fields only, no linked objects
		expect(closed.action).toBeUndefined();
		const deliveries = await admin.get<Array<{ status: number }>>('/_sim/webhooks/deliveries');
		expect(deliveries.map((d) => d.status)).toEqual([200, 200]);
	});

	it('new tickets from the API fire New Ticket Logged; subscriptions only get their events', async () => {
		const all = sim.webhooks.subscribe({ url: receiver.url, payload: 'event' });
		sim.webhooks.subscribe({ url: receiver.url, events: ['Ticket Closed'], payload: 'small' });
		const client = clientFor(sim);
		const t = await client.createTicket({ summary: 'new' });
		await sim.webhooks.idle();
		expect(receiver.received).toHaveLength(1);
		const body = receiver.received[0].json as Payload;
		expect(body).toMatchObject({ event: 'New Ticket Logged', object_id: t.id, webhook_id: all.id });
		expect(body.ticket).toBeUndefined(); // event information only
	});

	it('sends runbook bodies (ilert style) from the default or a custom template', async () => {
		const client = clientFor(sim);
		const t = await client.createTicket({ summary: 'runbook' });
		await client.addAction({ ticket_id: t.id, outcome_id: 9, note: 'close' });
		const admin = new SimAdminClient(sim.baseUrl);
		await admin.post('/_sim/webhooks/send', { url: receiver.url, payload: 'runbook', ticketId: t.id, event: 'Ticket Status Changed' });
		await admin.post('/_sim/webhooks/send', {
			url: receiver.url,
			payload: 'runbook',
			ticketId: t.id,
			runbookTemplate: '{ "id": <<ticket^id>>, "closedBy": <<ticket^lastaction^who_agentid>>, "event": <<event>>, "missing": <<ticket^nope>> }',
		});
		expect(receiver.received[0].json).toEqual({ ticket: { id: t.id, status: { id: 9, name: 'Closed' }, dateclosed: sim.ticket(t.id)!.dateclosed } });
		expect(receiver.received[1].json).toEqual({ id: t.id, closedBy: 42, event: 'Ticket Updated', missing: null });
		expect(DEFAULT_RUNBOOK_TEMPLATE).toContain('<<ticket^status^name>>');
		expect(renderRunbookTemplate('{ "x": <<ticket^summary>> }', { event: 'e', ticket: { summary: 'a "quoted" <b>' } })).toEqual({
			x: 'a "quoted" <b>',
		});
	});

	it('batches payloads into one array and repeats deliveries with the same body', async () => {
		// The batch window is longer than the test: idle() flushes it once the three creations are done, so the test does
		// not depend on how fast this machine creates three tickets (a 30-ms window split the batch on a loaded machine).
		sim.webhooks.subscribe({ url: receiver.url, payload: 'small', events: ['New Ticket Logged'], batch: { delayMs: 60_000, limit: 10 } });
		const client = clientFor(sim);
		await Promise.all([client.createTicket({ summary: 'a' }), client.createTicket({ summary: 'b' }), client.createTicket({ summary: 'c' })]);
		await sim.webhooks.idle();
		expect(receiver.received).toHaveLength(1);
		const batch = receiver.received[0].json as Payload[];
		expect(Array.isArray(batch)).toBe(true);
		expect(batch.map((p) => p.ticket.summary).sort()).toEqual(['a', 'b', 'c']);

		sim.webhooks.clearSubscriptions();
		receiver.received.length = 0;
		sim.webhooks.subscribe({ url: receiver.url, payload: 'small', events: ['New Ticket Logged'], repeat: 3, auth: { type: 'header', name: 'x-halo-secret', value: 's3cret' } });
		await client.createTicket({ summary: 'replayed' });
		await sim.webhooks.idle();
		expect(receiver.received).toHaveLength(3);
		expect(new Set(receiver.received.map((r) => r.body)).size).toBe(1);
		expect(receiver.received.every((r) => r.headers['x-halo-secret'] === 's3cret')).toBe(true);
	});

	it('sends arbitrary bodies on demand and records failed deliveries with retries', async () => {
		const failing = await startReceiver(500);
		try {
			const deliveries = await sim.webhooks.send({ url: failing.url, retries: 2, retryDelayMs: 5 }, undefined, '{"truncated": ');
			expect(deliveries[0]).toMatchObject({ status: 500, attempts: 3 });
			expect(failing.received.map((r) => r.body)).toEqual(['{"truncated": ', '{"truncated": ', '{"truncated": ']);
		} finally {
			await failing.close();
		}
	});
});
