/**
 * Halo outbound webhooks (Configuration > Integrations > Webhooks) as the simulator sends them to a receiver such as
 * the package's Halo trigger. See docs/api/halopsa.md#9-outbound-webhooks-halo--halopsa-trigger. The exact JSON key names of Halo's payloads
 * are UNCERTAIN; the shapes below follow what the reference lists and are documented in ./README.md:
 *
 * - Standard envelope (every standard payload): `id` (event id, a UUID; identical across repeat deliveries),
 *   `notification_id`, `escmsg_id`, `event` (name, e.g. "Ticket Closed"), `webhook_id`, `object_id` (ticket id),
 *   `timestamp` (Halo date, no time zone), plus by payload type:
 *   - `small`: `ticket` with key fields (id, summary, status_id, client/site ids and names, agent_id, dates,
 *     hasbeenclosed, closure_agent_id, customfields);
 *   - `full`: `ticket` as the API returns it plus linked objects (`status`, `client`, `site`, `agent`, `tickettype`)
 *     and `action` (the action that caused the event, with `who_agentid`) when there is one;
 *   - `event`: event information only (no ticket object).
 * - `runbook`: a Custom Integration method body (ilert style) built from a template with `<<ticket^field^sub>>`,
 *   `<<action^field>>` and `<<event>>` variables, inserted as JSON values (strings quoted, missing → null).
 *
 * Authentication: none, Basic, Bearer or a custom header. Optional batching (an array of payloads per delivery,
 * flushed after `delayMs` or at `limit` payloads) and repeat deliveries (the same body N times) for replay tests.
 */
import { randomUUID } from 'crypto';

export type HaloWebhookEvent =
	| 'New Ticket Logged'
	| 'Ticket Updated'
	| 'Ticket Status Changed'
	| 'Ticket Closed'
	| 'Ticket Reassigned'
	| 'Action Added';

export const WEBHOOK_EVENT_NUMBERS: Record<string, number> = {
	'New Ticket Logged': 1,
	'Ticket Updated': 2,
	'Ticket Status Changed': 3,
	'Ticket Closed': 4,
	'Ticket Reassigned': 5,
	'Action Added': 6,
};

export type WebhookPayloadType = 'small' | 'full' | 'event' | 'runbook';

export type WebhookAuth =
	| { type: 'none' }
	| { type: 'basic'; username: string; password: string }
	| { type: 'bearer'; token: string }
	| { type: 'header'; name: string; value: string };

export interface WebhookSubscriptionInput {
	url: string;
	name?: string;
	/** Events that fire this subscription (default: all). */
	events?: string[];
	/** Payload variant (default `small`). */
	payload?: WebhookPayloadType;
	/** Runbook body template for payload `runbook` (default: the ilert example). */
	runbookTemplate?: string;
	auth?: WebhookAuth;
	/** Batch payloads into one array per delivery; `false` or absent sends one object per event. */
	batch?: { delayMs?: number; limit?: number } | false;
	/** Deliver each body this many times (default 1). */
	repeat?: number;
	/** Extra request headers. */
	headers?: Record<string, string>;
	timeoutMs?: number;
	/** Retries after a failed delivery (network error or non-2xx), default 0. */
	retries?: number;
	retryDelayMs?: number;
	/** Stop auto-sending (subscription kept). */
	disabled?: boolean;
	/**
	 * With payload `small`: "Ticket Status Changed" carries only `{ id, status_id }` in `ticket` (a tenant whose
	 * small payload has no close date, closure agent or status name; the receiver must know its closed status ids).
	 */
	statusOnlyStatusChanged?: boolean;
	/** Who made it: `admin` (the /_sim admin API or code, default) or `api` (registered through POST /api/Webhook). */
	source?: 'admin' | 'api';
}

export interface WebhookSubscription extends WebhookSubscriptionInput {
	id: string;
	payload: WebhookPayloadType;
}

