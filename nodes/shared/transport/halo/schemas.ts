/**
 * zod schemas for the HaloPSA records the nodes use. Lenient on purpose: unknown fields pass through, numbers may
 * arrive as numeric strings, booleans as "true"/1, and nulls are tolerated where Halo leaves fields empty.
 * Dates stay Halo strings (no time zone; `1900-01-01T00:00:00` = no date); conversion lives in the domain layer.
 */
import { z } from 'zod';

const toNumber = (value: unknown): unknown => {
	if (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) return Number(value);
	return value;
};

const toBoolean = (value: unknown): unknown => {
	if (value === 'true' || value === 'True' || value === 1 || value === '1') return true;
	if (value === 'false' || value === 'False' || value === 0 || value === '0') return false;
	return value;
};

const toText = (value: unknown): unknown => (typeof value === 'number' || typeof value === 'boolean' ? String(value) : value);

/** Required integer-ish number (accepts "12" and 12). */
export const haloInt = z.preprocess(toNumber, z.number());
/** Optional number; null and missing are both allowed. */
export const haloNumber = z.preprocess(toNumber, z.number().nullish());
export const haloBool = z.preprocess(toBoolean, z.boolean().nullish());
export const haloText = z.preprocess(toText, z.string().nullish());

export const HaloCustomFieldSchema = z
	.object({
		id: haloNumber,
		name: haloText,
		label: haloText,
		value: z.unknown().optional(),
		display: z.unknown().optional(),
	})
	.passthrough();

export const HaloTicketSchema = z
	.object({
		id: haloInt,
		summary: haloText,
		details: haloText,
		details_html: haloText,
		tickettype_id: haloNumber,
		status_id: haloNumber,
		priority_id: haloNumber,
		sla_id: haloNumber,
		client_id: haloNumber,
		client_name: haloText,
		site_id: haloNumber,
		site_name: haloText,
		user_id: haloNumber,
		user_name: haloText,
		agent_id: haloNumber,
		team: haloText,
		team_id: haloNumber,
		dateoccurred: haloText,
		datecreated: haloText,
		dateclosed: haloText,
		last_update: haloText,
		lastactiondate: haloText,
		hasbeenclosed: haloBool,
		closure_agent_id: haloNumber,
		third_party_id: haloNumber,
		third_party_id_string: haloText,
		reference: haloText,
		customfields: z.array(HaloCustomFieldSchema).nullish(),
	})
	.passthrough();

export const HaloActionSchema = z
	.object({
		id: haloInt,
		ticket_id: haloNumber,
		outcome: haloText,
		outcome_id: haloNumber,
		who: haloText,
		who_type: haloNumber,
		who_agentid: haloNumber,
		datetime: haloText,
		note: haloText,
		note_html: haloText,
		hiddenfromuser: haloBool,
		sendemail: haloBool,
		new_status: haloNumber,
		old_status: haloNumber,
	})
	.passthrough();

export const HaloStatusSchema = z
	.object({
		id: haloInt,
		name: haloText,
		/** Halo's status type; "closed = type 4" is an assumption that does not hold for every tenant. */
		type: haloNumber,
		shortname: haloText,
		colour: haloText,
		sequence: haloNumber,
	})
	.passthrough();

/** Priorities are keyed by GUID per SLA; tickets store the integer `priorityid`. */
export const HaloPrioritySchema = z
	.object({
		id: z.union([z.string(), z.number()]).nullish(),
		priorityid: haloNumber,
		name: haloText,
		slaid: haloNumber,
	})
	.passthrough();

export const HaloTicketTypeSchema = z
	.object({
		id: haloInt,
		name: haloText,
		workflow_id: haloNumber,
		sla_id: haloNumber,
		default_sla_id: haloNumber,
		inactive: haloBool,
	})
	.passthrough();

export const HaloOutcomeSchema = z
	.object({
		id: haloInt,
		outcome: haloText,
		buttonname: haloText,
		newstatus: haloNumber,
		hiddenfromuser: haloBool,
	})
	.passthrough();

export const HaloTeamSchema = z
	.object({
		id: haloInt,
		name: haloText,
		inactive: haloBool,
	})
	.passthrough();

export const HaloAgentSchema = z
	.object({
		id: haloInt,
		name: haloText,
		email: haloText,
		isdisabled: haloBool,
	})
	.passthrough();

export const HaloClientSchema = z
	.object({
		id: haloInt,
		name: haloText,
		toplevel_id: haloNumber,
		toplevel_name: haloText,
		inactive: haloBool,
		main_site_id: haloNumber,
		main_site_name: haloText,
		datto_id: haloText,
	})
	.passthrough();

