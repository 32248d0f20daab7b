/**
 * The Datto webhook templates and the simulator's emitter: every template's bodies parse back to what was
 * substituted; the trouble modes (raw string bodies, unescaped quotes, unsubstituted placeholders, duplicates,
 * flapping, secret in the query string) produce what they claim.
 */
import {
	DATTO_PLACEHOLDERS,
	DATTO_WEBHOOK_TEMPLATES,
	DattoWebhookTemplateName,
	isUnsubstitutedPlaceholder,
	placeholdersIn,
} from '../../nodes/shared/domain/dattoWebhookTemplates';
import * as domain from '../../nodes/shared/domain/dattoAlert';
import { DattoSimulator, renderTemplate, WebhookSubscription } from '../../simulators/datto';
import { startReceiver, startSim } from './helpers';

const TRICKY = 'Disk "C:" is 95% full \\ path C:\\Temp\r\nline 2 <script>alert(1)</script> Ünïcödé ✓';

let sim: DattoSimulator;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

beforeEach(async () => {
	sim = await startSim({ seed: { sites: 3, devices: 6, openAlerts: 2, resolvedAlerts: 0 } });
	receiver = await startReceiver();
});

afterEach(async () => {
	await sim.close();
	await receiver.close();
});

function parse(body: string): Record<string, unknown> {
	return JSON.parse(body) as Record<string, unknown>;
}

describe('templates', () => {
	test('every placeholder sits inside a JSON string and every template is valid JSON unsubstituted', () => {
		for (const pair of Object.values(DATTO_WEBHOOK_TEMPLATES)) {
			for (const body of [pair.triggered, pair.resolved]) {
				expect(() => JSON.parse(body)).not.toThrow();
				expect(placeholdersIn(body)).toContain('[alert_uid]');
				for (const p of placeholdersIn(body)) expect(body).toContain(`"${p}"`);
			}
		}
		const known = new Set(DATTO_PLACEHOLDERS.map((p) => p.placeholder));
		for (const p of placeholdersIn(DATTO_WEBHOOK_TEMPLATES.recommended.triggered)) expect(known.has(p)).toBe(true);
		expect(DATTO_PLACEHOLDERS.filter((p) => p.verified).map((p) => p.placeholder).sort()).toEqual(
			['[alert_message]', '[alert_uid]', '[platform]', '[sitename]'].sort(),
		);
		expect(parse(DATTO_WEBHOOK_TEMPLATES.recommended.triggered).event).toBe('triggered');
		expect(parse(DATTO_WEBHOOK_TEMPLATES.recommended.resolved).event).toBe('resolved');
		expect(parse(DATTO_WEBHOOK_TEMPLATES.legacyAegis.triggered).resolvedAlert).toBe('false');
		expect(parse(DATTO_WEBHOOK_TEMPLATES.legacyAegis.resolved).resolvedAlert).toBe('true');
	});

	test('renderTemplate escapes values for JSON, or not, and leaves unknown placeholders alone', () => {
		const template = '{"a":"[alert_uid]","m":"[alert_message]","x":"[no_such_variable]"}';
		const out = renderTemplate(template, { alert_uid: 'u-1', alert_message: TRICKY });
		expect(parse(out)).toEqual({ a: 'u-1', m: TRICKY, x: '[no_such_variable]' });
		expect(() => JSON.parse(renderTemplate(template, { alert_uid: 'u-1', alert_message: TRICKY }, { escape: 'none' }))).toThrow();
		const verifiedOnly = parse(renderTemplate(DATTO_WEBHOOK_TEMPLATES.recommended.triggered, { alert_uid: 'u', device_uid: 'd', platform: 'merlot' }, { substitute: 'verified' }));
		expect(verifiedOnly).toMatchObject({ alertUid: 'u', platform: 'merlot', deviceUid: '[device_uid]' });
	});
});

