/**
 * Datto RMM alert → HaloPSA ticket fields (pure). Input is the Datto trigger's normalised alert (dattoAlert.ts),
 * validated leniently so alerts stored earlier (mapping store, replays) also work. Alert text is untrusted: it is
 * HTML-escaped in details_html, and only http(s) links become anchors.
 */
import { z } from 'zod';
import { haloMarkerHtml } from './haloMarker';
import { escapeHtml, textToHtml } from './html';
import { PriorityMap, mapPriority } from './priority';

/** Default summary template; placeholders are listed in ALERT_PLACEHOLDERS. */
export const DEFAULT_ALERT_SUMMARY_TEMPLATE = 'Datto RMM: {message} on {hostname}';

/**
 * Maximum summary length sent to Halo. Halo's summary (Faults.symptom) column length is not documented; 255
 * characters is the common limit for such columns (UNCERTAIN), so summaries are cut at 250 with an ellipsis.
 */
export const HALO_SUMMARY_MAX_LENGTH = 250;

const text = z.preprocess((v) => (typeof v === 'number' || typeof v === 'boolean' ? String(v) : v), z.string().nullish());

/** The alert fields this module reads; anything else passes through. */
export const AlertInputSchema = z
	.object({
		alertUid: z.preprocess((v) => (typeof v === 'number' ? String(v) : v), z.string().trim().min(1, 'alertUid is empty').max(200)),
		event: text,
		message: text,
		priority: text,
		condition: text,
		occurredAt: text,
		platform: text,
		dedupeKey: text,
		link: text,
		device: z.object({ uid: text, hostname: text }).partial().passthrough().nullish(),
		site: z.object({ uid: text, name: text }).partial().passthrough().nullish(),
	})
	.passthrough();

export type AlertInput = z.infer<typeof AlertInputSchema>;

/** Validates an alert object; throws an Error naming the problem. */
export function readAlert(value: unknown): AlertInput {
	if (value === null || typeof value !== 'object' || Array.isArray(value)) {
		throw new Error(`Expected a Datto RMM alert object (from the Datto RMM Trigger), got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`);
	}
	const result = AlertInputSchema.safeParse(value);
	if (!result.success) {
		const issue = result.error.issues[0];
		const where = issue.path.join('.') || 'alert';
		throw new Error(`Not a Datto RMM alert: ${where}: ${issue.message}`);
	}
	return result.data;
}

/** Placeholder → value for summary templates and custom field values. */
export function alertPlaceholders(alert: AlertInput): Record<string, string> {
	const s = (v: unknown): string => (v === undefined || v === null ? '' : String(v));
	return {
		message: s(alert.message) || 'Alert',
		hostname: s(alert.device?.hostname) || 'unknown device',
		deviceUid: s(alert.device?.uid),
		siteName: s(alert.site?.name),
		siteUid: s(alert.site?.uid),
		priority: s(alert.priority),
		alertUid: alert.alertUid,
		condition: s(alert.condition),
		occurredAt: s(alert.occurredAt),
		platform: s(alert.platform),
		dedupeKey: s(alert.dedupeKey),
		link: s(alert.link),
	};
}

export const ALERT_PLACEHOLDERS = Object.keys(alertPlaceholders({ alertUid: 'x' })).map((k) => `{${k}}`);

/** Fills `{placeholder}`s (unknown ones stay as written). */
export function renderAlertTemplate(template: string, alert: AlertInput): string {
	const values = alertPlaceholders(alert);
	return template.replace(/\{([A-Za-z]+)\}/g, (match, key: string) => (key in values ? values[key] : match));
}

/** One line of plain text, at most `max` characters (cut with an ellipsis). */
export function toSummary(value: string, max = HALO_SUMMARY_MAX_LENGTH): string {
	// eslint-disable-next-line no-control-regex
	const line = value.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
	if (line.length <= max) return line;
	return `${line.slice(0, Math.max(1, max - 1)).trimEnd()}…`;
}

