/** The Halo simulator itself: the real API's rules (reference §15) that the client and nodes are tested against. */
import { HaloSimulator, HALO_NO_DATE } from '../../simulators/halo';
import { parseArgs } from '../../simulators/halo/cli';
import { SimAdminClient } from '../../simulators/common/client';
import { api, bearer, CLIENT_ID, rawToken, SECRET, sleep, startSim } from './helpers';

describe('Halo simulator', () => {
	let sim: HaloSimulator;
	let token: string;

	beforeAll(async () => {
		sim = await startSim();
	});
	afterAll(async () => await sim.close());
	beforeEach(async () => {
		sim.reset();
		token = await bearer(sim);
	});

	describe('auth', () => {
		it('issues expiring bearer tokens for the right client, secret and tenant', async () => {
			const res = await rawToken(sim);
			expect(res.status).toBe(200);
			const body = (await res.json()) as Record<string, unknown>;
			expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'all' });
			expect(typeof body.access_token).toBe('string');
		});

		it('answers 401 invalid_client for a wrong secret or tenant', async () => {
			const wrong = await rawToken(sim, 'not-the-secret');
			expect(wrong.status).toBe(401);
			expect(await wrong.json()).toEqual({ error: 'invalid_client' });
			const tenant = await rawToken(sim, SECRET, 'someone-else');
			expect(tenant.status).toBe(401);
			expect(((await tenant.json()) as { error: string }).error).toBe('invalid_client');
		});

		it('requires a form body with grant_type=client_credentials', async () => {
			const json = await fetch(`${sim.baseUrl}/auth/token?tenant=default`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: SECRET }),
			});
			expect(json.status).toBe(400);
			const password = await fetch(`${sim.baseUrl}/auth/token?tenant=default`, {
				method: 'POST',
				headers: { 'content-type': 'application/x-www-form-urlencoded' },
				body: new URLSearchParams({ grant_type: 'password', client_id: CLIENT_ID, client_secret: SECRET }).toString(),
			});
			expect(password.status).toBe(400);
			expect(await password.json()).toEqual({ error: 'unsupported_grant_type' });
		});

		it('requires a valid bearer on every /api route and rejects expired tokens', async () => {
			expect((await api(sim, undefined, 'GET', '/api/Status')).status).toBe(401);
			expect((await api(sim, 'made-up-token', 'GET', '/api/Status')).status).toBe(401);
			expect((await api(sim, token, 'GET', '/api/Status')).status).toBe(200);
			expect(sim.expireTokens()).toBeGreaterThan(0);
			expect((await api(sim, token, 'GET', '/api/Status')).status).toBe(401);
		});

		it('expires tokens after the configured lifetime', async () => {
			sim.tokenLifetimeSeconds = 0.2;
			const short = await bearer(sim);
			expect((await api(sim, short, 'GET', '/api/Status')).status).toBe(200);
			await sleep(250);
			expect((await api(sim, short, 'GET', '/api/Status')).status).toBe(401);
			sim.tokenLifetimeSeconds = 3600;
		});

		it('serves /api/authinfo without auth', async () => {
			const res = await api(sim, undefined, 'GET', '/api/authinfo');
			expect(res.status).toBe(200);
			expect(res.json).toEqual({ auth_url: `${sim.baseUrl}/auth`, tenant_id: 'default' });
		});

		it('counts token requests separately from API requests', async () => {
			sim.log.clear();
			await bearer(sim);
			await api(sim, token, 'GET', '/api/Status');
			await api(sim, token, 'GET', '/api/Agent/me');
			const counts = sim.counts();
			expect(counts.tokenRequests).toBe(1);
			expect(counts.apiRequests).toBe(2);
			expect(counts.byRoute['POST /auth/token']).toBe(1);
		});

		it('GET /api/Agent/me answers the agent the application logs in as', async () => {
			const res = await api(sim, token, 'GET', '/api/agent/me');
			expect(res.json).toMatchObject({ id: 42, name: 'API Agent (n8n)' });
		});
	});

	describe('conventions', () => {
		it('matches paths case-insensitively', async () => {
			const a = await api(sim, token, 'GET', '/api/status');
			const b = await api(sim, token, 'GET', '/API/STATUS');
			expect(a.status).toBe(200);
			expect(b.json).toEqual(a.json);
		});

		it('ignores unknown query parameters and returns the unfiltered list', async () => {
			for (let i = 0; i < 3; i++) sim.createTicketDirect({ summary: `T${i}`, agent_id: i === 0 ? 5 : 6 });
			const res = await api(sim, token, 'GET', '/api/Tickets?assigned_to=5&third_party_id=77');
			expect(res.json).toMatchObject({ record_count: 3 });
			expect((res.json as { tickets: unknown[] }).tickets).toHaveLength(3);
			const known = await api(sim, token, 'GET', '/api/Tickets?agent_id=5');
			expect(known.json).toMatchObject({ record_count: 1 });
		});

		it('requires array bodies for POSTs', async () => {
			const res = await api(sim, token, 'POST', '/api/Tickets', { summary: 'not an array' });
			expect(res.status).toBe(400);
			expect(res.text).toContain('System.Collections.Generic.List');
			expect(sim.allTickets()).toHaveLength(0);
		});

		it('creates without id and merges with id; one element answers with the object, or an array when toggled', async () => {
			const created = await api(sim, token, 'POST', '/api/Tickets', [{ summary: 'Disk full', client_id: 12 }]);
			expect(created.status).toBe(201);
			const ticket = created.json as Record<string, unknown>;
			expect(Array.isArray(created.json)).toBe(false);
			expect(ticket).toMatchObject({ summary: 'Disk full', client_id: 12, client_name: 'Contoso Ltd', site_id: 34, status_id: 1 });
			const merged = await api(sim, token, 'POST', '/api/Tickets', [{ id: ticket.id, summary: 'Disk very full' }]);
			expect(merged.json).toMatchObject({ id: ticket.id, summary: 'Disk very full', client_id: 12 });
			sim.writeResponse = 'array';
			const asArray = await api(sim, token, 'POST', '/api/Tickets', [{ summary: 'Another' }]);
			expect(Array.isArray(asArray.json)).toBe(true);
			expect((asArray.json as unknown[])[0]).toMatchObject({ summary: 'Another' });
			sim.writeResponse = 'object';
			const two = await api(sim, token, 'POST', '/api/Tickets', [{ summary: 'A' }, { summary: 'B' }]);
			expect((two.json as unknown[]).length).toBe(2);
		});

		it('rejects non-integer ids in bodies and paths', async () => {
			const t = sim.createTicketDirect({ summary: 'x' });
			const body = await api(sim, token, 'POST', '/api/Tickets', [{ id: `${t.id as number}.0`, summary: 'y' }]);
			expect(body.status).toBe(400);
			expect(body.text).toContain('System.Int32');
			const float = await api(sim, token, 'POST', '/api/Tickets', [{ summary: 'z', client_id: 12.5 }]);
			expect(float.status).toBe(400);
			const path = await api(sim, token, 'GET', `/api/Tickets/${t.id as number}.0`);
			expect(path.status).toBe(400);
			expect(sim.ticket(t.id as number)?.summary).toBe('x');
			const numericString = await api(sim, token, 'POST', '/api/Tickets', [{ id: String(t.id), summary: 'ok' }]);
			expect(numericString.status).toBe(201);
		});

		it('uses dates without a time zone and 1900-01-01 for an unset dateclosed', async () => {
			const res = await api(sim, token, 'POST', '/api/Tickets', [{ summary: 'dates' }]);
			const t = res.json as Record<string, string>;
			expect(t.dateclosed).toBe(HALO_NO_DATE);
			expect(t.dateoccurred).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
		});

		it('returns 404 for unknown tickets and Priority/<int>', async () => {
			expect((await api(sim, token, 'GET', '/api/Tickets/999999')).status).toBe(404);
			expect((await api(sim, token, 'GET', '/api/Priority/1')).status).toBe(404);
		});
	});

	describe('paging', () => {
		beforeEach(() => {
			for (let i = 0; i < 250; i++) sim.createTicketDirect({ summary: `Ticket ${i}` });
		});

		it('pages with pageinate/page_size/page_no (1-based), record_count and the plural key', async () => {
			const p1 = (await api(sim, token, 'GET', '/api/Tickets?pageinate=true&page_size=100&page_no=1')).json as {
				record_count: number;
				tickets: Array<{ id: number }>;
			};
			const p3 = (await api(sim, token, 'GET', '/api/Tickets?pageinate=true&page_size=100&page_no=3')).json as typeof p1;
			expect(p1.record_count).toBe(250);
			expect(p1.tickets).toHaveLength(100);
			expect(p3.tickets).toHaveLength(50);
			expect(p3.tickets[0].id).toBe(p1.tickets[0].id + 200);
		});

		it('caps page_size at 100 and limits unpaged lists with count', async () => {
			const big = (await api(sim, token, 'GET', '/api/Tickets?pageinate=true&page_size=500')).json as { tickets: unknown[] };
			expect(big.tickets).toHaveLength(100);
			const counted = (await api(sim, token, 'GET', '/api/Tickets?count=7')).json as { record_count: number; tickets: unknown[] };
			expect(counted.tickets).toHaveLength(7);
			expect(counted.record_count).toBe(250);
		});

		it('filters tickets by client, status, open/closed, search and ticket type', async () => {
			sim.resetData(0);
			const a = sim.createTicketDirect({ summary: 'Disk alert SRV01', client_id: 12, tickettype_id: 21 });
			sim.createTicketDirect({ summary: 'Printer', client_id: 13 });
			sim.closeAsTechnician(a.id as number);
			const q = async (query: string) => ((await api(sim, token, 'GET', `/api/Tickets?${query}`)).json as { record_count: number }).record_count;
			expect(await q('client_id=12')).toBe(1);
			expect(await q('status_id=9')).toBe(1);
			expect(await q('open_only=true')).toBe(1);
			expect(await q('closed_only=true')).toBe(1);
			expect(await q('search=srv01')).toBe(1);
			expect(await q('requesttype_id=21')).toBe(1);
		});
	});

	describe('actions', () => {
		it('rejects an action without an outcome with Halo\'s message', async () => {
			const t = sim.createTicketDirect({ summary: 'x' });
			const res = await api(sim, token, 'POST', '/api/Actions', [{ ticket_id: t.id, note: 'hello' }]);
			expect(res.status).toBe(400);
			expect(res.text).toBe('An Outcome must be entered for this Action');
			expect(sim.allActions()).toHaveLength(0);
		});

		it('records who_agentid of the token, and new_status closes the ticket', async () => {
			const t = sim.createTicketDirect({ summary: 'x' });
			const res = await api(sim, token, 'POST', '/api/Actions', [
				{ ticket_id: t.id, outcome: 'Private Note', note: 'Resolved in Datto', hiddenfromuser: true, new_status: 9 },
			]);
			expect(res.status).toBe(201);
			expect(res.json).toMatchObject({ ticket_id: t.id, outcome_id: 7, who_agentid: 42, new_status: 9, old_status: 1, sendemail: false });
			const ticket = sim.ticket(t.id as number)!;
			expect(ticket).toMatchObject({ status_id: 9, hasbeenclosed: true, closure_agent_id: 42 });
			expect(ticket.dateclosed).not.toBe(HALO_NO_DATE);
			const list = (await api(sim, token, 'GET', `/api/Actions?ticket_id=${t.id as number}`)).json as { record_count: number; actions: unknown[] };
			expect(list.record_count).toBe(1);
		});

		it('an outcome carrying a new status changes it; reopening resets dateclosed', async () => {
			const t = sim.createTicketDirect({ summary: 'x' });
			await api(sim, token, 'POST', '/api/Actions', [{ ticket_id: t.id, outcome_id: 9, note: 'close' }]);
			expect(sim.ticket(t.id as number)?.status_id).toBe(9);
			await api(sim, token, 'POST', '/api/Actions', [{ ticket_id: t.id, outcome: 'Re-Open', note: 'again' }]);
			expect(sim.ticket(t.id as number)).toMatchObject({ status_id: 2, dateclosed: HALO_NO_DATE });
		});
	});

	describe('tenant profiles', () => {
		it('acme has other ids: closed is 23 "Resolved", and status 9 does not exist', async () => {
			sim.reset('acme');
			const tok = await bearer(sim);
			const statuses = (await api(sim, tok, 'GET', '/api/Status')).json as Array<{ id: number; name: string; type: number }>;
			expect(statuses.find((s) => s.id === 23)?.name).toBe('Resolved');
			expect(statuses.some((s) => s.id === 9)).toBe(false);
			expect(statuses.every((s) => !('closed' in s))).toBe(true);
			const t = sim.createTicketDirect({ summary: 'x' });
			expect(t.status_id).toBe(11);
			const bad = await api(sim, tok, 'POST', '/api/Actions', [{ ticket_id: t.id, outcome: 'Internal Note', new_status: 9 }]);
			expect(bad.status).toBe(400);
			expect(bad.text).toContain('Status 9');
			const pending = await api(sim, tok, 'POST', '/api/Actions', [{ ticket_id: t.id, outcome: 'Internal Note', new_status: 26 }]);
			expect(pending.status).toBe(201);
			expect(sim.ticket(t.id as number)?.hasbeenclosed).toBe(false);
			const me = await api(sim, tok, 'GET', '/api/Agent/me');
			expect(me.json).toMatchObject({ id: 77 });
			sim.reset('default');
		});
	});

	describe('rate limit and gateway timeouts', () => {
		it('answers 429 with the plain-text message, per tenant across tokens, with Retry-After when configured', async () => {
			sim.setRateLimit({ limit: 3, windowMs: 60_000 });
			const other = await bearer(sim);
			const statuses: number[] = [];
			for (let i = 0; i < 4; i++) statuses.push((await api(sim, i % 2 ? other : token, 'GET', '/api/Status')).status);
			expect(statuses).toEqual([200, 200, 200, 429]);
			const limited = await api(sim, token, 'GET', '/api/Status');
			expect(limited.text).toBe('Rate Limit Reached - 3 Requests per rolling 1 minute window');
			expect(limited.headers.get('content-type')).toContain('text/plain');
			expect(limited.headers.get('retry-after')).toBeNull();
			sim.retryAfter = true;
			const withHeader = await api(sim, token, 'GET', '/api/Status');
			expect(Number(withHeader.headers.get('retry-after'))).toBeGreaterThan(0);
			sim.retryAfter = false;
			sim.setRateLimit(false);
		});

		it('injected 429 bursts use Halo\'s text shape', async () => {
			sim.faults.configure({ burst429: 1, retryAfterSeconds: 2 });
			const res = await api(sim, token, 'GET', '/api/Status');
			expect(res.status).toBe(429);
			expect(res.text).toMatch(/^Rate Limit Reached - \d+ Requests per rolling/);
			expect(res.headers.get('retry-after')).toBe('2');
		});

		it('answers 504 after a delay on demand, optionally after applying the write', async () => {
			sim.setGatewayTimeout({ count: 1, delayMs: 50, method: 'POST', pathPattern: 'tickets', applyWrite: true });
			const started = Date.now();
			const res = await api(sim, token, 'POST', '/api/Tickets', [{ summary: 'slow' }]);
			expect(res.status).toBe(504);
			expect(Date.now() - started).toBeGreaterThanOrEqual(45);
			expect(sim.allTickets().map((t) => t.summary)).toEqual(['slow']);
			expect((await api(sim, token, 'POST', '/api/Tickets', [{ summary: 'fast' }])).status).toBe(201);
		});
	});

	describe('admin API', () => {
		it('drives the simulator from another process: tickets, tech close, config, token expiry, counts', async () => {
			const admin = new SimAdminClient(sim.baseUrl);
			const created = await admin.post<Array<{ id: number }>>('/_sim/tickets', { count: 3, template: { client_id: 13 } });
			expect(created).toHaveLength(3);
			const closed = await admin.post<{ ticket: { status_id: number; closure_agent_id: number } }>(
				`/_sim/tickets/${created[0].id}/close-as-technician`,
				{ note: 'done' },
			);
			expect(closed.ticket).toMatchObject({ status_id: 9, closure_agent_id: 5 });
			const cfg = await admin.post<{ rateLimit: { limit: number } }>('/_sim/config', { rateLimit: { limit: 7, windowMs: 1000 }, retryAfter: true });
			expect(cfg.rateLimit.limit).toBe(7);
			const state = await admin.get<{ rateLimit: { limit: number }; retryAfter: boolean; tickets: number }>('/_sim/state');
			expect(state).toMatchObject({ rateLimit: { limit: 7 }, retryAfter: true, tickets: 3 });
			const expired = await admin.post<{ expired: number }>('/_sim/tokens/expire');
			expect(expired.expired).toBeGreaterThan(0);
			expect((await api(sim, token, 'GET', '/api/Status')).status).toBe(401);
			const counts = await admin.get<{ tokenRequests: number; unauthorized: number }>('/_sim/counts');
			expect(counts.unauthorized).toBeGreaterThanOrEqual(1);
			const profile = await admin.post<{ closedStatusId: number }>('/_sim/profile', { profile: 'acme' });
			expect(profile.closedStatusId).toBe(23);
			await admin.post('/_sim/reset', { profile: 'default' });
			expect(sim.profile.name).toBe('default');
			sim.setRateLimit(false);
			sim.retryAfter = false;
		});
	});
});

