/**
 * Datto RMM Trigger through n8n-core's WebhookContext (callWebhook) and over real HTTP with n8n's body handling
 * (startWebhookServer): every template for both events, every malformed-input class, the secret, enrichment from
 * the simulator, the event filter, and deliveries from the simulator's webhook emitter.
 */
import { dattoRmmWebhookSecretTest } from '../../nodes/DattoRmmTrigger/credentialTest';
import { DattoRmmTrigger } from '../../nodes/DattoRmmTrigger/DattoRmmTrigger.node';
import { compactTemplate } from '../../nodes/DattoRmmTrigger/description';
import { normalisedAlertSchema } from '../../nodes/shared/domain/dattoAlert';
import { DATTO_WEBHOOK_TEMPLATES, DattoWebhookTemplateName } from '../../nodes/shared/domain/dattoWebhookTemplates';
import type { DattoSimulator } from '../../simulators/datto';
import { callWebhook, startWebhookServer } from '../helpers/webhookHarness';
import type { WebhookCallResult, WebhookRequestInit, WebhookServer } from '../helpers/webhookHarness';
import {
	WEBHOOK_SECRET,
	apiCredentials,
	bodyFor,
	credentialTypes,
	recordOf,
	startSim,
	until,
	webhookCredentials,
} from './helpers';

const node = new DattoRmmTrigger();
const TRICKY = 'Disk "C:" 95% full \\ C:\\Temp\r\nline 2 <b>bold</b> <script>alert(1)</script> Ünïcödé ✓ 日本語 🚨';

let sim: DattoSimulator;
beforeAll(async () => {
	sim = await startSim({ seed: { sites: 3, devices: 6, openAlerts: 4, resolvedAlerts: 1 } });
});
afterAll(async () => await sim.close());

type CallOptions = { parameters?: Record<string, unknown>; credentials?: Record<string, Record<string, string>> };

/** POSTs to the trigger with the right secret unless the request says otherwise. */
async function deliver(request: WebhookRequestInit, options: CallOptions = {}): Promise<WebhookCallResult> {
	return await callWebhook({
		node,
		parameters: options.parameters as never,
		credentials: options.credentials ?? webhookCredentials(),
		credentialTypes,
		request: { ...request, query: request.query ?? { secret: WEBHOOK_SECRET } },
	});
}

const json = (body: string, extra: Record<string, string> = {}) => ({ headers: { 'content-type': 'application/json', ...extra }, body });

function onlyItem(result: WebhookCallResult) {
	expect(result.error).toBeUndefined();
	expect(result.workflowData).toHaveLength(1);
	expect(result.workflowData![0]).toHaveLength(1);
	const item = result.workflowData![0][0].json as Record<string, unknown>;
	expect(normalisedAlertSchema.safeParse(item).success).toBe(true);
	return item;
}

function rejected(result: WebhookCallResult, status: number, message: RegExp) {
	expect(result.error).toBeUndefined();
	expect(result.workflowData).toBeUndefined();
	expect(result.respondedBy).toBe('node');
	expect(result.response.statusCode).toBe(status);
	expect(result.response.json).toEqual({ error: expect.stringMatching(message) });
}

async function newAlert(input: Parameters<DattoSimulator['createAlert']>[0] = {}) {
	const { alert } = await sim.createAlert({ webhook: false, priority: 'High', ...input });
	return recordOf(sim, alert.alertUid);
}

