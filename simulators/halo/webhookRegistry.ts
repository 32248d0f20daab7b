/**
 * Outbound webhooks managed through the API (`/api/Webhook`, `/api/Notification`), as an n8n trigger registers its
 * own subscription. Facts and their uncertainty: docs/setup.md "API facts" (from redanthrax/halopsa-node's trigger
 * and docs, UNTESTED against a live tenant):
 * - `GET /api/Webhook?type=0` lists outbound webhooks (ids are UUIDs); `GET /api/Webhook/{id}?includedetails=true`
 *   adds `events` (the notifications subscribed; key name UNCERTAIN);
 * - `POST /api/Webhook` with an array `[{ name, url, type: 0, method: 0, active, content_type, authentication_type,
 *   basic_username, basic_password, … }]` creates, or updates when an element has `id`;
 * - `DELETE /api/Webhook/{id}` removes it (and, here, its notifications);
 * - `POST /api/Notification` with `[{ webhook_id, delivery_method: 6, eventno, … }]` subscribes it to an event;
 *   `DELETE /api/Notification/{id}` unsubscribes.
 * Event numbers: 3 New Ticket Logged, 19 Ticket Updated (by user), 39 Closed, 76 Ticket Status Changed.
 * Authentication types: 0 none, 1 Basic (`basic_username` / `basic_password`), 2 Bearer (`bearer_token`, field name
 * UNCERTAIN), 3 API key header (`authentication_header` / `authentication_header_value`, field names UNCERTAIN).
 *
 * The registry turns every active webhook with at least one known event into a subscription of the simulator's
 * WebhookEmitter (same id), so ticket events are delivered to it with its authentication, next to the subscriptions
 * made through the admin API.
 */
import { randomUUID } from 'crypto';

import type { WebhookAuth, WebhookEmitter, WebhookPayloadType } from './webhookEmitter';

type HaloRecord = Record<string, unknown>;

/** Halo notification event numbers → the simulator's event names. */
export const HALO_EVENT_NUMBERS: Record<number, string> = {
	3: 'New Ticket Logged',
	19: 'Ticket Updated',
	39: 'Ticket Closed',
	76: 'Ticket Status Changed',
};

/** Delivery method of a notification that posts to a webhook. */
export const WEBHOOK_DELIVERY_METHOD = 6;

/** The 403 text the simulator answers when the API agent may not manage webhooks (Halo's exact text is UNCERTAIN). */
export const WEBHOOK_PERMISSION_DENIED = 'You do not have permission to access this resource. (Configuration > Integrations > Webhooks)';

export class RegistryError extends Error {
	constructor(
		readonly status: number,
		readonly body: unknown,
	) {
		super(typeof body === 'string' ? body : JSON.stringify(body));
	}
}

export interface WebhookRegistrySettings {
	/** Whether the API agent may manage webhooks and notifications (false → 403 on every such call). */
	allowed: boolean;
	/** Payload type of API-registered webhooks (Halo's default payload for such webhooks is UNCERTAIN). */
	payload: WebhookPayloadType;
	/** "Ticket Status Changed" small payloads carry only `{ id, status_id }`. */
	statusOnlyStatusChanged: boolean;
}

export const DEFAULT_WEBHOOK_REGISTRY_SETTINGS: WebhookRegistrySettings = {
	allowed: true,
	payload: 'small',
	statusOnlyStatusChanged: false,
};

const SECRET_FIELDS = ['basic_password', 'bearer_token', 'authentication_header_value'];

function authOf(record: HaloRecord): WebhookAuth {
	switch (Number(record.authentication_type ?? 0)) {
		case 1:
			return { type: 'basic', username: String(record.basic_username ?? ''), password: String(record.basic_password ?? '') };
		case 2:
			return { type: 'bearer', token: String(record.bearer_token ?? '') };
		case 3:
			return { type: 'header', name: String(record.authentication_header ?? ''), value: String(record.authentication_header_value ?? '') };
		default:
			return { type: 'none' };
	}
}

export class HaloWebhookRegistry {
	settings: WebhookRegistrySettings = { ...DEFAULT_WEBHOOK_REGISTRY_SETTINGS };
	private readonly webhooks = new Map<string, HaloRecord>();
	private readonly notifications = new Map<number, HaloRecord>();
	private nextNotificationId = 1;

	constructor(private readonly emitter: WebhookEmitter) {}

	reset(): void {
		for (const id of this.webhooks.keys()) this.emitter.unsubscribe(id);
		this.webhooks.clear();
		this.notifications.clear();
		this.nextNotificationId = 1;
		this.settings = { ...DEFAULT_WEBHOOK_REGISTRY_SETTINGS };
	}

	configure(settings: Partial<WebhookRegistrySettings>): WebhookRegistrySettings {
		this.settings = { ...this.settings, ...settings };
		for (const id of this.webhooks.keys()) this.sync(id);
		return this.settings;
	}

	private guard(): void {
		if (!this.settings.allowed) throw new RegistryError(403, WEBHOOK_PERMISSION_DENIED);
	}

	/** A webhook as GET answers it: secrets are never read back. */
	private view(record: HaloRecord, details: boolean): HaloRecord {
		const out: HaloRecord = { ...record };
		for (const field of SECRET_FIELDS) if (out[field]) out[field] = '';
		if (details) out.events = this.eventsOf(String(record.id)).map((n) => ({ ...n }));
		return out;
	}

