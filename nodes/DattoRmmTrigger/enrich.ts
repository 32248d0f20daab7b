/**
 * Enrichment of a webhook alert from the Datto RMM API: GET /v2/alert/{uid} (device, site, priority, context),
 * then the device and the site when their names are still missing. Failures never lose the alert: the caller
 * gets the alert as far as it got plus a warning.
 */
import { sleep, type IDataObject, type IWebhookFunctions } from 'n8n-workflow';

import { enrichAlert, normaliseApiAlert, type NormalisedAlert } from '../shared/domain/dattoAlert';
import { dattoPlatformOf, getDattoClientForCredentials } from '../shared/transport/datto';
import { isApiRequestError } from '../shared/transport/http/errors';
import { redactSecrets } from '../shared/transport/http/redact';

export interface EnrichmentResult {
	alert: NormalisedAlert;
	/** What the API returned (alert, device, site), for fields the normalised shape does not carry. */
	api: IDataObject;
	/** Set when enrichment failed or was cut short; the alert is then un-enriched or partly enriched. */
	warning?: string;
}

/** True when the webhook lacked something a ticket needs (priority, message, device, site). */
export function needsEnrichment(alert: NormalisedAlert): boolean {
	return (
		alert.priority === 'Unknown' ||
		alert.message === '' ||
		alert.device.uid === null ||
		alert.device.hostname === null ||
		alert.site.uid === null ||
		alert.site.name === null
	);
}

function describe(error: unknown): string {
	if (isApiRequestError(error)) return error.message;
	return redactSecrets(error instanceof Error ? error.message : String(error));
}

export interface EnrichOptions {
	linkTemplate: string;
	timeoutMs: number;
	/** True when the webhook body carried no usable timestamp (occurredAt is then the receive time). */
	occurredAtMissing: boolean;
}

export async function enrichFromApi(
	context: IWebhookFunctions,
	alert: NormalisedAlert,
	options: EnrichOptions,
): Promise<EnrichmentResult> {
	const progress: EnrichmentResult = { alert, api: {} };
	// n8n-workflow's sleep instead of an own timer (n8n's scanner, docs/scanner.md). n8n-workflow 2.x cancels it through
	// the signal once the work is done; 1.x ignores the signal, so its timer simply runs out (nothing waits for it).
	const done = new AbortController();
	const timeout = sleep(options.timeoutMs, done.signal).then(
		() => 'timeout' as const,
		() => 'cancelled' as const,
	);
	const work = (async () => {
		const credentials = await context.getCredentials('dattoRmmApi');
		const client = getDattoClientForCredentials(credentials);
		const apiAlert = await client.getAlert(alert.alertUid);
		progress.api.alert = apiAlert as IDataObject;
		const platform = alert.platform ?? dattoPlatformOf(client.apiBaseUrl) ?? null;
		const fromApi = normaliseApiAlert(apiAlert as Record<string, unknown>, platform, { linkTemplate: options.linkTemplate });
		let merged = enrichAlert(alert, fromApi);
		if (options.occurredAtMissing) {
			const when = alert.event === 'resolved' ? (apiAlert.resolvedOnIso ?? null) : apiAlert.timestampIso;
			if (when) merged = { ...merged, occurredAt: when };
		}
		progress.alert = merged;
		if (merged.device.uid && merged.device.hostname === null) {
			const device = await client.getDevice(merged.device.uid);
			progress.api.device = device as IDataObject;
			merged = { ...merged, device: { ...merged.device, hostname: device.hostname ?? null } };
			progress.alert = merged;
		}
		if (merged.site.uid && merged.site.name === null) {
			const site = await client.getSite(merged.site.uid);
			progress.api.site = site as IDataObject;
			merged = { ...merged, site: { ...merged.site, name: site.name ?? null } };
			progress.alert = merged;
		}
		return merged;
	})();
	try {
		const outcome = await Promise.race([work, timeout]);
		if (outcome === 'timeout') {
			work.catch(() => undefined);
			progress.warning = `Enrichment from the Datto RMM API did not finish within ${Math.round(options.timeoutMs / 1000)} s`;
		}
	} catch (error) {
		progress.warning = `Enrichment from the Datto RMM API failed: ${describe(error)}`;
	} finally {
		done.abort();
	}
	return progress;
}
