import {
	NodeConnectionTypes,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type IHookFunctions,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import {
	DEFAULT_EXTERNAL_REF_FIELDS,
	HALO_TICKET_EVENT_TYPES,
	HaloEventInputError,
	normaliseHaloTicketEvent,
	normaliseHaloWebhookBody,
	refetchedElement,
	type HaloEventOptions,
	type HaloTicketEvent,
	type HaloTicketEventType,
} from '../shared/domain/haloTicketEvent';
import { withIsoDates } from '../shared/domain/haloRecords';
import { checkHaloWebhookAuth, type HaloWebhookAuthMethod } from '../shared/domain/webhookAuth';
import { haloClientFor, type HaloClient } from '../shared/transport/halo';
import { cachedApiAgentId, cachedStatuses, newestFirst } from '../shared/halo';

type RequestWithBody = { rawBody?: Buffer; readRawBody?: () => Promise<void>; contentType?: string };

function idList(text: unknown): number[] {
	return String(text ?? '')
		.split(/[\s,;]+/)
		.filter((s) => /^\d+$/.test(s))
		.map(Number);
}

function reply(context: IWebhookFunctions, status: number, body: IDataObject, headers: Record<string, string> = {}): IWebhookResponseData {
	const res = context.getResponseObject();
	for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
	res.status(status).json(body);
	return { noWebhookResponse: true };
}

/** The body as sent: n8n's parsed body when it is JSON, else the raw bytes (unknown content types give none). */
async function readBody(context: IWebhookFunctions): Promise<unknown> {
	const req = context.getRequestObject() as unknown as RequestWithBody;
	const parsed = context.getBodyData() as unknown;
	const isJson = (req.contentType ?? '').includes('json');
	if (isJson && parsed !== undefined && parsed !== null && typeof parsed === 'object' && Object.keys(parsed).length > 0) return parsed;
	if (!req.rawBody && typeof req.readRawBody === 'function') await req.readRawBody();
	if (req.rawBody && req.rawBody.length > 0) return req.rawBody.toString('utf8');
	return parsed;
}

export class HaloPsaTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'HaloPSA Trigger',
		name: 'haloPsaTrigger',
		icon: { light: 'file:../../icons/halo.svg', dark: 'file:../../icons/halo.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{($parameter["events"] || []).join(", ")}}',
		description: 'Starts the workflow when HaloPSA posts a ticket webhook (new ticket, status changed, closed)',
		defaults: { name: 'HaloPSA Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'haloPsaWebhookApi', required: true },
			{ name: 'haloPsaApi', required: true, displayOptions: { show: { useApi: [true] } } },
		],
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'halo' }],
		properties: [
			{
				displayName:
					'In Halo: Configuration > Integrations > Webhooks > New. Payload URL = this node\'s Production URL; type "Standard webhook", method POST, content type application/json; authentication Basic (username/password of the HaloPSA Webhook credential) or Bearer; events "New Ticket Logged", "Ticket Status Changed" and/or "Ticket Closed". Alternatively a Custom Integration method run by a Runbook can post the ticket as JSON here (see the README).',
				name: 'notice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				options: [
					{ name: 'Closed', value: 'closed', description: 'The ticket was closed (by event name, status, or close date)' },
					{ name: 'New Ticket', value: 'new', description: 'A ticket was logged' },
					{ name: 'Status Changed', value: 'statusChanged', description: 'The status changed (not to closed)' },
					{ name: 'Updated', value: 'updated', description: 'Any other ticket event (updated, reassigned, action added)' },
				],
				default: ['new', 'statusChanged', 'closed', 'updated'],
				description: 'Which events start the workflow; the others are acknowledged and dropped',
			},
			{
				displayName: 'Ignore Own Changes',
				name: 'suppressEcho',
				type: 'boolean',
				default: true,
				description:
					"Whether to drop events caused by this integration: made by the HaloPSA API credential's agent (with Use HaloPSA API), by an agent listed below, or carrying the marker [n8n-halo-datto]",
			},
			{
				displayName: 'Ignore Agent IDs',
				name: 'ignoreAgentIds',
				type: 'string',
				default: '',
				placeholder: 'e.g. 42',
				description: 'Comma-separated Halo agent IDs whose changes are dropped (e.g. the API agent, when Use HaloPSA API is off)',
				displayOptions: { show: { suppressEcho: [true] } },
			},
			{
				displayName: 'Use HaloPSA API',
				name: 'useApi',
				type: 'boolean',
				default: false,
				description:
					'Whether to call the HaloPSA API: to learn the API agent (GET /Agent/me, cached) for Ignore Own Changes, to name statuses, and to re-fetch tickets',
			},
			{
				displayName: 'Re-Fetch Ticket',
				name: 'refetch',
				type: 'options',
				options: [
					{ name: 'Always', value: 'always', description: 'Read the ticket and its newest actions for every event' },
					{
						name: 'When Incomplete',
						value: 'incomplete',
						description: 'Only when the payload has no ticket data (event-information-only payloads)',
					},
					{ name: 'Never', value: 'never' },
				],
				default: 'incomplete',
				description: 'Whether to read the ticket (and its newest actions) from the API, since payloads differ by trigger and tenant',
				displayOptions: { show: { useApi: [true] } },
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Closed Status IDs',
						name: 'closedStatusIds',
						type: 'string',
						default: '',
						placeholder: 'e.g. 9, 21',
						description: "Comma-separated status IDs that mean closed in your tenant (besides names like Closed/Resolved)",
					},
					{
						displayName: 'External Reference Fields',
						name: 'externalRefFields',
						type: 'string',
						default: DEFAULT_EXTERNAL_REF_FIELDS.join(', '),
						description: 'Ticket fields or custom-field names read into externalRef, first non-empty wins',
					},
					{
						displayName: 'Newest Actions to Fetch',
						name: 'actionCount',
						type: 'number',
						typeOptions: { minValue: 0 },
						default: 3,
						description: 'With Re-Fetch Ticket: how many of the newest actions to include as "actions"',
					},
				],
			},
		],
	};

	webhookMethods = {
		default: {
			// Halo webhooks are configured by hand in Halo (see the notice); nothing to register here.
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return true;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		// 1. Authentication (constant time): wrong or missing → 401, nothing executed.
		const secret = await this.getCredentials<ICredentialDataDecryptedObject>('haloPsaWebhookApi');
		const method = (secret.authMethod as HaloWebhookAuthMethod | undefined) ?? 'basic';
		const auth = checkHaloWebhookAuth(this.getHeaderData() as Record<string, string | string[] | undefined>, {
			method,
			username: secret.username as string | undefined,
			password: secret.password as string | undefined,
			token: secret.token as string | undefined,
			headerName: secret.headerName as string | undefined,
			headerValue: secret.headerValue as string | undefined,
		});
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
		let parsed;
		try {
			parsed = normaliseHaloWebhookBody(await readBody(this), eventOptions);
		} catch (error) {
			const message = error instanceof HaloEventInputError ? error.message : `Unreadable body: ${(error as Error).message}`;
			return reply(this, 400, { error: 'Bad Request', message });
		}

		// 3. Optional API: status names, re-fetch, the API agent's id.
		const useApi = this.getNodeParameter('useApi', false) as boolean;
		const suppressEcho = this.getNodeParameter('suppressEcho', true) as boolean;
		let events = parsed.events;
		let apiAgentId: number | undefined;
		const extras = new Map<HaloTicketEvent, IDataObject>();
		if (useApi) {
			let client: HaloClient;
			try {
				client = await haloClientFor(this);
				if (suppressEcho) apiAgentId = await cachedApiAgentId(client);
			} catch (error) {
				// Without the API agent a close we made could loop back: let Halo retry later.
				return reply(this, 503, { error: 'Service Unavailable', message: `HaloPSA API: ${(error as Error).message}` });
			}
			if (events.some((e) => e.statusName === null)) {
				try {
					// Payloads without a status name: name it (GET /Status, cached ~10 min) and judge again.
					eventOptions.statusNames = new Map((await cachedStatuses(client)).map((s) => [s.id, s.name ?? '']));
					events = events.map((e) => ({ ...normaliseHaloTicketEvent(e.raw, eventOptions), raw: e.raw }));
				} catch (error) {
					this.logger.warn(`HaloPSA Trigger: could not load status names: ${(error as Error).message}`);
				}
			}
			const refetch = this.getNodeParameter('refetch', 'incomplete') as string;
			const actionCount = Number(options.actionCount ?? 3);
			events = await Promise.all(
				events.map(async (event) => {
					if (refetch === 'never' || (refetch === 'incomplete' && event.payloadType !== 'event')) return event;
					try {
						const ticket = await client.getTicket(event.ticketId);
						const actions = newestFirst(await client.listActions(event.ticketId));
						const again = normaliseHaloTicketEvent(refetchedElement(event.raw, ticket, actions[0]), eventOptions);
						const merged: HaloTicketEvent = { ...again, payloadType: event.payloadType, raw: event.raw };
						extras.set(merged, {
							ticket: withIsoDates(ticket) as IDataObject,
							actions: actions.slice(0, actionCount).map((a) => withIsoDates(a) as IDataObject),
						});
						return merged;
					} catch (error) {
						extras.set(event, { refetchError: (error as Error).message });
						return event;
					}
				}),
			);
		}

		// 4. Filter: wanted events, then echo suppression.
		const wanted = new Set((this.getNodeParameter('events', []) as HaloTicketEventType[]).filter((e) => HALO_TICKET_EVENT_TYPES.includes(e)));
		const ignoreAgents = new Set(suppressEcho ? idList(this.getNodeParameter('ignoreAgentIds', '')) : []);
		if (apiAgentId !== undefined) ignoreAgents.add(apiAgentId);
		const accepted: IDataObject[] = [];
		const ignored: IDataObject[] = [];
		for (const event of events) {
			let reason: string | undefined;
			if (!wanted.has(event.event)) reason = `event "${event.event}" not selected`;
			else if (suppressEcho && event.agentId !== null && ignoreAgents.has(event.agentId)) reason = `caused by ignored agent ${event.agentId}`;
			else if (suppressEcho && event.markerFound) reason = 'carries the integration marker';
			if (reason) ignored.push({ ticketId: event.ticketId, event: event.event, reason });
			else accepted.push({ ...(event as unknown as IDataObject), ...(extras.get(event) ?? {}) });
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
		return { ...reply(this, 200, ack), workflowData: [this.helpers.returnJsonArray(accepted)] };
	}
}
