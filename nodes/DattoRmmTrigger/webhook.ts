/**
 * What the Datto RMM Trigger does with one delivery:
 * 1. secret (query parameter or header, constant time) → 401 `{ error }`, no execution;
 * 2. body → parse (raw text whatever the Content-Type; JSON, JSON string, form-encoded, broken JSON recovery) and
 *    normalise → 400 / 413 `{ error }` naming the problem, no execution;
 * 3. event filter → 200 `{ received, ignored }`, no execution;
 * 4. answer 200 `{ received, alertUid, event }` (Respond: Immediately);
 * 5. optional enrichment from the API;
 * 6. optional "verify resolves": a resolved delivery is confirmed with GET /v2/alert/{uid} (resolveConfirmed, and
 *    resolveNotConfirmed with the reason when Datto still reports the alert open or cannot be asked);
 * 7. one normalised alert item, validated with normalisedAlertSchema, starts the execution.
 */
import { NodeOperationError, type IDataObject, type IWebhookFunctions, type IWebhookResponseData } from 'n8n-workflow';

import {
	AlertInputError,
	DEFAULT_ALERT_LINK_TEMPLATE,
	normaliseWebhookAlert,
	normalisedAlertSchema,
	parseWebhookPayload,
	type NormalisedAlert,
} from '../shared/domain/dattoAlert';
import { checkDattoWebhookSecret, dattoSecretProblem, type DattoSecretLocation } from '../shared/domain/webhookAuth';
import { checkWithCachedCredential } from '../shared/n8n/webhookCredentialCache';
import {
	DEFAULT_ENRICH_TIMEOUT_SECONDS,
	DEFAULT_MAX_BODY_KB,
	type EnrichMode,
	type EventsToEmit,
	type RespondMode,
} from './description';
import { enrichFromApi, needsEnrichment } from './enrich';
import { confirmResolved } from '../shared/datto/resolveCheck';
import { getDattoClientForCredentials } from '../shared/transport/datto';
import { readRequestPayload } from './requestBody';

const text = (value: unknown, fallback: string): string =>
	typeof value === 'string' && value.trim() !== '' ? value.trim() : fallback;

const positive = (value: unknown, fallback: number): number =>
	typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback;

/** Answers the request from the node and tells n8n not to answer again. */
function reply(context: IWebhookFunctions, status: number, body: IDataObject): IWebhookResponseData {
	context.getResponseObject().status(status).json(body);
	return { noWebhookResponse: true };
}

/** Validation against the shared schema; a failure names the first offending field. */
function validationError(alert: IDataObject): AlertInputError | undefined {
	const result = normalisedAlertSchema.safeParse(alert);
	if (result.success) return undefined;
	const issue = result.error.issues[0];
	return new AlertInputError(
		`The alert does not normalise to a valid alert: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'}`,
	);
}

type Parsed = { alert: NormalisedAlert; occurredAtMissing: boolean } | { error: AlertInputError };

/** Reads, parses and normalises the body. Bad input is a result (answered 4xx), anything else a node error. */
async function parseDelivery(context: IWebhookFunctions, maxBytes: number, linkTemplate: string, receivedAt: Date): Promise<Parsed> {
	try {
		const payload = await readRequestPayload(context, maxBytes);
		const body = parseWebhookPayload(payload, maxBytes);
		// `now` marks a body without a usable timestamp (epoch 0), so enrichment can take the API's time.
		const alert = normaliseWebhookAlert(body, { linkTemplate, now: () => new Date(0) });
		if (alert.occurredAt !== new Date(0).toISOString()) return { alert, occurredAtMissing: false };
		return { alert: { ...alert, occurredAt: receivedAt.toISOString() }, occurredAtMissing: true };
	} catch (error) {
		if (error instanceof AlertInputError) return { error };
		throw new NodeOperationError(context.getNode(), error as Error);
	}
}

