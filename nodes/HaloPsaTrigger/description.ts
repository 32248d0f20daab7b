/** Parameters of the HaloPSA Trigger. */
import type { INodeProperties } from 'n8n-workflow';

import { DEFAULT_EXTERNAL_REF_FIELDS } from '../shared/domain/haloTicketEvent';
import { HALO_WEBHOOK_PERMISSION } from '../shared/halo/webhookRegistration';

const MANUAL_STEPS =
	'In Halo: Configuration > Integrations > Webhooks > New. Payload URL = this node\'s Production URL; type "Standard webhook", method POST, content type application/json; authentication Basic (username/password of the HaloPSA Webhook credential) or Bearer; events "New Ticket Logged", "Ticket Status Changed" and/or "Ticket Closed". Alternatively a Custom Integration method run by a Runbook can post the ticket as JSON here (see docs/setup.md).';

const USE_API_DESCRIPTION =
	'Whether to call the HaloPSA API: to register the webhook, to learn the API agent (GET /Agent/me, cached) for Ignore Own Changes, to name statuses (closed status ids), and to re-fetch tickets whose payload does not say who changed them';

export const triggerProperties: INodeProperties[] = [
	{
		displayName: MANUAL_STEPS,
		name: 'notice',
		type: 'notice',
		default: '',
		displayOptions: { show: { '@version': [1] } },
	},
	{
		displayName: `With Register Webhook in Halo on, publishing the workflow creates (or updates) this trigger's webhook in Halo and unpublishing removes it. Halo must allow it: ${HALO_WEBHOOK_PERMISSION}. Otherwise (or with the option off) the trigger still starts and logs a warning; then create the webhook by hand: ${MANUAL_STEPS}`,
		name: 'registrationNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { '@version': [2] } },
	},
	{
		displayName: 'Events',
		name: 'events',
		type: 'multiOptions',
		options: [
			{
				name: 'Closed',
				value: 'closed',
				description: 'The ticket was closed (by event name, status, or close date)',
			},
			{ name: 'New Ticket', value: 'new', description: 'A ticket was logged' },
			{
				name: 'Status Changed',
				value: 'statusChanged',
				description: 'The status changed (not to closed)',
			},
			{
				name: 'Updated',
				value: 'updated',
				description: 'Any other ticket event (updated, reassigned, action added)',
			},
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
			"Whether to drop events caused by this integration: made by the HaloPSA API credential's agent (with Use HaloPSA API), by an agent listed below, or carrying the integration marker [n8n-halo-datto:…] (this installation's, derived from the HaloPSA API credential when Use HaloPSA API is on)",
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
		description: USE_API_DESCRIPTION,
		displayOptions: { show: { '@version': [1] } },
	},
	{
		displayName: 'Use HaloPSA API',
		name: 'useApi',
		type: 'boolean',
		default: true,
		description: USE_API_DESCRIPTION,
		displayOptions: { show: { '@version': [2] } },
	},
	{
		displayName: 'Register Webhook in Halo',
		name: 'registerWebhook',
		type: 'boolean',
		default: true,
		description:
			"Whether publishing the workflow creates (or updates) this trigger's webhook in Halo, authenticated with the HaloPSA Webhook credential and subscribed to the selected events, and unpublishing removes it",
		displayOptions: { show: { '@version': [2], useApi: [true] } },
	},
	{
		displayName: 'Re-Fetch Ticket',
		name: 'refetch',
		type: 'options',
		options: [
			{
				name: 'Always',
				value: 'always',
				description: 'Read the ticket and its newest actions for every event',
			},
			{
				name: 'When Incomplete',
				value: 'incomplete',
				description:
					'Only when the payload has no ticket data (event-information-only payloads) or, from version 2 with Ignore Own Changes, does not say who changed the status (small Ticket Status Changed payloads)',
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
				description: 'Comma-separated status IDs that mean closed in your tenant (besides names like Closed/Resolved)',
			},
			{
				displayName: 'External Reference Fields',
				name: 'externalRefFields',
				type: 'string',
				default: DEFAULT_EXTERNAL_REF_FIELDS.join(', '),
				description: 'Ticket fields or custom-field names read into externalRef, first non-empty wins',
			},
			{
				displayName: 'Max Batch Length',
				name: 'maxBatch',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 100,
				description:
					"A batched delivery (JSON array) with more elements is refused with 400 before anything is read from it; keep Halo's webhook batch limit at or below this",
			},
			{
				displayName: 'Max Body Size (KB)',
				name: 'maxBodySizeKb',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 1024,
				description: 'Larger bodies are refused with 413 before they are parsed (bodies nested deeper than 32 levels are refused with 400)',
			},
			{
				displayName: 'Max Parallel Re-Fetches',
				name: 'refetchConcurrency',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 4,
				description: 'With Re-Fetch Ticket: how many tickets of one batched delivery are read from the API at the same time',
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
];