describe('Halo simulator options', () => {
	it('on-premise: the token endpoint needs no tenant; custom auth path; authinfo can be switched off', async () => {
		const sim = await startSim({ onPremise: true, authPath: '/identity', authInfo: false });
		try {
			const res = await fetch(`${sim.baseUrl}/identity/token`, {
				method: 'POST',
				headers: { 'content-type': 'application/x-www-form-urlencoded' },
				body: new URLSearchParams({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: SECRET }).toString(),
			});
			expect(res.status).toBe(200);
			expect((await fetch(`${sim.baseUrl}/api/authinfo`)).status).toBe(404);
		} finally {
			await sim.close();
		}
	});

	it('seeds tickets and more API applications logging in as other agents', async () => {
		const sim = await startSim({ seedTickets: 5, applications: [{ clientId: 'tech-app', clientSecret: 'tech-secret-123456', agentId: 6 }] });
		try {
			expect(sim.allTickets()).toHaveLength(5);
			const res = await fetch(`${sim.baseUrl}/auth/token?tenant=default`, {
				method: 'POST',
				headers: { 'content-type': 'application/x-www-form-urlencoded' },
				body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'tech-app', client_secret: 'tech-secret-123456' }).toString(),
			});
			const tok = ((await res.json()) as { access_token: string }).access_token;
			expect((await api(sim, tok, 'GET', '/api/Agent/me')).json).toMatchObject({ id: 6 });
		} finally {
			await sim.close();
		}
	});

	it('parses the CLI flags', () => {
		const parsed = parseArgs([
			'--port',
			'5601',
			'--tenant',
			'acme',
			'--client-id',
			'X',
			'--client-secret=Y',
			'--rate-limit',
			'300/300',
			'--retry-after',
			'--token-lifetime',
			'60',
		]);
		expect(parsed.port).toBe(5601);
		expect(parsed.options).toMatchObject({
			tenant: 'acme',
			profile: 'acme',
			clientId: 'X',
			clientSecret: 'Y',
			rateLimit: { limit: 300, windowMs: 300_000 },
			retryAfter: true,
			tokenLifetimeSeconds: 60,
		});
		expect(parseArgs(['--tenant', 'contoso', '--rate-limit', '0']).options).toMatchObject({ tenant: 'contoso', profile: 'default', rateLimit: false });
	});
});
