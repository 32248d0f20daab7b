/**
 * Normalising Datto RMM alerts, from a webhook body (any of the templates in the README, the Aegis-style
 * `resolvedAlert` body, bodies that arrive as a JSON string or form-encoded) or from the API's alert object,
 * into one shape every node and workflow uses. Pure functions: no I/O.
 */
import { z } from 'zod';
import { DattoPriority, normaliseDattoPriority } from './priority';
import { DEFAULT_MAX_DEPTH, WebhookLimitError, checkBodySize, checkJsonText, checkParsedShape } from './webhookLimits';

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
	try {
		return parsePayload(body, maxBytes);
	} catch (error) {
		if (error instanceof WebhookLimitError) throw new AlertInputError(error.message, error.status);
		throw error;
	}
}

function parsePayload(body: unknown, maxBytes: number): Record<string, unknown> {
	// Datto sends one flat object: the array length is not limited here, an array is refused below by name.
	const limits = { maxBytes, maxDepth: MAX_NESTING_DEPTH, maxBatch: Number.POSITIVE_INFINITY };
	let value: unknown = body;
	if (Buffer.isBuffer(value)) value = value.toString('utf8');
	for (let depth = 0; typeof value === 'string' && depth < 3; depth++) {
		const text = value;
		checkBodySize(Buffer.byteLength(text), maxBytes);
		const trimmed = text.trim();
		if (trimmed === '') throw new AlertInputError('Empty body: expected a JSON object with alertUid');
		// A top-level JSON scalar (42, true, null) is JSON too: parse it so the error below names its type.
		if (trimmed.startsWith('{') || trimmed.startsWith('"') || trimmed.startsWith('[') || /^(true|false|null|-?\d[\d.eE+-]*)$/.test(trimmed)) {
			// Depth before parsing: a 20,000-deep body is refused without building it.
			checkJsonText(trimmed, limits);
			try {
				value = JSON.parse(trimmed);
				continue;
			} catch {
				if (trimmed.startsWith('{')) return recoverBrokenJson(trimmed);
				throw new AlertInputError('Body is not valid JSON');
			}
		}
		if (isFormEncoded(trimmed)) {
			value = Object.fromEntries(new URLSearchParams(trimmed));
			continue;
		}
		throw new AlertInputError('Body is neither JSON nor form-encoded: expected a JSON object with alertUid');
	}
	if (value === undefined || value === null) throw new AlertInputError('Empty body: expected a JSON object with alertUid');
	if (Array.isArray(value)) throw new AlertInputError('Body is a JSON array: expected one JSON object per alert');
	if (typeof value !== 'object') throw new AlertInputError(`Body is a JSON ${typeof value}: expected a JSON object with alertUid`);
	checkParsedShape(value, limits);
	if (Buffer.byteLength(JSON.stringify(value)) > maxBytes) throw new AlertInputError(`Body too large (limit ${maxBytes} bytes)`, 413);
	return value as Record<string, unknown>;
}

/** `key=value&key=value` (what a form post sends): every pair has a non-empty key without white space; one pass. */
function isFormEncoded(text: string): boolean {
	let inKey = true;
	let keyLength = 0;
	for (let i = 0; i < text.length; i++) {
		const code = text.charCodeAt(i);
		if (code === 0x26) {
			if (inKey) return false;
			inKey = true;
			keyLength = 0;
		} else if (inKey) {
			if (code === 0x3d) {
				if (keyLength === 0) return false;
				inKey = false;
			} else if (isWhitespace(code)) return false;
			else keyLength++;
		}
	}
	return !inKey;
}

/** Datto's bodies are flat; anything deeper than this is refused before n8n has to store it. */
export const MAX_NESTING_DEPTH = DEFAULT_MAX_DEPTH;

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

const isWhitespace = (code: number): boolean =>
	code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d || code === 0x0b || code === 0x0c || code === 0xa0 || code === 0xfeff || (code >= 0x2000 && code <= 0x200a) || code === 0x2028 || code === 0x2029 || code === 0x3000 || code === 0x1680 || code === 0x202f || code === 0x205f;