describe('description', () => {
	it('is a trigger with one POST webhook answering per the Respond option, and no tool usage', () => {
		const d = node.description;
		expect(d.name).toBe('dattoRmmTrigger');
		expect(d.group).toEqual(['trigger']);
		expect(d.inputs).toEqual([]);
		expect(d.usableAsTool).toBeUndefined();
		expect(d.webhooks).toEqual([
			{ name: 'default', httpMethod: 'POST', responseMode: '={{$parameter["respond"]}}', path: 'datto-alert' },
		]);
		expect(d.credentials).toEqual([
			{ name: 'dattoRmmWebhookApi', required: true, testedBy: 'dattoRmmWebhookSecretTest' },
			{ name: 'dattoRmmApi', required: true, displayOptions: { show: { enrich: ['whenMissing', 'always'] } } },
		]);
	});

	it('the notices show the exact bodies of DATTO_WEBHOOK_TEMPLATES and the ?secret= URL form', () => {
		const props = node.description.properties;
		expect(props.find((p) => p.name === 'setupNotice')!.displayName).toContain('?secret=');
		expect(props.find((p) => p.name === 'setupNotice')!.displayName).toContain('Setup > Integrations > Global Webhooks');
		for (const name of Object.keys(DATTO_WEBHOOK_TEMPLATES) as DattoWebhookTemplateName[]) {
			const notice = props.find((p) => p.name === `${name}TemplateNotice`)!;
			expect(notice.type).toBe('notice');
			expect(notice.displayOptions).toEqual({ show: { bodyTemplate: [name] } });
			const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
			expect(unescape(notice.displayName)).toContain(compactTemplate(DATTO_WEBHOOK_TEMPLATES[name].triggered));
			expect(unescape(notice.displayName)).toContain(compactTemplate(DATTO_WEBHOOK_TEMPLATES[name].resolved));
			expect(JSON.parse(compactTemplate(DATTO_WEBHOOK_TEMPLATES[name].triggered))).toEqual(
				JSON.parse(DATTO_WEBHOOK_TEMPLATES[name].triggered),
			);
		}
	});

	it('the lifecycle methods exist and succeed (Datto has no registration API)', async () => {
		const hooks = node.webhookMethods.default;
		await expect(hooks.checkExists.call({} as never)).resolves.toBe(true);
		await expect(hooks.create.call({} as never)).resolves.toBe(true);
		await expect(hooks.delete.call({} as never)).resolves.toBe(true);
	});
});