describe('emitter', () => {
	const cases: Array<[DattoWebhookTemplateName, 'triggered' | 'resolved']> = [];
	for (const name of Object.keys(DATTO_WEBHOOK_TEMPLATES) as DattoWebhookTemplateName[]) {
		cases.push([name, 'triggered'], [name, 'resolved']);
	}

	test.each(cases)('template %s / %s parses back to the substituted values', async (template, event) => {
		sim.webhooks.subscribe({ url: receiver.url, template });
		const { alert } = await sim.createAlert({ message: TRICKY, contextClass: 'perf_disk_usage_ctx', priority: 'High', webhook: event === 'triggered' });
		if (event === 'resolved') await sim.resolveAlertInDatto(alert.alertUid);
		expect(receiver.received).toHaveLength(1);
		const request = receiver.received[0];
		expect(request.method).toBe('POST');
		expect(request.headers['content-type']).toBe('application/json');
		const body = parse(request.body);
		const vars = sim.variablesFor(sim.data.alerts.find((r) => r.alert.alertUid === alert.alertUid)!);
		if (template === 'recommended') {
			expect(body).toEqual({
				source: 'datto-rmm',
				event,
				alertUid: alert.alertUid,
				alertMessage: TRICKY,
				priority: 'High',
				platform: 'merlot',
				siteName: alert.alertSourceInfo.siteName,
				siteUid: alert.alertSourceInfo.siteUid,
				deviceUid: alert.alertSourceInfo.deviceUid,
				deviceHostname: alert.alertSourceInfo.deviceName,
				timestamp: new Date(alert.timestamp).toISOString(),
			});
		} else if (template === 'minimal') {
			expect(body).toEqual({ source: 'datto-rmm', event, alertUid: alert.alertUid });
		} else {
			expect(body).toEqual({
				troubleshootingNote: 'Refer to ITG for related information',
				docURL: 'url here',
				showDeviceDetails: true,
				showDeviceStatus: false,
				showAlertDetails: true,
				resolvedAlert: event === 'resolved' ? 'true' : 'false',
				dattoSiteDetails: vars.sitename,
				alertUID: alert.alertUid,
				alertMessage: TRICKY,
				platform: 'merlot',
			});
		}
		// Datto records the delivery on the alert.
		const actions = sim.data.alerts.find((r) => r.alert.alertUid === alert.alertUid)!.alert.responseActions!;
		expect(actions.map((a) => a.actionType)).toContain('WEBHOOK_EXECUTED');
	});

	test('raw string bodies: text/plain and a JSON string', async () => {
		sim.webhooks.subscribe({ url: receiver.url, bodyMode: 'text' });
		const { alert } = await sim.createAlert({ message: TRICKY });
		expect(receiver.received[0].headers['content-type']).toMatch(/^text\/plain/);
		expect(parse(receiver.received[0].body).alertUid).toBe(alert.alertUid);

		await sim.sendWebhook(alert.alertUid, 'triggered', { bodyMode: 'jsonString' });
		const outer = JSON.parse(receiver.received[1].body) as unknown;
		expect(typeof outer).toBe('string');
		expect(parse(outer as string)).toMatchObject({ alertUid: alert.alertUid, alertMessage: TRICKY, event: 'triggered' });
	});

	test('unescaped quotes in [alert_message] break the JSON; the uid is still extractable by pattern', async () => {
		sim.webhooks.subscribe({ url: receiver.url, escape: 'none' });
		const { alert } = await sim.createAlert({ message: TRICKY });
		const body = receiver.received[0].body;
		expect(() => JSON.parse(body)).toThrow();
		expect(body).toContain('Disk "C:" is 95% full');
		expect(/"alertUid"\s*:\s*"([0-9a-f-]{36})"/i.exec(body)?.[1]).toBe(alert.alertUid);
	});

	test('only [alert_uid] substituted: still valid JSON, the rest arrives as bare placeholders', async () => {
		sim.webhooks.subscribe({ url: receiver.url, substitute: 'alertUidOnly' });
		const { alert } = await sim.createAlert({});
		const body = parse(receiver.received[0].body);
		expect(body.alertUid).toBe(alert.alertUid);
		expect(body.event).toBe('triggered');
		for (const key of ['alertMessage', 'priority', 'platform', 'siteName', 'siteUid', 'deviceUid', 'deviceHostname', 'timestamp']) {
			expect(isUnsubstitutedPlaceholder(body[key])).toBe(true);
		}
		expect(isUnsubstitutedPlaceholder(body.alertUid)).toBe(false);
	});

	test('duplicate deliveries arrive concurrently with identical bodies', async () => {
		sim.webhooks.subscribe({ url: receiver.url, duplicates: 5 });
		const { alert, deliveries } = await sim.createAlert({});
		expect(deliveries).toHaveLength(5);
		expect(receiver.received).toHaveLength(5);
		expect(new Set(receiver.received.map((r) => r.body)).size).toBe(1);
		expect(parse(receiver.received[0].body).alertUid).toBe(alert.alertUid);
	});

	test('a flapping monitor raises a new alertUid every time for the same device and condition', async () => {
		sim.webhooks.subscribe({ url: receiver.url });
		const device = sim.data.devices[1];
		const { alertUids } = await sim.flap({ deviceUid: device.uid, contextClass: 'srvc_status_ctx', context: { serviceName: 'Spooler' }, times: 3 });
		expect(new Set(alertUids).size).toBe(3);
		const bodies = receiver.received.map((r) => parse(r.body));
		expect(bodies.map((b) => b.event)).toEqual(['triggered', 'resolved', 'triggered', 'resolved', 'triggered', 'resolved']);
		expect(new Set(bodies.map((b) => b.deviceUid))).toEqual(new Set([device.uid]));
		const records = alertUids.map((uid) => sim.data.alerts.find((r) => r.alert.alertUid === uid)!);
		expect(new Set(records.map((r) => `${r.alert.alertContext['@class']}|${String(r.alert.alertContext.serviceName)}`)).size).toBe(1);
		expect(records.every((r) => r.alert.resolved)).toBe(true);
	});

	test('the secret travels in the query string and is masked in the delivery log', async () => {
		const secret = 'whsec-Query-Secret-123456';
		sim.webhooks.subscribe({ url: receiver.url, secret, secretParam: 'code' });
		await sim.createAlert({});
		expect(new URL(receiver.received[0].url, 'http://x').searchParams.get('code')).toBe(secret);
		const log = sim.webhooks.deliveries();
		expect(log[0].status).toBe(200);
		expect(JSON.stringify(log)).not.toContain(secret);
		expect(JSON.stringify(sim.webhooks.describe())).not.toContain(secret);
	});

	test('an API resolve fires the resolved webhook (configurable); failures are recorded on the alert', async () => {
		const failing = await startReceiver(500);
		try {
			sim.webhooks.subscribe({ url: failing.url });
			const { alert } = await sim.createAlert({ webhook: false });
			const admin = await fetch(`${sim.baseUrl}/auth/oauth/token`, {
				method: 'POST',
				headers: { authorization: 'Basic cHVibGljLWNsaWVudDpwdWJsaWM=', 'content-type': 'application/x-www-form-urlencoded' },
				body: new URLSearchParams({ grant_type: 'password', username: sim.config.apiKey, password: sim.config.apiSecret }).toString(),
			});
			const { access_token } = (await admin.json()) as { access_token: string };
			const resolved = await fetch(`${sim.baseUrl}/api/v2/alert/${alert.alertUid}/resolve`, {
				method: 'POST',
				headers: { authorization: `Bearer ${access_token}` },
			});
			expect(resolved.status).toBe(200);
			expect(await resolved.text()).toBe('');
			await sim.webhooks.idle();
			expect(failing.received).toHaveLength(1);
			expect(parse(failing.received[0].body)).toMatchObject({ event: 'resolved', alertUid: alert.alertUid });
			const actions = sim.data.alerts.find((r) => r.alert.alertUid === alert.alertUid)!.alert.responseActions!;
			expect(actions.map((a) => a.actionType)).toEqual(['WEBHOOK_EXECUTION_ERROR']);

			sim.configure({ webhookOnApiResolve: false });
			const second = await sim.createAlert({ webhook: false });
			await fetch(`${sim.baseUrl}/api/v2/alert/${second.alert.alertUid}/resolve`, { method: 'POST', headers: { authorization: `Bearer ${access_token}` } });
			await sim.webhooks.idle();
			expect(failing.received).toHaveLength(1);
		} finally {
			await failing.close();
		}
	});

	test('admin API: subscribe, create, resolve in Datto, deliveries', async () => {
		const post = async (path: string, body?: unknown) =>
			await fetch(`${sim.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
		expect((await post('/_sim/webhooks/subscribe', { url: receiver.url, template: 'minimal', secret: 'abc-secret-value' })).status).toBe(200);
		const created = (await (await post('/_sim/alerts', { priority: 'Critical', contextClass: 'online_offline_status_ctx' })).json()) as {
			alert: { alertUid: string; priority: string };
		};
		expect(created.alert.priority).toBe('Critical');
		expect((await post(`/_sim/alerts/${created.alert.alertUid}/resolve`, {})).status).toBe(200);
		const deliveries = (await (await fetch(`${sim.baseUrl}/_sim/webhooks/deliveries`)).json()) as Array<{ event: string; status: number; url: string }>;
		expect(deliveries.map((d) => [d.event, d.status])).toEqual([
			['triggered', 200],
			['resolved', 200],
		]);
		expect(deliveries[0].url).not.toContain('abc-secret-value');
		expect(receiver.received.map((r) => parse(r.body))).toEqual([
			{ source: 'datto-rmm', event: 'triggered', alertUid: created.alert.alertUid },
			{ source: 'datto-rmm', event: 'resolved', alertUid: created.alert.alertUid },
		]);
		expect((await post('/_sim/alerts', { deviceUid: 'nope' })).status).toBe(400);
	});
});

describe('emitter bodies through the domain parser (nodes/shared/domain/dattoAlert.ts)', () => {
	const normalise = (body: string) => domain.normaliseWebhookAlert(domain.parseWebhookPayload(body));

	test.each([
		['recommended', {}],
		['minimal', {}],
		['legacyAegis', {}],
		['recommended', { bodyMode: 'text' }],
		['recommended', { bodyMode: 'jsonString' }],
		['recommended', { escape: 'none' }],
		['recommended', { substitute: 'alertUidOnly' }],
	] as Array<[DattoWebhookTemplateName, Partial<WebhookSubscription>]>)('%s %j: event and alertUid survive, fields match', async (template, options) => {
		sim.webhooks.subscribe({ url: receiver.url, template, ...options });
		const { alert } = await sim.createAlert({ message: TRICKY, priority: 'Moderate' });
		await sim.resolveAlertInDatto(alert.alertUid);
		const [triggered, resolved] = receiver.received.map((r) => normalise(r.body));
		expect([triggered.event, resolved.event]).toEqual(['triggered', 'resolved']);
		expect([triggered.alertUid, resolved.alertUid]).toEqual([alert.alertUid, alert.alertUid]);
		if (template === 'recommended' && options.substitute === undefined) {
			expect(triggered.device).toEqual({ uid: alert.alertSourceInfo.deviceUid, hostname: alert.alertSourceInfo.deviceName });
			expect(triggered.site).toEqual({ uid: alert.alertSourceInfo.siteUid, name: alert.alertSourceInfo.siteName });
			expect(triggered.priority).toBe('Moderate');
			expect(triggered.platform).toBe('merlot');
			expect(triggered.occurredAt).toBe(new Date(alert.timestamp).toISOString());
		}
		if (options.substitute === 'alertUidOnly') expect(triggered.device).toEqual({ uid: null, hostname: null });
	});

	test('a flapping monitor keeps one dedupe key while the alertUid changes', async () => {
		sim.webhooks.subscribe({ url: receiver.url });
		const { alertUids } = await sim.flap({ deviceUid: sim.data.devices[2].uid, contextClass: 'perf_disk_usage_ctx', times: 3, resolve: false });
		const items = receiver.received.map((r) => normalise(r.body));
		expect(items.map((i) => i.alertUid)).toEqual(alertUids);
		expect(new Set(items.map((i) => i.dedupeKey)).size).toBe(1);
	});
});