function safeLink(link: unknown): string | undefined {
	if (typeof link !== 'string') return undefined;
	const trimmed = link.trim();
	return /^https?:\/\/[^\s"'<>]+$/i.test(trimmed) ? trimmed : undefined;
}

/** The ticket's details_html: every alert value escaped; the alertUid and link always present. */
export function buildAlertDetailsHtml(alert: AlertInput, options: { intro?: string; marker?: boolean | string } = {}): string {
	const rows: Array<[string, string]> = [];
	const row = (label: string, html: string | undefined) => {
		if (html) rows.push([label, html]);
	};
	const both = (name: unknown, uid: unknown) => {
		const n = name ? escapeHtml(name) : '';
		const u = uid ? escapeHtml(uid) : '';
		return n && u ? `${n} (${u})` : n || u || undefined;
	};
	row('Message', alert.message ? textToHtml(alert.message) : undefined);
	row('Device', both(alert.device?.hostname, alert.device?.uid));
	row('Site', both(alert.site?.name, alert.site?.uid));
	row('Priority', alert.priority ? escapeHtml(alert.priority) : undefined);
	row('Condition', alert.condition ? escapeHtml(alert.condition) : undefined);
	row('Occurred', alert.occurredAt ? escapeHtml(alert.occurredAt) : undefined);
	row('Alert UID', escapeHtml(alert.alertUid));
	const link = safeLink(alert.link);
	if (link) row('Link', `<a href="${escapeHtml(link)}" target="_blank" rel="noopener noreferrer">${escapeHtml(link)}</a>`);
	else if (alert.link) row('Link', escapeHtml(alert.link));
	const table = rows.map(([label, value]) => `<tr><td><strong>${label}</strong></td><td>${value}</td></tr>`).join('');
	const intro = `<p>${escapeHtml(options.intro ?? 'Datto RMM alert')}</p>`;
	const footer =
		options.marker === false
			? ''
			: haloMarkerHtml('Created by n8n from a Datto RMM alert', typeof options.marker === 'string' ? options.marker : undefined);
	return `${intro}<table>${table}</table>${footer}`;
}

export type ExternalRefTarget =
	| { target: 'none' }
	/** A ticket field, e.g. third_party_id_string (third_party_id is an int32 and cannot hold a Datto UID). */
	| { target: 'field'; field: string }
	/** A ticket custom field by name, e.g. CFDattoAlertUID (must exist in Halo). */
	| { target: 'customField'; name: string };

export interface AlertTicketSettings {
	summaryTemplate?: string;
	maxSummaryLength?: number;
	clientId?: number;
	siteId?: number;
	priorityMap: PriorityMap;
	/** Used when the alert's priority is not in the map. */
	defaultPriorityId?: number;
	ticketTypeId?: number;
	teamId?: number;
	agentId?: number;
	statusId?: number;
	userId?: number;
	/** Custom fields; values may contain placeholders. */
	customFields?: Array<{ name?: string; id?: number; value: unknown }>;
	externalRef?: ExternalRefTarget;
	/** Other Halo ticket fields (passed as given, after the ones above). */
	extraFields?: Record<string, unknown>;
	detailsIntro?: string;
	/** The installation's marker (HaloClient.marker); true = the legacy marker; false = none. */
	marker?: boolean | string;
}

export interface AlertTicket {
	fields: Record<string, unknown>;
	summary: string;
	detailsHtml: string;
	priorityId?: number;
	/** Whether the alert's priority was in the map (false: the default was used). */
	priorityMapped: boolean;
}

const positiveInt = (v: unknown): number | undefined =>
	typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined;

export function buildAlertTicket(alert: AlertInput, settings: AlertTicketSettings): AlertTicket {
	const summary = toSummary(
		renderAlertTemplate(settings.summaryTemplate || DEFAULT_ALERT_SUMMARY_TEMPLATE, alert),
		settings.maxSummaryLength ?? HALO_SUMMARY_MAX_LENGTH,
	);
	const detailsHtml = buildAlertDetailsHtml(alert, { intro: settings.detailsIntro, marker: settings.marker });
	const key = String(alert.priority ?? '').trim().toLowerCase();
	const priorityMapped = key !== '' && settings.priorityMap[key] !== undefined;
	const mapped = mapPriority(alert.priority, settings.priorityMap, settings.defaultPriorityId ?? 0);
	const priorityId = positiveInt(mapped);

	const fields: Record<string, unknown> = { summary, details_html: detailsHtml };
	const set = (name: string, value: number | undefined) => {
		if (positiveInt(value) !== undefined) fields[name] = value;
	};
	set('client_id', settings.clientId);
	set('site_id', settings.siteId);
	set('priority_id', priorityId);
	set('tickettype_id', settings.ticketTypeId);
	set('team_id', settings.teamId);
	set('agent_id', settings.agentId);
	set('status_id', settings.statusId);
	set('user_id', settings.userId);

	const customFields = (settings.customFields ?? [])
		.filter((c) => (c.name && c.name.trim()) || positiveInt(c.id))
		.map((c) => ({
			...(c.name ? { name: c.name.trim() } : {}),
			...(positiveInt(c.id) ? { id: c.id } : {}),
			value: typeof c.value === 'string' ? renderAlertTemplate(c.value, alert) : c.value,
		}));
	const ref = settings.externalRef ?? { target: 'none' };
	if (ref.target === 'customField' && ref.name.trim()) {
		const name = ref.name.trim();
		const existing = customFields.find((c) => 'name' in c && c.name?.toLowerCase() === name.toLowerCase());
		if (existing) existing.value = alert.alertUid;
		else customFields.push({ name, value: alert.alertUid });
	}
	if (customFields.length) fields.customfields = customFields;
	if (ref.target === 'field' && ref.field.trim()) fields[ref.field.trim()] = alert.alertUid;
	for (const [k, v] of Object.entries(settings.extraFields ?? {})) if (!(k in fields) && v !== undefined) fields[k] = v;
	return { fields, summary, detailsHtml, priorityId, priorityMapped };
}

/** The text searched for when looking for an already created ticket (Halo's `search` matches summaries). */
export function alertSearchText(summary: string): string {
	return summary.replace(/…$/, '').slice(0, 100).trim();
}

/**
 * Whether a ticket was created for this alert: the alertUid in the configured ref field, in any custom field, or
 * in the details (our details always contain it). Halo ignores unknown list filters, so every candidate found by
 * a search is checked here before it is trusted.
 */
export function ticketMatchesAlert(ticket: Record<string, unknown>, alertUid: string, ref?: ExternalRefTarget): boolean {
	if (!alertUid) return false;
	if (ref?.target === 'field' && String(ticket[ref.field] ?? '') === alertUid) return true;
	if (String(ticket.third_party_id_string ?? '') === alertUid) return true;
	const customFields = Array.isArray(ticket.customfields) ? (ticket.customfields as Array<Record<string, unknown>>) : [];
	if (customFields.some((c) => c && String(c.value ?? '') === alertUid)) return true;
	const html = ticket.details_html;
	if (typeof html === 'string' && html.includes(escapeHtml(alertUid))) return true;
	const plain = ticket.details;
	if (typeof plain === 'string' && plain.includes(alertUid)) return true;
	return false;
}

/** Whether a list record carries enough to run ticketMatchesAlert (list items may be partial objects). */
export function canVerifyFromListRecord(ticket: Record<string, unknown>): boolean {
	return ['details_html', 'details', 'third_party_id_string', 'customfields'].some((k) => ticket[k] !== undefined && ticket[k] !== null);
}