describe('templates → normalised items', () => {
	it.each(['triggered', 'resolved'] as const)('recommended, %s: every field from the body', async (event) => {
		const record = await newAlert({ message: 'CPU usage is 97%' });
		const { alert } = record;
		const result = await deliver(json(bodyFor(sim, record, 'recommended', event)));
		const item = onlyItem(result);
		expect(item).toMatchObject({
			event,
			alertUid: alert.alertUid,
			priority: 'High',
			message: 'CPU usage is 97%',
			device: { uid: alert.alertSourceInfo.deviceUid, hostname: alert.alertSourceInfo.deviceName },
			site: { uid: alert.alertSourceInfo.siteUid, name: alert.alertSourceInfo.siteName },
			occurredAt: new Date(alert.timestamp).toISOString(),
			platform: 'merlot',
			link: `https://merlot.rmm.datto.com/alert/${alert.alertUid}`,
			receivedAt: expect.any(String),
		});
		expect(item.dedupeKey).toBe(`${alert.alertSourceInfo.deviceUid}|message:cpu usage is #%`);
		expect(item.raw).toMatchObject({ source: 'datto-rmm', event, alertUid: alert.alertUid });
		expect(item.enriched).toBeUndefined();
		// The node answers itself (n8n would send its default responseData, the text "firstEntryJson", instead).
		expect(result.respondedBy).toBe('node');
		expect(result.webhookResult?.noWebhookResponse).toBe(true);
		expect(result.response).toMatchObject({ statusCode: 200, json: { received: true, alertUid: alert.alertUid, event } });
	});

	it.each(['triggered', 'resolved'] as const)('legacy Aegis ("resolvedAlert"), %s', async (event) => {
		const record = await newAlert({ message: 'Service Spooler is stopped' });
		const { alert } = record;
		const item = onlyItem(await deliver(json(bodyFor(sim, record, 'legacyAegis', event))));
		expect(item).toMatchObject({
			event,
			alertUid: alert.alertUid,
			priority: 'Unknown',
			message: 'Service Spooler is stopped',
			device: { uid: null, hostname: null },
			site: { uid: null, name: alert.alertSourceInfo.siteName },
			platform: 'merlot',
		});
		expect(item.raw).toMatchObject({ resolvedAlert: event === 'resolved' ? 'true' : 'false', troubleshootingNote: expect.any(String) });
	});

	it.each(['triggered', 'resolved'] as const)('minimal, %s, without enrichment: only uid and event', async (event) => {
		const record = await newAlert();
		const item = onlyItem(await deliver(json(bodyFor(sim, record, 'minimal', event))));
		expect(item).toMatchObject({
			event,
			alertUid: record.alert.alertUid,
			priority: 'Unknown',
			message: '',
			device: { uid: null, hostname: null },
			site: { uid: null, name: null },
			platform: null,
			link: null,
			condition: 'unknown',
			dedupeKey: 'unknown-device|unknown',
		});
	});

	it.each(['triggered', 'resolved'] as const)('minimal, %s, enriched from the simulator', async (event) => {
		const record = await newAlert({ priority: 'Critical', contextClass: 'perf_disk_usage_ctx', context: { diskName: 'D:' } });
		if (event === 'resolved') await sim.resolveAlertInDatto(record.alert.alertUid, { webhook: false });
		const { alert } = record;
		const result = await deliver(json(bodyFor(sim, record, 'minimal', event)), {
			parameters: { enrich: 'whenMissing' },
			credentials: { ...webhookCredentials(), ...apiCredentials(sim) },
		});
		const item = onlyItem(result);
		expect(item).toMatchObject({
			event,
			alertUid: alert.alertUid,
			priority: 'Critical',
			message: expect.stringMatching(/^Disk usage on D:/),
			device: { uid: alert.alertSourceInfo.deviceUid, hostname: alert.alertSourceInfo.deviceName },
			site: { uid: alert.alertSourceInfo.siteUid, name: alert.alertSourceInfo.siteName },
			condition: 'perf_disk_usage_ctx:D:',
			dedupeKey: `${alert.alertSourceInfo.deviceUid}|perf_disk_usage_ctx:D:`,
			occurredAt: new Date(event === 'resolved' ? alert.resolvedOn! : alert.timestamp).toISOString(),
			enriched: true,
			api: { alert: { alertUid: alert.alertUid, alertContext: { '@class': 'perf_disk_usage_ctx' } } },
		});
		expect(item.enrichmentWarning).toBeUndefined();
		// Datto was answered by the node before the API calls; the execution still carries the enriched item.
		expect(result.respondedBy).toBe('node');
		expect(result.webhookResult?.noWebhookResponse).toBe(true);
		expect(result.response).toMatchObject({ statusCode: 200, json: { received: true, alertUid: alert.alertUid, event } });
	});

	it('recommended with placeholders Datto left unsubstituted: treated as missing and filled by enrichment', async () => {
		const record = await newAlert({ priority: 'Low', message: 'Ping failed' });
		const body = bodyFor(sim, record, 'recommended', 'triggered', { substitute: 'verified' });
		expect(body).toContain('"[device_uid]"');
		const item = onlyItem(
			await deliver(json(body), { parameters: { enrich: 'whenMissing' }, credentials: { ...webhookCredentials(), ...apiCredentials(sim) } }),
		);
		expect(item).toMatchObject({
			priority: 'Low',
			message: 'Ping failed',
			device: { uid: record.alert.alertSourceInfo.deviceUid, hostname: record.alert.alertSourceInfo.deviceName },
			enriched: true,
		});
	});

	it('"When fields are missing" makes no API call for a complete body; "Always" does', async () => {
		const record = await newAlert();
		const before = sim.log.count('GET /api/v2/alert/:alertUid');
		const credentials = { ...webhookCredentials(), ...apiCredentials(sim) };
		const whenMissing = onlyItem(await deliver(json(bodyFor(sim, record, 'recommended', 'triggered')), { parameters: { enrich: 'whenMissing' }, credentials }));
		expect(whenMissing.enriched).toBeUndefined();
		expect(sim.log.count('GET /api/v2/alert/:alertUid')).toBe(before);
		const always = onlyItem(await deliver(json(bodyFor(sim, record, 'recommended', 'triggered')), { parameters: { enrich: 'always' }, credentials }));
		expect(sim.log.count('GET /api/v2/alert/:alertUid')).toBe(before + 1);
		expect(always).toMatchObject({ enriched: true, message: record.message });
		expect(always.condition).toMatch(new RegExp(`^${String(record.alert.alertContext['@class'])}`));
	});

	it('enrichment failure (unknown alert, wrong API secret, timeout) still emits the alert with a warning', async () => {
		const body = JSON.stringify({ event: 'triggered', alertUid: 'no-such-alert', alertMessage: 'm', platform: 'merlot' });
		const notFound = onlyItem(
			await deliver(json(body), { parameters: { enrich: 'always' }, credentials: { ...webhookCredentials(), ...apiCredentials(sim) } }),
		);
		expect(notFound).toMatchObject({ alertUid: 'no-such-alert', message: 'm', enriched: false });
		expect(notFound.enrichmentWarning).toMatch(/^Enrichment from the Datto RMM API failed: .*Alert was not found\./);
		expect(notFound.api).toBeUndefined();

		const record = await newAlert();
		const badSecret = onlyItem(
			await deliver(json(bodyFor(sim, record, 'minimal', 'triggered')), {
				parameters: { enrich: 'whenMissing' },
				credentials: { ...webhookCredentials(), ...apiCredentials(sim, 'wrong-secret') },
			}),
		);
		expect(badSecret).toMatchObject({ alertUid: record.alert.alertUid, enriched: false, priority: 'Unknown' });
		expect(badSecret.enrichmentWarning).toMatch(/failed: .*Bad credentials/);
		expect(JSON.stringify(badSecret)).not.toContain('wrong-secret');

		sim.faults.configure({ pathPattern: '^/api/v2/alert/', latencyMs: 2500 });
		try {
			const started = Date.now();
			const slow = onlyItem(
				await deliver(json(bodyFor(sim, record, 'minimal', 'triggered')), {
					parameters: { enrich: 'whenMissing', triggerOptions: { enrichTimeoutSeconds: 1 } },
					credentials: { ...webhookCredentials(), ...apiCredentials(sim) },
				}),
			);
			expect(Date.now() - started).toBeLessThan(2400);
			expect(slow).toMatchObject({ alertUid: record.alert.alertUid, enriched: false });
			expect(slow.enrichmentWarning).toBe('Enrichment from the Datto RMM API did not finish within 1 s');
		} finally {
			sim.faults.clear();
		}
	});

	it('Events: an event that is not emitted is answered 200 "ignored" and starts nothing', async () => {
		const record = await newAlert();
		const ignored = await deliver(json(bodyFor(sim, record, 'recommended', 'resolved')), { parameters: { events: 'triggered' } });
		expect(ignored.workflowData).toBeUndefined();
		expect(ignored.respondedBy).toBe('node');
		expect(ignored.response).toMatchObject({
			statusCode: 200,
			json: { received: true, ignored: true, alertUid: record.alert.alertUid, event: 'resolved' },
		});
		const kept = await deliver(json(bodyFor(sim, record, 'recommended', 'resolved')), { parameters: { events: 'resolved' } });
		expect(onlyItem(kept).event).toBe('resolved');
		const other = await deliver(json(bodyFor(sim, record, 'recommended', 'triggered')), { parameters: { events: 'resolved' } });
		expect(other.workflowData).toBeUndefined();
	});

	it('Respond "When Last Node Finishes": the node leaves the answer to n8n', async () => {
		const record = await newAlert();
		const result = await callWebhook({
			node,
			parameters: { respond: 'lastNode', enrich: 'always' },
			credentials: { ...webhookCredentials(), ...apiCredentials(sim) },
			request: { query: { secret: WEBHOOK_SECRET }, ...json(bodyFor(sim, record, 'minimal', 'triggered')) },
		});
		expect(onlyItem(result).enriched).toBe(true);
		expect(result.webhookResult?.noWebhookResponse).toBeUndefined();
		// the harness does not run the workflow, so for lastNode nobody has answered yet
		expect(result.respondedBy).toBe('none');
	});
});

