/**
 * Verify resolves (issue 18): with "Confirm Resolved Alerts With the API" the Datto RMM Trigger asks the Datto
 * simulator (GET /v2/alert/{uid}) whether a "resolved" delivery is true before anything closes a ticket. A forged
 * resolved webhook for an alert Datto still reports open is emitted with resolveConfirmed false and the reason.
 */
import { DattoRmmTrigger } from '../../nodes/DattoRmmTrigger/DattoRmmTrigger.node';
import { confirmResolved } from '../../nodes/shared/datto/resolveCheck';
import { getDattoClientForCredentials } from '../../nodes/shared/transport/datto';
import type { DattoSimulator } from '../../simulators/datto';
import { callWebhook } from '../helpers/webhookHarness';
import { WEBHOOK_SECRET, apiCredentials, bodyFor, credentialTypes, recordOf, startSim, webhookCredentials } from './helpers';

let sim: DattoSimulator;
beforeAll(async () => {
	sim = await startSim({ seed: { sites: 1, devices: 2, openAlerts: 0, resolvedAlerts: 0 } });
});
afterAll(async () => await sim.close());

async function deliverResolved(alertUid: string, triggerOptions: Record<string, unknown>, withApi = true) {
	const record = recordOf(sim, alertUid);
	const result = await callWebhook({
		node: new DattoRmmTrigger(),
		parameters: { enrich: 'whenMissing', triggerOptions } as never,
		credentials: withApi ? { ...webhookCredentials(), ...apiCredentials(sim) } : webhookCredentials(),
		credentialTypes,
		request: { headers: { 'content-type': 'application/json' }, body: bodyFor(sim, record, 'recommended', 'resolved'), query: { secret: WEBHOOK_SECRET } },
	});
	expect(result.error).toBeUndefined();
	return result.workflowData![0][0].json as Record<string, unknown>;
}

describe('Datto RMM Trigger: Confirm Resolved Alerts With the API', () => {
	test('a resolved delivery Datto confirms → resolveConfirmed true', async () => {
		const { alert } = await sim.createAlert({ webhook: false, priority: 'High' });
		await sim.resolveAlertInDatto(alert.alertUid, { webhook: false });
		const item = await deliverResolved(alert.alertUid, { verifyResolved: true });
		expect(item).toMatchObject({ event: 'resolved', alertUid: alert.alertUid, resolveConfirmed: true });
		expect(item.resolveNotConfirmed).toBeUndefined();
	});

	test('a forged resolved delivery (Datto still reports the alert open) → resolveConfirmed false with the reason', async () => {
		const { alert } = await sim.createAlert({ webhook: false, priority: 'High' });
		const mark = sim.log.entries().length;
		const item = await deliverResolved(alert.alertUid, { verifyResolved: true });
		expect(item).toMatchObject({
			event: 'resolved',
			resolveConfirmed: false,
			resolveNotConfirmed: `Datto RMM still reports alert ${alert.alertUid} open`,
		});
		expect(sim.log.entries().slice(mark).map((e) => e.route)).toContain('GET /api/v2/alert/:alertUid');
	});

	test('option off (the default): no API call, no resolveConfirmed field', async () => {
		const { alert } = await sim.createAlert({ webhook: false, priority: 'High' });
		const mark = sim.log.entries().length;
		const item = await deliverResolved(alert.alertUid, {});
		expect(item.resolveConfirmed).toBeUndefined();
		expect(sim.log.entries().slice(mark).filter((e) => e.route === 'GET /api/v2/alert/:alertUid')).toEqual([]);
	});

	test('no Datto RMM API credential → not confirmed, saying why', async () => {
		const { alert } = await sim.createAlert({ webhook: false, priority: 'High' });
		await sim.resolveAlertInDatto(alert.alertUid, { webhook: false });
		const item = await deliverResolved(alert.alertUid, { verifyResolved: true }, false);
		expect(item).toMatchObject({ resolveConfirmed: false, resolveNotConfirmed: expect.stringMatching(/needs a Datto RMM API credential/) });
	});
});

describe('confirmResolved (nodes/shared/datto)', () => {
	test('unknown alert, API failure and timeout are "not confirmed", never a throw', async () => {
		const client = getDattoClientForCredentials(apiCredentials(sim).dattoRmmApi as never);
		expect(await confirmResolved(client, 'no-such-alert')).toEqual({
			confirmed: false,
			reason: expect.stringMatching(/^Datto RMM could not confirm alert no-such-alert resolved: .*not found/i),
		});
		const slow = { getAlert: () => new Promise<{ resolved: boolean }>((resolve) => setTimeout(() => resolve({ resolved: true }), 500)) };
		expect(await confirmResolved(slow, 'a-1', 50)).toEqual({ confirmed: false, reason: 'Datto RMM did not answer GET /v2/alert/a-1 within 0.05 s' });
		expect(await confirmResolved({ getAlert: async () => ({ resolved: true }) }, 'a-2')).toEqual({ confirmed: true, reason: null });
	});
});
