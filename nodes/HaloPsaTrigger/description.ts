/** Parameters of the HaloPSA Trigger. */
import type { INodeProperties } from 'n8n-workflow';

import { DEFAULT_EXTERNAL_REF_FIELDS } from '../shared/domain/haloTicketEvent';

export const triggerProperties: INodeProperties[] = [
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
			{
				name: 'Always',
				value: 'always',
				description: 'Read the ticket and its newest actions for every event',
			},
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