describe('secret', () => {
	const body = JSON.stringify({ event: 'triggered', alertUid: 'a-1' });

	it('missing → 401 naming where the secret goes; no execution', async () => {
		rejected(await deliver({ ...json(body), query: {} }), 401, /^Missing webhook secret \(query parameter "secret" or header "x-webhook-secret"\)$/);
	});

	it('wrong in the query or in the header → 401', async () => {
		rejected(await deliver({ ...json(body), query: { secret: 'nope' } }), 401, /^Wrong webhook secret$/);
		rejected(await deliver({ ...json(body), query: { secret: `${WEBHOOK_SECRET}x` } }), 401, /^Wrong webhook secret$/);
		rejected(await deliver({ ...json(body, { 'x-webhook-secret': 'nope' }), query: {} }), 401, /^Wrong webhook secret$/);
	});

	it('right in the header (a proxy adds it) or under a custom query parameter → accepted', async () => {
		expect(onlyItem(await deliver({ ...json(body, { 'X-Webhook-Secret': WEBHOOK_SECRET }), query: {} })).alertUid).toBe('a-1');
		const custom = await deliver(
			{ ...json(body), query: { key: WEBHOOK_SECRET } },
			{ credentials: webhookCredentials({ queryParameter: 'key', headerName: 'x-datto-token' }) },
		);
		expect(onlyItem(custom).alertUid).toBe('a-1');
		rejected(await deliver({ ...json(body), query: { secret: WEBHOOK_SECRET } }, { credentials: webhookCredentials({ queryParameter: 'key' }) }), 401, /Missing webhook secret/);
	});

	it('is checked before the body: a bad body with a wrong secret is 401, not 400', async () => {
		rejected(await deliver({ ...json('not json at all'), query: { secret: 'nope' } }), 401, /Wrong webhook secret/);
	});

	it('a secret shorter than 16 characters (or a short previous secret) refuses everything with 500 naming the policy (issue 18)', async () => {
		for (const credentials of [webhookCredentials({ secret: 'short-secret' }), webhookCredentials({ previousSecret: 'x' })]) {
			const result = await deliver({ ...json(body), query: { secret: credentials.dattoRmmWebhookApi.secret as string } }, { credentials });
			expect(result.workflowData).toBeUndefined();
			expect(result.response).toMatchObject({
				statusCode: 500,
				json: { error: expect.stringMatching(/^The Datto RMM Webhook credential is not usable: The (Previous )?Webhook Secret has (12|1) characters?; at least 16 are required/) },
			});
		}
	});

	it('header-only mode: the right secret in the URL is refused (it would sit in access logs), in the header accepted', async () => {
		const credentials = webhookCredentials({ acceptIn: 'headerOnly' });
		rejected(
			await deliver({ ...json(body), query: { secret: WEBHOOK_SECRET } }, { credentials }),
			401,
			/^The webhook secret is not accepted in the URL \(query parameter "secret"\): this trigger takes it only in the header "x-webhook-secret"$/,
		);
		rejected(await deliver({ ...json(body), query: {} }, { credentials }), 401, /^Missing webhook secret \(header "x-webhook-secret"\)$/);
		expect(onlyItem(await deliver({ ...json(body, { 'x-webhook-secret': WEBHOOK_SECRET }), query: {} }, { credentials })).alertUid).toBe('a-1');
	});

	it('rotation: the previous secret is accepted next to the new one until it is removed', async () => {
		const previous = 'old-Secret_0123456789';
		const rotating = webhookCredentials({ previousSecret: previous });
		expect(onlyItem(await deliver({ ...json(body), query: { secret: previous } }, { credentials: rotating })).alertUid).toBe('a-1');
		expect(onlyItem(await deliver({ ...json(body), query: { secret: WEBHOOK_SECRET } }, { credentials: rotating })).alertUid).toBe('a-1');
		rejected(await deliver({ ...json(body), query: { secret: previous } }), 401, /^Wrong webhook secret$/);
	});

	it('credential test: the policy, with a clear message', async () => {
		const test = (data: Record<string, string>) =>
			dattoRmmWebhookSecretTest.call({} as never, { id: '1', name: 'c', type: 'dattoRmmWebhookApi', data });
		expect(await test({ secret: 'short' })).toEqual({ status: 'Error', message: 'The Webhook Secret has 5 characters; at least 16 are required (use a long random value)' });
		expect(await test({ secret: '' })).toEqual({ status: 'Error', message: 'The Webhook Secret is empty' });
		expect(await test({ secret: WEBHOOK_SECRET, previousSecret: 'abc' })).toMatchObject({ status: 'Error', message: expect.stringContaining('Previous Webhook Secret has 3') });
		expect(await test({ secret: WEBHOOK_SECRET, previousSecret: WEBHOOK_SECRET })).toMatchObject({ status: 'Error' });
		expect(await test({ secret: WEBHOOK_SECRET })).toEqual({ status: 'OK', message: 'The secret meets the policy' });
	});

	it('a credential without a secret refuses everything with 500', async () => {
		const result = await deliver(json(body), { credentials: webhookCredentials({ secret: '' }) });
		expect(result.workflowData).toBeUndefined();
		expect(result.response).toMatchObject({ statusCode: 500, json: { error: expect.stringMatching(/no webhook secret configured/) } });
	});
});

