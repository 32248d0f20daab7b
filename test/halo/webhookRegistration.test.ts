/**
 * Webhook self-registration (nodes/shared/halo/webhookRegistration.ts) against the Halo simulator's /api/Webhook and
 * /api/Notification: register, re-register without a duplicate, remove, permission denied; the simulator delivers
 * ticket events to every registered webhook with its authentication, next to admin-configured subscriptions.
 */
import {
	haloEventNumbersFor,
	haloWebhookStatus,
	isHaloPermissionDenied,
	registerHaloWebhook,
	removeHaloWebhook,
	type HaloWebhookSpec,
} from '../../nodes/shared/halo';
import type { HaloSimulator } from '../../simulators/halo';
import { WEBHOOK_PERMISSION_DENIED } from '../../simulators/halo/webhookRegistry';
import { api as rawApi, bearer, clientFor, startReceiver, startSim } from './helpers';

type Receiver = Awaited<ReturnType<typeof startReceiver>>;
type Payload = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

describe('Halo webhook registration', () => {
	let sim: HaloSimulator;
	let receiver: Receiver;

	beforeAll(async () => {
		sim = await startSim();
	});
	afterAll(async () => await sim.close());
	beforeEach(async () => {
		sim.reset('default');
		receiver = await startReceiver();
	});
	afterEach(async () => await receiver.close());

	const api = async (method: string, path: string, body?: unknown) => await rawApi(sim, await bearer(sim), method, path, body);

	const spec = (overrides: Partial<HaloWebhookSpec> = {}): HaloWebhookSpec => ({
		name: 'n8n Datto RMM sync (workflow 7)',
		url: receiver.url,
		auth: { type: 'basic', username: 'halo', password: 'Hook-Pass-9a8b' },
		eventNumbers: haloEventNumbersFor(['closed', 'statusChanged']),
		...overrides,
	});

	it('registers one authenticated webhook subscribed to the events, and the simulator delivers to it', async () => {
		const client = clientFor(sim);
		const result = await registerHaloWebhook(client, spec());
		expect(result).toMatchObject({ created: true, eventNumbers: [39, 76] });
		expect(result.notificationIds).toHaveLength(2);

		const stored = sim.registeredWebhooks.all();
		expect(stored).toHaveLength(1);
		expect(stored[0]).toMatchObject({
			id: result.webhookId,
			url: receiver.url,
			type: 0,
			active: true,
			authentication_type: 1,
			basic_username: 'halo',
			basic_password: 'Hook-Pass-9a8b',
		});
		expect(stored[0].events.map((e) => [Number(e.eventno), e.delivery_method]).sort()).toEqual([
			[39, 6],
			[76, 6],
		]);
		// GET never reads the password back.
		const listed = await api('GET', '/api/Webhook?type=0');
		expect((listed.json as Payload[])[0].basic_password).toBe('');

		const t = sim.createTicketDirect({ summary: 'Disk full', client_id: 12 });
		sim.closeAsTechnician(t.id as number);
		await sim.webhooks.idle();
		expect(receiver.received.map((r) => (r.json as Payload).event).sort()).toEqual(['Ticket Closed', 'Ticket Status Changed']);
		for (const r of receiver.received) {
			expect(r.headers.authorization).toBe(basic('halo', 'Hook-Pass-9a8b'));
			expect((r.json as Payload).webhook_id).toBe(result.webhookId);
		}
	});

	it('re-registering (same URL, or same name with a new URL) updates the webhook: no duplicate, no second subscription', async () => {
		const client = clientFor(sim);
		const first = await registerHaloWebhook(client, spec());
		const again = await registerHaloWebhook(client, spec());
		expect(again).toMatchObject({ webhookId: first.webhookId, created: false, notificationIds: [], eventNumbers: [39, 76] });
		const moved = await registerHaloWebhook(client, spec({ url: `${receiver.url}/v2`, auth: { type: 'header', name: 'X-Hook', value: 'h-123' } }));
		expect(moved).toMatchObject({ webhookId: first.webhookId, created: false });
		const stored = sim.registeredWebhooks.all();
		expect(stored).toHaveLength(1);
		expect(stored[0]).toMatchObject({ url: `${receiver.url}/v2`, authentication_type: 3, authentication_header: 'X-Hook' });
		expect(stored[0].events).toHaveLength(2);
		// One more event later (the trigger's event filter grew): only that one is added.
		const more = await registerHaloWebhook(client, spec({ eventNumbers: [3, 39, 76] }));
		expect(more.notificationIds).toHaveLength(1);
		expect(sim.registeredWebhooks.all()[0].events).toHaveLength(3);
		expect(await haloWebhookStatus(client, receiver.url, [39, 76])).toMatchObject({ registered: true, missingEvents: [] });
	});

	it('removes the webhook and its subscriptions; removing again reports it absent; deliveries stop', async () => {
		const client = clientFor(sim);
		const { webhookId } = await registerHaloWebhook(client, spec());
		expect(await removeHaloWebhook(client, webhookId)).toBe('removed');
		expect(sim.registeredWebhooks.all()).toEqual([]);
		expect(sim.webhooks.list()).toEqual([]);
		expect(await removeHaloWebhook(client, webhookId)).toBe('absent');
		expect(await haloWebhookStatus(client, receiver.url, [39])).toEqual({ registered: false, missingEvents: [39] });
		sim.closeAsTechnician((sim.createTicketDirect({ summary: 'x' }).id as number));
		await sim.webhooks.idle();
		expect(receiver.received).toEqual([]);
	});

	it('permission denied: 403 with Halo\'s text, recognised as such, nothing stored', async () => {
		sim.registeredWebhooks.configure({ allowed: false });
		const client = clientFor(sim);
		const error = await registerHaloWebhook(client, spec()).catch((e: unknown) => e);
		expect(isHaloPermissionDenied(error)).toBe(true);
		expect((error as Error).message).toContain('403');
		expect((error as Error).message).toContain(WEBHOOK_PERMISSION_DENIED);
		expect(sim.registeredWebhooks.all()).toEqual([]);
		const raw = await api('POST', '/api/Notification', [{ webhook_id: 'x', delivery_method: 6, eventno: '39' }]);
		expect(raw.status).toBe(403);
	});

	it('delivers to registered webhooks alongside admin subscriptions; status-only "Ticket Status Changed" payloads as a tenant option', async () => {
		const other = await startReceiver();
		try {
			sim.webhooks.subscribe({ url: other.url, events: ['Ticket Closed'], auth: { type: 'bearer', token: 'tok' } });
			sim.registeredWebhooks.configure({ statusOnlyStatusChanged: true });
			await registerHaloWebhook(clientFor(sim), spec({ eventNumbers: [76] }));
			const t = sim.createTicketDirect({ summary: 'CPU', client_id: 12 });
			sim.closeAsTechnician(t.id as number);
			await sim.webhooks.idle();
			expect(other.received).toHaveLength(1);
			expect(other.received[0].headers.authorization).toBe('Bearer tok');
			expect(receiver.received).toHaveLength(1);
			const body = receiver.received[0].json as Payload;
			expect(body.event).toBe('Ticket Status Changed');
			expect(body.ticket).toEqual({ id: t.id, status_id: 9 });
		} finally {
			await other.close();
		}
	});

	it('validates like Halo: an update of an unknown id is 404, a webhook without URL is 400', async () => {
		const unknown = await api('POST', '/api/Webhook', [{ id: 'd6f9b3c4-0000-4000-8000-000000000000', name: 'x', url: 'http://a.b/' }]);
		expect(unknown.status).toBe(404);
		const noUrl = await api('POST', '/api/Webhook', [{ name: 'x', type: 0 }]);
		expect(noUrl.status).toBe(400);
		const notArray = await api('POST', '/api/Webhook', { name: 'x', url: 'http://a.b/' });
		expect(notArray.status).toBe(400);
	});
});
