/**
 * DattoClient against the in-process Datto RMM simulator: token caching, 401 refresh, 429 backoff, budgets,
 * the alert-resolve bucket, the 403 IP block, paging quirks, the SSRF guard, timestamps and secret hygiene.
 */
import { ApiRequestError, isApiRequestError, RollingWindowLimiter } from '../../nodes/shared/transport/http';
import {
	DattoClient,
	dattoTimeToIso,
	DATTO_NO_DATE_MS,
	getDattoClient,
	resetDattoClients,
} from '../../nodes/shared/transport/datto';
import type { NodeApiError } from 'n8n-workflow';
import { toNodeError } from '../../nodes/shared/transport/n8n';
import type { DattoSimulator } from '../../simulators/datto';
import { clientFor, maxInWindow, SECRET, sleep, startSim } from './helpers';

const sims: DattoSimulator[] = [];
async function sim(options: Parameters<typeof startSim>[0] = {}): Promise<DattoSimulator> {
	const s = await startSim(options);
	sims.push(s);
	return s;
}

afterEach(async () => {
	await Promise.all(sims.splice(0).map(async (s) => await s.close()));
	resetDattoClients();
});

async function caught(promise: Promise<unknown>): Promise<ApiRequestError> {
	try {
		await promise;
	} catch (error) {
		if (isApiRequestError(error)) return error;
		throw error;
	}
	throw new Error('expected the call to fail');
}

const apiStamps = (s: DattoSimulator, route: string | RegExp) =>
	s.log
		.entries()
		.filter((e) => (typeof route === 'string' ? e.route === route : route.test(e.route)))
		.map((e) => e.at);

describe('token', () => {
	test('is fetched once for 10 concurrent calls and reused afterwards (single-flight)', async () => {
		const s = await sim();
		const client = clientFor(s);
		const accounts = await Promise.all(Array.from({ length: 10 }, async () => await client.getAccount()));
		expect(accounts.every((a) => a.uid === 'ab1c0002')).toBe(true);
		expect(s.tokenRequestCount()).toBe(1);
		await Promise.all(Array.from({ length: 5 }, async () => await client.getSystemStatus()));
		expect(s.tokenRequestCount()).toBe(1);
		expect(client.stats.tokenRequests).toBe(1);
		const tokenRequest = s.log.entries().find((e) => e.route === 'POST /auth/oauth/token')!;
		expect(tokenRequest.authorization).toBe('Basic cHVibGljLWNsaWVudDpwdWJsaWM=');
		expect(tokenRequest.body).toEqual({ grant_type: 'password', username: s.config.apiKey, password: SECRET });
	});

	test('getDattoClient caches one client per credential', async () => {
		const s = await sim();
		const config = { apiUrl: s.baseUrl, apiKey: s.config.apiKey, apiSecret: SECRET };
		const a = getDattoClient(config);
		expect(getDattoClient({ ...config, apiUrl: `${s.baseUrl}/api/v2/` })).toBe(a);
		expect(getDattoClient({ ...config, apiSecret: 'another-secret' })).not.toBe(a);
		await a.getAccount();
		await getDattoClient(config).getAccount();
		expect(s.tokenRequestCount()).toBe(1);
	});

	test('is renewed once after a 401 when the simulator expires all tokens', async () => {
		const s = await sim();
		const client = clientFor(s);
		await client.getAccount();
		expect(s.expireTokens()).toBe(1);
		await expect(client.getAccount()).resolves.toMatchObject({ uid: 'ab1c0002' });
		expect(s.tokenRequestCount()).toBe(2);
		expect(s.log.count('GET /api/v2/account', 401)).toBe(1);
		expect(s.log.count('GET /api/v2/account', 200)).toBe(2);
	});

	test('a wrong secret fails with 401, a Datto hint and no secret in the error', async () => {
		const s = await sim();
		const wrong = 'Wrong-Secret-Value-123456';
		const error = await caught(clientFor(s, {}, wrong).getAccount());
		expect(error.status).toBe(401);
		expect(error.apiMessage).toBe('Bad credentials');
		expect(error.hint).toMatch(/API key or secret/);
		const text = JSON.stringify({ ...error, message: error.message });
		expect(text).not.toContain(wrong);
		expect(s.log.count('GET /api/v2/account')).toBe(0);
	});
});

