/**
 * Datto RMM simulator behaviour that the client tests do not already pin down: the token endpoint's checks, bearer
 * enforcement, request_rate counters, deterministic seed data, page size cap, admin API and the command line.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { DattoSimulator, generateSeedData, PUBLIC_CLIENT_BASIC } from '../../simulators/datto';
import { SECRET, startSim } from './helpers';

let sim: DattoSimulator;
beforeEach(async () => {
	sim = await startSim({ readLimit: 50, writeLimit: 40, operationLimits: { 'alert-resolve': 7 } });
});
afterEach(async () => await sim.close());

async function token(overrides: { authorization?: string; body?: Record<string, string>; contentType?: string } = {}) {
	const response = await fetch(`${sim.baseUrl}/auth/oauth/token`, {
		method: 'POST',
		headers: {
			authorization: overrides.authorization ?? PUBLIC_CLIENT_BASIC,
			'content-type': overrides.contentType ?? 'application/x-www-form-urlencoded',
		},
		body: new URLSearchParams(overrides.body ?? { grant_type: 'password', username: sim.config.apiKey, password: SECRET }).toString(),
	});
	const text = await response.text();
	return { status: response.status, body: (text.startsWith('{') ? JSON.parse(text) : { text }) as Record<string, unknown> };
}

async function get(path: string, bearer?: string) {
	const response = await fetch(`${sim.baseUrl}${path}`, { headers: bearer ? { authorization: `Bearer ${bearer}` } : {} });
	const text = await response.text();
	return { status: response.status, headers: response.headers, body: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : undefined, text };
}

test('token endpoint: public client, password grant, key and secret', async () => {
	const ok = await token();
	expect(ok.status).toBe(200);
	expect(ok.body).toMatchObject({ token_type: 'bearer', expires_in: 360000, scope: expect.any(String), jti: expect.any(String) });
	expect(typeof ok.body.access_token).toBe('string');
	expect(typeof ok.body.refresh_token).toBe('string');
	expect((await token({ authorization: 'Basic ' + Buffer.from('other:client').toString('base64') })).status).toBe(401);
	expect((await token({ authorization: '' })).status).toBe(401);
	const wrong = await token({ body: { grant_type: 'password', username: sim.config.apiKey, password: 'nope' } });
	expect(wrong).toEqual({ status: 401, body: { error: 'invalid_grant', error_description: 'Bad credentials' } });
	expect((await token({ body: { grant_type: 'password', username: 'other', password: SECRET } })).status).toBe(401);
	expect((await token({ body: { grant_type: 'client_credentials' } })).body.error).toBe('unsupported_grant_type');
	expect((await token({ contentType: 'application/json' })).status).toBe(400);
	expect(sim.counters).toMatchObject({ tokensIssued: 1, tokenRejections: 6 });
});

test('tokens expire after expires_in and on demand', async () => {
	sim.configure({ tokenLifetimeSeconds: 1 });
	const { body } = await token();
	const accessToken = body.access_token as string;
	expect((await get('/api/v2/account', accessToken)).status).toBe(200);
	await new Promise((r) => setTimeout(r, 1100));
	const expired = await get('/api/v2/account', accessToken);
	expect(expired.status).toBe(401);
	expect(expired.body).toEqual({ error: 'invalid_token', error_description: `Access token expired: ${accessToken}` });
	sim.configure({ tokenLifetimeSeconds: 3600 });
	const fresh = (await token()).body.access_token as string;
	expect((await get('/api/v2/account', fresh)).status).toBe(200);
	const admin = await fetch(`${sim.baseUrl}/_sim/tokens/expire`, { method: 'POST' });
	expect(await admin.json()).toEqual({ expired: 2 });
	expect((await get('/api/v2/account', fresh)).status).toBe(401);
});

test('/api/v2 requires a valid bearer token', async () => {
	expect((await get('/api/v2/account')).status).toBe(401);
	expect((await get('/api/v2/account', 'made-up')).body).toMatchObject({ error: 'invalid_token' });
	expect((await get('/api/v2/account/alerts/open')).status).toBe(401);
	expect(sim.log.count('GET /api/v2/account', 401)).toBe(2);
});

test('system endpoints and request_rate reflect the counters', async () => {
	const accessToken = (await token()).body.access_token as string;
	expect((await get('/api/v2/system/status', accessToken)).body).toMatchObject({ status: 'OK', version: expect.any(String) });
	expect((await get('/api/v2/system/pagination', accessToken)).body).toEqual({ max: 250 });
	const open = (await get('/api/v2/account/alerts/open?max=2', accessToken)).body as { alerts: Array<{ alertUid: string }> };
	for (const alert of open.alerts) {
		const r = await fetch(`${sim.baseUrl}/api/v2/alert/${alert.alertUid}/resolve`, { method: 'POST', headers: { authorization: `Bearer ${accessToken}` } });
		expect(r.status).toBe(200);
	}
	const rate = (await get('/api/v2/system/request_rate', accessToken)).body!;
	expect(rate).toEqual({
		slidingTimeWindowSizeSeconds: 60,
		accountUid: 'ab1c0002',
		accountCount: 4,
		accountRateLimit: 50,
		accountCutOffRatio: 0.9,
		accountWriteRateLimit: 40,
		accountWriteCount: 2,
		operationWriteStatus: { 'alert-resolve': { limit: 7, count: 2 }, 'device-job-create': { limit: 100, count: 0 } },
	});
});

test('page size is capped by maxPageSize; nextPageUrl is absolute on the request origin and keeps the params', async () => {
	sim.configure({ maxPageSize: 4 });
	const accessToken = (await token()).body.access_token as string;
	const page = (await get('/api/v2/account/alerts/resolved?max=100&muted=false', accessToken)).body as {
		pageDetails: { count: number; nextPageUrl: string; prevPageUrl: null; totalCount: number };
	};
	expect(page.pageDetails.count).toBe(4);
	const next = new URL(page.pageDetails.nextPageUrl);
	expect(next.origin).toBe(sim.baseUrl);
	expect(Object.fromEntries(next.searchParams)).toEqual({ max: '100', muted: 'false', page: '1' });
	expect(page.pageDetails.prevPageUrl).toBeNull();
	sim.configure({ dropNextPageParams: true });
	const dropped = (await get('/api/v2/account/alerts/resolved?max=100&muted=false', accessToken)).body as { pageDetails: { nextPageUrl: string } };
	expect(Object.fromEntries(new URL(dropped.pageDetails.nextPageUrl).searchParams)).toEqual({ page: '1' });
	expect((await get('/api/v2/account/alerts/open?page=-1', accessToken)).status).toBe(400);
});

test('seed data is deterministic and has the documented variety', () => {
	const a = generateSeedData({ seed: 42 });
	const b = generateSeedData({ seed: 42 });
	expect(JSON.stringify(a)).toBe(JSON.stringify(b));
	expect(JSON.stringify(generateSeedData({ seed: 43 }))).not.toBe(JSON.stringify(a));
	expect(a.sites.map((s) => s.name)).toContain('Deleted Devices');
	expect(a.devices.some((d) => d.deleted)).toBe(true);
	const alerts = a.alerts.map((r) => r.alert);
	expect(new Set(alerts.map((x) => x.alertContext['@class'])).size).toBeGreaterThanOrEqual(10);
	expect(alerts.some((x) => x.diagnostics === null)).toBe(true);
	expect(alerts.some((x) => x.autoresolveMins === null)).toBe(true);
	expect(alerts.some((x) => typeof x.autoresolveMins === 'number')).toBe(true);
	expect(alerts.every((x) => typeof x.timestamp === 'number' && x.timestamp > 1.7e12)).toBe(true);
	expect(alerts.filter((x) => x.resolved).every((x) => typeof x.resolvedOn === 'number')).toBe(true);
	expect(new Set(alerts.map((x) => x.priority))).toEqual(new Set(['Critical', 'High', 'Moderate', 'Low', 'Information']));
});

test('the IP block answers 403 to everything, including the token endpoint, until it ends', async () => {
	const accessToken = (await token()).body.access_token as string;
	await fetch(`${sim.baseUrl}/_sim/block`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ms: 300 }) });
	const blocked = await get('/api/v2/account', accessToken);
	expect(blocked.status).toBe(403);
	expect(blocked.text).toMatch(/403 Forbidden/);
	expect((await token()).status).toBe(403);
	await new Promise((r) => setTimeout(r, 350));
	expect((await get('/api/v2/account', accessToken)).status).toBe(200);
});

test('command line: starts on the given port, serves the API with the given key, stops on SIGTERM', async () => {
	const root = path.resolve(__dirname, '../..');
	const child = spawn(
		process.execPath,
		['-r', path.join(__dirname, 'tsRequireHook.js'), 'simulators/datto/cli.ts', '--port', '0', '--api-key', 'cli-key', '--api-secret', 'cli-secret', '--max-page', '3', '--near-limit-delay-ms', '0'],
		{ cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
	);
	try {
		const url = await new Promise<string>((resolve, reject) => {
			let out = '';
			let err = '';
			const timer = setTimeout(() => reject(new Error(`no URL printed: ${out} ${err}`)), 20_000);
			child.stdout.on('data', (chunk: Buffer) => {
				out += chunk.toString();
				const match = /listening on (http:\/\/\S+)/.exec(out);
				if (match) {
					clearTimeout(timer);
					resolve(match[1]);
				}
			});
			child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
			child.on('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
		});
		const tokenResponse = await fetch(`${url}/auth/oauth/token`, {
			method: 'POST',
			headers: { authorization: PUBLIC_CLIENT_BASIC, 'content-type': 'application/x-www-form-urlencoded' },
			body: 'grant_type=password&username=cli-key&password=cli-secret',
		});
		const { access_token } = (await tokenResponse.json()) as { access_token: string };
		const page = (await (await fetch(`${url}/api/v2/account/alerts/open?max=250`, { headers: { authorization: `Bearer ${access_token}` } })).json()) as {
			alerts: unknown[];
			pageDetails: { nextPageUrl: string };
		};
		expect(page.alerts).toHaveLength(3);
		expect(page.pageDetails.nextPageUrl.startsWith(url)).toBe(true);
		const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
		child.kill('SIGTERM');
		expect(await exited).toBe(0);
	} finally {
		if (child.exitCode === null) child.kill('SIGKILL');
	}
});
