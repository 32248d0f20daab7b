/**
 * Normalising Datto RMM alerts, from a webhook body (any of the templates in the README, the Aegis-style
 * `resolvedAlert` body, bodies that arrive as a JSON string or form-encoded) or from the API's alert object,
 * into one shape every node and workflow uses. Pure functions: no I/O.
 */
import { z } from 'zod';
import { DattoPriority, normaliseDattoPriority } from './priority';

export type AlertEvent = 'triggered' | 'resolved';

export interface NormalisedAlert {
	event: AlertEvent;
	alertUid: string;
	priority: DattoPriority;
	message: string;
	device: { uid: string | null; hostname: string | null };
	site: { uid: string | null; name: string | null };
	/** What is being monitored, e.g. "perf_disk_usage_ctx:C:" or a message shape; part of the dedupe key. */
	condition: string;
	/** ISO 8601. */
	occurredAt: string;
	platform: string | null;
	/** device + condition: a flapping monitor raises a new alertUid each time, the dedupe key stays the same. */
	dedupeKey: string;
	/** Link to the alert in the Datto RMM web portal, when the platform is known. */
	link: string | null;
	raw: Record<string, unknown>;
}

export const normalisedAlertSchema = z
	.object({
		event: z.enum(['triggered', 'resolved']),
		alertUid: z.string().min(1).max(200),
		priority: z.enum(['Critical', 'High', 'Moderate', 'Low', 'Information', 'Unknown']),
		message: z.string(),
		device: z.object({ uid: z.string().nullable(), hostname: z.string().nullable() }),
		site: z.object({ uid: z.string().nullable(), name: z.string().nullable() }),
		condition: z.string().min(1),
		occurredAt: z.string().datetime(),
		platform: z.string().nullable(),
		dedupeKey: z.string().min(1),
		link: z.string().nullable(),
		raw: z.record(z.unknown()),
	})
	.passthrough();

/** A webhook body that cannot be turned into an alert; `status` is the HTTP status to answer. */
export class AlertInputError extends Error {
	constructor(
		message: string,
		readonly status = 400,
	) {
		super(message);
		this.name = 'AlertInputError';
	}
}

/** Portal link template; `{platform}` and `{alertUid}` are substituted. Which host is current is uncertain. */
export const DEFAULT_ALERT_LINK_TEMPLATE = 'https://{platform}.rmm.datto.com/alert/{alertUid}';

const KEY_ALIASES: Record<string, string[]> = {
	alertUid: ['alertuid', 'alert_uid', 'alertid', 'uid'],
	event: ['event', 'eventtype', 'event_type', 'alertevent', 'type'],
	resolvedAlert: ['resolvedalert', 'resolved', 'isresolved'],
	message: ['alertmessage', 'alert_message', 'message', 'alertmessageen', 'alert_message_en', 'diagnostics'],
	priority: ['alertpriority', 'alert_priority', 'priority'],
	deviceUid: ['deviceuid', 'device_uid'],
	hostname: ['devicehostname', 'device_hostname', 'hostname', 'devicename', 'device_name'],
	siteUid: ['siteuid', 'site_uid'],
	siteName: ['sitename', 'site_name', 'dattositedetails'],
	platform: ['platform'],
	timestamp: ['timestamp', 'occurredat', 'alerttimestamp', 'alert_timestamp'],
	condition: ['condition', 'alerttype', 'alert_type', 'alertcategory', 'alert_category', 'monitor', 'monitorname'],
};

const TRIGGERED_MARKERS = new Set(['triggered', 'trigger', 'raised', 'alert.raised', 'alert.triggered', 'open', 'opened', 'new', 'created', 'false']);
const RESOLVED_MARKERS = new Set(['resolved', 'resolve', 'alert.resolved', 'closed', 'cleared', 'true']);

