/**
 * Node parameters → engine configuration (PolicyConfig) and Halo write settings. The parameter defaults are
 * literals (n8n's lint wants them so); test/syncPolicy checks that they equal the engine's DEFAULT_POLICY_CONFIG.
 */
import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import { DEFAULT_ALERT_SUMMARY_TEMPLATE, type ExternalRefTarget } from '../../shared/domain/haloAlertTicket';
import { DATTO_PRIORITIES, DEFAULT_PRIORITY_MAP, parsePriorityMap, type DattoPriority } from '../../shared/domain/priority';
import { DEFAULT_POLICY_CONFIG, resolvePolicyConfig, type PolicyConfig, type PolicyConfigInput } from '../../shared/policy';
import { jsonObject, optionalId } from '../../shared/n8n/params';
import type { HaloWriterSettings } from '../../shared/policy/runtime/haloWriter';

/** Operations that decide (and write): they share the policy and Halo settings. */
export const DECIDING_OPERATIONS = ['decide', 'processDue', 'replayFailed'];

const d = DEFAULT_POLICY_CONFIG;
const priorityOptions = DATTO_PRIORITIES.filter((p) => p !== 'Unknown').map((p) => ({ name: p, value: p }));

export const policySettingsProperty: INodeProperties = {
	displayName: 'Policy Settings',
	name: 'policySettings',
	type: 'collection',
	placeholder: 'Change a Policy Setting',
	default: {},
	description: 'Every policy is on with the defaults shown; see README.md#sync-policies-and-the-datto-halo-sync-policy-node',
	displayOptions: { show: { operation: DECIDING_OPERATIONS } },
	options: [
		{
			displayName: 'Business Hours',
			name: 'businessHours',
			type: 'boolean',
			default: true,
			description: 'Whether low-priority alerts outside a client\'s business hours (calendars in the "businessHours" collection) are deferred or lowered',
		},
		{
			displayName: 'Business Hours: Low Priorities',
			name: 'lowPriorities',
			type: 'multiOptions',
			options: priorityOptions,
			default: ['Low', 'Information'],
			description: 'The Datto priorities the business-hours policy applies to',
		},
		{
			displayName: 'Business Hours: Lower Priority To',
			name: 'lowerTo',
			type: 'options',
			options: priorityOptions,
			default: 'Information',
			description: 'The priority given outside business hours with "Lower Priority"',
		},
		{
			displayName: 'Business Hours: Outside Hours',
			name: 'outsideHours',
			type: 'options',
			options: [
				{ name: 'Defer to the Next Opening', value: 'defer' },
				{ name: 'Lower the Priority', value: 'lowerPriority' },
			],
			default: 'defer',
		},
		{
			displayName: 'Close Rules',
			name: 'closeRules',
			type: 'boolean',
			default: true,
			description: 'Whether a cleared alert leaves its ticket open (with a note) when a technician touched it',
		},
		{
			displayName: 'Flap Dedupe',
			name: 'flapDedupe',
			type: 'boolean',
			default: true,
			description: 'Whether a repeat of a device + condition with an open ticket becomes a note on it instead of a new ticket',
		},
		{
			displayName: 'Flap Dedupe: Fold Repeats Within (Minutes)',
			name: 'foldMinutes',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 10,
			description: 'Repeats this soon after the last note are counted into the next note; 0 notes every repeat',
		},
		{
			displayName: 'Grace Close',
			name: 'graceClose',
			type: 'boolean',
			default: true,
			description: 'Whether a close waits for the grace period (processed by Process Due) so that a re-fire cancels it',
		},
		{
			displayName: 'Grace Close: Minutes',
			name: 'graceMinutes',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 5,
		},
		{
			displayName: 'Integration Agent IDs',
			name: 'integrationAgentIds',
			type: 'string',
			default: '',
			placeholder: 'e.g. 42, 43',
			description: "Halo agent IDs this integration acts as (besides the credential's API agent): their changes never count as a technician's touch",
		},
		{
			displayName: 'Maintenance Windows',
			name: 'maintenance',
			type: 'boolean',
			default: true,
			description: 'Whether alerts inside a maintenance window (the "windows" collection) are suppressed and processed when it ends',
		},
		{
			displayName: 'Policy Config (JSON)',
			name: 'configJson',
			type: 'json',
			default: '{}',
			description: 'Advanced: a partial engine configuration merged over the settings above, e.g. {"storm": {"threshold": 8}}',
		},
		{
			displayName: 'Reopen Window',
			name: 'reopenWindow',
			type: 'boolean',
			default: true,
			description: 'Whether a recurrence soon after its ticket closed reopens that ticket instead of opening a new one',
		},
		{
			displayName: 'Reopen Window: Hours',
			name: 'reopenHours',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 24,
		},
		{
			displayName: 'Storm Correlation',
			name: 'storm',
			type: 'boolean',
			default: true,
			description: 'Whether many devices of one site alerting together get one parent ticket for the site',
		},
		{
			displayName: 'Storm: Attach As',
			name: 'stormAttachAs',
			type: 'options',
			options: [
				{ name: 'Child Ticket', value: 'childTicket' },
				{ name: 'Note on the Parent', value: 'note' },
			],
			default: 'note',
		},
		{
			displayName: 'Storm: Threshold (Devices)',
			name: 'stormThreshold',
			type: 'number',
			typeOptions: { minValue: 2 },
			default: 5,
		},
		{
			displayName: 'Storm: Window (Minutes)',
			name: 'stormWindowMinutes',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 10,
		},
		{
			displayName: 'Technician Check',
			name: 'technicianCheck',
			type: 'options',
			options: [
				{
					name: 'HaloPSA API',
					value: 'haloApi',
					description: "Read the ticket's actions (GET /Actions) before closing, plus what Halo ticket events recorded",
				},
				{
					name: 'HaloPSA Ticket Events Only',
					value: 'haloEvents',
					description: 'No API call: only what HaloPSA Trigger events fed into this node recorded',
				},
			],
			default: 'haloApi',
			description: 'How the close rules learn that a technician touched a ticket',
		},
	],
};