export const HaloSiteSchema = z
	.object({
		id: haloInt,
		name: haloText,
		client_id: haloNumber,
		client_name: haloText,
		clientsite_name: haloText,
		inactive: haloBool,
		datto_id: haloText,
	})
	.passthrough();

/**
 * An asset ("Device"). Halo's Datto RMM sync fills `datto_id` (the Datto device UID); `inventory_number` /
 * `key_field` usually hold the hostname. List items may be thin (which fields they carry is UNCERTAIN).
 */
export const HaloAssetSchema = z
	.object({
		id: haloInt,
		inventory_number: haloText,
		key_field: haloText,
		client_id: haloNumber,
		client_name: haloText,
		site_id: haloNumber,
		site_name: haloText,
		assettype_name: haloText,
		inactive: haloBool,
		datto_id: haloText,
		datto_site_uid: haloText,
	})
	.passthrough();

/** An end user (GET /Users). */
export const HaloUserSchema = z
	.object({
		id: haloInt,
		name: haloText,
		client_id: haloNumber,
		site_id: haloNumber,
		emailaddress: haloText,
		inactive: haloBool,
	})
	.passthrough();

export const HaloAuthInfoSchema = z
	.object({
		auth_url: haloText,
		tenant_id: haloText,
	})
	.passthrough();

export type HaloTicket = z.infer<typeof HaloTicketSchema>;
export type HaloAction = z.infer<typeof HaloActionSchema>;
export type HaloStatus = z.infer<typeof HaloStatusSchema>;
export type HaloPriority = z.infer<typeof HaloPrioritySchema>;
export type HaloTicketType = z.infer<typeof HaloTicketTypeSchema>;
export type HaloOutcome = z.infer<typeof HaloOutcomeSchema>;
export type HaloTeam = z.infer<typeof HaloTeamSchema>;
export type HaloAgent = z.infer<typeof HaloAgentSchema>;
export type HaloClientRecord = z.infer<typeof HaloClientSchema>;
export type HaloSite = z.infer<typeof HaloSiteSchema>;
export type HaloAsset = z.infer<typeof HaloAssetSchema>;
export type HaloUser = z.infer<typeof HaloUserSchema>;

/** The display name of an outcome (Halo uses `outcome`; some builds only `buttonname`). */
export function outcomeName(outcome: HaloOutcome): string {
	return outcome.outcome || outcome.buttonname || `Outcome ${outcome.id}`;
}

/** Fields accepted when creating or updating a ticket (anything else Halo knows passes through). */
export interface HaloTicketFields {
	summary?: string;
	details?: string;
	details_html?: string;
	tickettype_id?: number;
	client_id?: number;
	site_id?: number;
	user_id?: number;
	status_id?: number;
	priority_id?: number;
	agent_id?: number;
	team_id?: number;
	team?: string;
	category_1?: string;
	impact?: number;
	urgency?: number;
	third_party_id?: number;
	third_party_id_string?: string;
	reference?: string;
	customfields?: Array<{ id?: number; name?: string; value: unknown }>;
	assets?: Array<{ id: number }>;
	[field: string]: unknown;
}

/** An action (note) to add to a ticket. Halo requires `outcome` or `outcome_id`. */
export interface HaloActionInput {
	ticket_id: number | string;
	note?: string;
	note_html?: string;
	/** Outcome by name (e.g. "Private Note"). */
	outcome?: string;
	/** Outcome by id (tenant-specific). */
	outcome_id?: number;
	/** Private note. */
	hiddenfromuser?: boolean;
	/** Defaults to false in this client (Halo could e-mail the end user otherwise). */
	sendemail?: boolean;
	/** Moves the ticket to this status (e.g. the tenant's closed status). */
	new_status?: number;
	new_agent?: number;
	new_team?: string;
	timetaken?: number;
	important?: boolean;
	[field: string]: unknown;
}

export interface HaloTicketFilters {
	clientId?: number;
	siteId?: number;
	statusId?: number;
	agentId?: number;
	userId?: number;
	/** Ticket type (Halo's `requesttype_id`). */
	ticketTypeId?: number;
	openOnly?: boolean;
	closedOnly?: boolean;
	/** Halo's `search` (summary and more). */
	search?: string;
	/** Only these tickets (Halo's `ticketids`, comma-separated); re-checked on the records like the other id filters. */
	ticketIds?: number[];
	/** Further raw query parameters (unknown ones are silently ignored by Halo!). */
	query?: Record<string, string | number | boolean | undefined>;
}
