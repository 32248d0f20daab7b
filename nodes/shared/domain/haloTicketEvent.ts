/**
 * HaloPSA outbound webhook bodies → one normalised ticket event per ticket (pure; no I/O).
 *
 * Accepted bodies (docs/api/halopsa.md#9-outbound-webhooks-halo--halopsa-trigger; Halo's exact key names are UNCERTAIN, so every lookup
 * is case-insensitive and tolerant):
 * - standard webhook envelopes `{ id, notification_id, escmsg_id, event, webhook_id, object_id, timestamp, … }` with
 *   a `ticket` of key fields ("small object"), the ticket with linked objects and the causing `action` ("full
 *   object"), or no ticket at all ("event information only");
 * - Custom Integration / Runbook bodies (ilert style) such as
 *   `{ "ticket": { "id": <<ticket^id>>, "status": { "id": …, "name": … }, "dateclosed": … } }`;
 * - a bare ticket object; a JSON array of any of these (Halo's batching) → one event per element.
 *
 * Closed detection (§12): the event name (closed / resolved / completed / cancelled), a configured closed status
 * id, a closed status name, a real `dateclosed`/`datecleared` (not 1900), or `hasbeenclosed` (ignored when the same
 * payload says dateclosed is "no date", since it may mean "was closed at some point").
 */
import { z } from 'zod';
import { haloDateToIso } from './haloDates';
import { hasHaloMarker, type HaloMarkerMatch } from './haloMarker';
import { isClosedName } from './haloStatus';
import { DEFAULT_MAX_BATCH, DEFAULT_MAX_DEPTH, checkJsonText, checkParsedShape, type WebhookLimits } from './webhookLimits';

export const HALO_TICKET_EVENT_TYPES = ['new', 'statusChanged', 'closed', 'updated'] as const;
export type HaloTicketEventType = (typeof HALO_TICKET_EVENT_TYPES)[number];

export type HaloPayloadType = 'small' | 'full' | 'event' | 'runbook' | 'ticket';

export interface HaloTicketEvent {
	/** What happened, normalised. */
	event: HaloTicketEventType;
	/** Halo's event name as received (e.g. "Ticket Closed"), or null (runbook bodies without one). */
	eventName: string | null;
	/** Halo's webhook event id (the envelope `id`; identical on repeat deliveries), or null. */
	eventId: string | null;
	ticketId: number;
	statusId: number | null;
	statusName: string | null;
	closed: boolean;
	/** Which signal made `closed` true: event | statusId | statusName | dateclosed | hasbeenclosed; null when open. */
	closedBy: 'event' | 'statusId' | 'statusName' | 'dateclosed' | 'hasbeenclosed' | null;
	clientId: number | null;
	clientName: string | null;
	siteId: number | null;
	summary: string | null;
	/** The external reference (e.g. the Datto alertUid) from the configured ticket field or custom field. */
	externalRef: string | null;
	/** The agent who caused the event (action author, or the closing agent), when the payload tells. */
	agentId: number | null;
	/** The ticket's assigned agent. */
	assignedAgentId: number | null;
	/** Whether the causing action's note carries this integration's marker. */
	markerFound: boolean;
	/** ISO 8601: when the change happened (envelope timestamp, dateclosed, last_update, …; else the receive time). */
	changedAt: string;
	payloadType: HaloPayloadType;
	/** The body (element) as received. */
	raw: Record<string, unknown>;
}

export const HaloTicketEventSchema = z.object({
	event: z.enum(HALO_TICKET_EVENT_TYPES),
	eventName: z.string().nullable(),
	eventId: z.string().nullable(),
	ticketId: z.number().int().positive(),
	statusId: z.number().int().nullable(),
	statusName: z.string().nullable(),
	closed: z.boolean(),
	closedBy: z.enum(['event', 'statusId', 'statusName', 'dateclosed', 'hasbeenclosed']).nullable(),
	clientId: z.number().int().nullable(),
	clientName: z.string().nullable(),
	siteId: z.number().int().nullable(),
	summary: z.string().nullable(),
	externalRef: z.string().nullable(),
	agentId: z.number().int().nullable(),
	assignedAgentId: z.number().int().nullable(),
	markerFound: z.boolean(),
	changedAt: z.string().datetime(),
	payloadType: z.enum(['small', 'full', 'event', 'runbook', 'ticket']),
	raw: z.record(z.unknown()),
});