const isIdentStart = (code: number): boolean => (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
const isIdentPart = (code: number): boolean => isIdentStart(code) || (code >= 48 && code <= 57);
const isDigit = (code: number): boolean => code >= 48 && code <= 57;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function skipWhitespace(text: string, at: number): number {
	while (at < text.length && isWhitespace(text.charCodeAt(at))) at++;
	return at;
}

/** The `"identifier" :` keys of a broken JSON text: where each starts (its opening quote) and where its value starts. */
interface BrokenJsonKeys {
	count: number;
	/** Opening-quote positions, ascending. */
	starts: Int32Array;
	/** Position of the key's closing quote, per key. */
	nameEnds: Int32Array;
	/** Where the value starts (after the colon and white space), per key. */
	valueAts: Int32Array;
	/** 1 at every key's opening quote. */
	isStart: Uint8Array;
}

/**
 * Finds the keys in one left-to-right pass: an identifier holds no quote, so each character is read by at most one
 * candidate and the scan is linear in the text length (the regular expression it replaces backtracked over
 * white-space runs: 256 KB took about a minute).
 */
function keysOf(text: string): BrokenJsonKeys {
	// A key takes at least 4 characters ("a":), which bounds how many there can be.
	const capacity = Math.floor(text.length / 4) + 1;
	const keys: BrokenJsonKeys = {
		count: 0,
		starts: new Int32Array(capacity),
		nameEnds: new Int32Array(capacity),
		valueAts: new Int32Array(capacity),
		isStart: new Uint8Array(text.length + 1),
	};
	for (let i = text.indexOf('"'); i >= 0; i = text.indexOf('"', i + 1)) {
		let j = i + 1;
		if (!isIdentStart(text.charCodeAt(j))) continue;
		while (j < text.length && isIdentPart(text.charCodeAt(j))) j++;
		if (text.charCodeAt(j) !== QUOTE) continue;
		const colon = skipWhitespace(text, j + 1);
		if (text.charCodeAt(colon) === 0x3a) {
			keys.starts[keys.count] = i;
			keys.nameEnds[keys.count] = j;
			keys.valueAts[keys.count] = skipWhitespace(text, colon + 1);
			keys.count++;
			keys.isStart[i] = 1;
		}
		i = j - 1;
	}
	return keys;
}

/** End of a JSON string literal whose opening quote is at `at` (index after the closing quote), or -1. */
function stringEnd(text: string, at: number): number {
	for (let i = at + 1; i < text.length; i++) {
		const code = text.charCodeAt(i);
		if (code === BACKSLASH) i++;
		else if (code === QUOTE) return i + 1;
	}
	return -1;
}

/** End of a `true`/`false`/`null`/number literal at `at`, or -1. */
function literalEnd(text: string, at: number): number {
	for (const word of ['true', 'false', 'null']) if (text.startsWith(word, at)) return at + word.length;
	let i = at;
	if (text.charCodeAt(i) === 0x2d) i++;
	const digits = i;
	while (isDigit(text.charCodeAt(i))) i++;
	if (i === digits) return -1;
	if (text.charCodeAt(i) === 0x2e && isDigit(text.charCodeAt(i + 1))) {
		i++;
		while (isDigit(text.charCodeAt(i))) i++;
	}
	return i;
}

/** Whether a value ending at `at` is followed by `, "key":` or `}` (whitespace allowed around). */
function endsValue(text: string, at: number, keys: BrokenJsonKeys): boolean {
	const next = skipWhitespace(text, at);
	if (text.charCodeAt(next) === 0x7d) return true;
	return text.charCodeAt(next) === 0x2c && keys.isStart[skipWhitespace(text, next + 1)] === 1;
}

/**
 * Extracts "key": "value" pairs from JSON that does not parse (Datto may not escape quotes in substitutions).
 * Linear in the body's length: every step is a single forward scan (see keysOf).
 */
function recoverBrokenJson(text: string): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	const keys = keysOf(text);
	let consumed = 0;
	for (let k = 0; k < keys.count; k++) {
		const valueAt = keys.valueAts[k];
		if (keys.starts[k] < consumed) continue;
		const quoted = text.charCodeAt(valueAt) === QUOTE;
		const end = quoted ? stringEnd(text, valueAt) : literalEnd(text, valueAt);
		if (end < 0 || !endsValue(text, end, keys)) continue;
		const raw = text.slice(valueAt, end);
		out[text.slice(keys.starts[k] + 1, keys.nameEnds[k])] = quoted ? raw.slice(1, -1).replace(/\\"/g, '"').replace(/\\\\/g, '\\') : JSON.parse(raw);
		consumed = end;
	}
	// The message is the usual culprit: take everything between its key and the first quote followed by `, "key":`.
	for (let k = 0; k < keys.count; k++) {
		const key = text.slice(keys.starts[k] + 1, keys.nameEnds[k]);
		const valueAt = keys.valueAts[k];
		if (key !== 'alertMessage' && key !== 'alert_message' && key !== 'message') continue;
		if (text.charCodeAt(valueAt) !== QUOTE) continue;
		const close = messageClose(text, valueAt + 1, keys);
		if (close >= 0) out[key] = text.slice(valueAt + 1, close);
		break;
	}
	if (Object.keys(out).length === 0) throw new AlertInputError('Body is not valid JSON and no fields could be recovered');
	out.__recoveredFromInvalidJson = true;
	return out;
}

/** The first quote at or after `from` that is followed by `, "key":`, or -1 (one forward pass). */
function messageClose(text: string, from: number, keys: BrokenJsonKeys): number {
	for (let i = text.indexOf('"', from); i >= 0; i = text.indexOf('"', i + 1)) {
		const comma = skipWhitespace(text, i + 1);
		if (text.charCodeAt(comma) !== 0x2c) continue;
		const next = skipWhitespace(text, comma + 1);
		if (keys.isStart[next] === 1) return i;
		// No quote lies inside the whitespace skipped, so the next candidate starts at or after `next`.
		i = next - 1;
	}
	return -1;
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
