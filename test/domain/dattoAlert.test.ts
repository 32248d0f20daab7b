import {
	AlertInputError,
	enrichAlert,
	normaliseApiAlert,
	normaliseWebhookAlert,
	normalisedAlertSchema,
	parseWebhookPayload,
	toIsoTimestamp,
} from '../../nodes/shared/domain/dattoAlert';
import { mapPriority, parsePriorityMap, DEFAULT_PRIORITY_MAP } from '../../nodes/shared/domain/priority';
import { escapeHtml, textToHtml } from '../../nodes/shared/domain/html';
import { haloDateToIso, isoToHaloDate } from '../../nodes/shared/domain/haloDates';

const now = () => new Date('2026-11-23T10:00:00.000Z');
const uid = '5f0c1a2b-0000-4000-8000-000000000001';

function normalise(body: unknown) {
	return normaliseWebhookAlert(parseWebhookPayload(body), { now });
}

describe('parseWebhookPayload + normaliseWebhookAlert', () => {
	it('normalises a full triggered body and validates against the schema', () => {
		const alert = normalise({
			event: 'triggered',
			alertUid: uid,
			alertMessage: 'Disk C: 96% full',
			priority: 'critical',
			deviceUid: 'dev-1',
			deviceHostname: 'SRV01',
			siteUid: 'site-1',
			siteName: 'Contoso (Contoso Ltd)',
			platform: 'Merlot',
			timestamp: '1787643495000',
			extra: { kept: true },
		});
		expect(alert).toMatchObject({
			event: 'triggered',
			alertUid: uid,
			priority: 'Critical',
			message: 'Disk C: 96% full',
			device: { uid: 'dev-1', hostname: 'SRV01' },
			site: { uid: 'site-1', name: 'Contoso (Contoso Ltd)' },
			platform: 'merlot',
			occurredAt: new Date(1787643495000).toISOString(),
			link: `https://merlot.rmm.datto.com/alert/${uid}`,
		});
		expect(alert.raw.extra).toEqual({ kept: true });
		expect(normalisedAlertSchema.parse(alert)).toBeTruthy();
	});

	it('treats the Aegis resolvedAlert marker, JSON strings and form bodies alike', () => {
		expect(normalise({ resolvedAlert: 'true', alertUID: uid }).event).toBe('resolved');
		expect(normalise({ resolvedAlert: 'false', alertUID: uid }).event).toBe('triggered');
		expect(normalise(JSON.stringify({ event: 'resolved', alertUid: uid })).event).toBe('resolved');
		expect(normalise(JSON.stringify(JSON.stringify({ event: 'resolved', alertUid: uid }))).event).toBe('resolved');
		expect(normalise(`event=resolved&alertUid=${uid}`).event).toBe('resolved');
		expect(normalise({ alertUID: uid, alertMessage: 'x' }).event).toBe('triggered');
	});

	it('keeps the same dedupe key for a flapping monitor and differs per device', () => {
		const a = normalise({ alertUid: 'a1', deviceUid: 'd1', alertMessage: 'CPU at 91%' });
		const b = normalise({ alertUid: 'a2', deviceUid: 'd1', alertMessage: 'CPU at 97%' });
		const c = normalise({ alertUid: 'a3', deviceUid: 'd2', alertMessage: 'CPU at 97%' });
		expect(a.alertUid).not.toBe(b.alertUid);
		expect(a.dedupeKey).toBe(b.dedupeKey);
		expect(c.dedupeKey).not.toBe(a.dedupeKey);
	});

	it('treats unsubstituted placeholders as absent', () => {
		const alert = normalise({ alertUid: uid, deviceHostname: '[device_hostname]', platform: '[platform]' });
		expect(alert.device.hostname).toBeNull();
		expect(alert.link).toBeNull();
	});

	it('recovers fields from JSON broken by unescaped quotes in the message', () => {
		const broken = `{"event":"triggered","alertUid":"${uid}","alertMessage":"Service "Spooler" stopped","platform":"merlot"}`;
		const alert = normalise(broken);
		expect(alert.alertUid).toBe(uid);
		expect(alert.message).toBe('Service "Spooler" stopped');
		expect(alert.raw.__recoveredFromInvalidJson).toBe(true);
	});

	it('keeps unicode and HTML in the message verbatim (escaping happens where HTML is built)', () => {
		const alert = normalise({ alertUid: uid, alertMessage: '<script>alert(1)</script> Ünïcödé ✓' });
		expect(alert.message).toBe('<script>alert(1)</script> Ünïcödé ✓');
	});

	it.each([
		['empty string', '', /Empty body/],
		['whitespace', '   ', /Empty body/],
		['null', null, /Empty body/],
		['not JSON', 'hello world', /neither JSON nor form/],
		['truncated JSON without fields', '{"alertUid', /no fields could be recovered/],
		['array', [{ alertUid: uid }], /array/],
		['number', 42, /JSON number/],
		['missing alertUid', { alertMessage: 'x' }, /Missing field "alertUid"/],
		['alertUid as object', { alertUid: { a: 1 } }, /must be a string/],
		['unknown event marker', { alertUid: uid, event: 'exploded' }, /Unknown event marker "exploded"/],
		['bad resolvedAlert', { alertUid: uid, resolvedAlert: 'maybe' }, /Invalid resolvedAlert/],
	])('rejects %s with a clear 400', (_name, body, message) => {
		let error: unknown;
		try {
			normalise(body);
		} catch (e) {
			error = e;
		}
		expect(error).toBeInstanceOf(AlertInputError);
		expect((error as AlertInputError).status).toBe(400);
		expect((error as Error).message).toMatch(message);
	});

	it('rejects an oversized body with 413', () => {
		const big = JSON.stringify({ alertUid: uid, alertMessage: 'x'.repeat(300 * 1024) });
		expect(() => parseWebhookPayload(big)).toThrow(expect.objectContaining({ status: 413 }));
		expect(() => parseWebhookPayload(JSON.parse(big))).toThrow(expect.objectContaining({ status: 413 }));
	});
});