/** A body (or batch element) that cannot be turned into a ticket event. */
export class HaloEventInputError extends Error {
	constructor(
		message: string,
		readonly index?: number,
	) {
		super(message);
		this.name = 'HaloEventInputError';
	}
}

export interface HaloEventOptions {
	/** Status ids that count as closed (tenant-specific). */
	closedStatusIds?: number[];
	/** Status names by id (e.g. from /api/Status) for payloads that carry only status_id. */
	statusNames?: Map<number, string> | Record<number, string>;
	/** Ticket fields / custom-field names holding the external reference, first non-empty wins. */
	externalRefFields?: string[];
	/** Receive time (for changedAt when the payload has no date). */
	now?: Date;
	/**
	 * The markers that make a change ours: markersOf(HaloClient.marker) when the HaloPSA API credential is at hand;
	 * default any marker of this package (tag unchecked).
	 */
	markers?: HaloMarkerMatch;
}

export const DEFAULT_EXTERNAL_REF_FIELDS = ['third_party_id_string', 'CFDattoAlertUID'];

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Case-insensitive property read; the first of `names` present (not undefined/null/'') wins. */
function get(o: unknown, ...names: string[]): unknown {
	if (!isObj(o)) return undefined;
	for (const name of names) {
		if (o[name] !== undefined && o[name] !== null && o[name] !== '') return o[name];
		const key = Object.keys(o).find((k) => k.toLowerCase() === name.toLowerCase());
		if (key !== undefined && o[key] !== undefined && o[key] !== null && o[key] !== '') return o[key];
	}
	return undefined;
}

/** An integer from a number or a numeric string ("12", "12.0"); else undefined. */
function int(v: unknown): number | undefined {
	if (typeof v === 'number' && Number.isInteger(v)) return v;
	if (typeof v === 'string' && /^\s*-?\d+(\.0+)?\s*$/.test(v)) return Number(v);
	return undefined;
}

const positive = (v: unknown): number | undefined => {
	const n = int(v);
	return n !== undefined && n > 0 ? n : undefined;
};

function str(v: unknown): string | undefined {
	if (typeof v === 'string') return v.trim() === '' ? undefined : v.trim();
	if (typeof v === 'number' || typeof v === 'boolean') return String(v);
	return undefined;
}

function bool(v: unknown): boolean | undefined {
	if (v === true || v === 1 || v === '1' || (typeof v === 'string' && v.toLowerCase() === 'true')) return true;
	if (v === false || v === 0 || v === '0' || (typeof v === 'string' && v.toLowerCase() === 'false')) return false;
	return undefined;
}

/** `1900-01-01…`, `0001-01-01…` and similar mean "no date". */
function isNoDate(v: unknown): boolean {
	return typeof v === 'string' && /^(0001|1[0-8]\d\d|1900)-/.test(v.trim());
}

const ENVELOPE_KEYS = ['webhook_id', 'notification_id', 'escmsg_id', 'object_id', 'event'];

function looksLikeEnvelope(body: Obj): boolean {
	return ENVELOPE_KEYS.some((k) => get(body, k) !== undefined);
}

/** HaloPSA deliveries larger than this are refused (413) unless the trigger is configured otherwise. */
export const DEFAULT_HALO_MAX_BYTES = 1024 * 1024;

export const DEFAULT_HALO_LIMITS: WebhookLimits = { maxBytes: DEFAULT_HALO_MAX_BYTES, maxDepth: DEFAULT_MAX_DEPTH, maxBatch: DEFAULT_MAX_BATCH };

/**
 * The JSON body as a list of elements: parses text (also JSON encoded twice), unwraps arrays. Limits first:
 * size, nesting depth and batch length are checked on the text before JSON.parse (or on the value n8n parsed),
 * so an oversized or 20,000-deep body is refused (WebhookLimitError: 413 / 400) before anything is built from it.
 */