/** "[device_hostname]" left unsubstituted by Datto (unknown variable) counts as absent. */
function clean(value: unknown): string | null {
	if (value === undefined || value === null) return null;
	if (typeof value === 'object') return null;
	const text = String(value).trim();
	if (text === '' || /^\[[a-z0-9_]+\]$/i.test(text) || text.toLowerCase() === 'null' || text.toLowerCase() === 'undefined') return null;
	return text;
}

function pick(body: Record<string, unknown>, field: keyof typeof KEY_ALIASES): unknown {
	const lowered = new Map(Object.keys(body).map((k) => [k.toLowerCase().replace(/[\s-]/g, ''), k]));
	for (const alias of KEY_ALIASES[field]) {
		const key = lowered.get(alias);
		if (key !== undefined && body[key] !== undefined && body[key] !== null && body[key] !== '') return body[key];
	}
	return undefined;
}

/** Epoch ms, epoch seconds, ISO or Halo/Datto-style date strings → ISO; undefined when unparsable. */
export function toIsoTimestamp(value: unknown): string | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	if (typeof value === 'number' || /^\d{9,14}$/.test(String(value).trim())) {
		const n = Number(value);
		if (n <= 0 || n === -62135596800000) return undefined;
		const ms = n < 1e11 ? n * 1000 : n;
		const d = new Date(ms);
		return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
	}
	const text = String(value).trim();
	const hasZone = /(Z|[+-]\d\d:?\d\d)$/i.test(text);
	const d = new Date(hasZone || !/^\d{4}-\d\d-\d\d[T ]\d/.test(text) ? text : `${text.replace(' ', 'T')}Z`);
	return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/**
 * Turns the raw webhook payload into an object: JSON object, a JSON string (possibly encoded twice),
 * form-encoded text, or JSON broken by unescaped quotes in [alert_message] (fields recovered by pattern).
 */
export function parseWebhookPayload(body: unknown, maxBytes = 256 * 1024): Record<string, unknown> {
	let value: unknown = body;
	if (Buffer.isBuffer(value)) value = value.toString('utf8');
	for (let depth = 0; typeof value === 'string' && depth < 3; depth++) {
		const text = value;
		if (Buffer.byteLength(text) > maxBytes) throw new AlertInputError(`Body too large: ${Buffer.byteLength(text)} bytes (limit ${maxBytes})`, 413);
		const trimmed = text.trim();
		if (trimmed === '') throw new AlertInputError('Empty body: expected a JSON object with alertUid');
		// A top-level JSON scalar (42, true, null) is JSON too: parse it so the error below names its type.
		if (trimmed.startsWith('{') || trimmed.startsWith('"') || trimmed.startsWith('[') || /^(true|false|null|-?\d[\d.eE+-]*)$/.test(trimmed)) {
			try {
				value = JSON.parse(trimmed);
				continue;
			} catch {
				if (trimmed.startsWith('{')) return recoverBrokenJson(trimmed);
				throw new AlertInputError('Body is not valid JSON');
			}
		}
		if (/^[^=&\s]+=[^&]*(&[^=&\s]+=[^&]*)*$/.test(trimmed)) {
			value = Object.fromEntries(new URLSearchParams(trimmed));
			continue;
		}
		throw new AlertInputError('Body is neither JSON nor form-encoded: expected a JSON object with alertUid');
	}
	if (value === undefined || value === null) throw new AlertInputError('Empty body: expected a JSON object with alertUid');
	if (Array.isArray(value)) throw new AlertInputError('Body is a JSON array: expected one JSON object per alert');
	if (typeof value !== 'object') throw new AlertInputError(`Body is a JSON ${typeof value}: expected a JSON object with alertUid`);
	if (nestingDepth(value, MAX_NESTING_DEPTH) > MAX_NESTING_DEPTH) {
		throw new AlertInputError(`Body is nested deeper than ${MAX_NESTING_DEPTH} levels: expected a flat JSON object with alertUid`);
	}
	if (Buffer.byteLength(JSON.stringify(value)) > maxBytes) throw new AlertInputError(`Body too large (limit ${maxBytes} bytes)`, 413);
	return value as Record<string, unknown>;
}