export async function handleDattoWebhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	// 1. Secret
	//    From the shared webhook credential cache: read once per ~60 s, again at once when the cached secret does not
	//    accept the delivery, so a rotated secret works from its first delivery (nodes/shared/n8n/webhookCredentialCache.ts).
	//    Only a usable credential can accept; every refusal is decided on a fresh read below.
	const headers = this.getHeaderData() as Record<string, string | string[] | undefined>;
	const query = this.getQueryData() as IDataObject;
	const str = (value: unknown) => (typeof value === 'string' ? value : '');
	const weakness = (data: IDataObject) =>
		dattoSecretProblem(str(data.secret)) ??
		(str(data.previousSecret) === '' ? undefined : dattoSecretProblem(str(data.previousSecret), 'Previous Webhook Secret'));
	const { result: auth, data: credentials } = await checkWithCachedCredential(
		this,
		'dattoRmmWebhookApi',
		(data) => {
			if (str(data.secret) === '' || weakness(data) !== undefined) return { ok: false as const, reason: 'unusable credential' };
			return checkDattoWebhookSecret(headers, query, {
				secret: str(data.secret),
				previousSecret: str(data.previousSecret),
				location: data.acceptIn === 'headerOnly' ? 'headerOnly' : ('queryOrHeader' satisfies DattoSecretLocation),
				queryParameter: text(data.queryParameter, 'secret'),
				headerName: text(data.headerName, 'x-webhook-secret'),
			});
		},
		(result) => result.ok,
	);
	if (str(credentials.secret) === '') {
		return reply(this, 500, { error: 'The Datto RMM Trigger has no webhook secret configured in its credential' });
	}
	// A short secret is guessable: refuse every delivery until the credential has a proper one (no execution).
	const weak = weakness(credentials);
	if (weak) return reply(this, 500, { error: `The Datto RMM Webhook credential is not usable: ${weak}` });
	if (!auth.ok) return reply(this, 401, { error: auth.reason });

	// 2. Body
	const options = this.getNodeParameter('triggerOptions', {}) as IDataObject;
	const maxBytes = Math.floor(positive(options.maxBodySizeKb, DEFAULT_MAX_BODY_KB) * 1024);
	const linkTemplate = text(options.linkTemplate, DEFAULT_ALERT_LINK_TEMPLATE);
	const receivedAt = new Date();
	const parsed = await parseDelivery(this, maxBytes, linkTemplate, receivedAt);
	if ('error' in parsed) return reply(this, parsed.error.status, { error: parsed.error.message });
	let alert = parsed.alert;

	// 3. Events to emit
	const events = this.getNodeParameter('events', 'both') as EventsToEmit;
	if (events !== 'both' && events !== alert.event) {
		return reply(this, 200, {
			received: true,
			ignored: true,
			alertUid: alert.alertUid,
			event: alert.event,
			reason: `This trigger only emits ${events} alerts`,
		});
	}

	// 4. Answer Datto now when responding immediately. The node answers itself: for a webhook that starts an
	//    execution, n8n (1.x and 2.x) would send the description's responseData (default: the text "firstEntryJson")
	//    and ignore webhookResponse. Validate first, so Datto never gets 200 for an alert the workflow cannot take.
	const respond = this.getNodeParameter('respond', 'onReceived') as RespondMode;
	const invalid = validationError(alert as unknown as IDataObject);
	if (invalid) return reply(this, invalid.status, { error: invalid.message });
	if (respond === 'onReceived') {
		this.getResponseObject().status(200).json({ received: true, alertUid: alert.alertUid, event: alert.event });
	}

	// 5. Enrichment from the API (after the answer: Datto does not wait long)
	const enrich = this.getNodeParameter('enrich', 'never') as EnrichMode;
	const extra: IDataObject = { receivedAt: receivedAt.toISOString() };
	if (enrich === 'always' || (enrich === 'whenMissing' && needsEnrichment(alert))) {
		const result = await enrichFromApi(this, alert, {
			linkTemplate,
			timeoutMs: positive(options.enrichTimeoutSeconds, DEFAULT_ENRICH_TIMEOUT_SECONDS) * 1000,
			occurredAtMissing: parsed.occurredAtMissing,
		});
		alert = result.alert;
		extra.enriched = result.warning === undefined;
		if (Object.keys(result.api).length > 0) extra.api = result.api;
		if (result.warning) {
			extra.enrichmentWarning = result.warning;
			this.logger.warn(`Datto RMM Trigger: ${result.warning} (alert ${alert.alertUid})`);
		}
	}

	// 6. Verify resolves: a "resolved" delivery is confirmed with the API before anything closes a ticket.
	if (alert.event === 'resolved' && options.verifyResolved === true) {
		let client: ReturnType<typeof getDattoClientForCredentials> | null = null;
		try {
			client = getDattoClientForCredentials(await this.getCredentials('dattoRmmApi'));
		} catch {
			client = null;
		}
		const check = client
			? await confirmResolved(client, alert.alertUid, positive(options.enrichTimeoutSeconds, DEFAULT_ENRICH_TIMEOUT_SECONDS) * 1000)
			: { confirmed: false, reason: 'Confirm Resolved Alerts needs a Datto RMM API credential (set Enrich to When Missing or Always)' };
		extra.resolveConfirmed = check.confirmed;
		if (check.reason) {
			extra.resolveNotConfirmed = check.reason;
			this.logger.warn(`Datto RMM Trigger: resolved delivery not confirmed: ${check.reason}`);
		}
	}

	// 7. Output: one normalised alert item
	const item: IDataObject = { ...(alert as unknown as IDataObject), ...extra };
	const invalidItem = validationError(item);
	if (invalidItem) throw new NodeOperationError(this.getNode(), invalidItem.message);
	const workflowData = [this.helpers.returnJsonArray([item])];
	return respond === 'onReceived' ? { workflowData, noWebhookResponse: true } : { workflowData };
}