export function parseHaloWebhookBody(body: unknown, limits: WebhookLimits = DEFAULT_HALO_LIMITS): unknown[] {
	let value: unknown = body;
	if (Buffer.isBuffer(value)) value = value.toString('utf8');
	for (let depth = 0; typeof value === 'string' && depth < 3; depth++) {
		const text = value.replace(/^\uFEFF/, '').trim();
		if (text === '') throw new HaloEventInputError('The request body is empty');
		checkJsonText(text, limits);
		try {
			value = JSON.parse(text);
		} catch (error) {
			throw new HaloEventInputError(`The request body is not valid JSON (${(error as Error).message})`);
		}
	}
	if (value === undefined || value === null) throw new HaloEventInputError('The request body is empty');
	checkParsedShape(value, limits);
	if (Array.isArray(value)) {
		if (value.length === 0) throw new HaloEventInputError('The request body is an empty array');
		return value;
	}
	if (!isObj(value)) throw new HaloEventInputError(`Expected a JSON object or array, got ${typeof value}`);
	if (Object.keys(value).length === 0) throw new HaloEventInputError('The request body is an empty JSON object');
	return [value];
}

function ticketOf(body: Obj): { ticket?: Obj; payloadType: HaloPayloadType } {
	const envelope = looksLikeEnvelope(body);
	let ticket = get(body, 'ticket', 'faults', 'fault');
	if (Array.isArray(ticket)) ticket = ticket[0];
	if (isObj(ticket)) {
		if (!envelope) return { ticket, payloadType: 'runbook' };
		const linked = ['status', 'client', 'site', 'agent', 'tickettype'].some((k) => isObj(get(ticket, k)));
		return { ticket, payloadType: linked || isObj(get(body, 'action')) ? 'full' : 'small' };
	}
	if (envelope) return { payloadType: 'event' };
	// A bare ticket (custom payload or `<<ticket>>` without a wrapper).
	return { ticket: body, payloadType: 'ticket' };
}

function ticketIdOf(body: Obj, ticket: Obj | undefined, payloadType: HaloPayloadType): number | undefined {
	return (
		positive(get(ticket, 'id', 'ticket_id', 'faultid', 'ticketid')) ??
		positive(get(body, 'ticket_id', 'ticketid', 'faultid', 'object_id', 'objectid')) ??
		// A root `id` is the webhook event id in standard envelopes; only a bare ticket's id is the ticket's.
		(payloadType === 'ticket' || payloadType === 'runbook' ? positive(get(body, 'id')) : undefined)
	);
}

function statusOf(ticket: Obj | undefined, body: Obj, names: HaloEventOptions['statusNames']): { id?: number; name?: string } {
	const status = get(ticket, 'status') ?? get(body, 'status');
	let id: number | undefined;
	let name: string | undefined;
	if (isObj(status)) {
		id = int(get(status, 'id', 'status_id'));
		name = str(get(status, 'name', 'shortname'));
	} else if (status !== undefined) {
		// `status` as a number or, with Halo's "display values" toggle, a name.
		id = int(status);
		if (id === undefined) name = str(status);
	}
	const statusIdField = get(ticket, 'status_id', 'statusid') ?? get(body, 'status_id', 'statusid');
	if (id === undefined) {
		id = int(statusIdField);
		if (id === undefined && name === undefined) name = str(statusIdField);
	}
	name ??= str(get(ticket, 'status_name', 'statusname') ?? get(body, 'status_name', 'statusname'));
	if (name === undefined && id !== undefined && names) {
		name = names instanceof Map ? names.get(id) : names[id];
	}
	return { id, name };
}

function externalRefOf(ticket: Obj | undefined, body: Obj, fields: string[]): string | undefined {
	const customFields = get(ticket, 'customfields');
	for (const field of fields) {
		const direct = str(get(ticket, field) ?? get(body, field));
		if (direct !== undefined && direct !== '0') return direct;
		if (Array.isArray(customFields)) {
			const cf = customFields.find((c) => isObj(c) && String(get(c, 'name') ?? '').toLowerCase() === field.toLowerCase());
			const value = str(get(cf, 'value', 'display'));
			if (value !== undefined) return value;
		}
	}
	return undefined;
}