describe('API alerts', () => {
	const apiAlert = {
		alertUid: uid,
		priority: 'Moderate',
		resolved: false,
		timestamp: 1787643495000,
		alertContext: { '@class': 'perf_disk_usage_ctx', diskName: 'C:', freeSpace: 2, totalVolume: 100, unitOfMeasure: 'GB' },
		alertSourceInfo: { deviceUid: 'dev-1', deviceName: 'SRV01', siteUid: 'site-1', siteName: 'Contoso' },
	};

	it('derives message and condition from the context', () => {
		const alert = normaliseApiAlert(apiAlert, 'merlot', { now });
		expect(alert.condition).toBe('perf_disk_usage_ctx:C:');
		expect(alert.dedupeKey).toBe('dev-1|perf_disk_usage_ctx:C:');
		expect(alert.message).toMatch(/Disk usage on C:/);
		expect(alert.occurredAt).toBe(new Date(1787643495000).toISOString());
	});

	it('enriches a minimal webhook alert', () => {
		const minimal = normalise({ alertUid: uid, event: 'triggered' });
		const enriched = enrichAlert(minimal, normaliseApiAlert(apiAlert, 'merlot', { now }));
		expect(enriched.device).toEqual({ uid: 'dev-1', hostname: 'SRV01' });
		expect(enriched.site.name).toBe('Contoso');
		expect(enriched.priority).toBe('Moderate');
		expect(enriched.dedupeKey).toBe('dev-1|perf_disk_usage_ctx:C:');
		expect(enriched.event).toBe('triggered');
	});
});

