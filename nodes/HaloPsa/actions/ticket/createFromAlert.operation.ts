import {
	NodeOperationError,
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeProperties,
} from 'n8n-workflow';

import {
	ALERT_PLACEHOLDERS,
	DEFAULT_ALERT_SUMMARY_TEMPLATE,
	ExternalRefTarget,
	HALO_SUMMARY_MAX_LENGTH,
	buildAlertTicket,
	readAlert,
} from '../../../shared/domain/haloAlertTicket';
import { withIsoDates } from '../../../shared/domain/haloRecords';
import { DEFAULT_PRIORITY_MAP, parsePriorityMap } from '../../../shared/domain/priority';
import {
	createTicketForTarget,
	findAlertTicket,
	resolveHaloTarget,
	targetSummary,
	targetTicketFields,
	type HaloTarget,
} from '../../../shared/halo';
import type { HaloClient } from '../../../shared/transport/halo';
import { customFieldsFrom, jsonObject, optionalId, readPath } from '../../../shared/n8n/params';
import { customFieldsUi } from './shared';

const properties: INodeProperties[] = [
	{
		displayName: 'Alert Source',
		name: 'alertSource',
		type: 'options',
		options: [
			{
				name: 'Input Item',
				value: 'field',
				description: 'The alert is the input item (Datto RMM Trigger output) or a field of it',
			},
			{
				name: 'JSON',
				value: 'json',
				description: 'Give the alert object, e.g. with an expression pointing at the trigger node',
			},
		],
		default: 'field',
	},
	{
		displayName: 'Alert Field',
		name: 'alertField',
		type: 'string',
		default: '',
		placeholder: 'e.g. alert',
		description: 'Path of the normalised alert in the input item; empty = the item itself',
		displayOptions: { show: { alertSource: ['field'] } },
	},
	{
		displayName: 'Alert (JSON)',
		name: 'alertJson',
		type: 'json',
		default: '{}',
		description: 'The normalised Datto RMM alert object',
		displayOptions: { show: { alertSource: ['json'] } },
	},
	{
		displayName: 'Client Mapping',
		name: 'clientMapping',
		type: 'options',
		options: [
			{
				name: 'Automatic',
				value: 'auto',
				description:
					"Client ID Field (a Mapping Store row) if set, else the Halo site or client whose datto_id is the Datto site UID (filled by Halo's Datto RMM integration), else the one Halo client named like the Datto site, else the Fallback Client",
			},
			{
				name: 'Client ID Field Only',
				value: 'field',
				description: 'The Client ID Field, else the Fallback Client (no Halo lookup)',
			},
		],
		default: 'auto',
		description: 'How the Halo client and site of the alert are found. Output client.matchedBy says which rule matched.',
	},
	{
		displayName: 'Client ID Field',
		name: 'clientIdField',
		type: 'string',
		default: '',
		placeholder: 'e.g. store.value.clientId',
		description:
			'Path in the input item holding the Halo client ID (e.g. from a Mapping Store lookup: an override of the automatic mapping); empty or missing → automatic mapping / Fallback Client',
	},
	{
		displayName: 'Fallback Client Name or ID',
		name: 'fallbackClientId',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getClients' },
		default: '',
		description:
			'Catch-all client for alerts no rule maps. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	},
	{
		displayName: 'Site ID Field',
		name: 'siteIdField',
		type: 'string',
		default: '',
		placeholder: 'e.g. store.value.siteId',
		description:
			"Path in the input item holding the Halo site ID; empty or missing → the site found by the mapping, else the client's main site (Halo's default)",
	},
	{
		displayName: 'Summary Template',
		name: 'summaryTemplate',
		type: 'string',
		default: DEFAULT_ALERT_SUMMARY_TEMPLATE,
		description: `Placeholders: ${ALERT_PLACEHOLDERS.join(' ')}. Cut to ${HALO_SUMMARY_MAX_LENGTH} characters.`,
	},
	{
		displayName: 'Priority Map',
		name: 'priorityMap',
		type: 'string',
		default: DEFAULT_PRIORITY_MAP,
		description: 'Datto priority → Halo priority ID, e.g. "Critical=1, High=2, Moderate=3, Low=4, Information=4" (IDs are tenant-specific)',
	},
	{
		displayName: 'Default Priority ID',
		name: 'defaultPriorityId',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 3,
		description: 'Halo priority ID for Datto priorities not in the map; 0 leaves the priority to Halo',
	},
	{
		displayName: 'External Reference',
		name: 'externalRef',
		type: 'options',
		options: [
			{ name: 'Custom Field', value: 'customField', description: 'A ticket custom field (must exist in Halo)' },
			{ name: 'None', value: 'none', description: 'The alert UID is only in the details' },
			{ name: 'Ticket Field', value: 'field', description: 'A ticket field such as third_party_id_string' },
		],
		default: 'field',
		description: 'Where the Datto alert UID is stored on the ticket (it is always in the details too)',
	},
	{
		displayName: 'Reference Field',
		name: 'externalRefField',
		type: 'string',
		default: 'third_party_id_string',
		description: 'Ticket field receiving the alert UID (third_party_id is an integer and cannot hold it)',
		displayOptions: { show: { externalRef: ['field'] } },
	},
	{
		displayName: 'Reference Custom Field',
		name: 'externalRefCustomField',
		type: 'string',
		default: 'CFDattoAlertUID',
		description: 'Custom field name (with the CF prefix) receiving the alert UID',
		displayOptions: { show: { externalRef: ['customField'] } },
	},
	{
		displayName: 'Ticket Fields',
		name: 'ticketFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		options: [
			{
				displayName: 'Agent Name or ID',
				name: 'agentId',
				type: 'options',
				description: 'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
				typeOptions: { loadOptionsMethod: 'getAgents' },
				default: '',
			},
			{
				displayName: 'Other Fields (JSON)',
				name: 'additionalJson',
				type: 'json',
				default: '{}',
				description: 'Any other Halo ticket fields, e.g. {"category_1": "Monitoring", "_novalidate": true}',
			},
			{
				displayName: 'Status Name or ID',
				name: 'statusId',
				type: 'options',
				description: 'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
				typeOptions: { loadOptionsMethod: 'getStatuses' },
				default: '',
			},
			{
				displayName: 'Team Name or ID',
				name: 'teamId',
				type: 'options',
				description: 'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
				typeOptions: { loadOptionsMethod: 'getTeams' },
				default: '',
			},
			{
				displayName: 'Ticket Type Name or ID',
				name: 'ticketTypeId',
				type: 'options',
				description: 'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
				typeOptions: { loadOptionsMethod: 'getTicketTypes' },
				default: '',
			},
			{ displayName: 'User ID', name: 'userId', type: 'number', default: 0, description: 'End user; Halo then also needs the site' },
		],
	},
	{ ...customFieldsUi, description: `Values may contain placeholders: ${ALERT_PLACEHOLDERS.join(' ')}` },
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Add Integration Marker',
				name: 'addMarker',
				type: 'boolean',
				default: true,
				description: 'Whether to end the details with this installation\'s marker "[n8n-halo-datto:…]", derived from the credential (recognised by the HaloPSA Trigger and the Sync Policy)',
			},
			{
				displayName: 'Details Heading',
				name: 'detailsIntro',
				type: 'string',
				default: 'Datto RMM alert',
			},
			{
				displayName: 'Last Logged-In User',
				name: 'lastLoggedInUser',
				type: 'string',
				default: '',
				placeholder: 'e.g. {{ $json.device.lastLoggedInUser }}',
				description: "The device's last logged-in user (e.g. CORP\\jdoe); empty → the alert's device.lastLoggedInUser",
				displayOptions: { show: { setEndUser: [true] } },
			},
			{
				displayName: 'Link the Device\'s Asset',
				name: 'linkAsset',
				type: 'boolean',
				default: true,
				description:
					"Whether to link the Halo asset of the alert's device (datto_id = Datto device UID, else a unique hostname match) to the ticket. The client's assets are listed once per Mapping Refresh interval.",
			},
			{
				displayName: 'Look for an Existing Ticket First',
				name: 'findExisting',
				type: 'boolean',
				default: false,
				description:
					'Whether to search Halo for a ticket of this alert before creating one, and return it if found (output existingTicket: true). For a claim taken over from a run that died after creating its ticket (Mapping Store claim output "reclaimed"): costs 1–3 extra calls, so turn it on only for those.',
			},
			{
				displayName: 'Mapping Refresh (Minutes)',
				name: 'mappingTtlMinutes',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 60,
				description:
					'How long the Halo client/site index and asset lists are reused before a background refresh (alerts never wait for it)',
			},
			{
				displayName: 'Max Summary Length',
				name: 'maxSummaryLength',
				type: 'number',
				typeOptions: { minValue: 10 },
				default: HALO_SUMMARY_MAX_LENGTH,
			},
			{
				displayName: 'Set End User From Last Logged-In User',
				name: 'setEndUser',
				type: 'boolean',
				default: false,
				description:
					"Whether to set the ticket's end user to the Halo user of the client matching the device's last logged-in user (only when exactly one matches)",
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['ticket'], operation: ['createFromAlert'] } }, properties);