describe('rate limits', () => {
	test('429 with Retry-After: waits the announced time and succeeds', async () => {
		const s = await sim({ readLimit: 3, windowMs: 1000, retryAfter: 'always', blockAfter429s: 0 });
		const delays: number[] = [];
		const client = clientFor(s, {
			retry: { maxDelayMs: 2000, maxAttempts: 10 },
			sleep: async (ms) => {
				delays.push(ms);
				await sleep(ms);
			},
		});
		const results = await Promise.all(Array.from({ length: 6 }, async () => await client.getAccount()));
		expect(results).toHaveLength(6);
		expect(s.log.count('GET /api/v2/account', 429)).toBeGreaterThanOrEqual(1);
		expect(s.log.count('GET /api/v2/account', 200)).toBe(6);
		// Retry-After is whole seconds: the client waited exactly what the simulator announced (1 s).
		expect(delays.length).toBeGreaterThanOrEqual(1);
		expect(delays.every((d) => d === 1000)).toBe(true);
	});

	test('429 without Retry-After: exponential backoff until success', async () => {
		const s = await sim({ readLimit: 2, windowMs: 800, retryAfter: 'never', blockAfter429s: 0 });
		const delays: number[] = [];
		const client = clientFor(s, {
			retry: { baseDelayMs: 100, maxDelayMs: 1000, maxAttempts: 10 },
			sleep: async (ms) => {
				delays.push(ms);
				await sleep(ms);
			},
		});
		for (let i = 0; i < 4; i++) await client.getAccount();
		expect(s.log.count('GET /api/v2/account', 200)).toBe(4);
		expect(s.log.count('GET /api/v2/account', 429)).toBeGreaterThanOrEqual(1);
		expect(delays.length).toBeGreaterThanOrEqual(1);
		expect(delays.every((d) => d >= 50 && d <= 1000)).toBe(true);
		// Exponential: within one retry sequence the next delay's base doubles (equal jitter keeps at least half).
		expect(Math.max(...delays)).toBeGreaterThanOrEqual(100);
	});

	test('after a 429 every caller of the credential waits (no extra requests while limited)', async () => {
		const s = await sim({ readLimit: 2, windowMs: 1000, retryAfter: 'always', blockAfter429s: 0 });
		const client = clientFor(s, { retry: { maxDelayMs: 2000 } });
		await client.getAccount();
		await client.getAccount();
		const first = client.getAccount(); // 429, Retry-After: 1
		await sleep(150);
		const second = client.getAccount(); // must wait for the pause rather than collect its own 429
		await Promise.all([first, second]);
		expect(s.log.count('GET /api/v2/account', 429)).toBe(1);
		expect(s.log.count('GET /api/v2/account', 200)).toBe(4);
	});

	test('gives up after the configured attempts with the 429 message', async () => {
		const s = await sim();
		s.faults.configure({ burst429: 100, pathPattern: '^/api/' });
		const error = await caught(clientFor(s, { retry: { maxAttempts: 3 } }).getAccount());
		expect(error.status).toBe(429);
		expect(error.apiMessage).toMatch(/Rate limit exceeded/);
		expect(s.log.count('GET /api/v2/account', 429)).toBe(3);
	});

	test('the account budget holds under a burst (requests per window counted at the simulator)', async () => {
		const s = await sim();
		const client = clientFor(s, { accountBudget: { limit: 5, windowMs: 1000 } });
		const started = Date.now();
		await Promise.all(Array.from({ length: 14 }, async () => await client.getAccount()));
		const elapsed = Date.now() - started;
		const stamps = apiStamps(s, 'GET /api/v2/account');
		expect(stamps).toHaveLength(14);
		// Counted at arrival, as Datto counts (the first five waited for the token request after taking their slots).
		expect(maxInWindow(stamps, 1000)).toBeLessThanOrEqual(5);
		expect(elapsed).toBeGreaterThanOrEqual(1900);
		expect(s.log.count(/./, 429)).toBe(0);
	});

	test('resolves use the separate alert-resolve bucket; reads are not held up by it', async () => {
		const s = await sim({ operationLimits: { 'alert-resolve': 2 }, windowMs: 1000 });
		const client = clientFor(s, { accountBudget: { limit: 100, windowMs: 1000 }, resolveBudget: { limit: 2, windowMs: 1000 } });
		const open = (await client.listOpenAlerts({ returnAll: true })).items.slice(0, 5);
		const readsDone: number[] = [];
		let resolvesDone = 0;
		const resolves = open.map(async (a) => {
			await client.resolveAlert(a.alertUid!);
			resolvesDone++;
		});
		const reads = Array.from({ length: 10 }, async () => {
			await client.getAccount();
			readsDone.push(resolvesDone);
		});
		await Promise.all([...resolves, ...reads]);
		// All reads finished while at most the first window's resolves were through.
		expect(Math.max(...readsDone)).toBeLessThanOrEqual(2);
		const resolveStamps = apiStamps(s, 'POST /api/v2/alert/:alertUid/resolve');
		expect(resolveStamps).toHaveLength(5);
		expect(maxInWindow(resolveStamps, 1000)).toBeLessThanOrEqual(2);
		expect(s.log.count(/./, 429)).toBe(0);
		const rate = await client.getRequestRate();
		expect(rate.operationWriteStatus?.['alert-resolve']).toMatchObject({ limit: 2 });
		expect(rate.accountWriteCount).toBeGreaterThanOrEqual(1);
		for (const a of open) expect((await client.getAlert(a.alertUid!)).resolved).toBe(true);
	});

	test('403 after 429s: the IP block fails fast with a clear message and pauses every call (no hammering)', async () => {
		const s = await sim({ readLimit: 2, windowMs: 60_000, retryAfter: 'never', blockAfter429s: 2, blockMs: 60_000 });
		const client = clientFor(s, { retry: { maxAttempts: 10 }, ipBlockPauseMs: 60_000 });
		await client.getAccount();
		await client.getAccount();
		const error = await caught(client.getAccount());
		expect(error.status).toBe(403);
		expect(error.message).toMatch(/blocking this IP/);
		expect(error.hint).toMatch(/temporarily blocked this IP/);
		expect(client.blockedUntil).toBeGreaterThan(Date.now() + 50_000);
		expect(s.ipBlockedUntil).toBeGreaterThan(0);
		const sentBefore = s.log.entries().length;
		for (let i = 0; i < 5; i++) {
			const again = await caught(client.listOpenAlerts());
			expect(again.status).toBe(403);
			expect(again.message).toMatch(/paused for another \d+ s/);
		}
		expect(s.log.entries().length).toBe(sentBefore);
		expect(client.stats.refusedWhileBlocked).toBe(5);
		// The block is per API origin: another client (credential) on the same host is paused too.
		const other = clientFor(s);
		await expect(other.getAccount()).rejects.toThrow(/blocking this IP/);
		expect(s.log.entries().length).toBe(sentBefore);
	});

	test('a 403 without earlier 429s is a permission error and does not block', async () => {
		const s = await sim();
		const client = clientFor(s);
		s.faults.configure({ failNext: 1, errorStatus: 403 });
		const error = await caught(client.getAccount());
		expect(error.status).toBe(403);
		expect(error.hint).toMatch(/API access is enabled/);
		expect(client.blockedUntil).toBe(0);
		await expect(client.getAccount()).resolves.toMatchObject({ uid: 'ab1c0002' });
	});

	test('409 and 504 are retried (a resolve too: resolving twice is harmless)', async () => {
		const s = await sim();
		const client = clientFor(s);
		const [alert] = (await client.listOpenAlerts({ limit: 1 })).items;
		s.faults.configure({ failNext: 1, errorStatus: 409, pathPattern: '/resolve$' });
		await expect(client.resolveAlert(alert.alertUid!)).resolves.toMatchObject({ resolved: true });
		s.faults.clear();
		s.faults.configure({ failNext: 2, errorStatus: 504, pathPattern: '^/api/v2/account$' });
		await expect(client.getAccount()).resolves.toMatchObject({ uid: 'ab1c0002' });
		expect(s.log.count('GET /api/v2/account', 504)).toBe(2);
	});
});