/** Datto's bodies are flat; anything deeper than this is refused before n8n has to store it. */
export const MAX_NESTING_DEPTH = 32;

/** Depth of nested objects/arrays, counted without recursion and stopping once past `stopAfter`. */
function nestingDepth(value: unknown, stopAfter: number): number {
	let deepest = 0;
	const stack: Array<[unknown, number]> = [[value, 1]];
	while (stack.length) {
		const [node, depth] = stack.pop()!;
		if (node === null || typeof node !== 'object') continue;
		deepest = Math.max(deepest, depth);
		if (deepest > stopAfter) return deepest;
		for (const child of Object.values(node as Record<string, unknown>)) stack.push([child, depth + 1]);
	}
	return deepest;
}

/** Control characters or unpaired UTF-16 surrogates: never part of a Datto alert UID. */
function hasInvalidUidCharacters(text: string): boolean {
	for (let i = 0; i < text.length; i++) {
		const code = text.charCodeAt(i);
		if (code < 0x20 || code === 0x7f) return true;
		if (code >= 0xd800 && code <= 0xdbff) {
			const next = text.charCodeAt(i + 1);
			if (!(next >= 0xdc00 && next <= 0xdfff)) return true;
			i++;
		} else if (code >= 0xdc00 && code <= 0xdfff) return true;
	}
	return false;
}

/** Extracts "key": "value" pairs from JSON that does not parse (Datto may not escape quotes in substitutions). */
function recoverBrokenJson(text: string): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	const pair = /"([A-Za-z_][\w]*)"\s*:\s*("((?:[^"\\]|\\.)*)"|true|false|null|-?\d+(?:\.\d+)?)\s*(?=,\s*"[A-Za-z_]\w*"\s*:|\s*})/g;
	let match: RegExpExecArray | null;
	while ((match = pair.exec(text))) {
		out[match[1]] = match[3] !== undefined ? match[3].replace(/\\"/g, '"').replace(/\\\\/g, '\\') : JSON.parse(match[2]);
	}
	// The message is the usual culprit: take everything between its key and the next known key.
	const message = /"(alertMessage|alert_message|message)"\s*:\s*"([\s\S]*?)"\s*,\s*"[A-Za-z_]\w*"\s*:/.exec(text);
	if (message) out[message[1]] = message[2];
	if (Object.keys(out).length === 0) throw new AlertInputError('Body is not valid JSON and no fields could be recovered');
	out.__recoveredFromInvalidJson = true;
	return out;
}

function eventFrom(body: Record<string, unknown>): AlertEvent {
	const marker = pick(body, 'event');
	if (marker !== undefined) {
		const text = String(marker).trim().toLowerCase();
		if (RESOLVED_MARKERS.has(text) && text !== 'true') return 'resolved';
		if (TRIGGERED_MARKERS.has(text) && text !== 'false') return 'triggered';
		throw new AlertInputError(`Unknown event marker "${String(marker).slice(0, 50)}": expected "triggered" or "resolved"`);
	}
	const resolved = pick(body, 'resolvedAlert');
	if (resolved !== undefined) {
		const text = String(resolved).trim().toLowerCase();
		if (text === 'true' || text === '1' || text === 'yes') return 'resolved';
		if (text === 'false' || text === '0' || text === 'no') return 'triggered';
		throw new AlertInputError(`Invalid resolvedAlert value "${String(resolved).slice(0, 50)}": expected "true" or "false"`);
	}
	// Bodies without a marker (e.g. the lwhitelock template) only exist for triggered alerts.
	return 'triggered';
}

/**
 * What is being monitored, from the alert context when known (the API gives @class and type-specific fields),
 * else from the webhook's alert type/category, else from the message with numbers removed
 * ("Disk C: 96% full" and "Disk C: 97% full" are the same condition).
 */