export const haloOptionsProperty: INodeProperties = {
	displayName: 'HaloPSA Ticket Options',
	name: 'haloOptions',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	displayOptions: { show: { operation: DECIDING_OPERATIONS } },
	options: [
		{
			displayName: 'Agent Name or ID',
			name: 'agentId',
			type: 'options',
			typeOptions: { loadOptionsMethod: 'getAgents' },
			default: '',
			description:
				'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
			hint: 'Agent of new tickets',
		},
		{
			displayName: 'Automatic Client Mapping',
			name: 'automaticMapping',
			type: 'boolean',
			default: true,
			description:
				"Whether alerts without a Client ID (no Mapping Store row) are mapped through Halo: the site or client whose datto_id is the Datto site UID (Halo's Datto RMM integration fills it), else the one client named like the Datto site, else the Fallback Client; the device's asset is linked too",
		},
		{
			displayName: 'Closed Status Name or ID',
			name: 'closedStatusId',
			type: 'options',
			typeOptions: { loadOptionsMethod: 'getStatuses' },
			default: '',
			description:
				'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
			hint: 'Status of closed tickets; empty = the status named "Closed" (else "Resolved"…), one GET /Status per 10 minutes',
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
			displayName: 'External Reference Field',
			name: 'externalRefField',
			type: 'string',
			default: 'third_party_id_string',
			description: 'Ticket field receiving the Datto alert UID (empty: only in the details)',
		},
		{
			displayName: 'Hide Notes From User',
			name: 'hiddenFromUser',
			type: 'boolean',
			default: true,
			description: 'Whether the notes this node adds are private',
		},
		{
			displayName: 'Other Ticket Fields (JSON)',
			name: 'additionalJson',
			type: 'json',
			default: '{}',
			description: 'Any other Halo fields for new tickets, e.g. {"category_1": "Monitoring"}',
		},
		{
			displayName: 'Outcome Name',
			name: 'outcomeName',
			type: 'string',
			default: '',
			placeholder: 'e.g. Private Note',
			description:
				'Outcome of the notes, closes and reopens (Halo requires one); empty: the tenant\'s note outcome ("Private Note", "Internal Note", "Note", "Update" or "Comment", else the first that does not change the status)',
		},
		{
			displayName: 'Parent Link Field',
			name: 'parentField',
			type: 'string',
			default: 'parent_id',
			description: 'Ticket field linking a storm member to its parent ticket (empty: no link is written)',
		},
		{
			displayName: 'Priority Map',
			name: 'priorityMap',
			type: 'string',
			default: DEFAULT_PRIORITY_MAP,
			description: 'Datto priority → Halo priority ID (IDs are tenant-specific)',
		},
		{
			displayName: 'Reopen Status Name or ID',
			name: 'reopenStatusId',
			type: 'options',
			typeOptions: { loadOptionsMethod: 'getStatuses' },
			default: '',
			description:
				'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
			hint: 'Status of reopened tickets; empty = "In Progress" (else "Open", "New")',
		},
		{
			displayName: 'Status Name or ID',
			name: 'statusId',
			type: 'options',
			typeOptions: { loadOptionsMethod: 'getStatuses' },
			default: '',
			description:
				'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
			hint: 'Status of new tickets (empty: the ticket type\'s default)',
		},
		{
			displayName: 'Summary Template',
			name: 'summaryTemplate',
			type: 'string',
			default: DEFAULT_ALERT_SUMMARY_TEMPLATE,
			description: 'Summary of alert tickets; placeholders as in the HaloPSA node ({message} {hostname} {siteName} …)',
		},
		{
			displayName: 'Team Name or ID',
			name: 'teamId',
			type: 'options',
			typeOptions: { loadOptionsMethod: 'getTeams' },
			default: '',
			description:
				'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
			hint: 'Team of new tickets',
		},
		{
			displayName: 'Ticket Type Name or ID',
			name: 'ticketTypeId',
			type: 'options',
			typeOptions: { loadOptionsMethod: 'getTicketTypes' },
			default: '',
			description:
				'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
			hint: 'Ticket type of new tickets',
		},
	],
};

