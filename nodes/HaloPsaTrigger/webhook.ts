/**
 * What the HaloPSA Trigger does with one delivery: 1. authentication (constant time) → 401; 2. limits (body size → 413,
 * nesting depth and batch length → 400, before anything is normalised or fetched) and parse → 400 naming the problem; 3. optional API (status names, re-fetch, API agent id); 4. event filter and echo suppression; 5. answer and
 * start one execution with the accepted events.
 */
import {
	type IDataObject,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import {
	DEFAULT_EXTERNAL_REF_FIELDS,
	DEFAULT_HALO_MAX_BYTES,
	HALO_TICKET_EVENT_TYPES,
	HaloEventInputError,
	normaliseHaloTicketEvent,
	normaliseHaloWebhookBody,
	refetchedElement,
	type HaloEventOptions,
	type HaloTicketEvent,
	type HaloTicketEventType,
} from '../shared/domain/haloTicketEvent';
import { markersOf } from '../shared/domain/haloMarker';
import { withIsoDates } from '../shared/domain/haloRecords';
import {
	DEFAULT_MAX_BATCH,
	DEFAULT_MAX_DEPTH,
	DEFAULT_REFETCH_CONCURRENCY,
	WebhookLimitError,
	checkBodySize,
	mapWithConcurrency,
	type WebhookLimits,
} from '../shared/domain/webhookLimits';
import { checkHaloWebhookAuth, type HaloWebhookAuthMethod } from '../shared/domain/webhookAuth';
import { checkWithCachedCredential } from '../shared/n8n/webhookCredentialCache';
import { haloClientFor, type HaloClient } from '../shared/transport/halo';
import { cachedApiAgentId, cachedStatuses, newestFirst } from '../shared/halo';
import { recentCloses } from './recentCloses';

type RequestWithBody = {
	headers?: Record<string, string | string[] | undefined>;
	rawBody?: Buffer;
	readRawBody?: () => Promise<void>;
	contentType?: string;
};

function idList(text: unknown): number[] {
	return String(text ?? '')
		.split(/[\s,;]+/)
		.filter((s) => /^\d+$/.test(s))
		.map(Number);
}

function reply(
	context: IWebhookFunctions,
	status: number,
	body: IDataObject,
	headers: Record<string, string> = {},
): IWebhookResponseData {
	const res = context.getResponseObject();
	for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
	res.status(status).json(body);
	return { noWebhookResponse: true };
}

const positive = (value: unknown, fallback: number): number =>
	typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback;

/**
 * The body as sent: n8n's parsed body when it is JSON, else the raw bytes (unknown content types give none).
 * The size limit is checked on the declared Content-Length before reading, then on the bytes n8n read.
 */
async function readBody(context: IWebhookFunctions, maxBytes: number): Promise<unknown> {
	const req = context.getRequestObject() as unknown as RequestWithBody;
	checkBodySize(Number(req.headers?.['content-length']), maxBytes);
	if (req.rawBody) checkBodySize(req.rawBody.length, maxBytes);
	const parsed = context.getBodyData() as unknown;
	const isJson = (req.contentType ?? '').includes('json');
	if (isJson && parsed !== undefined && parsed !== null && typeof parsed === 'object' && Object.keys(parsed).length > 0)
		return parsed;
	if (!req.rawBody && typeof req.readRawBody === 'function') await req.readRawBody();
	if (req.rawBody && req.rawBody.length > 0) return req.rawBody.toString('utf8');
	return parsed;
}

/**
 * Whether the payload lacks what the trigger needs: event-information-only payloads have no ticket; small "Ticket
 * Status Changed" payloads (only `status_id`) do not say who made the change, so a close made by this integration
 * could not be told from a technician's without reading the ticket (its closing agent / newest action).
 */
function incomplete(event: HaloTicketEvent, suppressEcho: boolean): boolean {
	if (event.payloadType === 'event') return true;
	return suppressEcho && event.agentId === null && (event.event === 'closed' || event.event === 'statusChanged');
}

/**
 * Whether an event can still start the workflow: of a selected kind, without ticket data (event-information-only
 * payloads), or a status change whose status is not named yet while closes are selected (naming it may make it one).
 */
function mayBeWanted(event: HaloTicketEvent, wanted: Set<HaloTicketEventType>): boolean {
	if (event.payloadType === 'event' || wanted.has(event.event)) return true;
	return event.event === 'statusChanged' && event.statusName === null && wanted.has('closed');
}

export async function handleHaloWebhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	// 1. Authentication (constant time): wrong or missing → 401, nothing executed.
	//    The credential comes from the shared webhook credential cache (read once per ~60 s, again at once when the
	//    cached one does not accept the request, so a rotated secret works from its first delivery).
	const headers = this.getHeaderData() as Record<string, string | string[] | undefined>;
	const { result: auth, data: secret } = await checkWithCachedCredential(
		this,
		'haloPsaWebhookApi',
		(data) =>
			checkHaloWebhookAuth(headers, {
				method: (data.authMethod as HaloWebhookAuthMethod | undefined) ?? 'basic',
				username: data.username as string | undefined,
				password: data.password as string | undefined,
				token: data.token as string | undefined,
				headerName: data.headerName as string | undefined,
				headerValue: data.headerValue as string | undefined,
			}),
		(result) => result.ok,
	);
	const method = (secret.authMethod as HaloWebhookAuthMethod | undefined) ?? 'basic';
	if (!auth.ok) {
		return reply(
			this,
			401,
			{ error: 'Unauthorized', message: auth.reason },
			method === 'basic' ? { 'WWW-Authenticate': 'Basic realm="n8n HaloPSA Trigger"' } : {},
		);
	}

	// 2. Parse: object, batch array, JSON text; malformed → 400 naming the problem.
	const options = this.getNodeParameter('options', {}) as IDataObject;
	const eventOptions: HaloEventOptions = {
		closedStatusIds: idList(options.closedStatusIds),
		externalRefFields: String(options.externalRefFields ?? DEFAULT_EXTERNAL_REF_FIELDS.join(','))
			.split(',')
			.map((s) => s.trim())
			.filter(Boolean),
	};
	const limits: WebhookLimits = {
		maxBytes: Math.floor(positive(options.maxBodySizeKb, DEFAULT_HALO_MAX_BYTES / 1024) * 1024),
		maxDepth: DEFAULT_MAX_DEPTH,
		maxBatch: Math.floor(positive(options.maxBatch, DEFAULT_MAX_BATCH)),
	};
	let parsed;
	try {
		parsed = normaliseHaloWebhookBody(await readBody(this, limits.maxBytes), eventOptions, limits);
	} catch (error) {
		if (error instanceof WebhookLimitError) {
			const name = error.status === 413 ? 'Payload Too Large' : 'Bad Request';
			return reply(this, error.status, { error: name, message: error.message });
		}
		const message = error instanceof HaloEventInputError ? error.message : `Unreadable body: ${(error as Error).message}`;
		return reply(this, 400, { error: 'Bad Request', message });
	}

	// 3. Optional API: status names, re-fetch, the API agent's id — only for a delivery that can start the workflow
	//    (an event of a selected kind, one without ticket data, or a status change whose unnamed status may be a close).
	const version = this.getNode().typeVersion;
	const useApi = this.getNodeParameter('useApi', version >= 2) as boolean;
	const suppressEcho = this.getNodeParameter('suppressEcho', true) as boolean;
	const wanted = new Set(
		(this.getNodeParameter('events', []) as HaloTicketEventType[]).filter((e) => HALO_TICKET_EVENT_TYPES.includes(e)),
	);
	let events = parsed.events;
	let apiAgentId: number | undefined;
	const extras = new Map<HaloTicketEvent, IDataObject>();
	if (useApi && events.some((e) => mayBeWanted(e, wanted))) {
		let client: HaloClient;
		try {
			client = await haloClientFor(this);
			if (suppressEcho) apiAgentId = await cachedApiAgentId(client);
		} catch (error) {
			// Without the API agent a close we made could loop back: let Halo retry later.
			return reply(this, 503, {
				error: 'Service Unavailable',
				message: `HaloPSA API: ${(error as Error).message}`,
			});
		}
		// With the API credential at hand, only this installation's marker (and the legacy one) counts as ours.
		eventOptions.markers = markersOf(client.marker);
		if (events.some((e) => e.statusName === null)) {
			try {
				// Payloads without a status name: name it (GET /Status, cached ~10 min) and judge again.
				eventOptions.statusNames = new Map((await cachedStatuses(client)).map((s) => [s.id, s.name ?? '']));
			} catch (error) {
				this.logger.warn(`HaloPSA Trigger: could not load status names: ${(error as Error).message}`);
			}
		}
		events = events.map((e) => ({
			...normaliseHaloTicketEvent(e.raw, eventOptions),
			raw: e.raw,
		}));
		const refetch = this.getNodeParameter('refetch', 'incomplete') as string;
		const actionCount = Number(options.actionCount ?? 3);
		// At most a few reads at once, however long the batch (itself bounded by Max Batch Length).
		const concurrency = Math.floor(positive(options.refetchConcurrency, DEFAULT_REFETCH_CONCURRENCY));
		events = await mapWithConcurrency(events, concurrency, async (event) => {
			if (refetch === 'never' || (refetch === 'incomplete' && !incomplete(event, suppressEcho && version >= 2))) return event;
			if (!mayBeWanted(event, wanted)) return event;
			try {
				const ticket = await client.getTicket(event.ticketId);
				const actions = newestFirst(await client.listActions(event.ticketId));
				const again = normaliseHaloTicketEvent(refetchedElement(event.raw, ticket, actions[0]), eventOptions);
				const merged: HaloTicketEvent = {
					...again,
					payloadType: event.payloadType,
					raw: event.raw,
				};
				extras.set(merged, {
					ticket: withIsoDates(ticket) as IDataObject,
					actions: actions.slice(0, actionCount).map((a) => withIsoDates(a) as IDataObject),
				});
				return merged;
			} catch (error) {
				extras.set(event, { refetchError: (error as Error).message });
				return event;
			}
		});
	}

	// 4. Filter: wanted events, then echo suppression.
	const ignoreAgents = new Set(suppressEcho ? idList(this.getNodeParameter('ignoreAgentIds', '')) : []);
	if (apiAgentId !== undefined) ignoreAgents.add(apiAgentId);
	const accepted: IDataObject[] = [];
	const ignored: IDataObject[] = [];
	const scope = `${this.getWorkflow().id ?? ''}/${this.getNode().name}`;
	for (const event of events) {
		let reason: string | undefined;
		// Version 2: a close Halo reports twice ("Closed" and "Ticket Status Changed") starts the workflow once.
		if (version >= 2 && event.event === 'statusChanged') recentCloses.forget(scope, event.ticketId);
		if (!wanted.has(event.event)) reason = `event "${event.event}" not selected`;
		else if (suppressEcho && event.agentId !== null && ignoreAgents.has(event.agentId))
			reason = `caused by ignored agent ${event.agentId}`;
		// The agent id decides first: when both the event's agent and the integration's agents are known, the event
		// is someone else's, even if its note quotes the visible marker (a technician pasting our note). The marker
		// only decides when the agent cannot be told (no API agent, no Ignore Agent IDs, or an event without one).
		else if (suppressEcho && event.markerFound && (event.agentId === null || ignoreAgents.size === 0))
			reason = 'carries the integration marker';
		else if (version >= 2 && event.event === 'closed' && !recentCloses.firstClose(scope, event.ticketId))
			reason = 'duplicate close: this close already started the workflow (Halo sends "Closed" and "Ticket Status Changed")';
		if (reason) ignored.push({ ticketId: event.ticketId, event: event.event, reason });
		else
			accepted.push({
				...(event as unknown as IDataObject),
				...(extras.get(event) ?? {}),
			});
	}
	const ack: IDataObject = {
		received: parsed.events.length + parsed.rejected.length,
		accepted: accepted.length,
		...(ignored.length ? { ignored } : {}),
		...(parsed.rejected.length ? { rejected: parsed.rejected as unknown as IDataObject[] } : {}),
	};
	if (accepted.length === 0) return { webhookResponse: ack };
	// The node answers itself: for a webhook that starts an execution in response mode "onReceived", n8n 2.41 sends
	// the webhook description's responseData (default: the literal text "firstEntryJson"), not `webhookResponse`.
	return {
		...reply(this, 200, ack),
		workflowData: [this.helpers.returnJsonArray(accepted)],
	};
}