function readAlertParam(this: IExecuteFunctions, itemIndex: number, item: IDataObject): unknown {
	if ((this.getNodeParameter('alertSource', itemIndex, 'field') as string) === 'json') {
		return jsonObject.call(this, this.getNodeParameter('alertJson', itemIndex, '{}'), 'Alert (JSON)', itemIndex);
	}
	const path = this.getNodeParameter('alertField', itemIndex, '') as string;
	const alert = readPath(item, path);
	if (alert === undefined) {
		throw new NodeOperationError(this.getNode(), `The input item has no field "${path}"`, { itemIndex });
	}
	return alert;
}

function idFromField(this: IExecuteFunctions, item: IDataObject, path: string, label: string, itemIndex: number): number | undefined {
	if (!path.trim()) return undefined;
	const value = readPath(item, path);
	if (value === undefined || value === null || value === '') return undefined;
	const id = optionalId(value);
	if (id === undefined) {
		throw new NodeOperationError(this.getNode(), `${label} "${path}" holds ${JSON.stringify(value)}, not a Halo ID`, { itemIndex });
	}
	return id;
}

/**
 * POST /Tickets for a Datto RMM alert: one call. After an ambiguous failure (500/504/timeout) the client calls
 * `recover`, which searches Halo for a ticket of this alert (verified client-side), so a retry never duplicates it.
 * With "Look for an Existing Ticket First" the search runs before the create, and a found ticket is returned instead.
 * The client, site and asset come from the automatic mapping (shared/halo/mapping.ts; no Halo call in steady state).
 * Output: `{ ticketId, existingTicket, alertUid, dedupeKey, clientId, siteId, client: { id, name, siteId, siteName,
 * matchedBy, reason, notes }, asset: { id, name, matchedBy, reason }, user?, priorityId, priorityMapped, summary,
 * ticket, alert }`.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number, client: HaloClient): Promise<IDataObject> {
	const item = this.getInputData()[itemIndex]?.json ?? {};
	let alert;
	try {
		alert = readAlert(readAlertParam.call(this, itemIndex, item));
	} catch (error) {
		throw new NodeOperationError(this.getNode(), (error as Error).message, { itemIndex });
	}

	const tableClientId = idFromField.call(this, item, this.getNodeParameter('clientIdField', itemIndex, '') as string, 'Client ID Field', itemIndex);
	const fallbackClientId = optionalId(this.getNodeParameter('fallbackClientId', itemIndex, ''));
	const fieldSiteId = idFromField.call(this, item, this.getNodeParameter('siteIdField', itemIndex, '') as string, 'Site ID Field', itemIndex);
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const automatic = (this.getNodeParameter('clientMapping', itemIndex, 'auto') as string) !== 'field';
	const device = (alert.device ?? {}) as { uid?: string | null; hostname?: string | null; lastLoggedInUser?: unknown };
	const lastLoggedInUser =
		typeof options.lastLoggedInUser === 'string' && options.lastLoggedInUser.trim() ? options.lastLoggedInUser : device.lastLoggedInUser;

	let target: HaloTarget;
	if (automatic) {
		const minutes = typeof options.mappingTtlMinutes === 'number' && options.mappingTtlMinutes > 0 ? options.mappingTtlMinutes : 60;
		target = await resolveHaloTarget(
			client,
			{
				site: { uid: alert.site?.uid, name: alert.site?.name },
				device: { uid: device.uid, hostname: device.hostname, lastLoggedInUser: typeof lastLoggedInUser === 'string' ? lastLoggedInUser : null },
				table: tableClientId === undefined ? null : { clientId: tableClientId, siteId: fieldSiteId ?? null, by: 'Client ID Field' },
				catchAllClientId: fallbackClientId ?? null,
				asset: options.linkAsset !== false,
				endUser: options.setEndUser === true,
			},
			{ ttlMs: minutes * 60_000 },
		);
	} else {
		const clientId = tableClientId ?? fallbackClientId ?? null;
		target = {
			client: {
				matchedBy: tableClientId !== undefined ? 'table' : clientId !== null ? 'catchAll' : 'none',
				clientId,
				clientName: null,
				siteId: fieldSiteId ?? null,
				siteName: null,
				reason: tableClientId !== undefined ? 'Client ID Field' : 'Fallback Client (automatic mapping off)',
				notes: [],
			},
			asset: null,
			user: null,
		};
	}
	const clientId = target.client.clientId ?? undefined;
	if (clientId === undefined) {
		throw new NodeOperationError(
			this.getNode(),
			`No Halo client for this alert: ${target.client.reason}. Set a Fallback Client (catch-all), or map the site (Client ID Field)`,
			{ itemIndex },
		);
	}
	const targetFields = targetTicketFields(target);
	const siteId = fieldSiteId ?? (target.client.siteId ?? undefined);

	let priorityMap;
	try {
		priorityMap = parsePriorityMap(this.getNodeParameter('priorityMap', itemIndex, DEFAULT_PRIORITY_MAP) as string);
	} catch (error) {
		throw new NodeOperationError(this.getNode(), (error as Error).message, { itemIndex });
	}

	const refKind = this.getNodeParameter('externalRef', itemIndex, 'field') as string;
	const externalRef: ExternalRefTarget =
		refKind === 'field'
			? { target: 'field', field: this.getNodeParameter('externalRefField', itemIndex, 'third_party_id_string') as string }
			: refKind === 'customField'
				? { target: 'customField', name: this.getNodeParameter('externalRefCustomField', itemIndex, 'CFDattoAlertUID') as string }
				: { target: 'none' };
	const ticketFields = this.getNodeParameter('ticketFields', itemIndex, {}) as IDataObject;

	const built = buildAlertTicket(alert, {
		summaryTemplate: this.getNodeParameter('summaryTemplate', itemIndex, DEFAULT_ALERT_SUMMARY_TEMPLATE) as string,
		maxSummaryLength: typeof options.maxSummaryLength === 'number' ? options.maxSummaryLength : undefined,
		clientId,
		siteId,
		priorityMap,
		defaultPriorityId: this.getNodeParameter('defaultPriorityId', itemIndex, 0) as number,
		ticketTypeId: optionalId(ticketFields.ticketTypeId),
		teamId: optionalId(ticketFields.teamId),
		agentId: optionalId(ticketFields.agentId),
		statusId: optionalId(ticketFields.statusId),
		userId: optionalId(ticketFields.userId) ?? (targetFields.user_id as number | undefined),
		customFields: customFieldsFrom(this.getNodeParameter('customFieldsUi', itemIndex, {})),
		externalRef,
		extraFields: jsonObject.call(this, ticketFields.additionalJson, 'Other Fields (JSON)', itemIndex),
		detailsIntro: typeof options.detailsIntro === 'string' && options.detailsIntro ? options.detailsIntro : undefined,
		marker: options.addMarker !== false && client.marker,
	});

	if (targetFields.assets && built.fields.assets === undefined) built.fields.assets = targetFields.assets;
	const findExisting = async () => await findAlertTicket(client, alert.alertUid, built.summary, clientId, externalRef);
	// A reclaimed claim: the run that died may have created the ticket before it could store the link.
	const existing = options.findExisting === true ? await findExisting() : undefined;
	const ticket = existing ?? (await createTicketForTarget(client, built.fields, target, { recover: findExisting }));
	const mapping = targetSummary(target);

	return {
		ticketId: ticket.id,
		existingTicket: existing !== undefined,
		alertUid: alert.alertUid,
		dedupeKey: alert.dedupeKey ?? null,
		clientId,
		siteId: siteId ?? (typeof ticket.site_id === 'number' ? ticket.site_id : null),
		client: mapping.client as IDataObject,
		asset: (mapping.asset as IDataObject | null) ?? { id: null, matchedBy: 'none', reason: 'asset linking is off' },
		...(mapping.user ? { user: mapping.user as IDataObject } : {}),
		priorityId: built.priorityId ?? null,
		priorityMapped: built.priorityMapped,
		summary: built.summary,
		ticket: withIsoDates(ticket) as IDataObject,
		alert: alert as IDataObject,
	};
}