const num = (v: unknown, fallback: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);
const bool = (v: unknown, fallback: boolean): boolean => (typeof v === 'boolean' ? v : fallback);

export function parseAgentIds(text: unknown): number[] {
	return String(text ?? '')
		.split(/[\s,;]+/)
		.filter((s) => /^\d+$/.test(s))
		.map(Number);
}

export function readPolicySettings(this: IExecuteFunctions, itemIndex: number): IDataObject {
	return this.getNodeParameter('policySettings', itemIndex, {}) as IDataObject;
}

/** The engine configuration of the node's parameters (Dry Run, Policy Settings), validated. */
export function readPolicyConfig(this: IExecuteFunctions, itemIndex: number): PolicyConfig {
	const s = readPolicySettings.call(this, itemIndex);
	const input: PolicyConfigInput = {
		dryRun: this.getNodeParameter('dryRun', itemIndex, false) as boolean,
		flapDedupe: { enabled: bool(s.flapDedupe, d.flapDedupe.enabled), foldMinutes: num(s.foldMinutes, d.flapDedupe.foldMinutes) },
		reopenWindow: { enabled: bool(s.reopenWindow, d.reopenWindow.enabled), hours: num(s.reopenHours, d.reopenWindow.hours) },
		closeRules: { enabled: bool(s.closeRules, d.closeRules.enabled) },
		graceClose: { enabled: bool(s.graceClose, d.graceClose.enabled), minutes: num(s.graceMinutes, d.graceClose.minutes) },
		storm: {
			enabled: bool(s.storm, d.storm.enabled),
			threshold: num(s.stormThreshold, d.storm.threshold),
			windowMinutes: num(s.stormWindowMinutes, d.storm.windowMinutes),
			attachAs: (s.stormAttachAs as PolicyConfig['storm']['attachAs'] | undefined) ?? d.storm.attachAs,
		},
		maintenance: { enabled: bool(s.maintenance, d.maintenance.enabled) },
		businessHours: {
			enabled: bool(s.businessHours, d.businessHours.enabled),
			outsideHours: (s.outsideHours as PolicyConfig['businessHours']['outsideHours'] | undefined) ?? d.businessHours.outsideHours,
			lowPriorities: Array.isArray(s.lowPriorities) ? (s.lowPriorities as DattoPriority[]) : [...d.businessHours.lowPriorities],
			lowerTo: (s.lowerTo as DattoPriority | undefined) ?? d.businessHours.lowerTo,
		},
		integrationAgentIds: parseAgentIds(s.integrationAgentIds),
	};
	const extra = jsonObject.call(this, s.configJson, 'Policy Config (JSON)', itemIndex) as PolicyConfigInput;
	const merged: PolicyConfigInput = { ...input };
	for (const [key, value] of Object.entries(extra) as Array<[keyof PolicyConfigInput, unknown]>) {
		const base = merged[key];
		(merged as Record<string, unknown>)[key] =
			value !== null && typeof value === 'object' && !Array.isArray(value) && base !== null && typeof base === 'object' && !Array.isArray(base)
				? { ...base, ...value }
				: value;
	}
	try {
		return resolvePolicyConfig(merged);
	} catch (error) {
		throw new NodeOperationError(this.getNode(), `Invalid policy settings: ${(error as Error).message}`, { itemIndex });
	}
}