describe('alerts', () => {
	test('resolve moves the alert to resolved with resolvedOn/resolvedBy; resolving again is tolerated', async () => {
		const s = await sim({ alreadyResolved: 'error' });
		const client = clientFor(s);
		const before = await client.listOpenAlerts({ returnAll: true });
		const target = before.items[0];
		expect(target.resolved).toBe(false);
		await expect(client.resolveAlert(target.alertUid!)).resolves.toEqual({ alertUid: target.alertUid, resolved: true, alreadyResolved: false });
		const after = await client.getAlert(target.alertUid!);
		expect(after.resolved).toBe(true);
		expect(typeof after.resolvedOn).toBe('number');
		expect(after.resolvedOnIso).toBe(new Date(after.resolvedOn as number).toISOString());
		expect(after.resolvedBy).toBe('API User');
		expect((await client.listOpenAlerts({ returnAll: true })).items).toHaveLength(before.items.length - 1);
		expect((await client.listResolvedAlerts({ returnAll: true })).items.map((a) => a.alertUid)).toContain(target.alertUid);
		// The simulator answers 400 "already resolved" in this mode; the client reads the alert and reports success.
		await expect(client.resolveAlert(target.alertUid!)).resolves.toEqual({ alertUid: target.alertUid, resolved: true, alreadyResolved: true });
		expect(s.log.count('POST /api/v2/alert/:alertUid/resolve', 400)).toBe(1);
	});

	test('unknown alert, site and device give 404 with the API message', async () => {
		const s = await sim();
		const client = clientFor(s);
		const alert = await caught(client.getAlert('00000000-0000-0000-0000-000000000000'));
		expect(alert.status).toBe(404);
		expect(alert.apiMessage).toBe('Alert was not found.');
		expect((await caught(client.getSite('nope'))).apiMessage).toBe('Site was not found.');
		expect((await caught(client.getDevice('nope'))).apiMessage).toBe('Device was not found.');
		expect((await caught(client.listOpenAlerts({ scope: 'site', uid: 'nope' }))).apiMessage).toBe('Site was not found.');
		expect((await caught(client.listResolvedAlerts({ scope: 'device', uid: 'nope' }))).apiMessage).toBe('Device was not found.');
		const node = toNodeError({ id: '1', name: 'Datto', type: 'x', typeVersion: 1, position: [0, 0], parameters: {} }, alert, 0);
		expect((node as NodeApiError).httpCode).toBe('404');
		expect(node.message).toMatch(/Alert was not found/);
	});

	test('site and device scopes return only their alerts', async () => {
		const s = await sim({ seed: { openAlerts: 40, resolvedAlerts: 5 } });
		const client = clientFor(s);
		const all = (await client.listOpenAlerts({ returnAll: true })).items;
		const siteUid = all[0].alertSourceInfo!.siteUid!;
		const deviceUid = all[0].alertSourceInfo!.deviceUid!;
		const site = (await client.listOpenAlerts({ scope: 'site', uid: siteUid, returnAll: true })).items;
		const device = (await client.listOpenAlerts({ scope: 'device', uid: deviceUid, returnAll: true })).items;
		expect(site.length).toBe(all.filter((a) => a.alertSourceInfo?.siteUid === siteUid).length);
		expect(site.every((a) => a.alertSourceInfo?.siteUid === siteUid)).toBe(true);
		expect(device.length).toBe(all.filter((a) => a.alertSourceInfo?.deviceUid === deviceUid).length);
		expect(device.length).toBeGreaterThanOrEqual(1);
		const unmuted = (await client.listOpenAlerts({ returnAll: true, muted: false })).items;
		expect(unmuted.length).toBe(all.filter((a) => a.muted === false).length);
		expect(unmuted.length).toBeLessThan(all.length);
	});

	test('epoch-ms timestamps become ISO next to the raw values; contexts keep their @class and fields', async () => {
		const s = await sim();
		const client = clientFor(s);
		const open = (await client.listOpenAlerts({ returnAll: true })).items;
		for (const alert of open) {
			expect(typeof alert.timestamp).toBe('number');
			expect(alert.timestampIso).toBe(new Date(alert.timestamp as number).toISOString());
			expect(alert.resolvedOn).toBeNull();
			expect(alert.resolvedOnIso).toBeNull();
		}
		const classes = new Set(open.map((a) => a.alertContext?.['@class']));
		expect(classes.size).toBeGreaterThanOrEqual(6);
		const disk = open.find((a) => a.alertContext?.['@class'] === 'perf_disk_usage_ctx')!;
		expect(disk.alertContext).toMatchObject({ diskName: expect.any(String), totalVolume: expect.any(Number) });
		const resolved = (await client.listResolvedAlerts({ returnAll: true })).items[0];
		expect(resolved.resolvedOnIso).toBe(new Date(resolved.resolvedOn as number).toISOString());
		const device = await client.getDevice(open[0].alertSourceInfo!.deviceUid!);
		expect(device.lastSeenIso).toBe(new Date(device.lastSeen as number).toISOString());
		expect(device.creationDateIso).toBe(new Date(device.creationDate as number).toISOString());

		expect(dattoTimeToIso(1787643495000)).toBe('2026-08-25T07:38:15.000Z');
		expect(dattoTimeToIso('1787643495000')).toBe('2026-08-25T07:38:15.000Z');
		expect(dattoTimeToIso(1787643495)).toBe('2026-08-25T07:38:15.000Z');
		expect(dattoTimeToIso('2026-08-25T07:38:15Z')).toBe('2026-08-25T07:38:15.000Z');
		expect(dattoTimeToIso(DATTO_NO_DATE_MS)).toBeNull();
		expect(dattoTimeToIso(0)).toBeNull();
		expect(dattoTimeToIso(null)).toBeNull();
		expect(dattoTimeToIso('')).toBeNull();
		expect(dattoTimeToIso('not a date')).toBeNull();
	});

	test('lenient parsing keeps unknown fields and nulls; a wrong list type is an INVALID_RESPONSE error', async () => {
		const s = await sim({ seed: false });
		const client = clientFor(s);
		s.addSite({ name: 'Null Site', description: null, brandNewField: { nested: true } } as never);
		const sites = (await client.listSites({ returnAll: true })).items;
		expect(sites).toHaveLength(1);
		expect(sites[0]).toMatchObject({ name: 'Null Site', description: null, brandNewField: { nested: true } });
		s.faults.configure({ failNext: 1, errorStatus: 200 });
		s.faults.errorResponse = () => ({ status: 200, body: { pageDetails: null, sites: 'oops' } });
		const error = await caught(client.listSites());
		expect(error.code).toBe('INVALID_RESPONSE');
		expect(error.apiMessage).toMatch(/sites/);
	});
});

