/** Shared setup for the Datto node tests: simulator, credentials for both Datto credential types, bodies. */
import { DattoRmmWebhookApi } from '../../credentials/DattoRmmWebhookApi.credentials';
import { DATTO_WEBHOOK_TEMPLATES, DattoWebhookEvent, DattoWebhookTemplateName } from '../../nodes/shared/domain/dattoWebhookTemplates';
import { DattoSimulator, renderTemplate } from '../../simulators/datto';
import type { SimAlertRecord } from '../../simulators/datto/data';

export { startSim, sleep } from '../datto/helpers';

export const WEBHOOK_SECRET = 'wh-Secret_0123456789abcdef';

export const webhookCredentials = (overrides: Record<string, string> = {}) => ({
	dattoRmmWebhookApi: { secret: WEBHOOK_SECRET, queryParameter: 'secret', headerName: 'x-webhook-secret', ...overrides },
});

export const credentialTypes = [new DattoRmmWebhookApi()];

/** The `dattoRmmApi` credential pointing at a simulator (custom API URL). */
export function apiCredentials(sim: DattoSimulator, secret = sim.config.apiSecret) {
	return { dattoRmmApi: { platform: 'custom', customUrl: sim.baseUrl, apiKey: sim.config.apiKey, apiSecret: secret } };
}

/** The simulator's record for an alert uid. */
export function recordOf(sim: DattoSimulator, alertUid: string): SimAlertRecord {
	const record = sim.data.alerts.find((r) => r.alert.alertUid === alertUid);
	if (!record) throw new Error(`no alert ${alertUid} in the simulator`);
	return record;
}

/** A webhook body exactly as Datto would render the template for this alert (values JSON-escaped). */
export function bodyFor(
	sim: DattoSimulator,
	record: SimAlertRecord,
	template: DattoWebhookTemplateName,
	event: DattoWebhookEvent,
	options: { escape?: 'json' | 'none'; substitute?: 'all' | 'verified' | 'alertUidOnly' } = {},
): string {
	return renderTemplate(DATTO_WEBHOOK_TEMPLATES[template][event], sim.variablesFor(record), options);
}

/** Waits until `predicate` holds (deliveries finish after the node has answered when it enriches). */
export async function until(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
	const started = Date.now();
	while (!predicate()) {
		if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
}