/** Whether the close rules read technician facts through the Halo API. */
export function readsFactsFromApi(this: IExecuteFunctions, itemIndex: number): boolean {
	return (readPolicySettings.call(this, itemIndex).technicianCheck ?? 'haloApi') === 'haloApi';
}

/** The Halo write settings of the node's parameters. */
export function readWriterSettings(this: IExecuteFunctions, itemIndex: number): HaloWriterSettings {
	const o = this.getNodeParameter('haloOptions', itemIndex, {}) as IDataObject;
	let priorityMap;
	try {
		priorityMap = parsePriorityMap(typeof o.priorityMap === 'string' ? o.priorityMap : DEFAULT_PRIORITY_MAP);
	} catch (error) {
		throw new NodeOperationError(this.getNode(), (error as Error).message, { itemIndex });
	}
	const refField = typeof o.externalRefField === 'string' ? o.externalRefField.trim() : 'third_party_id_string';
	const externalRef: ExternalRefTarget = refField ? { target: 'field', field: refField } : { target: 'none' };
	const outcomeName = typeof o.outcomeName === 'string' ? o.outcomeName.trim() : '';
	return {
		summaryTemplate: typeof o.summaryTemplate === 'string' && o.summaryTemplate ? o.summaryTemplate : DEFAULT_ALERT_SUMMARY_TEMPLATE,
		priorityMap,
		defaultPriorityId: num(o.defaultPriorityId, 3),
		ticketTypeId: optionalId(o.ticketTypeId),
		teamId: optionalId(o.teamId),
		agentId: optionalId(o.agentId),
		statusId: optionalId(o.statusId),
		externalRef,
		parentField: typeof o.parentField === 'string' ? o.parentField.trim() : 'parent_id',
		extraFields: jsonObject.call(this, o.additionalJson, 'Other Ticket Fields (JSON)', itemIndex),
		outcome: outcomeName ? { outcome: outcomeName } : {},
		closedStatusId: optionalId(o.closedStatusId),
		reopenStatusId: optionalId(o.reopenStatusId),
		hiddenFromUser: bool(o.hiddenFromUser, true),
		fallbackClientId: optionalId(this.getNodeParameter('fallbackClientId', itemIndex, '')),
		automaticMapping: bool(o.automaticMapping, true),
	};
}