function classify(eventName: string | undefined, closed: boolean, hasStatus: boolean): HaloTicketEventType {
	if (eventName) {
		const name = eventName.toLowerCase();
		if (isClosedName(eventName)) return 'closed';
		if (/new ticket|ticket logged|\blogged\b|\bcreated\b|^new$/.test(name)) return 'new';
		if (/status/.test(name)) return closed ? 'closed' : 'statusChanged';
		return 'updated';
	}
	if (closed) return 'closed';
	return hasStatus ? 'statusChanged' : 'updated';
}

/** Normalises one webhook body element. Throws HaloEventInputError when no ticket id can be found. */
export function normaliseHaloTicketEvent(element: unknown, options: HaloEventOptions = {}, index?: number): HaloTicketEvent {
	if (!isObj(element)) {
		throw new HaloEventInputError(`Expected a JSON object, got ${Array.isArray(element) ? 'an array' : element === null ? 'null' : typeof element}`, index);
	}
	const body = element;
	const { ticket, payloadType } = ticketOf(body);
	const ticketId = ticketIdOf(body, ticket, payloadType);
	if (ticketId === undefined) {
		throw new HaloEventInputError(
			'No ticket id in the body (looked for ticket.id, ticket_id, object_id and, for bare tickets, id)',
			index,
		);
	}
	const eventName = str(get(body, 'event', 'event_name', 'eventname', 'notification_name', 'trigger'));
	const status = statusOf(ticket, body, options.statusNames);
	const action = [get(body, 'action'), get(ticket, 'action')].find(isObj);
	const lastAction = get(ticket, 'lastaction');

	const dateClosed = get(ticket, 'dateclosed', 'datecleared', 'closure_time') ?? get(body, 'dateclosed', 'datecleared');
	const realDateClosed = dateClosed !== undefined && !isNoDate(dateClosed) && haloDateToIso(dateClosed) !== null;
	const hasBeenClosed = bool(get(ticket, 'hasbeenclosed') ?? get(body, 'hasbeenclosed')) === true && !isNoDate(dateClosed);
	let closedBy: HaloTicketEvent['closedBy'] = null;
	if (eventName && isClosedName(eventName)) closedBy = 'event';
	else if (status.id !== undefined && options.closedStatusIds?.includes(status.id)) closedBy = 'statusId';
	else if (isClosedName(status.name)) closedBy = 'statusName';
	else if (realDateClosed) closedBy = 'dateclosed';
	else if (hasBeenClosed) closedBy = 'hasbeenclosed';
	const closed = closedBy !== null;
	const event = classify(eventName, closed, status.id !== undefined || status.name !== undefined);

	// Who caused it: the causing action's author; for closes the closing agent; else the last action (full payloads).
	let agentId = positive(get(action, 'who_agentid', 'actionby_agent_id', 'agent_id'));
	agentId ??= positive(get(body, 'who_agentid', 'actor_agent_id', 'actionby_agent_id'));
	if (agentId === undefined && closed) agentId = positive(get(ticket, 'closure_agent_id'));
	if (agentId === undefined && (event === 'closed' || event === 'statusChanged') && isObj(lastAction)) {
		agentId = positive(get(lastAction, 'who_agentid', 'actionby_agent_id'));
	}
	// The marker counts only on what caused the event: the action's note, or a new ticket's details.
	const markerSource = action ?? (event === 'closed' || event === 'statusChanged' ? (isObj(lastAction) ? lastAction : undefined) : undefined);
	const markerFound = hasHaloMarker(
		[
			get(markerSource, 'note'),
			get(markerSource, 'note_html'),
			get(body, 'note'),
			get(body, 'note_html'),
			event === 'new' ? get(ticket, 'details_html') : undefined,
			event === 'new' ? get(ticket, 'details') : undefined,
		],
		options.markers,
	);

	const client = get(ticket, 'client');
	const clientIdRaw = get(ticket, 'client_id') ?? (isObj(client) ? get(client, 'id') : undefined) ?? get(body, 'client_id');
	const clientId = int(clientIdRaw);
	const clientName = str(get(ticket, 'client_name') ?? (isObj(client) ? get(client, 'name') : undefined)) ?? (clientId === undefined ? str(clientIdRaw) : undefined);

	const candidates = [
		get(body, 'timestamp', 'datetime'),
		closed ? dateClosed : undefined,
		get(ticket, 'last_update', 'lastupdate', 'lastactiondate'),
		get(action, 'datetime'),
	];
	let changedAt: string | null = null;
	for (const c of candidates) {
		changedAt = c === undefined ? null : haloDateToIso(c);
		if (changedAt) break;
	}
	changedAt ??= (options.now ?? new Date()).toISOString();

	const normalised: HaloTicketEvent = {
		event,
		eventName: eventName ?? null,
		eventId: payloadType === 'runbook' || payloadType === 'ticket' ? null : (str(get(body, 'id')) ?? null),
		ticketId,
		statusId: status.id ?? null,
		statusName: status.name ?? null,
		closed,
		closedBy,
		clientId: clientId ?? null,
		clientName: clientName ?? null,
		siteId: int(get(ticket, 'site_id') ?? get(get(ticket, 'site'), 'id')) ?? null,
		summary: str(get(ticket, 'summary', 'symptom')) ?? null,
		externalRef: externalRefOf(ticket, body, options.externalRefFields ?? DEFAULT_EXTERNAL_REF_FIELDS) ?? null,
		agentId: agentId ?? null,
		assignedAgentId: positive(get(ticket, 'agent_id') ?? get(get(ticket, 'agent'), 'id')) ?? null,
		markerFound,
		changedAt,
		payloadType,
		raw: body,
	};
	const checked = HaloTicketEventSchema.safeParse(normalised);
	if (!checked.success) {
		const issue = checked.error.issues[0];
		throw new HaloEventInputError(`Invalid ticket event: ${issue.path.join('.')}: ${issue.message}`, index);
	}
	return normalised;
}

