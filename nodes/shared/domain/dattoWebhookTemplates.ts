/**
 * The Datto RMM webhook bodies this package recommends (README, Datto RMM Trigger notice) and the placeholders
 * they use. Paste `triggered` into a monitor's (or Global Webhooks') "alert triggered" body and `resolved` into the
 * "alert resolved" body. See docs/api/datto-rmm.md#8-webhooks-datto--datto-rmm-trigger.
 *
 * Design rules:
 * - Every placeholder sits inside a JSON string literal, so the body stays valid JSON even when Datto leaves a
 *   placeholder it does not know unsubstituted (it then arrives literally, e.g. "[device_uid]"; treat such values
 *   as missing: isUnsubstitutedPlaceholder).
 * - Only `[alert_uid]` is required: the trigger can fetch everything else from the API (GET /v2/alert/{uid}).
 * - The event type is a static marker written by the user in each body ("event": "triggered" / "resolved"),
 *   because Datto itself adds no resolved flag. The legacy Aegis bodies use "resolvedAlert": "false" / "true".
 * - No secret in the body: the secret travels in the webhook URL's query string (?secret=...).
 */

export type DattoWebhookEvent = 'triggered' | 'resolved';

export interface DattoPlaceholder {
	/** As written in a template, with brackets. */
	placeholder: string;
	/** Confirmed by production use in public integrations (reference §8.3); otherwise seen only in third-party templates. */
	verified: boolean;
	description: string;
}

/** Placeholders known from public Datto RMM webhook templates; `verified: false` means UNCERTAIN (may arrive unsubstituted). */
export const DATTO_PLACEHOLDERS: readonly DattoPlaceholder[] = [
	{ placeholder: '[alert_uid]', verified: true, description: 'Alert UID (GUID); the key for everything else' },
	{ placeholder: '[alert_message]', verified: true, description: 'Human-readable alert message (may contain quotes, backslashes, CR/LF)' },
	{ placeholder: '[platform]', verified: true, description: 'Datto platform name, e.g. "merlot"' },
	{ placeholder: '[sitename]', verified: true, description: 'Site name (Aegis shows values like "Site (Customer)")' },
	{ placeholder: '[alert_priority]', verified: false, description: 'Critical, High, Moderate, Low, Information' },
	{ placeholder: '[alert_type]', verified: false, description: 'Alert (monitor) type' },
	{ placeholder: '[alert_category]', verified: false, description: 'Alert category' },
	{ placeholder: '[device_uid]', verified: false, description: 'Device UID' },
	{ placeholder: '[device_id]', verified: false, description: 'Numeric device id' },
	{ placeholder: '[device_hostname]', verified: false, description: 'Device hostname' },
	{ placeholder: '[device_description]', verified: false, description: 'Device description' },
	{ placeholder: '[device_os]', verified: false, description: 'Operating system' },
	{ placeholder: '[device_ip]', verified: false, description: 'Device IP address' },
	{ placeholder: '[last_user]', verified: false, description: 'Last logged-in user' },
	{ placeholder: '[site_uid]', verified: false, description: 'Site UID' },
	{ placeholder: '[site_id]', verified: false, description: 'Numeric site id' },
	{ placeholder: '[site_name]', verified: false, description: 'Site name' },
	{ placeholder: '[timestamp]', verified: false, description: 'When the alert fired (format undocumented)' },
];

/** The static marker field of the recommended templates. */
export const DATTO_EVENT_FIELD = 'event';
/** The legacy (Aegis / lwhitelock-style) marker field: "false" on the triggered body, "true" on the resolved body. */
export const DATTO_LEGACY_RESOLVED_FIELD = 'resolvedAlert';
/** Marks bodies built from this package's templates (helps to tell them from other senders). */
export const DATTO_TEMPLATE_SOURCE = 'datto-rmm';

function recommended(event: DattoWebhookEvent): string {
	return [
		'{',
		`  "source": "${DATTO_TEMPLATE_SOURCE}",`,
		`  "${DATTO_EVENT_FIELD}": "${event}",`,
		'  "alertUid": "[alert_uid]",',
		'  "alertMessage": "[alert_message]",',
		'  "priority": "[alert_priority]",',
		'  "platform": "[platform]",',
		'  "siteName": "[sitename]",',
		'  "siteUid": "[site_uid]",',
		'  "deviceUid": "[device_uid]",',
		'  "deviceHostname": "[device_hostname]",',
		'  "timestamp": "[timestamp]"',
		'}',
	].join('\n');
}

function minimal(event: DattoWebhookEvent): string {
	return `{ "source": "${DATTO_TEMPLATE_SOURCE}", "${DATTO_EVENT_FIELD}": "${event}", "alertUid": "[alert_uid]" }`;
}

/** The AegisComputers/DattoRMM-Alert-HaloPSA bodies, accepted for users migrating from those scripts. */
function legacyAegis(event: DattoWebhookEvent): string {
	return [
		'{',
		'  "troubleshootingNote": "Refer to ITG for related information",',
		'  "docURL": "url here",',
		'  "showDeviceDetails": true,',
		'  "showDeviceStatus": false,',
		'  "showAlertDetails": true,',
		`  "${DATTO_LEGACY_RESOLVED_FIELD}": "${event === 'resolved' ? 'true' : 'false'}",`,
		'  "dattoSiteDetails": "[sitename]",',
		'  "alertUID": "[alert_uid]",',
		'  "alertMessage": "[alert_message]",',
		'  "platform": "[platform]"',
		'}',
	].join('\n');
}

export interface DattoWebhookTemplatePair {
	name: string;
	description: string;
	triggered: string;
	resolved: string;
}

export const DATTO_WEBHOOK_TEMPLATES = {
	/** Recommended: everything Datto may substitute; works when only [alert_uid] is real (enrich from the API). */
	recommended: {
		name: 'recommended',
		description: 'Recommended bodies: alert, site and device fields plus an "event" marker',
		triggered: recommended('triggered'),
		resolved: recommended('resolved'),
	},
	/** Smallest working bodies: the trigger enriches from the API. */
	minimal: {
		name: 'minimal',
		description: 'Only the alert UID and the event marker; requires "Enrich from API" in the trigger',
		triggered: minimal('triggered'),
		resolved: minimal('resolved'),
	},
	/** Legacy Aegis-style bodies ("resolvedAlert": "false" / "true"). */
	legacyAegis: {
		name: 'legacyAegis',
		description: 'Bodies of the AegisComputers/DattoRMM-Alert-HaloPSA scripts ("resolvedAlert": "true"/"false")',
		triggered: legacyAegis('triggered'),
		resolved: legacyAegis('resolved'),
	},
} as const satisfies Record<string, DattoWebhookTemplatePair>;

export type DattoWebhookTemplateName = keyof typeof DATTO_WEBHOOK_TEMPLATES;

const PLACEHOLDER_PATTERN = /\[[a-z][a-z0-9_]*\]/gi;

/** Placeholders used by a template, in order of first use. */
export function placeholdersIn(template: string): string[] {
	return [...new Set((template.match(PLACEHOLDER_PATTERN) ?? []).map((p) => p.toLowerCase()))];
}

/** True for a value that is still a bare placeholder such as "[device_uid]" (Datto did not substitute it). */
export function isUnsubstitutedPlaceholder(value: unknown): boolean {
	return typeof value === 'string' && /^\s*\[[a-z][a-z0-9_]*\]\s*$/i.test(value);
}