describe('timestamps, priorities, HTML, Halo dates', () => {
	it('converts epoch ms, epoch s and zone-less dates', () => {
		expect(toIsoTimestamp(1787643495000)).toBe('2026-08-25T07:38:15.000Z');
		expect(toIsoTimestamp('1787643495')).toBe('2026-08-25T07:38:15.000Z');
		expect(toIsoTimestamp('2026-05-01T10:02:11')).toBe('2026-05-01T10:02:11.000Z');
		expect(toIsoTimestamp(-62135596800000)).toBeUndefined();
	});
	it('maps priorities with a default for unmapped values', () => {
		const map = parsePriorityMap(DEFAULT_PRIORITY_MAP);
		expect(mapPriority('Critical', map, 3)).toBe(1);
		expect(mapPriority('information', map, 3)).toBe(4);
		expect(mapPriority('Unknown', map, 3)).toBe(3);
		expect(() => parsePriorityMap('Critical=one')).toThrow(/Invalid priority mapping/);
	});
	it('escapes HTML', () => {
		expect(escapeHtml('<script>"x" & \'y\'</script>')).toBe('&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/script&gt;');
		expect(textToHtml('a\r\nb')).toBe('a<br>b');
	});
	it('treats 1900-01-01 as no date and zone-less values as UTC', () => {
		expect(haloDateToIso('1900-01-01T00:00:00')).toBeNull();
		expect(haloDateToIso('2026-05-01T10:02:11')).toBe('2026-05-01T10:02:11.000Z');
		expect(haloDateToIso('2026-05-01T10:02:11+02:00')).toBe('2026-05-01T08:02:11.000Z');
		expect(haloDateToIso(null)).toBeNull();
		expect(isoToHaloDate('2026-05-01T10:02:11.123Z')).toBe('2026-05-01T10:02:11');
	});
});

import { checkDattoWebhookSecret, checkHaloWebhookAuth, safeEqual } from '../../nodes/shared/domain/webhookAuth';

describe('webhook authentication', () => {
	const datto = { secret: 's3cret-value', queryParameter: 'secret', headerName: 'x-webhook-secret' };
	it('accepts the Datto secret in the query or a header and rejects wrong or missing ones', () => {
		expect(checkDattoWebhookSecret({}, { secret: 's3cret-value' }, datto)).toEqual({ ok: true });
		expect(checkDattoWebhookSecret({ 'X-Webhook-Secret': 's3cret-value' }, {}, datto)).toEqual({ ok: true });
		expect(checkDattoWebhookSecret({}, { secret: 's3cret-valuE' }, datto)).toMatchObject({ ok: false, reason: 'Wrong webhook secret' });
		expect(checkDattoWebhookSecret({}, {}, datto)).toMatchObject({ ok: false, reason: expect.stringMatching(/Missing/) });
	});
	it('checks Halo Basic, Bearer and header auth', () => {
		const basic = `Basic ${Buffer.from('halo:pa:ss').toString('base64')}`;
		expect(checkHaloWebhookAuth({ authorization: basic }, { method: 'basic', username: 'halo', password: 'pa:ss' })).toEqual({ ok: true });
		expect(checkHaloWebhookAuth({ authorization: basic }, { method: 'basic', username: 'halo', password: 'pass' }).ok).toBe(false);
		expect(checkHaloWebhookAuth({ authorization: 'Bearer tok' }, { method: 'bearer', token: 'tok' })).toEqual({ ok: true });
		expect(checkHaloWebhookAuth({ authorization: 'Bearer tok2' }, { method: 'bearer', token: 'tok' }).ok).toBe(false);
		expect(checkHaloWebhookAuth({ 'x-k': 'v' }, { method: 'header', headerName: 'X-K', headerValue: 'v' })).toEqual({ ok: true });
		expect(checkHaloWebhookAuth({}, { method: 'header', headerName: 'X-K', headerValue: 'v' }).ok).toBe(false);
	});
	it('never accepts an empty expected secret', () => {
		expect(safeEqual('', '')).toBe(false);
		expect(safeEqual('a', 'a')).toBe(true);
	});
});

describe('hostile bodies', () => {
	it('refuses deep nesting without overflowing the stack', () => {
		let nested = '{"alertUid":"a1","x":';
		nested += '['.repeat(5000) + ']'.repeat(5000) + '}';
		expect(() => parseWebhookPayload(nested)).toThrow(/nested deeper than 32 levels/);
	});
	it('refuses control characters and lone surrogates in the alertUid', () => {
		expect(() => normalise({ alertUid: 'abc\u0000def' })).toThrow(/not a Datto alert UID/);
		expect(() => normalise({ alertUid: 'abc\ud800def' })).toThrow(/not a Datto alert UID/);
		expect(normalise({ alertUid: 'abc😀def' }).alertUid).toBe('abc😀def');
	});
});