export function conditionOf(context: Record<string, unknown> | undefined, explicit: string | null, message: string): string {
	if (context && typeof context['@class'] === 'string') {
		const cls = context['@class'];
		const detail = ['diskName', 'serviceName', 'processName', 'logName', 'packageName', 'path', 'displayName', 'productName', 'type']
			.map((k) => clean(context[k]))
			.find((v) => v !== null);
		const code = clean(context.code);
		return [cls, detail, code].filter(Boolean).join(':');
	}
	if (explicit) return explicit.toLowerCase();
	const shape = message
		.toLowerCase()
		.replace(/\d+([.,]\d+)?/g, '#')
		.replace(/\s+/g, ' ')
		.trim()
		.slice(0, 120);
	return shape ? `message:${shape}` : 'unknown';
}

export function dedupeKeyOf(device: { uid: string | null; hostname: string | null }, condition: string): string {
	const who = device.uid ?? (device.hostname ? `host:${device.hostname.toLowerCase()}` : 'unknown-device');
	return `${who}|${condition}`;
}

export function alertLink(platform: string | null, alertUid: string, template = DEFAULT_ALERT_LINK_TEMPLATE): string | null {
	if (!platform || !/^[a-z0-9-]+$/i.test(platform)) return null;
	return template.replace('{platform}', platform.toLowerCase()).replace('{alertUid}', encodeURIComponent(alertUid));
}

export interface NormaliseOptions {
	now?: () => Date;
	linkTemplate?: string;
}

/** Normalises a parsed webhook body. Throws AlertInputError naming the problem. */
export function normaliseWebhookAlert(body: Record<string, unknown>, options: NormaliseOptions = {}): NormalisedAlert {
	const alertUidValue = pick(body, 'alertUid');
	if (alertUidValue !== undefined && typeof alertUidValue === 'object') throw new AlertInputError('Field "alertUid" must be a string');
	const alertUid = clean(alertUidValue);
	if (!alertUid) throw new AlertInputError('Missing field "alertUid" (Datto placeholder [alert_uid])');
	if (alertUid.length > 200 || /\s/.test(alertUid) || hasInvalidUidCharacters(alertUid)) {
		throw new AlertInputError('Field "alertUid" is not a Datto alert UID');
	}
	const event = eventFrom(body);
	const messageValue = pick(body, 'message');
	const message = typeof messageValue === 'object' ? JSON.stringify(messageValue) : clean(messageValue) ?? '';
	const device = { uid: clean(pick(body, 'deviceUid')), hostname: clean(pick(body, 'hostname')) };
	const site = { uid: clean(pick(body, 'siteUid')), name: clean(pick(body, 'siteName')) };
	const platform = clean(pick(body, 'platform'));
	const context = typeof body.alertContext === 'object' && body.alertContext ? (body.alertContext as Record<string, unknown>) : undefined;
	const condition = conditionOf(context, clean(pick(body, 'condition')), message);
	const occurredAt = toIsoTimestamp(pick(body, 'timestamp')) ?? (options.now ?? (() => new Date()))().toISOString();
	return {
		event,
		alertUid,
		priority: normaliseDattoPriority(pick(body, 'priority')),
		message,
		device,
		site,
		condition,
		occurredAt,
		platform: platform ? platform.toLowerCase() : null,
		dedupeKey: dedupeKeyOf(device, condition),
		link: alertLink(platform, alertUid, options.linkTemplate),
		raw: body,
	};
}

