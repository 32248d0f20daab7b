/**
 * Parameters of the Datto RMM Trigger. The setup notices are generated from DATTO_WEBHOOK_TEMPLATES (the same
 * bodies the README documents and the simulator sends), so they never drift from what the trigger parses.
 */
import type { INodeProperties } from 'n8n-workflow';

import { DEFAULT_ALERT_LINK_TEMPLATE } from '../shared/domain/dattoAlert';
import { DATTO_WEBHOOK_TEMPLATES, type DattoWebhookTemplateName } from '../shared/domain/dattoWebhookTemplates';

/** Default body size limit in KiB (Datto's bodies are well under 4 KiB). */
export const DEFAULT_MAX_BODY_KB = 256;
/** Default time budget for enrichment from the API, in seconds. */
export const DEFAULT_ENRICH_TIMEOUT_SECONDS = 20;

export type EventsToEmit = 'both' | 'triggered' | 'resolved';
export type EnrichMode = 'never' | 'whenMissing' | 'always';
export type RespondMode = 'onReceived' | 'lastNode';

const escapeHtml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A template as one line of JSON (the notice collapses white space; Datto accepts either). */
export function compactTemplate(template: string): string {
	return JSON.stringify(JSON.parse(template) as unknown);
}

function templateNotice(name: DattoWebhookTemplateName): INodeProperties {
	const pair = DATTO_WEBHOOK_TEMPLATES[name];
	const extra =
		name === 'minimal'
			? '<li>Set "Enrich From API" to fetch priority, message, device and site from the Datto RMM API.</li>'
			: name === 'legacyAegis'
				? '<li>The AegisComputers/lwhitelock script bodies ("resolvedAlert": "false" / "true"); kept for migrations.</li>'
				: '';
	return {
		displayName:
			`${escapeHtml(pair.description)}:<ul>` +
			`<li>Alert triggered body: ${escapeHtml(compactTemplate(pair.triggered))}</li>` +
			`<li>Alert resolved body: ${escapeHtml(compactTemplate(pair.resolved))}</li>` +
			`${extra}</ul>`,
		name: `${name}TemplateNotice`,
		type: 'notice',
		default: '',
		displayOptions: { show: { bodyTemplate: [name] } },
	};
}

export const triggerProperties: INodeProperties[] = [
	{
		displayName:
			'In Datto RMM open Setup > Integrations > Global Webhooks (all monitors) or the Response section of a monitor, and enter:<ul>' +
			'<li>URL: the Production URL above followed by ?secret= and the webhook secret of the credential, e.g. https://n8n.example.com/webhook/…/datto-alert?secret=YOUR_SECRET (one URL for both bodies)</li>' +
			'<li>the "alert triggered" and the "alert resolved" bodies below (the "event" value is the marker that tells them apart; every body needs [alert_uid])</li>' +
			'</ul>Publish (activate) the workflow so the production URL answers.',
		name: 'setupNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Body Template to Show',
		name: 'bodyTemplate',
		type: 'options',
		default: 'recommended',
		description: 'Which Datto webhook bodies the notice below shows. The trigger accepts all of them whatever is selected.',
		options: (Object.keys(DATTO_WEBHOOK_TEMPLATES) as DattoWebhookTemplateName[]).map((name) => ({
			name: name === 'recommended' ? 'Recommended' : name === 'minimal' ? 'Minimal' : 'Legacy (Aegis Scripts)',
			value: name,
			description: DATTO_WEBHOOK_TEMPLATES[name].description,
		})),
	},
	...(Object.keys(DATTO_WEBHOOK_TEMPLATES) as DattoWebhookTemplateName[]).map(templateNotice),
	{
		displayName: 'Events',
		name: 'events',
		type: 'options',
		default: 'both',
		description: 'Which alert events start the workflow; others are answered 200 with "ignored" and start nothing',
		options: [
			{ name: 'Triggered and Resolved', value: 'both' },
			{ name: 'Triggered Only', value: 'triggered' },
			{ name: 'Resolved Only', value: 'resolved' },
		],
	},
	{
		displayName: 'Enrich From API',
		name: 'enrich',
		type: 'options',
		default: 'never',
		description:
			'Whether to fetch the alert (GET /v2/alert/{uid}), and the device and site when still needed, from the Datto RMM API. If that fails the alert is still emitted, with an "enrichmentWarning".',
		options: [
			{ name: 'Never', value: 'never', description: 'Use only what the webhook body contains' },
			{
				name: 'When Fields Are Missing',
				value: 'whenMissing',
				description: 'Only when the body lacks priority, message, device or site (e.g. the minimal template)',
			},
			{
				name: 'Always',
				value: 'always',
				description: 'Every alert; the dedupe key then uses the monitor context (e.g. disk C:) from the API',
			},
		],
	},
	{
		displayName: 'Respond',
		name: 'respond',
		type: 'options',
		default: 'onReceived',
		description: 'When Datto gets its answer',
		options: [
			{
				name: 'Immediately',
				value: 'onReceived',
				description:
					'Answer 200 with { received, alertUid, event } as soon as the body is valid; the workflow runs afterwards (Datto does not wait long)',
			},
			{
				name: 'When Last Node Finishes',
				value: 'lastNode',
				description: 'Answer with the first item of the last node; slow workflows may exceed Datto\'s timeout',
			},
		],
	},
	{
		displayName: 'Options',
		name: 'triggerOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Confirm Resolved Alerts With the API',
				name: 'verifyResolved',
				type: 'boolean',
				default: false,
				description:
					'Whether to ask Datto RMM (GET /v2/alert/{uid}, Datto RMM API credential) if a "resolved" alert really is resolved. One that Datto still reports open (or that cannot be checked) is emitted with resolveConfirmed false, so that nothing closes its ticket; the reconciliation closes it once Datto reports it resolved.',
			},
			{
				displayName: 'Enrichment Timeout (Seconds)',
				name: 'enrichTimeoutSeconds',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: DEFAULT_ENRICH_TIMEOUT_SECONDS,
				description: 'After this long the alert is emitted without (or with partial) enrichment and an "enrichmentWarning"',
			},
			{
				displayName: 'Link Template',
				name: 'linkTemplate',
				type: 'string',
				default: DEFAULT_ALERT_LINK_TEMPLATE,
				description: 'Link to the alert in the Datto RMM portal; {platform} and {alertUid} are replaced',
			},
			{
				displayName: 'Max Body Size (KiB)',
				name: 'maxBodySizeKb',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: DEFAULT_MAX_BODY_KB,
				description: 'Larger bodies are refused with 413',
			},
		],
	},
	{
		// n8n skips its own body parsing for a typeVersion 1 webhook node whose options.binaryData is true
		// (webhook-helpers parseRequestBody, n8n 1.x and 2.x). The trigger then reads the raw bytes itself, so a body
		// that is broken JSON (Datto does not escape quotes in [alert_message]) reaches the tolerant parser instead of
		// being refused with 422, whatever the content type. Not user-facing; no binary data is produced.
		displayName: 'Raw Body Parsing',
		name: 'options',
		type: 'hidden',
		default: { binaryData: true },
	},
];