export interface HaloWebhookParseResult {
	events: HaloTicketEvent[];
	/** Elements that could not be normalised (batches keep their good elements). */
	rejected: Array<{ index: number; reason: string }>;
}

/**
 * Parses a whole webhook body (object, batch array, JSON text). Throws HaloEventInputError when the body is not
 * JSON or no element is a ticket event; otherwise returns the events and the rejected elements.
 */
export function normaliseHaloWebhookBody(body: unknown, options: HaloEventOptions = {}, limits: WebhookLimits = DEFAULT_HALO_LIMITS): HaloWebhookParseResult {
	const elements = parseHaloWebhookBody(body, limits);
	const events: HaloTicketEvent[] = [];
	const rejected: HaloWebhookParseResult['rejected'] = [];
	elements.forEach((element, index) => {
		try {
			events.push(normaliseHaloTicketEvent(element, options, index));
		} catch (error) {
			if (!(error instanceof HaloEventInputError)) throw error;
			rejected.push({ index, reason: error.message });
		}
	});
	if (events.length === 0) {
		const first = rejected[0];
		throw new HaloEventInputError(
			elements.length > 1 ? `No element of the batch is a ticket event (element ${first.index}: ${first.reason})` : first.reason,
			first.index,
		);
	}
	return { events, rejected };
}

/**
 * Merges a ticket re-read from the API (and its newest actions) into an event's body and normalises again:
 * the event name and id stay, ticket data comes from the API. The newest action stands in for the causing
 * action when the payload had none.
 */
export function refetchedElement(raw: Record<string, unknown>, ticket: Record<string, unknown>, latestAction?: Record<string, unknown>): Record<string, unknown> {
	const current = get(raw, 'ticket');
	const merged: Obj = { ...(isObj(current) ? current : {}), ...ticket };
	// The API's status_id wins over a status object of the payload unless they agree.
	const payloadStatus = get(merged, 'status');
	if (isObj(payloadStatus) && int(get(ticket, 'status_id')) !== undefined && int(get(payloadStatus, 'id')) !== int(get(ticket, 'status_id'))) {
		delete merged.status;
	}
	if (latestAction && !isObj(get(raw, 'action'))) merged.lastaction = latestAction;
	const element: Obj = { ...raw, ticket: merged };
	// A bare ticket body becomes a runbook-style wrapper so the root `id` keeps its meaning.
	if (!looksLikeEnvelope(raw) && !isObj(current)) return { ticket: merged };
	return element;
}