export interface TicketEventContext {
	event: string;
	/** The ticket expanded with linked objects (status, client, site, agent, tickettype). */
	ticket: Record<string, unknown>;
	/** The action that caused the event, if any. */
	action?: Record<string, unknown>;
	/** Agent who caused the event (the API agent for API writes, a technician for admin-API changes). */
	actorAgentId?: number;
	oldStatusId?: number;
}

export interface WebhookDelivery {
	id: string;
	subscriptionId?: string;
	url: string;
	events: string[];
	body: unknown;
	headers: Record<string, string>;
	batched: boolean;
	/** Receiver's HTTP status (undefined on network errors). */
	status?: number;
	responseBody?: string;
	error?: string;
	attempts: number;
	at: number;
	ms?: number;
}

export const DEFAULT_RUNBOOK_TEMPLATE =
	'{ "ticket": { "id": <<ticket^id>>, "status": { "id": <<ticket^status^id>>, "name": <<ticket^status^name>> }, "dateclosed": <<ticket^dateclosed>> } }';

const SMALL_FIELDS = [
	'id',
	'summary',
	'status_id',
	'tickettype_id',
	'priority_id',
	'client_id',
	'client_name',
	'site_id',
	'site_name',
	'user_id',
	'user_name',
	'agent_id',
	'team',
	'team_id',
	'dateoccurred',
	'last_update',
	'dateclosed',
	'hasbeenclosed',
	'closure_agent_id',
	'third_party_id',
	'third_party_id_string',
	'reference',
	'customfields',
];

function pick(source: Record<string, unknown>, keys: string[]): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const key of keys) if (source[key] !== undefined) out[key] = source[key];
	return out;
}

function lookup(root: Record<string, unknown>, path: string[]): unknown {
	let value: unknown = root;
	for (const key of path) {
		if (value === null || typeof value !== 'object') return undefined;
		const record = value as Record<string, unknown>;
		const found = Object.keys(record).find((k) => k.toLowerCase() === key.toLowerCase());
		value = found === undefined ? undefined : record[found];
	}
	return value;
}

/** Fills a runbook template: `<<ticket^a^b>>`, `<<ticket>>`, `<<action^x>>`, `<<event>>` → JSON values. */
export function renderRunbookTemplate(template: string, ctx: TicketEventContext): unknown {
	const roots: Record<string, unknown> = { ticket: ctx.ticket, action: ctx.action ?? {}, event: ctx.event };
	const filled = template.replace(/<<\s*([A-Za-z0-9_]+(?:\^[A-Za-z0-9_]+)*)\s*>>/g, (_m, expr: string) => {
		const [root, ...rest] = expr.split('^');
		const value = lookup(roots, [root, ...rest]);
		return JSON.stringify(value === undefined ? null : value);
	});
	try {
		return JSON.parse(filled);
	} catch {
		// Halo posts whatever the template produces; keep the text so receivers see malformed bodies too.
		return filled;
	}
}

