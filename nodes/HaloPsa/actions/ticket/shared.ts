/** Ticket parameters shared by several operations (each operation shows its own copy via displayOptions). */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { textToHtml } from '../../../shared/domain/html';
import type { HaloTicketFields } from '../../../shared/transport/halo';
import { customFieldsFrom, jsonObject, optionalId } from '../../../shared/n8n/params';

export const ticketIdField: INodeProperties = {
	displayName: 'Ticket ID',
	name: 'ticketId',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'e.g. 1234',
	description: 'The ID of the Halo ticket',
};

export const noteField = (defaultNote: string, description: string): INodeProperties => ({
	displayName: 'Note',
	name: 'note',
	type: 'string',
	typeOptions: { rows: 4 },
	default: defaultNote,
	required: defaultNote === '',
	description,
});

/** Outcome: Halo rejects actions without one. A name needs no lookup; an ID is tenant-specific. */
export const outcomeFields: INodeProperties[] = [
	{
		displayName: 'Outcome',
		name: 'outcomeSource',
		type: 'options',
		options: [
			{
				name: 'Auto',
				value: 'auto',
				description:
					'The tenant\'s note outcome: "Private Note", "Internal Note", "Note", "Update" or "Comment" (the first that exists), else the first outcome that does not change the status; one GET /Outcome per 10 minutes',
			},
			{
				name: 'By Name',
				value: 'name',
				description: 'Send the outcome name (no lookup call), e.g. "Private Note"',
			},
			{
				name: 'From List',
				value: 'list',
				description: "Pick one of the tenant's outcomes (or give its ID with an expression)",
			},
		],
		default: 'auto',
		description: 'Halo requires an outcome on every action ("An Outcome must be entered for this Action"); outcome names differ per tenant'
	},
	{
		displayName: 'Outcome Name',
		name: 'outcomeName',
		type: 'string',
		default: 'Private Note',
		description: 'Name of an outcome that exists in your Halo tenant',
		displayOptions: { show: { outcomeSource: ['name'] } },
	},
	{
		displayName: 'Outcome Name or ID',
		name: 'outcomeId',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getOutcomes' },
		default: '',
		description:
			'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
		displayOptions: { show: { outcomeSource: ['list'] } },
	},
];

export const visibilityFields: INodeProperties[] = [
	{
		displayName: 'Hidden From User',
		name: 'hiddenFromUser',
		type: 'boolean',
		default: true,
		description: 'Whether the note is private (not visible to the end user)',
	},
	{
		displayName: 'Send Email',
		name: 'sendEmail',
		type: 'boolean',
		default: false,
		description: 'Whether Halo may e-mail the end user about this action',
	},
];

export const noteOptions: INodeProperties[] = [
	{
		displayName: 'Add Integration Marker',
		name: 'addMarker',
		type: 'boolean',
		default: true,
		description:
			'Whether to append this installation\'s marker "[n8n-halo-datto:…]" (derived from the credential) so the HaloPSA Trigger can recognise (and drop) changes made by this integration',
	},
	{
		displayName: 'Note Is HTML',
		name: 'noteIsHtml',
		type: 'boolean',
		default: false,
		description: 'Whether the note is HTML and sent as is (otherwise it is plain text and escaped)',
	},
];

/** Status choice for close / reopen: Auto (by name, cached) or a status from the list (or an ID expression). */
export const statusChoice = (kind: 'closed' | 'reopen'): INodeProperties[] => [
	{
		displayName: kind === 'closed' ? 'Closed Status' : 'Reopen Status',
		name: kind === 'closed' ? 'closedStatus' : 'reopenStatus',
		type: 'options',
		options: [
			{
				name: 'Auto',
				value: 'auto',
				description:
					kind === 'closed'
						? 'The status named "Closed" (else "Resolved"/"Completed", else a closed-type status); one GET /Status per 10 minutes'
						: 'The status named "In Progress" (else "Open", else "New"); one GET /Status per 10 minutes',
			},
			{
				name: 'From List',
				value: 'list',
				description: 'Pick the status (or give its ID with an expression); no lookup call',
			},
		],
		default: 'auto',
		description:
			kind === 'closed'
				? "Status ids differ per tenant (9 is not always Closed). Pick it explicitly for the fewest API calls."
				: 'Status the ticket moves to when reopened',
	},
	{
		displayName: kind === 'closed' ? 'Closed Status Name or ID' : 'Reopen Status Name or ID',
		name: kind === 'closed' ? 'closedStatusId' : 'reopenStatusId',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getStatuses' },
		default: '',
		description:
			'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
		displayOptions: { show: { [kind === 'closed' ? 'closedStatus' : 'reopenStatus']: ['list'] } },
	},
];