describe('paging', () => {
	test('walks more than 3 pages by nextPageUrl; totalCount absent on open alerts', async () => {
		const s = await sim({ maxPageSize: 5, seed: { openAlerts: 23, resolvedAlerts: 12 } });
		const client = clientFor(s);
		const open = await client.listOpenAlerts({ returnAll: true });
		expect(open.items).toHaveLength(23);
		expect(open.pages).toBe(5);
		expect(new Set(open.items.map((a) => a.alertUid)).size).toBe(23);
		const pages = s.log.entries().filter((e) => e.route === 'GET /api/v2/account/alerts/open');
		expect(pages.map((e) => e.query.page)).toEqual(['0', '1', '2', '3', '4']);
		const resolved = await client.listResolvedAlerts({ returnAll: true });
		expect(resolved.items).toHaveLength(12);
		// totalCount: omitted for open alerts, present for resolved ones (checked on the raw responses).
		const raw = async (path: string) => {
			const token = s.log.entries().find((e) => e.authorization?.startsWith('Bearer'))!.authorization!;
			return (await (await fetch(`${s.baseUrl}${path}`, { headers: { authorization: token } })).json()) as {
				pageDetails: Record<string, unknown>;
			};
		};
		expect((await raw('/api/v2/account/alerts/open?max=5')).pageDetails).not.toHaveProperty('totalCount');
		expect((await raw('/api/v2/account/alerts/resolved?max=5')).pageDetails.totalCount).toBe(12);
		expect((await raw('/api/v2/account/alerts/open?max=5&page=4')).pageDetails.nextPageUrl).toBeNull();
		const limited = await client.listOpenAlerts({ limit: 7 });
		expect(limited.items).toHaveLength(7);
		expect(limited.items.map((a) => a.alertUid)).toEqual(open.items.slice(0, 7).map((a) => a.alertUid));
	});

	test('re-adds query params that nextPageUrl drops, and stops at an empty nextPageUrl', async () => {
		const s = await sim({ dropNextPageParams: true, emptyNextPageUrlAtEnd: true, seed: { openAlerts: 23, resolvedAlerts: 0 } });
		const client = clientFor(s, { pageSize: 4 });
		const all = await client.listOpenAlerts({ returnAll: true });
		expect(all.items).toHaveLength(23);
		expect(all.pages).toBe(6);
		const pages = s.log.entries().filter((e) => e.route === 'GET /api/v2/account/alerts/open');
		expect(pages).toHaveLength(6);
		expect(pages.every((e) => e.query.max === '4')).toBe(true);
		const unmuted = await client.listOpenAlerts({ returnAll: true, muted: false });
		const expected = s.data.alerts.filter((r) => !r.alert.resolved && !r.alert.muted).length;
		expect(unmuted.items).toHaveLength(expected);
		expect(s.log.entries().filter((e) => e.route === 'GET /api/v2/account/alerts/open' && e.query.muted === 'false').length).toBe(
			Math.ceil(expected / 4),
		);
	});

	test('sites: name filter, "Deleted Devices" filtered out unless asked for, paging', async () => {
		const s = await sim({ maxPageSize: 5, seed: { sites: 12, devices: 24 } });
		const client = clientFor(s);
		const sites = await client.listSites({ returnAll: true });
		expect(sites.items).toHaveLength(12);
		expect(sites.items.some((x) => x.name === 'Deleted Devices')).toBe(false);
		expect((await client.listSites({ returnAll: true, includeDeletedDevicesSite: true })).items).toHaveLength(13);
		const contoso = await client.listSites({ name: 'contoso', returnAll: true });
		expect(contoso.items.map((x) => x.name)).toEqual(['Contoso Ltd']);
		const site = await client.getSite(contoso.items[0].uid!);
		expect(site.devicesStatus?.numberOfDevices).toBe(2);
		expect((await client.listSiteDevices(site.uid!, { returnAll: true })).items).toHaveLength(2);
		const limit = await client.listSites({ limit: 3 });
		expect(limit.items).toHaveLength(3);
	});

	test('devices: find by hostname (LIKE, or exact), get by uid and by id', async () => {
		const s = await sim({ seed: { sites: 3, devices: 12 } });
		const client = clientFor(s);
		const device = s.data.devices[4];
		const found = await client.findDevicesByHostname(device.hostname, { exact: true });
		expect(found.map((d) => d.uid)).toEqual([device.uid]);
		const prefix = device.hostname.split('-')[0];
		const like = await client.findDevicesByHostname(prefix);
		expect(like.length).toBeGreaterThan(1);
		expect(like.every((d) => d.hostname!.startsWith(prefix))).toBe(true);
		expect((await client.getDevice(device.uid)).hostname).toBe(device.hostname);
		expect((await client.getDeviceById(device.id)).uid).toBe(device.uid);
		expect(await client.findDevicesByHostname('NO-SUCH-HOST')).toEqual([]);
	});

	test('SSRF guard: a nextPageUrl on another origin is refused and the token is not sent there', async () => {
		const s = await sim({ maxPageSize: 5, publicBaseUrl: 'http://evil.example.test:8080' });
		const client = clientFor(s);
		const error = await caught(client.listOpenAlerts({ returnAll: true }));
		expect(error.code).toBe('UNTRUSTED_NEXT_PAGE_URL');
		expect(error.apiMessage).toMatch(/evil\.example\.test:8080/);
		expect(s.log.count('GET /api/v2/account/alerts/open')).toBe(1);
		// Same host, other port: refused too; http on the https API host is upgraded, not refused.
		expect(() => client.vetNextPageUrl(s.baseUrl.replace(/:\d+$/, ':1') + '/api/v2/x?page=1', {}, 0)).toThrow(/Refusing/);
		const https = new DattoClient({ apiUrl: 'https://merlot-api.centrastage.net', apiKey: 'k', apiSecret: 's' });
		expect(https.vetNextPageUrl('http://merlot-api.centrastage.net/api/v2/account/sites?page=2', { max: '50' }, 1)).toBe(
			'https://merlot-api.centrastage.net/api/v2/account/sites?page=2&max=50',
		);
		expect(https.vetNextPageUrl('https://merlot-api.centrastage.net/api/v2/account/sites', { max: '50' }, 1)).toBe(
			'https://merlot-api.centrastage.net/api/v2/account/sites?max=50&page=2',
		);
		expect(() => https.vetNextPageUrl('https://merlot-api.centrastage.net.evil.test/api/v2/x', {}, 0)).toThrow(/Refusing/);
	});

	test('stops at the page cap and reports truncation', async () => {
		const s = await sim({ maxPageSize: 2, seed: { openAlerts: 20, resolvedAlerts: 0 } });
		const client = clientFor(s, { maxPages: 3 });
		const result = await client.listOpenAlerts({ returnAll: true });
		expect(result).toMatchObject({ pages: 3, truncated: true });
		expect(result.items).toHaveLength(6);
	});
});

