/**
 * Registers the HaloPSA Trigger's webhook in Halo through the API (Configuration > Integrations > Webhooks), so a user
 * does not create it by hand: create or update it idempotently (found by URL, then by name), subscribe it to the
 * events the trigger needs (notifications with delivery method 6 = webhook), and remove it again.
 *
 * The endpoints follow one open-source trigger (redanthrax/halopsa-node) and are UNTESTED against a live tenant; the
 * facts and their uncertainty are in docs/setup.md "API facts". Imports nothing from n8n.
 */
import { ApiRequestError } from '../transport/http/errors';
import type { HaloClient } from '../transport/halo';

type Obj = Record<string, unknown>;

/** Halo notification event numbers (redanthrax/halopsa-node; UNCERTAIN). */
export const HALO_EVENT_NUMBERS = {
	newTicket: 3,
	ticketUpdatedByUser: 19,
	closed: 39,
	statusChanged: 76,
} as const;

export const HALO_EVENT_NAMES: Record<number, string> = {
	3: 'New Ticket Logged',
	19: 'Ticket Updated by User',
	39: 'Closed',
	76: 'Ticket Status Changed',
};

/** Notification delivery method "webhook". */
export const HALO_WEBHOOK_DELIVERY_METHOD = 6;

/** The trigger's event filter → the Halo events to subscribe to. */
export function haloEventNumbersFor(events: string[]): number[] {
	const out = new Set<number>();
	for (const event of events) {
		if (event === 'new') out.add(HALO_EVENT_NUMBERS.newTicket);
		// A close is a status change too: with both, a tenant whose "Closed" event does not fire for every closing
		// status (or whose small payloads carry only status_id) still reports it; the trigger drops the duplicate kind.
		if (event === 'closed') {
			out.add(HALO_EVENT_NUMBERS.closed);
			out.add(HALO_EVENT_NUMBERS.statusChanged);
		}
		if (event === 'statusChanged') out.add(HALO_EVENT_NUMBERS.statusChanged);
		if (event === 'updated') out.add(HALO_EVENT_NUMBERS.ticketUpdatedByUser);
	}
	return [...out].sort((a, b) => a - b);
}

export type HaloWebhookAuthSpec =
	| { type: 'none' }
	| { type: 'basic'; username: string; password: string }
	| { type: 'bearer'; token: string }
	| { type: 'header'; name: string; value: string };

/** The webhook credential's fields → how Halo authenticates to the trigger. */
export function haloWebhookAuthFromCredential(credential: Obj): HaloWebhookAuthSpec {
	const method = String(credential.authMethod ?? 'basic');
	if (method === 'bearer') return { type: 'bearer', token: String(credential.token ?? '') };
	if (method === 'header') return { type: 'header', name: String(credential.headerName ?? ''), value: String(credential.headerValue ?? '') };
	return { type: 'basic', username: String(credential.username ?? ''), password: String(credential.password ?? '') };
}

/**
 * Halo's webhook authentication fields: 0 none, 1 Basic (`basic_username`, `basic_password`), 2 Bearer
 * (`bearer_token`), 3 API-key header (`authentication_header`, `authentication_header_value`). Only the type numbers
 * and the Basic field names are documented (redanthrax/halopsa-node docs); the others are UNCERTAIN.
 */
export function haloWebhookAuthFields(auth: HaloWebhookAuthSpec): Obj {
	switch (auth.type) {
		case 'basic':
			return { authentication_type: 1, basic_username: auth.username, basic_password: auth.password };
		case 'bearer':
			return { authentication_type: 2, bearer_token: auth.token };
		case 'header':
			return { authentication_type: 3, authentication_header: auth.name, authentication_header_value: auth.value };
		default:
			return { authentication_type: 0 };
	}
}

export interface HaloWebhookSpec {
	/** Shown in Halo; also used to find the webhook again when the URL changed. */
	name: string;
	/** The trigger's production URL. */
	url: string;
	auth: HaloWebhookAuthSpec;
	/** Notification event numbers to subscribe to. */
	eventNumbers: number[];
}

export interface HaloWebhookRegistration {
	webhookId: string;
	/** Whether the webhook was created now (false: an existing one was updated). */
	created: boolean;
	/** Notification ids this call created. */
	notificationIds: number[];
	/** Event numbers the webhook is subscribed to now. */
	eventNumbers: number[];
}

/** Permission denied by Halo (403): the API application's scope or the API agent's role does not allow it. */
export function isHaloPermissionDenied(error: unknown): boolean {
	return error instanceof ApiRequestError && error.status === 403;
}

/** What the user must allow, named in warnings and in the node's notice. */
export const HALO_WEBHOOK_PERMISSION =
	'the HaloPSA API application needs the "admin" (or "all") scope and its API agent a role with access to Configuration > Integrations > Webhooks';

/** The manual steps, for the notice and the docs, when registration is off or not permitted. */
export function haloWebhookManualSteps(url: string, eventNumbers: number[], authMethod: string): string {
	const events = eventNumbers.map((n) => `"${HALO_EVENT_NAMES[n] ?? `event ${n}`}"`).join(', ');
	const auth =
		authMethod === 'header'
			? 'a custom header (name and value of the HaloPSA Webhook credential)'
			: authMethod === 'bearer'
				? 'Bearer (the token of the HaloPSA Webhook credential)'
				: 'Basic (username and password of the HaloPSA Webhook credential)';
	return (
		`In Halo: Configuration > Integrations > Webhooks > New. Payload URL ${url}; type "Standard webhook", method POST, ` +
		`content type application/json; authentication ${auth}; events ${events || '"Ticket Status Changed", "Closed"'}.`
	);
}