describe('malformed input → 4xx naming the problem, or a documented tolerant result', () => {
	it.each([
		['no body, no content type', { body: '' }, 400, /^Empty body/],
		['empty JSON body', json(''), 400, /^Empty body/],
		['white space only', { headers: { 'content-type': 'text/plain' }, body: '  \r\n ' }, 400, /^Empty body/],
		['JSON null', json('null'), 400, /^Empty body/],
		['plain text', { headers: { 'content-type': 'text/plain' }, body: 'hello datto' }, 400, /neither JSON nor form-encoded/],
		['XML', { headers: { 'content-type': 'application/xml' }, body: '<alert><uid>x</uid></alert>' }, 400, /neither JSON nor form-encoded/],
		['truncated JSON', json('{"alertUid": '), 400, /^Body is not valid JSON/],
		['array', json('[{"alertUid":"a-1"}]'), 400, /^Body is a JSON array/],
		['number', json('42'), 400, /^Body is a JSON number/],
		['boolean', json('true'), 400, /^Body is a JSON boolean/],
		['alertUid object', json('{"alertUid":{"id":1}}'), 400, /^Field "alertUid" must be a string$/],
		['alertUid array', json('{"alertUid":["a","b"]}'), 400, /^Field "alertUid" must be a string$/],
		['alertUid with spaces', json('{"alertUid":"not a uid"}'), 400, /^Field "alertUid" is not a Datto alert UID$/],
		['missing alertUid', json('{"event":"triggered","alertMessage":"x"}'), 400, /^Missing field "alertUid" \(Datto placeholder \[alert_uid\]\)$/],
		['alertUid left unsubstituted', json('{"event":"triggered","alertUid":"[alert_uid]"}'), 400, /^Missing field "alertUid"/],
		['empty object', json('{}'), 400, /^Missing field "alertUid"/],
		['unknown event marker', json('{"event":"exploded","alertUid":"a-1"}'), 400, /^Unknown event marker "exploded": expected "triggered" or "resolved"$/],
		['event marker of the wrong type', json('{"event":123,"alertUid":"a-1"}'), 400, /^Unknown event marker "123"/],
		['bad resolvedAlert value', json('{"resolvedAlert":"maybe","alertUID":"a-1"}'), 400, /^Invalid resolvedAlert value "maybe"/],
		['form without alertUid', { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1&b=2' }, 400, /^Missing field "alertUid"/],
	] as Array<[string, WebhookRequestInit, number, RegExp]>)('%s', async (_name, request, status, message) => {
		rejected(await deliver(request), status, message);
	});

	it('oversized: above "Max Body Size" → 413, decided on Content-Length before reading', async () => {
		const big = JSON.stringify({ alertUid: 'a-1', alertMessage: 'x'.repeat(3000) });
		rejected(await deliver(json(big), { parameters: { triggerOptions: { maxBodySizeKb: 2 } } }), 413, /^Body too large: \d+ bytes \(limit 2048\)$/);
		const huge = JSON.stringify({ alertUid: 'a-1', alertMessage: 'x'.repeat(300 * 1024) });
		rejected(await deliver(json(huge)), 413, /limit 262144/);
		// a string body that expands when decoded twice is checked again after decoding
		const doubled = JSON.stringify(JSON.stringify({ alertUid: 'a-1', alertMessage: 'y'.repeat(1500) }));
		expect(onlyItem(await deliver(json(doubled), { parameters: { triggerOptions: { maxBodySizeKb: 2 } } })).alertUid).toBe('a-1');
	});

	it('tolerant: unicode and HTML in the message pass through unchanged (escaping is the Halo node\'s job)', async () => {
		const item = onlyItem(await deliver(json(JSON.stringify({ event: 'triggered', alertUid: 'a-uni', alertMessage: TRICKY }))));
		expect(item.message).toBe(TRICKY);
		expect((item.raw as Record<string, unknown>).alertMessage).toBe(TRICKY);
	});

	it('tolerant: a body that arrives as a JSON string (even twice encoded) is decoded', async () => {
		const inner = { event: 'resolved', alertUid: 'a-str', alertMessage: 'm' };
		expect(onlyItem(await deliver(json(JSON.stringify(JSON.stringify(inner))))).event).toBe('resolved');
		expect(onlyItem(await deliver(json(JSON.stringify(JSON.stringify(JSON.stringify(inner)))))).alertUid).toBe('a-str');
	});

	it('tolerant: broken JSON from unescaped quotes/CRLF in [alert_message] is recovered (n8n does not answer 422 first)', async () => {
		const record = await newAlert({ message: 'Disk "C:" is 95% full\r\nsee C:\\Temp' });
		const body = bodyFor(sim, record, 'recommended', 'triggered', { escape: 'none' });
		expect(() => JSON.parse(body)).toThrow();
		const item = onlyItem(await deliver(json(body)));
		expect(item).toMatchObject({ alertUid: record.alert.alertUid, priority: 'High', platform: 'merlot' });
		expect(item.message).toContain('Disk "C:" is 95% full');
		expect((item.raw as Record<string, unknown>).__recoveredFromInvalidJson).toBe(true);
	});

	it('tolerant: wrong or missing content types are parsed from the raw bytes', async () => {
		const body = JSON.stringify({ event: 'triggered', alertUid: 'a-ct' });
		for (const contentType of ['application/octet-stream', 'text/plain; charset=utf-8', 'application/vnd.api+json', 'application/xml', undefined]) {
			const item = onlyItem(await deliver({ headers: contentType ? { 'content-type': contentType } : {}, body }));
			expect(item.alertUid).toBe('a-ct');
		}
	});

	it('tolerant: form-encoded bodies and field types Datto might get wrong', async () => {
		const form = await deliver({
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			body: 'alertUID=a-form&resolvedAlert=true&alertMessage=Disk+full&priority=critical',
		});
		expect(onlyItem(form)).toMatchObject({ alertUid: 'a-form', event: 'resolved', message: 'Disk full', priority: 'Critical' });
		const types = onlyItem(
			await deliver(json(JSON.stringify({ alertUid: 12345, resolvedAlert: true, priority: 7, alertMessage: { text: 'x' }, extra: [1] }))),
		);
		expect(types).toMatchObject({ alertUid: '12345', event: 'resolved', priority: 'Unknown', message: '{"text":"x"}' });
		expect((types.raw as Record<string, unknown>).extra).toEqual([1]);
	});
});

describe('real HTTP (n8n body handling) and the simulator\'s webhook emitter', () => {
	let server: WebhookServer;
	let enrichedServer: WebhookServer;

	beforeAll(async () => {
		server = await startWebhookServer({ node, credentials: webhookCredentials(), credentialTypes });
		enrichedServer = await startWebhookServer({
			node,
			parameters: { enrich: 'whenMissing' },
			credentials: { ...webhookCredentials(), ...apiCredentials(sim) },
			credentialTypes,
		});
	});
	afterAll(async () => {
		sim.webhooks.unsubscribe();
		await server.close();
		await enrichedServer.close();
	});

	async function post(body: string | Buffer, headers: Record<string, string>, query = `?secret=${WEBHOOK_SECRET}`) {
		const res = await fetch(`${server.url}${query}`, { method: 'POST', headers, body: typeof body === 'string' ? body : new Uint8Array(body) });
		const text = await res.text();
		return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
	}

	const lastItem = (s: WebhookServer) => s.calls.at(-1)!.workflowData?.[0][0].json as Record<string, unknown> | undefined;

	it('serves the production path /webhook/<id>/datto-alert', () => {
		expect(server.url).toMatch(/\/webhook\/harness-webhook-id\/datto-alert$/);
	});

	it('content types over HTTP: JSON, text, form, octet-stream, none, and broken JSON with application/json', async () => {
		const body = JSON.stringify({ event: 'triggered', alertUid: 'h-1', alertMessage: 'x' });
		for (const headers of [
			{ 'content-type': 'application/json; charset=utf-8' },
			{ 'content-type': 'text/plain' },
			{ 'content-type': 'application/octet-stream' },
			{},
		] as Array<Record<string, string>>) {
			// a Buffer body: fetch adds no Content-Type of its own (a string body would get text/plain)
			const res = await post(Buffer.from(body), headers);
			expect(server.calls.at(-1)!.request.headers['content-type']).toBe(headers['content-type']);
			expect(res).toEqual({ status: 200, json: { received: true, alertUid: 'h-1', event: 'triggered' } });
			expect(lastItem(server)).toMatchObject({ alertUid: 'h-1', message: 'x' });
		}
		const form = await post('alertUid=h-2&event=resolved', { 'content-type': 'application/x-www-form-urlencoded' });
		expect(form).toEqual({ status: 200, json: { received: true, alertUid: 'h-2', event: 'resolved' } });
		const broken = await post('{"event":"triggered","alertUid":"h-3","alertMessage":"say "hi"","platform":"merlot"}', {
			'content-type': 'application/json',
		});
		expect(broken.status).toBe(200);
		expect(lastItem(server)).toMatchObject({ alertUid: 'h-3', message: 'say "hi"' });
	});

	it('bad requests over HTTP: 400/401/413 with JSON errors, no execution; GET → 404 like n8n', async () => {
		const before = server.calls.filter((c) => c.workflowData).length;
		expect(await post('', { 'content-type': 'application/json' })).toEqual({ status: 400, json: { error: expect.stringMatching(/^Empty body/) } });
		expect(await post('[1]', { 'content-type': 'application/json' })).toMatchObject({ status: 400 });
		expect(await post('{"alertUid":"a"}', { 'content-type': 'application/json' }, '?secret=wrong')).toEqual({
			status: 401,
			json: { error: 'Wrong webhook secret' },
		});
		const huge = Buffer.from(JSON.stringify({ alertUid: 'a', alertMessage: 'z'.repeat(400 * 1024) }));
		expect(await post(huge, { 'content-type': 'application/json' })).toEqual({
			status: 413,
			json: { error: expect.stringMatching(/^Body too large/) },
		});
		expect(server.calls.filter((c) => c.workflowData).length).toBe(before);
		const get = await fetch(`${server.url}?secret=${WEBHOOK_SECRET}`);
		expect(get.status).toBe(404);
	});

	it.each(['recommended', 'legacyAegis'] as const)('simulator deliveries (%s): triggered and resolved start executions', async (template) => {
		sim.webhooks.subscribe({ url: server.url, secret: WEBHOOK_SECRET, template });
		const created = await sim.createAlert({ priority: 'Moderate' });
		expect(created.deliveries).toHaveLength(1);
		expect(created.deliveries[0]).toMatchObject({ status: 200 });
		expect(JSON.parse(created.deliveries[0].responseBody!)).toEqual({ received: true, alertUid: created.alert.alertUid, event: 'triggered' });
		expect(lastItem(server)).toMatchObject({ event: 'triggered', alertUid: created.alert.alertUid, message: created.message, platform: 'merlot' });
		const resolved = await sim.resolveAlertInDatto(created.alert.alertUid);
		expect(resolved.deliveries[0]).toMatchObject({ status: 200 });
		expect(lastItem(server)).toMatchObject({ event: 'resolved', alertUid: created.alert.alertUid });
	});

	it('simulator trouble modes: string body, text/plain, unescaped quotes, duplicates, wrong secret', async () => {
		sim.webhooks.subscribe({ url: server.url, secret: WEBHOOK_SECRET, template: 'recommended' });
		for (const webhookOptions of [{ bodyMode: 'jsonString' as const }, { bodyMode: 'text' as const }, { escape: 'none' as const }]) {
			const created = await sim.createAlert({ message: 'Quote "here" and \\ there', webhookOptions });
			expect(created.deliveries[0].status).toBe(200);
			expect(lastItem(server)).toMatchObject({ alertUid: created.alert.alertUid });
			expect(String(lastItem(server)!.message)).toContain('Quote "here"');
		}
		const calls = server.calls.length;
		const dup = await sim.createAlert({ webhookOptions: { duplicates: 3 } });
		expect(dup.deliveries.map((d) => d.status)).toEqual([200, 200, 200]);
		expect(server.calls.slice(calls).map((c) => (c.workflowData?.[0][0].json as { alertUid: string }).alertUid)).toEqual([
			dup.alert.alertUid,
			dup.alert.alertUid,
			dup.alert.alertUid,
		]);
		const wrong = await sim.createAlert({ webhookOptions: { secret: 'not-the-secret' } });
		expect(wrong.deliveries[0]).toMatchObject({ status: 401 });
		expect(server.calls.at(-1)!.workflowData).toBeUndefined();
	});

	it('simulator delivery of the minimal template, enriched: Datto gets 200 at once, the execution the full alert', async () => {
		sim.webhooks.subscribe({ url: enrichedServer.url, secret: WEBHOOK_SECRET, template: 'minimal' });
		const created = await sim.createAlert({ priority: 'Critical', contextClass: 'srvc_status_ctx', context: { serviceName: 'Spooler' } });
		expect(created.deliveries[0]).toMatchObject({ status: 200 });
		await until(() => enrichedServer.calls.some((c) => (c.workflowData?.[0][0].json as { alertUid?: string })?.alertUid === created.alert.alertUid));
		expect(lastItem(enrichedServer)).toMatchObject({
			alertUid: created.alert.alertUid,
			priority: 'Critical',
			condition: 'srvc_status_ctx:Spooler',
			device: { uid: created.alert.alertSourceInfo.deviceUid },
			site: { name: created.alert.alertSourceInfo.siteName },
			enriched: true,
		});
	});
});