function authHeaders(auth: WebhookAuth | undefined): Record<string, string> {
	if (!auth || auth.type === 'none') return {};
	if (auth.type === 'basic') {
		return { Authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` };
	}
	if (auth.type === 'bearer') return { Authorization: `Bearer ${auth.token}` };
	return { [auth.name]: auth.value };
}

interface PendingBatch {
	items: Array<{ body: unknown; event: string }>;
	timer?: NodeJS.Timeout;
}

export class WebhookEmitter {
	private readonly subscriptions = new Map<string, WebhookSubscription>();
	private readonly log: WebhookDelivery[] = [];
	private readonly inFlight = new Set<Promise<unknown>>();
	private readonly batches = new Map<string, PendingBatch>();
	private escmsgSeq = 1000;

	constructor(private readonly clock: () => string) {}

	subscribe(input: WebhookSubscriptionInput): WebhookSubscription {
		if (!input || typeof input.url !== 'string' || !/^https?:\/\//i.test(input.url)) {
			throw new Error('A webhook subscription needs an http(s) url');
		}
		const subscription: WebhookSubscription = { ...input, id: randomUUID(), payload: input.payload ?? 'small' };
		this.subscriptions.set(subscription.id, subscription);
		return subscription;
	}

	/** Adds or replaces a subscription under a given id (webhooks registered through the API keep their Halo id). */
	upsert(subscription: WebhookSubscription): WebhookSubscription {
		const stored: WebhookSubscription = { ...subscription, payload: subscription.payload ?? 'small' };
		this.subscriptions.set(stored.id, stored);
		return stored;
	}

	unsubscribe(id: string): boolean {
		const pending = this.batches.get(id);
		if (pending?.timer) clearTimeout(pending.timer);
		this.batches.delete(id);
		return this.subscriptions.delete(id);
	}

	clearSubscriptions(): void {
		for (const id of [...this.subscriptions.keys()]) this.unsubscribe(id);
	}

	list(): WebhookSubscription[] {
		return [...this.subscriptions.values()];
	}

	get(id: string): WebhookSubscription | undefined {
		return this.subscriptions.get(id);
	}

	deliveries(): WebhookDelivery[] {
		return [...this.log];
	}

	clearDeliveries(): void {
		this.log.length = 0;
	}

	/** Builds the body one subscription would send for an event. */
	buildPayload(
		subscription: Pick<WebhookSubscription, 'id' | 'payload' | 'runbookTemplate' | 'statusOnlyStatusChanged'>,
		ctx: TicketEventContext,
	): unknown {
		if (subscription.payload === 'runbook') {
			return renderRunbookTemplate(subscription.runbookTemplate ?? DEFAULT_RUNBOOK_TEMPLATE, ctx);
		}
		const envelope: Record<string, unknown> = {
			id: randomUUID(),
			notification_id: WEBHOOK_EVENT_NUMBERS[ctx.event] ?? 0,
			escmsg_id: ++this.escmsgSeq,
			event: ctx.event,
			webhook_id: subscription.id,
			object_id: ctx.ticket.id,
			timestamp: this.clock(),
		};
		if (subscription.payload === 'small') {
			const statusOnly = subscription.statusOnlyStatusChanged && ctx.event === 'Ticket Status Changed';
			envelope.ticket = pick(ctx.ticket, statusOnly ? ['id', 'status_id'] : SMALL_FIELDS);
		} else if (subscription.payload === 'full') {
			envelope.ticket = ctx.ticket;
			if (ctx.action) envelope.action = ctx.action;
		}
		return envelope;
	}

	/** Called by the simulator on every ticket event: queues a delivery for each matching subscription. */
	notify(ctx: TicketEventContext): void {
		for (const subscription of this.subscriptions.values()) {
			if (subscription.disabled) continue;
			if (subscription.events?.length && !subscription.events.some((e) => e.toLowerCase() === ctx.event.toLowerCase())) continue;
			this.enqueue(subscription, this.buildPayload(subscription, ctx), ctx.event);
		}
	}

	/**
	 * Sends now (or into the subscription's batch): to a stored subscription, or to an ad-hoc target.
	 * `body` overrides the generated payload (to send arbitrary or malformed bodies). Resolves when delivered
	 * (batched sends resolve when queued).
	 */
	async send(
		target: WebhookSubscriptionInput | { subscriptionId: string },
		ctx: TicketEventContext | undefined,
		body?: unknown,
	): Promise<WebhookDelivery[]> {
		let subscription: WebhookSubscription;
		if ('subscriptionId' in target) {
			const found = this.subscriptions.get(target.subscriptionId);
			if (!found) throw new Error(`Unknown webhook subscription ${target.subscriptionId}`);
			subscription = found;
		} else {
			subscription = { ...target, id: randomUUID(), payload: target.payload ?? 'small' };
		}
		if (body === undefined && !ctx) throw new Error('Nothing to send: give a ticket event or a body');
		const payload = body !== undefined ? body : this.buildPayload(subscription, ctx!);
		const event = ctx?.event ?? 'custom';
		if (subscription.batch && this.subscriptions.has(subscription.id)) {
			this.enqueue(subscription, payload, event);
			return [];
		}
		return await this.deliver(subscription, payload, [event], false);
	}

	/** Sends pending batches now. */
	flush(): void {
		for (const [id, batch] of this.batches) {
			const subscription = this.subscriptions.get(id);
			if (batch.timer) clearTimeout(batch.timer);
			this.batches.delete(id);
			if (subscription && batch.items.length) this.track(this.deliverBatch(subscription, batch));
		}
	}

	/** Resolves when nothing is pending: flushes batches and waits for deliveries in flight. */
	async idle(): Promise<void> {
		this.flush();
		while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
	}

	close(): void {
		for (const batch of this.batches.values()) if (batch.timer) clearTimeout(batch.timer);
		this.batches.clear();
	}

	private enqueue(subscription: WebhookSubscription, body: unknown, event: string): void {
		if (!subscription.batch) {
			this.track(this.deliver(subscription, body, [event], false));
			return;
		}
		const limit = Math.max(1, subscription.batch.limit ?? 50);
		const delayMs = Math.max(0, subscription.batch.delayMs ?? 1000);
		let batch = this.batches.get(subscription.id);
		if (!batch) {
			batch = { items: [] };
			this.batches.set(subscription.id, batch);
		}
		batch.items.push({ body, event });
		if (batch.items.length >= limit) {
			if (batch.timer) clearTimeout(batch.timer);
			this.batches.delete(subscription.id);
			this.track(this.deliverBatch(subscription, batch));
			return;
		}
		if (!batch.timer) {
			const pending = batch;
			pending.timer = setTimeout(() => {
				if (this.batches.get(subscription.id) === pending) this.batches.delete(subscription.id);
				this.track(this.deliverBatch(subscription, pending));
			}, delayMs);
		}
	}

	private async deliverBatch(subscription: WebhookSubscription, batch: PendingBatch): Promise<WebhookDelivery[]> {
		return await this.deliver(
			subscription,
			batch.items.map((i) => i.body),
			batch.items.map((i) => i.event),
			true,
		);
	}

	private track<T>(promise: Promise<T>): void {
		const tracked = promise.catch(() => undefined);
		this.inFlight.add(tracked);
		void tracked.finally(() => this.inFlight.delete(tracked));
	}

	private async deliver(subscription: WebhookSubscription, body: unknown, events: string[], batched: boolean): Promise<WebhookDelivery[]> {
		const out: WebhookDelivery[] = [];
		const repeat = Math.max(1, subscription.repeat ?? 1);
		for (let i = 0; i < repeat; i++) out.push(await this.deliverOnce(subscription, body, events, batched));
		return out;
	}

	private async deliverOnce(subscription: WebhookSubscription, body: unknown, events: string[], batched: boolean): Promise<WebhookDelivery> {
		const headers: Record<string, string> = {
			'Content-Type': 'application/json',
			'User-Agent': 'HaloSimulator-Webhook/1.0',
			...authHeaders(subscription.auth),
			...(subscription.headers ?? {}),
		};
		const delivery: WebhookDelivery = {
			id: randomUUID(),
			subscriptionId: this.subscriptions.has(subscription.id) ? subscription.id : undefined,
			url: subscription.url,
			events,
			body,
			headers,
			batched,
			attempts: 0,
			at: Date.now(),
		};
		this.log.push(delivery);
		const payload = typeof body === 'string' ? body : JSON.stringify(body);
		const tries = 1 + Math.max(0, subscription.retries ?? 0);
		for (let attempt = 1; attempt <= tries; attempt++) {
			delivery.attempts = attempt;
			const started = Date.now();
			try {
				const res = await fetch(subscription.url, {
					method: 'POST',
					headers,
					body: payload,
					signal: AbortSignal.timeout(subscription.timeoutMs ?? 10_000),
				});
				delivery.status = res.status;
				delivery.responseBody = (await res.text()).slice(0, 2000);
				delivery.error = undefined;
			} catch (error) {
				delivery.status = undefined;
				delivery.error = (error as Error).message;
			}
			delivery.ms = Date.now() - started;
			const ok = delivery.status !== undefined && delivery.status >= 200 && delivery.status < 300;
			if (ok || attempt === tries) break;
			await new Promise((r) => setTimeout(r, subscription.retryDelayMs ?? 200));
		}
		return delivery;
	}
}