function records(data: unknown): Obj[] {
	if (Array.isArray(data)) return data.filter((r): r is Obj => !!r && typeof r === 'object');
	if (data && typeof data === 'object') {
		for (const key of ['webhooks', 'records', 'notifications']) {
			const list = (data as Obj)[key];
			if (Array.isArray(list)) return records(list);
		}
		return [data as Obj];
	}
	return [];
}

const sameUrl = (a: unknown, b: string): boolean => typeof a === 'string' && a.trim().replace(/\/+$/, '') === b.trim().replace(/\/+$/, '');

/** The outbound webhooks (`GET /Webhook?type=0`). */
export async function listHaloWebhooks(client: HaloClient): Promise<Obj[]> {
	const res = await client.request({ method: 'GET', path: '/Webhook', query: { type: 0 } });
	return records(res.data);
}

/** A webhook pointing at `url`, else one named `name`. */
export async function findHaloWebhook(client: HaloClient, where: { url: string; name?: string }): Promise<Obj | undefined> {
	const all = await listHaloWebhooks(client);
	return all.find((w) => sameUrl(w.url, where.url)) ?? (where.name ? all.find((w) => w.name === where.name) : undefined);
}

/** Event numbers the webhook is subscribed to (`GET /Webhook/{id}?includedetails=true` → `events`; key UNCERTAIN). */
async function subscribedEvents(client: HaloClient, webhookId: string): Promise<Set<number> | undefined> {
	const res = await client.request({ method: 'GET', path: `/Webhook/${encodeURIComponent(webhookId)}`, query: { includedetails: true } });
	const events = (res.data as Obj | undefined)?.events;
	if (!Array.isArray(events)) return undefined;
	return new Set(
		events
			.filter((e): e is Obj => !!e && typeof e === 'object' && (e.delivery_method === undefined || Number(e.delivery_method) === HALO_WEBHOOK_DELIVERY_METHOD))
			.map((e) => Number(e.eventno)),
	);
}

/**
 * Creates the webhook, or updates the one found by URL / name / `knownId` (no duplicate on re-activation), then
 * subscribes it to the missing events. Throws ApiRequestError (403 when not permitted: see isHaloPermissionDenied).
 */
export async function registerHaloWebhook(client: HaloClient, spec: HaloWebhookSpec, knownId?: string): Promise<HaloWebhookRegistration> {
	const all = await listHaloWebhooks(client);
	const existing =
		all.find((w) => sameUrl(w.url, spec.url)) ?? all.find((w) => w.name === spec.name) ?? (knownId ? all.find((w) => String(w.id) === knownId) : undefined);
	const record: Obj = {
		...(existing ? { id: existing.id } : {}),
		name: spec.name,
		url: spec.url,
		type: 0,
		method: 0,
		active: true,
		content_type: 'application/json',
		...haloWebhookAuthFields(spec.auth),
	};
	const res = await client.request({ method: 'POST', path: '/Webhook', body: [record], idempotent: existing !== undefined });
	const saved = records(res.data)[0];
	const webhookId = String(saved?.id ?? existing?.id ?? '');
	if (!webhookId) throw new Error('HaloPSA answered POST /Webhook without the webhook id');

	const have = existing ? await subscribedEvents(client, webhookId) : new Set<number>();
	const missing = spec.eventNumbers.filter((n) => !have?.has(n));
	const notificationIds: number[] = [];
	if (missing.length) {
		const body = missing.map((eventno) => ({
			webhook_id: webhookId,
			type: -2,
			delivery_method: HALO_WEBHOOK_DELIVERY_METHOD,
			eventno: String(eventno),
			filter_type: 2,
			conditions: [],
		}));
		const created = await client.request({ method: 'POST', path: '/Notification', body });
		for (const n of records(created.data)) if (Number.isInteger(Number(n.id))) notificationIds.push(Number(n.id));
	}
	return {
		webhookId,
		created: existing === undefined,
		notificationIds,
		eventNumbers: [...new Set([...(have ?? []), ...spec.eventNumbers])].sort((a, b) => a - b),
	};
}

/** Deletes the webhook (its notifications go with it). 'absent' when Halo no longer has it. */
export async function removeHaloWebhook(client: HaloClient, webhookId: string): Promise<'removed' | 'absent'> {
	try {
		await client.request({ method: 'DELETE', path: `/Webhook/${encodeURIComponent(webhookId)}` });
		return 'removed';
	} catch (error) {
		if (error instanceof ApiRequestError && error.status === 404) return 'absent';
		throw error;
	}
}

/** Whether a webhook pointing at `url` exists, is active and is subscribed to every event in `eventNumbers`. */
export async function haloWebhookStatus(
	client: HaloClient,
	url: string,
	eventNumbers: number[],
): Promise<{ registered: boolean; webhookId?: string; active?: boolean; missingEvents: number[] }> {
	const found = await findHaloWebhook(client, { url });
	if (!found) return { registered: false, missingEvents: eventNumbers };
	const have = await subscribedEvents(client, String(found.id));
	return {
		registered: true,
		webhookId: String(found.id),
		active: found.active !== false,
		missingEvents: have ? eventNumbers.filter((n) => !have.has(n)) : [],
	};
}