/** Human-readable message for an API alert (which has none): derived from its context, as prior art does. */
export function describeAlertContext(context: Record<string, unknown> | undefined | null, diagnostics?: string | null): string {
	if (!context) return diagnostics ?? 'Datto RMM alert';
	const c = context;
	switch (c['@class']) {
		case 'perf_disk_usage_ctx':
		case 'disk_usage_ctx':
			return `Disk usage on ${c.diskName ?? 'disk'}: ${c.freeSpace ?? '?'} ${c.unitOfMeasure ?? ''} free of ${c.totalVolume ?? '?'}`.trim();
		case 'perf_resource_usage_ctx':
			return `${c.type ?? 'Resource'} usage at ${c.percentage ?? '?'}%`;
		case 'online_offline_status_ctx':
			return `Device is ${String(c.status ?? 'offline').toLowerCase()}`;
		case 'srvc_status_ctx':
			return `Service ${c.serviceName ?? '?'} is ${String(c.status ?? 'stopped').toLowerCase()}`;
		case 'process_status_ctx':
			return `Process ${c.processName ?? '?'} is ${String(c.status ?? 'stopped').toLowerCase()}`;
		case 'eventlog_ctx':
			return `Event log ${c.logName ?? '?'} ${c.type ?? ''} ${c.code ?? ''} from ${c.source ?? '?'}: ${c.description ?? ''}`.replace(/\s+/g, ' ').trim();
		case 'comp_script_ctx': {
			const samples = (c.samples ?? {}) as Record<string, unknown>;
			const text = Object.entries(samples)
				.map(([k, v]) => (k ? `${k}: ${String(v)}` : String(v)))
				.join('; ');
			return text ? `Component monitor: ${text}` : 'Component monitor alert';
		}
		case 'antivirus_ctx':
			return `Antivirus ${c.productName ?? '?'}: ${c.status ?? '?'}`;
		case 'patch_ctx':
			return `Patch ${c.info ?? ''} ${c.result ?? ''}`.replace(/\s+/g, ' ').trim();
		default:
			return diagnostics || `Datto RMM alert (${String(c['@class'] ?? 'unknown')})`;
	}
}

/** Normalises an alert object from the Datto API (GET /v2/alert/{uid}, alert lists) for reconciliation and enrichment. */
export function normaliseApiAlert(alert: Record<string, unknown>, platform: string | null, options: NormaliseOptions = {}): NormalisedAlert {
	const alertUid = clean(alert.alertUid);
	if (!alertUid) throw new AlertInputError('API alert without alertUid');
	const source = (alert.alertSourceInfo ?? {}) as Record<string, unknown>;
	const context = (alert.alertContext ?? undefined) as Record<string, unknown> | undefined;
	const device = { uid: clean(source.deviceUid), hostname: clean(source.deviceName) };
	const message = describeAlertContext(context, clean(alert.diagnostics));
	const condition = conditionOf(context, null, message);
	return {
		event: alert.resolved === true ? 'resolved' : 'triggered',
		alertUid,
		priority: normaliseDattoPriority(alert.priority),
		message,
		device,
		site: { uid: clean(source.siteUid), name: clean(source.siteName) },
		condition,
		occurredAt: toIsoTimestamp(alert.timestamp) ?? (options.now ?? (() => new Date()))().toISOString(),
		platform,
		dedupeKey: dedupeKeyOf(device, condition),
		link: alertLink(platform, alertUid, options.linkTemplate),
		raw: alert,
	};
}

/**
 * Fills fields the webhook lacked from the API alert (enrichment), keeping the webhook's event and message
 * when it had them. The condition and dedupe key are recomputed from the alert context, which is more precise.
 */
export function enrichAlert(fromWebhook: NormalisedAlert, fromApi: NormalisedAlert): NormalisedAlert {
	const device = { uid: fromWebhook.device.uid ?? fromApi.device.uid, hostname: fromWebhook.device.hostname ?? fromApi.device.hostname };
	const condition = fromApi.condition !== 'unknown' ? fromApi.condition : fromWebhook.condition;
	return {
		...fromWebhook,
		priority: fromWebhook.priority !== 'Unknown' ? fromWebhook.priority : fromApi.priority,
		message: fromWebhook.message || fromApi.message,
		device,
		site: { uid: fromWebhook.site.uid ?? fromApi.site.uid, name: fromWebhook.site.name ?? fromApi.site.name },
		condition,
		dedupeKey: dedupeKeyOf(device, condition),
		platform: fromWebhook.platform ?? fromApi.platform,
		link: fromWebhook.link ?? fromApi.link,
	};
}