describe('secrets', () => {
	test('no secret or token in any error, also when the API echoes the token', async () => {
		const s = await sim({ tokenLifetimeSeconds: 0 });
		const client = clientFor(s);
		const errors: unknown[] = [];
		// Every issued token is already expired: the API answers "Access token expired: <token>" twice.
		errors.push(await caught(client.getAccount()));
		expect((errors[0] as ApiRequestError).status).toBe(401);
		expect((errors[0] as ApiRequestError).apiMessage).toMatch(/^Access token expired: \*\*\*$/);
		s.configure({ tokenLifetimeSeconds: 3600 });
		errors.push(await caught(client.getSite('missing')));
		s.faults.configure({ burst429: 50, pathPattern: '^/api/' });
		errors.push(await caught(clientFor(s, { retry: { maxAttempts: 2 } }).getAccount()));
		s.faults.clear();
		errors.push(await caught(clientFor(s, {}, 'Another-Wrong-Secret-99').getAccount()));
		const closed = await startSim();
		const url = closed.baseUrl;
		await closed.close();
		errors.push(
			await caught(new DattoClient({ apiUrl: url, apiKey: 'k-closed', apiSecret: SECRET, tuning: { retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1, maxTotalWaitMs: 1 } } }).getAccount()),
		);
		const tokens = s.log
			.entries()
			.map((e) => e.authorization)
			.filter((a): a is string => !!a && a.startsWith('Bearer '))
			.map((a) => a.slice(7));
		expect(tokens.length).toBeGreaterThanOrEqual(2);
		const node = { id: '1', name: 'Datto', type: 'x', typeVersion: 1, position: [0, 0] as [number, number], parameters: {} };
		for (const error of errors) {
			const e = error as ApiRequestError;
			const nodeError = toNodeError(node, e, 0);
			const texts = [e.message, e.apiMessage, e.hint ?? '', JSON.stringify(e), nodeError.message, nodeError.description ?? '', JSON.stringify(nodeError)];
			for (const t of texts) {
				expect(t).not.toContain(SECRET);
				expect(t).not.toContain('Another-Wrong-Secret-99');
				for (const token of tokens) expect(t).not.toContain(token);
			}
		}
	});
});

describe('budget injection', () => {
	test('an injected budget is used for every request', async () => {
		const s = await sim();
		const budget = new RollingWindowLimiter(1000, 60_000);
		const client = new DattoClient({ apiUrl: s.baseUrl, apiKey: s.config.apiKey, apiSecret: SECRET, budgets: { account: budget } });
		await client.getAccount();
		await client.listSites();
		expect(budget.usedInWindow()).toBe(2);
	});
});