/** Ticket fields for create (additional fields) and update (update fields); alphabetical. */
export function ticketFieldOptions(forUpdate: boolean): INodeProperties[] {
	const fields: INodeProperties[] = [
		{
			displayName: 'Agent Name or ID',
			name: 'agent_id',
			type: 'options',
			description: 'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
			typeOptions: { loadOptionsMethod: 'getAgents' },
			default: '',
		},
		{ displayName: 'Category', name: 'category_1', type: 'string', default: '' },
		{
			displayName: 'Details',
			name: 'details',
			type: 'string',
			typeOptions: { rows: 4 },
			default: '',
			description: 'Plain text; escaped and sent as details_html',
		},
		{
			displayName: 'Details (HTML)',
			name: 'details_html',
			type: 'string',
			typeOptions: { rows: 4 },
			default: '',
			description: 'HTML sent as is (wins over Details)',
		},
		{ displayName: 'Impact', name: 'impact', type: 'number', default: 3, description: 'Tenant-specific, often 1 Company wide … 3 Single user' },
		{
			displayName: 'Other Fields (JSON)',
			name: 'additionalJson',
			type: 'json',
			default: '{}',
			description: 'Any other Halo ticket fields, e.g. {"inventory_number": "SRV01", "_novalidate": true}',
		},
		{
			displayName: 'Priority Name or ID',
			name: 'priority_id',
			type: 'options',
			description: 'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
			typeOptions: { loadOptionsMethod: 'getPriorities' },
			default: '',
		},
		{
			displayName: 'Site Name or ID',
			name: 'site_id',
			type: 'options',
			description: 'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
			typeOptions: { loadOptionsMethod: 'getSites', loadOptionsDependsOn: ['clientId'] },
			default: '',
		},
		{
			displayName: 'Status Name or ID',
			name: 'status_id',
			type: 'options',
			description: 'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
			typeOptions: { loadOptionsMethod: 'getStatuses' },
			default: '',
		},
		{
			displayName: 'Team Name or ID',
			name: 'team_id',
			type: 'options',
			description: 'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
			typeOptions: { loadOptionsMethod: 'getTeams' },
			default: '',
		},
		{
			displayName: 'Third-Party ID (Text)',
			name: 'third_party_id_string',
			type: 'string',
			default: '',
			description: 'External reference, e.g. the Datto alert UID',
		},
		{
			displayName: 'Ticket Type Name or ID',
			name: 'tickettype_id',
			type: 'options',
			description: 'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
			typeOptions: { loadOptionsMethod: 'getTicketTypes' },
			default: '',
		},
		{ displayName: 'Urgency', name: 'urgency', type: 'number', default: 3, description: 'Tenant-specific, often 1 High … 3 Low' },
		{ displayName: 'User ID', name: 'user_id', type: 'number', default: 0, description: 'End user; Halo then also needs the site' },
	];
	if (forUpdate) {
		fields.splice(
			1,
			0,
			{
				displayName: 'Client Name or ID',
				name: 'client_id',
				type: 'options',
				description: 'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
				typeOptions: { loadOptionsMethod: 'getClients' },
				default: '',
			},
		);
		fields.push({ displayName: 'Summary', name: 'summary', type: 'string', default: '' });
		fields.sort((a, b) => a.displayName.localeCompare(b.displayName));
	}
	return fields;
}

export const customFieldsUi: INodeProperties = {
	displayName: 'Custom Fields',
	name: 'customFieldsUi',
	type: 'fixedCollection',
	typeOptions: { multipleValues: true },
	placeholder: 'Add Custom Field',
	default: {},
	options: [
		{
			displayName: 'Field',
			name: 'field',
			values: [
				{
					displayName: 'Name or ID',
					name: 'name',
					type: 'string',
					default: '',
					placeholder: 'e.g. CFDattoAlertUID',
					description: 'Custom field name (with the CF prefix) or its numeric ID',
				},
				{ displayName: 'Value', name: 'value', type: 'string', default: '' },
			],
		},
	],
};

const ID_FIELDS = ['agent_id', 'client_id', 'priority_id', 'site_id', 'status_id', 'team_id', 'tickettype_id', 'user_id'];

/** Halo ticket fields from a create/update collection (empty values dropped; details text escaped). */
export function ticketFieldsFrom(this: IExecuteFunctions, collection: IDataObject, itemIndex: number): HaloTicketFields {
	const fields: HaloTicketFields = {};
	for (const [key, value] of Object.entries(collection)) {
		if (key === 'additionalJson' || key === 'details' || key === 'details_html') continue;
		if (ID_FIELDS.includes(key)) {
			const id = optionalId(value);
			if (id !== undefined) fields[key] = id;
			continue;
		}
		if (value === '' || value === undefined || value === null) continue;
		fields[key] = value;
	}
	if (typeof collection.details_html === 'string' && collection.details_html !== '') fields.details_html = collection.details_html;
	else if (typeof collection.details === 'string' && collection.details !== '') fields.details_html = `<p>${textToHtml(collection.details)}</p>`;
	const extra = jsonObject.call(this, collection.additionalJson, 'Other Fields (JSON)', itemIndex);
	for (const [key, value] of Object.entries(extra)) if (!(key in fields)) fields[key] = value;
	return fields;
}

/** Adds the custom fields of the `customFieldsUi` parameter. */
export function withCustomFields(fields: HaloTicketFields, ui: unknown): HaloTicketFields {
	const custom = customFieldsFrom(ui);
	if (custom.length) fields.customfields = custom;
	return fields;
}