	private eventsOf(webhookId: string): HaloRecord[] {
		return [...this.notifications.values()].filter((n) => n.webhook_id === webhookId);
	}

	/** Everything, secrets included (admin API and tests). */
	all(): Array<HaloRecord & { events: HaloRecord[] }> {
		return [...this.webhooks.values()].map((w) => ({ ...w, events: this.eventsOf(String(w.id)) }));
	}

	list(query: Record<string, string>): HaloRecord[] {
		this.guard();
		const type = query.type !== undefined && query.type !== '' ? Number(query.type) : undefined;
		return [...this.webhooks.values()].filter((w) => type === undefined || Number(w.type ?? 0) === type).map((w) => this.view(w, false));
	}

	get(id: string, details: boolean): HaloRecord {
		this.guard();
		const record = this.webhooks.get(id);
		if (!record) throw new RegistryError(404, { message: 'Webhook not found' });
		return this.view(record, details);
	}

	post(items: HaloRecord[]): HaloRecord[] {
		this.guard();
		const out: HaloRecord[] = [];
		// Validate all first: a failing element leaves no partial writes.
		items.forEach((item, i) => {
			if (item.id !== undefined && item.id !== null && item.id !== '' && !this.webhooks.has(String(item.id))) {
				throw new RegistryError(404, `Webhook ${String(item.id)} does not exist`);
			}
			const existing = item.id ? this.webhooks.get(String(item.id)) : undefined;
			const merged = { ...(existing ?? {}), ...item };
			if (typeof merged.name !== 'string' || merged.name.trim() === '') {
				throw new RegistryError(400, { title: 'One or more validation errors occurred.', status: 400, errors: { [`$[${i}].name`]: ['A name must be entered'] } });
			}
			if (Number(merged.type ?? 0) === 0 && !/^https?:\/\//i.test(String(merged.url ?? ''))) {
				throw new RegistryError(400, 'A valid Payload URL must be entered');
			}
		});
		for (const item of items) {
			const id = item.id ? String(item.id) : randomUUID();
			const existing = this.webhooks.get(id);
			const record: HaloRecord = {
				type: 0,
				method: 0,
				active: true,
				content_type: 'application/json',
				authentication_type: 0,
				...(existing ?? {}),
				...item,
				id,
			};
			// Halo keeps a stored secret when an update leaves it empty (as GET hides it).
			for (const field of SECRET_FIELDS) if (existing?.[field] && !item[field]) record[field] = existing[field];
			this.webhooks.set(id, record);
			this.sync(id);
			out.push(this.view(record, false));
		}
		return out;
	}

	delete(id: string): void {
		this.guard();
		if (!this.webhooks.delete(id)) throw new RegistryError(404, { message: 'Webhook not found' });
		for (const [nid, n] of this.notifications) if (n.webhook_id === id) this.notifications.delete(nid);
		this.emitter.unsubscribe(id);
	}

	listNotifications(): HaloRecord[] {
		this.guard();
		return [...this.notifications.values()].map((n) => ({ ...n }));
	}

	postNotifications(items: HaloRecord[]): HaloRecord[] {
		this.guard();
		for (const item of items) {
			if (item.id !== undefined && item.id !== null && !this.notifications.has(Number(item.id))) {
				throw new RegistryError(404, `Notification ${String(item.id)} does not exist`);
			}
			const eventno = Number(item.eventno);
			if (!Number.isInteger(eventno) || eventno <= 0) throw new RegistryError(400, 'An Event must be selected');
			if (Number(item.delivery_method) === WEBHOOK_DELIVERY_METHOD && !this.webhooks.has(String(item.webhook_id ?? ''))) {
				throw new RegistryError(400, `Webhook ${String(item.webhook_id)} does not exist`);
			}
		}
		const out: HaloRecord[] = [];
		for (const item of items) {
			const id = item.id !== undefined && item.id !== null ? Number(item.id) : this.nextNotificationId++;
			const record: HaloRecord = { ...(this.notifications.get(id) ?? {}), ...item, id, eventno: String(item.eventno) };
			this.notifications.set(id, record);
			if (record.webhook_id) this.sync(String(record.webhook_id));
			out.push({ ...record });
		}
		return out;
	}

	deleteNotification(id: number): void {
		this.guard();
		const record = this.notifications.get(id);
		if (!record) throw new RegistryError(404, { message: 'Notification not found' });
		this.notifications.delete(id);
		if (record.webhook_id) this.sync(String(record.webhook_id));
	}

	/** Mirrors one webhook into the emitter: active, with a URL and at least one known event → delivered to. */
	private sync(id: string): void {
		const record = this.webhooks.get(id);
		const events = [
			...new Set(
				this.eventsOf(id)
					.filter((n) => Number(n.delivery_method) === WEBHOOK_DELIVERY_METHOD)
					.map((n) => HALO_EVENT_NUMBERS[Number(n.eventno)])
					.filter((e): e is string => e !== undefined),
			),
		];
		if (!record || record.active === false || Number(record.type ?? 0) !== 0 || events.length === 0) {
			this.emitter.unsubscribe(id);
			return;
		}
		this.emitter.upsert({
			id,
			url: String(record.url),
			name: String(record.name),
			events,
			payload: this.settings.payload,
			statusOnlyStatusChanged: this.settings.statusOnlyStatusChanged,
			auth: authOf(record),
			source: 'api',
		});
	}
}
