/** HaloClient against the in-process Halo simulator: tokens, 401 refresh, 429s, budgets, paging, writes, secrets. */
import { inspect } from 'node:util';
import { NodeApiError } from 'n8n-workflow';
import {
	clearHaloClients,
	getHaloClient,
	haloClientKey,
	haloBudgetWindowMs,
	haloErrorMessage,
	HaloClient,
	parseHaloRateLimit,
	toHaloId,
} from '../../nodes/shared/transport/halo';
import { ApiRequestError, RollingWindowLimiter, sharedBudget } from '../../nodes/shared/transport/http';
import { toNodeError } from '../../nodes/shared/transport/n8n';
import { json } from '../../simulators/common/server';
import { HaloSimulator, HALO_NO_DATE } from '../../simulators/halo';
import { clientFor, configFor, SECRET, startSim } from './helpers';

const node = { id: '1', name: 'HaloPSA', type: 'n8n-nodes-halo-datto.haloPsa', typeVersion: 1, position: [0, 0] as [number, number], parameters: {} };

async function rejection(promise: Promise<unknown>): Promise<ApiRequestError> {
	try {
		await promise;
	} catch (error) {
		return error as ApiRequestError;
	}
	throw new Error('expected a rejection');
}

/** Every way an error could leak text: message, stack, own properties, util.inspect, the n8n error built from it. */
function everyRendering(error: unknown): string {
	const nodeError = toNodeError(node, error);
	return [
		(error as Error).message,
		(error as Error).stack,
		JSON.stringify(error),
		inspect(error, { depth: 5 }),
		nodeError.message,
		nodeError.description,
		JSON.stringify(nodeError),
		inspect(nodeError, { depth: 5 }),
	].join('\n');
}

describe('HaloClient', () => {
	let sim: HaloSimulator;

	beforeAll(async () => {
		sim = await startSim();
	});
	afterAll(async () => await sim.close());
	beforeEach(() => sim.reset());

	describe('tokens', () => {
		it('fetches one token for 10 concurrent calls and reuses it (single-flight, counted at the simulator)', async () => {
			const client = clientFor(sim);
			const results = await Promise.all(Array.from({ length: 10 }, async () => await client.listStatuses()));
			expect(results.every((r) => r.some((s) => s.id === 9))).toBe(true);
			expect(sim.counts().tokenRequests).toBe(1);
			expect(client.requestCounts().tokenRequests).toBe(1);
			await Promise.all([client.listTeams(), client.me(), client.listOutcomes()]);
			expect(sim.counts().tokenRequests).toBe(1);
			expect(sim.counts().apiRequests).toBe(13);
		});

		it('refreshes once after a 401 (tokens expired at the simulator mid-run) and the calls succeed', async () => {
			const client = clientFor(sim);
			await client.me();
			expect(sim.counts().tokenRequests).toBe(1);
			sim.expireTokens();
			const agents = await Promise.all(Array.from({ length: 5 }, async () => await client.me()));
			expect(agents.every((a) => a.id === 42)).toBe(true);
			expect(sim.counts().tokenRequests).toBe(2);
			expect(sim.counts().unauthorized).toBe(5);
		});

		it('renews a token shortly before it expires without a 401', async () => {
			sim.tokenLifetimeSeconds = 1;
			const client = clientFor(sim, {}, { tuning: { tokenRefreshBeforeExpiryMs: 60_000 } });
			await client.me();
			await new Promise((r) => setTimeout(r, 950));
			await client.me();
			expect(sim.counts().unauthorized).toBe(0);
			expect(sim.counts().tokenRequests).toBe(2);
			sim.tokenLifetimeSeconds = 3600;
		});

		it('discovers the authorisation server and tenant via /api/authinfo when none is configured', async () => {
			const custom = await startSim({ authPath: '/identity', tenant: 'yourco' });
			try {
				const client = clientFor(custom, { authUrl: '', tenant: '' });
				expect((await client.me()).id).toBe(42);
				const counts = custom.counts();
				expect(counts.authInfoRequests).toBe(1);
				expect(counts.byRoute['POST /identity/token']).toBe(1);
				const tokenCall = custom.log.entries().find((e) => e.route === 'POST /identity/token');
				expect(tokenCall?.query.tenant).toBe('yourco');
				custom.expireTokens();
				await client.me();
				expect(custom.counts().authInfoRequests).toBe(1);
				expect(client.requestCounts().discoveryRequests).toBe(1);
			} finally {
				await custom.close();
			}
		});

		it('falls back to {instance}/auth when /api/authinfo is missing; on-premise omits the tenant', async () => {
			const onPrem = await startSim({ authInfo: false, onPremise: true });
			try {
				const client = clientFor(onPrem, { authUrl: '', tenant: '', hosting: 'onPremise' });
				expect((await client.me()).id).toBe(42);
				const tokenCall = onPrem.log.entries().find((e) => e.route === 'POST /auth/token');
				expect(tokenCall).toBeDefined();
				expect(tokenCall?.query).toEqual({});
				expect(onPrem.counts().authInfoRequests).toBe(1);
			} finally {
				await onPrem.close();
			}
		});
	});

	describe('rate limits', () => {
		it('backs off exponentially through a burst of 429s without Retry-After, then succeeds', async () => {
			const waits: number[] = [];
			const client = clientFor(sim, {}, {
				tuning: { random: () => 1, sleep: async (ms) => void waits.push(ms), rateLimitBaseDelayMs: 10 },
			});
			await client.me();
			sim.faults.configure({ burst429: 3 });
			const agent = await client.me();
			expect(agent.id).toBe(42);
			expect(sim.counts().rateLimited).toBe(3);
			expect(waits).toEqual([10, 20, 40]);
			expect(client.requestCounts().rateLimited).toBe(3);
		});

		it('honours Retry-After (and pauses the budget for everyone)', async () => {
			const waits: number[] = [];
			const client = clientFor(sim, {}, {
				tuning: { retry: { maxDelayMs: 5_000 }, sleep: async (ms) => void waits.push(ms) },
			});
			await client.me();
			sim.faults.configure({ burst429: 1, retryAfterSeconds: 1 });
			const started = Date.now();
			await client.me();
			expect(waits).toEqual([1000]);
			// The injected sleep returns at once: the budget pause made the retry wait for real.
			expect(Date.now() - started).toBeGreaterThanOrEqual(950);
			expect(sim.counts().rateLimited).toBe(1);
		});

		it('adapts the budget to Halo\'s "N Requests per rolling M window" text and then stays under it', async () => {
			const limited = await startSim({ rateLimit: { limit: 5, windowMs: 1000 } });
			try {
				const budget = new RollingWindowLimiter(50, 1000);
				const client = clientFor(limited, {}, { budget });
				const results = await Promise.all(Array.from({ length: 15 }, async () => await client.listStatuses()));
				expect(results).toHaveLength(15);
				expect(budget.limit).toBe(5);
				expect(budget.windowMs).toBe(haloBudgetWindowMs(1000));
				const counts = limited.counts();
				expect(counts.rateLimited).toBeGreaterThanOrEqual(1);
				expect(counts.rateLimited).toBeLessThanOrEqual(15);
				// After adapting, the retried requests did not storm: at most one round of 429s per original request.
				expect(counts.apiRequests - counts.rateLimited).toBe(15);
			} finally {
				await limited.close();
			}
		});

		it('a response larger than maxResponseBytes is not read: the request fails naming the cap (issue 18)', async () => {
			for (let i = 0; i < 40; i++) sim.createTicketDirect({ summary: `Large list ${i} ${'x'.repeat(100)}` });
			const capped = clientFor(sim, {}, { tuning: { maxResponseBytes: 4096, retry: { maxAttempts: 1 } } });
			await expect(capped.listTickets({}, { limit: 40 })).rejects.toThrow(/maxContentLength size of 4096 exceeded/);
			// The same list within the (default) cap is read.
			expect((await clientFor(sim).listTickets({}, { limit: 40 })).length).toBeGreaterThanOrEqual(40);
		});

		it('429s are bounded by their own attempt count, not by maxAttempts: a burst of 10 is waited out with maxAttempts 3', async () => {
			const client = clientFor(sim, {}, { tuning: { retry: { maxAttempts: 3 } } });
			await client.me();
			const before = sim.log.entries().at(-1)?.seq ?? 0;
			sim.faults.configure({ burst429: 10, pathPattern: '^/api/' });
			await client.me();
			const answers = sim.log.entries(before).filter((e) => e.path.startsWith('/api/')).map((e) => e.status);
			expect(answers).toEqual([...Array(10).fill(429), 200]);
		});

		it('gives up after the configured attempts with the 429 text in the error', async () => {
			const client = clientFor(sim, {}, { tuning: { retry: { maxAttempts: 3, maxRateLimitedAttempts: 3 } } });
			await client.me();
			sim.faults.configure({ burst429: 10, pathPattern: '^/api/' });
			const error = await rejection(client.me());
			expect(error).toBeInstanceOf(ApiRequestError);
			expect(error.status).toBe(429);
			expect(error.apiMessage).toMatch(/^Rate Limit Reached - \d+ Requests per rolling/);
			expect(error.hint).toMatch(/Gave up after 3 attempts/);
		});

		it('respects the credential budget under a burst: 60 calls, budget 20 per 1 s, never more than 20 in any 1 s', async () => {
			const strict = await startSim({ rateLimit: { limit: 20, windowMs: 1000 } });
			try {
				const client = clientFor(strict, { requestsPerWindow: 20, windowSeconds: 1 }, { sharedBudget: true });
				expect(client.budget).toBe(sharedBudget(`halo:${client.key}`, 20, 1000));
				expect(client.budget.limit).toBe(20);
				expect(client.budget.windowMs).toBe(haloBudgetWindowMs(1000));
				await client.me();
				const started = Date.now();
				const results = await Promise.all(Array.from({ length: 59 }, async () => await client.listTeams()));
				expect(results).toHaveLength(59);
				expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
				expect(strict.counts().rateLimited).toBe(0);
				expect(strict.counts().apiRequests).toBe(60);
				expect(strict.maxApiRequestsInWindow(1000)).toBeLessThanOrEqual(20);
			} finally {
				await strict.close();
			}
		});
	});

	describe('paging', () => {
		it('pages through more than 3 pages and stops on the short page', async () => {
			for (let i = 0; i < 350; i++) sim.createTicketDirect({ summary: `Alert ${i}`, client_id: 12 });
			const client = clientFor(sim);
			const all = await client.listTickets({ clientId: 12 }, { returnAll: true });
			expect(all).toHaveLength(350);
			expect(new Set(all.map((t) => t.id)).size).toBe(350);
			const pages = sim.log.entries().filter((e) => e.route === 'GET /api/tickets');
			expect(pages.map((e) => e.query.page_no)).toEqual(['1', '2', '3', '4']);
			expect(pages.every((e) => e.query.pageinate === 'true' && e.query.page_size === '100' && e.query.client_id === '12')).toBe(true);
		});

		it('stops when record_count is reached, honours limit and clamps page_size to 100', async () => {
			for (let i = 0; i < 300; i++) sim.createTicketDirect({ summary: `T${i}` });
			const client = clientFor(sim);
			expect(await client.listTickets({}, { returnAll: true })).toHaveLength(300);
			expect(sim.log.count('GET /api/tickets')).toBe(3);
			sim.log.clear();
			expect(await client.listTickets({}, { limit: 150, pageSize: 500 })).toHaveLength(150);
			const pages = sim.log.entries().filter((e) => e.route === 'GET /api/tickets');
			expect(pages).toHaveLength(2);
			expect(pages[0].query.page_size).toBe('100');
			sim.log.clear();
			expect(await client.listTickets()).toHaveLength(50);
			expect(sim.log.count('GET /api/tickets')).toBe(1);
		});

		it('stops on an empty page, on a page that ignores paging, and at the page cap', async () => {
			const item = (i: number) => ({ id: i, name: `r${i}` });
			sim.route('GET', '/api/liar', (req) => {
				const page = Number(req.query.page_no);
				return json(200, { record_count: 1000, things: page <= 2 ? Array.from({ length: 100 }, (_, i) => item((page - 1) * 100 + i + 1)) : [] });
			});
			sim.route('GET', '/api/nopaging', () => json(200, Array.from({ length: 100 }, (_, i) => item(i + 1))));
			sim.route('GET', '/api/endless', (req) => {
				const page = Number(req.query.page_no);
				return json(200, { things: Array.from({ length: 10 }, (_, i) => item(page * 10 + i)) });
			});
			const client = clientFor(sim);
			expect(await client.listAll('/liar', 'things')).toHaveLength(200);
			expect(sim.log.count('GET /api/liar')).toBe(3);
			expect(await client.listAll('/nopaging', 'things')).toHaveLength(100);
			expect(sim.log.count('GET /api/nopaging')).toBe(2);
			expect(await client.listAll('/endless', 'things', {}, { pageSize: 10, maxPages: 5 })).toHaveLength(50);
			expect(sim.log.count('GET /api/endless')).toBe(5);
		});

		it('reads the lookups the dropdowns need', async () => {
			const client = clientFor(sim);
			const priorities = await client.listPriorities();
			expect(priorities.every((p) => typeof p.id === 'string' && typeof p.priorityid === 'number')).toBe(true);
			expect((await client.listPriorities(2)).map((p) => p.name)).toEqual(['P1 - Critical', 'P2 - High', 'P3 - Medium', 'P4 - Low']);
			expect((await client.listTicketTypes()).map((t) => t.name)).toContain('RMM Alert');
			expect(await client.getTicketType(21)).toMatchObject({ id: 21, workflow_id: 1, sla_id: 2 });
			expect((await client.listTeams()).map((t) => t.name)).toEqual(['Service Desk', 'Second Line', 'Projects']);
			const agents = await client.listAgents();
			expect(agents.some((a) => a.id === 42)).toBe(false);
			expect((await client.listAgents({ includeApiAgents: true })).some((a) => a.id === 42)).toBe(true);
			const outcomes = await client.listOutcomes();
			expect(outcomes.find((o) => o.id === 9)).toMatchObject({ outcome: 'Close', newstatus: 9 });
			expect((await client.testConnection()).agent.id).toBe(42);
		});

		it('lists clients (search) and sites of a client', async () => {
			const client = clientFor(sim);
			expect((await client.listClients({ search: 'conto' })).map((c) => c.name)).toEqual(['Contoso Ltd']);
			expect((await client.listClients()).some((c) => c.inactive)).toBe(false);
			expect((await client.listSites({ clientId: 12 })).map((s) => s.id)).toEqual([34, 35]);
			expect(await client.getSite(35)).toMatchObject({ name: 'Warehouse', client_name: 'Contoso Ltd' });
			expect(await client.getClient(13)).toMatchObject({ name: 'Fabrikam Inc', main_site_id: 36 });
		});
	});

	describe('writes', () => {
		it('sends array bodies and handles object or array answers', async () => {
			const client = clientFor(sim);
			const created = await client.createTicket({ summary: 'Disk C: 96% full', client_id: 12, details_html: '<p>x</p>' });
			expect(created).toMatchObject({ summary: 'Disk C: 96% full', client_id: 12, dateclosed: HALO_NO_DATE, hasbeenclosed: false });
			const post = sim.log.entries().find((e) => e.route === 'POST /api/tickets');
			expect(Array.isArray(post?.body)).toBe(true);
			sim.writeResponse = 'array';
			const second = await client.createTicket({ summary: 'second', client_id: '13' as unknown as number });
			expect(second).toMatchObject({ summary: 'second', client_id: 13 });
			const updated = await client.updateTicket(String(created.id), { summary: 'renamed', status_id: 2 });
			expect(updated).toMatchObject({ id: created.id, summary: 'renamed', status_id: 2 });
			sim.writeResponse = 'object';
			expect((await client.getTicket(created.id)).summary).toBe('renamed');
		});

		it('rejects an action without an outcome with Halo\'s message, without retrying', async () => {
			const client = clientFor(sim);
			const t = await client.createTicket({ summary: 'x' });
			const error = await rejection(client.addAction({ ticket_id: t.id, note: 'no outcome' }));
			expect(error).toBeInstanceOf(ApiRequestError);
			expect(error.status).toBe(400);
			expect(error.apiMessage).toBe('An Outcome must be entered for this Action');
			expect(sim.log.count('POST /api/actions')).toBe(1);
			const nodeError = toNodeError(node, error);
			expect(nodeError).toBeInstanceOf(NodeApiError);
			expect((nodeError as NodeApiError).httpCode).toBe('400');
			expect(nodeError.message).toContain('An Outcome must be entered for this Action');
		});

		it('closes with a note in one call (new_status) and lists the actions; sendemail defaults to false', async () => {
			const client = clientFor(sim);
			const t = await client.createTicket({ summary: 'x' });
			sim.log.clear();
			const action = await client.addAction({ ticket_id: t.id, outcome: 'Private Note', note: 'Resolved', hiddenfromuser: true, new_status: 9 });
			expect(action).toMatchObject({ ticket_id: t.id, who_agentid: 42, new_status: 9, sendemail: false });
			expect(sim.counts().apiRequests).toBe(1);
			expect(sim.ticket(t.id)).toMatchObject({ status_id: 9, hasbeenclosed: true });
			const actions = await client.listActions(t.id);
			expect(actions.map((a) => a.note)).toEqual(['Resolved']);
		});

		it('works with a tenant whose closed status is not 9', async () => {
			sim.reset('acme');
			try {
				const client = clientFor(sim);
				const statuses = await client.listStatuses();
				const closed = statuses.find((s) => s.name === 'Resolved');
				expect(closed?.id).toBe(23);
				expect(statuses.some((s) => s.id === 9)).toBe(false);
				const outcomes = await client.listOutcomes();
				expect(outcomes.map((o) => o.id)).toContain(101);
				const t = await client.createTicket({ summary: 'acme alert', client_id: 502, tickettype_id: 31 });
				expect(t.status_id).toBe(11);
				await client.addAction({ ticket_id: t.id, outcome_id: 101, note: 'closing', new_status: closed!.id });
				const after = await client.getTicket(t.id);
				expect(after).toMatchObject({ status_id: 23, hasbeenclosed: true, closure_agent_id: 77 });
				expect(after.dateclosed).not.toBe(HALO_NO_DATE);
				const wrong = await rejection(client.addAction({ ticket_id: t.id, outcome_id: 101, new_status: 9 }));
				expect(wrong.status).toBe(400);
				expect(wrong.apiMessage).toBe('Status 9 does not exist');
				expect((await client.me()).id).toBe(77);
			} finally {
				sim.reset('default');
			}
		});

		it('does not repeat a create after an ambiguous 504 unless recover finds nothing', async () => {
			const client = clientFor(sim);
			await client.me();
			sim.setGatewayTimeout({ count: 1, delayMs: 10, method: 'POST', pathPattern: 'tickets', applyWrite: true });
			const error = await rejection(client.createTicket({ summary: 'once' }));
			expect(error.status).toBe(504);
			expect(error.hint).toMatch(/may or may not have been applied/);
			expect(sim.allTickets()).toHaveLength(1);

			sim.setGatewayTimeout({ count: 1, delayMs: 10, method: 'POST', pathPattern: 'tickets', applyWrite: true });
			const recovered = await client.createTicket(
				{ summary: 'recoverable' },
				{ recover: async () => (await client.listTickets({ search: 'recoverable' }))[0] },
			);
			expect(recovered.summary).toBe('recoverable');
			expect(sim.allTickets().filter((t) => t.summary === 'recoverable')).toHaveLength(1);
			expect(sim.log.count('POST /api/tickets')).toBe(2);

			sim.setGatewayTimeout({ count: 1, delayMs: 10, method: 'POST', pathPattern: 'tickets' });
			const retried = await client.updateTicket(recovered.id, { summary: 'updated after 504' });
			expect(retried.summary).toBe('updated after 504');
			expect(sim.log.count('POST /api/tickets')).toBe(4);
		});

		it('converts integer-valued ids and refuses non-integers before calling Halo', async () => {
			expect(toHaloId('95.0')).toBe(95);
			expect(toHaloId(' 12 ')).toBe(12);
			expect(() => toHaloId('95.5')).toThrow(/whole number/);
			expect(() => toHaloId('abc')).toThrow(/whole number/);
			const client = clientFor(sim);
			await expect(client.getTicket('x1')).rejects.toThrow(/whole number/);
			expect(sim.counts().apiRequests).toBe(0);
			const t = await client.createTicket({ summary: 'ids', client_id: '12.0' as unknown as number });
			expect(t.client_id).toBe(12);
		});

		it('answers 404 for an unknown ticket with the status in the error', async () => {
			const client = clientFor(sim);
			const error = await rejection(client.getTicket(424242));
			expect(error.status).toBe(404);
			expect(error.path).toBe('/Tickets/424242');
			expect(sim.log.count('GET /api/tickets/:id')).toBe(1);
		});
	});

	describe('no secret or token in errors', () => {
		it('wrong secret: 401 invalid_client, no secret anywhere in the error', async () => {
			const wrongSecret = 'Wr0ng-Secret-Value-That-Must-Not-Leak-123';
			const client = clientFor(sim, { clientSecret: wrongSecret });
			const error = await rejection(client.listStatuses());
			expect(error).toBeInstanceOf(ApiRequestError);
			expect(error.status).toBe(401);
			expect(error.apiMessage).toBe('invalid_client');
			expect(error.hint).toMatch(/client ID, secret, tenant/);
			const text = everyRendering(error);
			expect(text).not.toContain(wrongSecret);
			expect(text).not.toContain(encodeURIComponent(wrongSecret));
			expect(sim.counts().tokenRequests).toBe(1);
		});

		it('a 500 that echoes the token and secret is redacted', async () => {
			const client = clientFor(sim, {}, { tuning: { retry: { maxAttempts: 2 } } });
			await client.me();
			const token = sim.lastIssuedToken()!;
			const original = sim.faults.errorResponse;
			sim.faults.errorResponse = (status) =>
				json(status, { message: `NullReferenceException while handling Authorization: Bearer ${token}; client_secret=${SECRET}; raw ${token}` });
			sim.faults.configure({ failNext: 5, pathPattern: '/api/status' });
			try {
				const error = await rejection(client.listStatuses());
				expect(error.status).toBe(500);
				expect(error.attempts).toBe(2);
				expect(error.apiMessage).toContain('NullReferenceException');
				expect(error.apiMessage).toContain('***');
				const text = everyRendering(error);
				expect(text).not.toContain(token);
				expect(text).not.toContain(SECRET);
			} finally {
				sim.faults.errorResponse = original;
			}
		});

		it('network errors (refused connection, timeout) carry neither secret nor token', async () => {
			const closed = await startSim();
			const url = closed.baseUrl;
			await closed.close();
			const refused = new HaloClient(
				{ instanceUrl: url, authUrl: `${url}/auth`, tenant: 'default', clientId: 'id', clientSecret: SECRET },
				{ budget: new RollingWindowLimiter(100, 1000), tuning: { retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5, maxTotalWaitMs: 100 }, timeoutMs: 500 } },
			);
			const error = await rejection(refused.listStatuses());
			expect(error).toBeInstanceOf(ApiRequestError);
			expect(error.code).toBe('ECONNREFUSED');
			expect(everyRendering(error)).not.toContain(SECRET);

			const client = clientFor(sim, {}, { tuning: { timeoutMs: 100, retry: { maxAttempts: 2 } } });
			await client.me();
			const token = sim.lastIssuedToken()!;
			sim.faults.configure({ timeoutRate: 1, pathPattern: '/api/team' });
			const timeout = await rejection(client.listTeams());
			sim.faults.clear();
			expect(timeout.code).toBe('ECONNABORTED');
			const text = everyRendering(timeout);
			expect(text).not.toContain(token);
			expect(text).not.toContain(SECRET);
		});
	});

	describe('registry', () => {
		afterEach(() => clearHaloClients());

		it('caches one client per credential, keyed without the plain secret', async () => {
			const config = configFor(sim, { clientSecret: SECRET });
			const a = getHaloClient(config, { tuning: { retry: { maxAttempts: 2 } } });
			const b = getHaloClient({ ...config });
			expect(b).toBe(a);
			expect(getHaloClient({ ...config, clientSecret: `${SECRET}-other` })).not.toBe(a);
			expect(getHaloClient({ ...config, tenant: 'other' })).not.toBe(a);
			expect(a.key).toBe(haloClientKey(config));
			expect(a.key).not.toContain(SECRET);
			await Promise.all([a.me(), b.listStatuses()]);
			expect(sim.counts().tokenRequests).toBe(1);
		});

		it('applies an edited request budget to the cached client', () => {
			const config = configFor(sim, { clientId: 'budget-edit', requestsPerWindow: 100, windowSeconds: 60 });
			const client = getHaloClient(config);
			expect([client.budget.limit, client.budget.windowMs]).toEqual([100, haloBudgetWindowMs(60_000)]);
			getHaloClient({ ...config, requestsPerWindow: 40, windowSeconds: 30 });
			expect([client.budget.limit, client.budget.windowMs]).toEqual([40, haloBudgetWindowMs(30_000)]);
		});

		it('rejects unusable settings with a clear message', () => {
			expect(() => getHaloClient({ clientId: 'x', clientSecret: 'y' })).toThrow(/instance URL/);
			expect(() => getHaloClient({ instanceUrl: 'yourco.halopsa.com', clientId: 'x', clientSecret: 'y' })).toThrow(/https:\/\//);
			expect(() => getHaloClient({ instanceUrl: sim.baseUrl, clientId: 'x', clientSecret: '' })).toThrow(/client secret/);
		});
	});

	describe('helpers', () => {
		it('parses Halo\'s rate-limit text', () => {
			expect(parseHaloRateLimit('Rate Limit Reached - 300 Requests per rolling 5 minute window')).toEqual({ limit: 300, windowMs: 300_000 });
			expect(parseHaloRateLimit('Rate Limit Reached - 500 Requests per rolling 3 minutes window')).toEqual({ limit: 500, windowMs: 180_000 });
			expect(parseHaloRateLimit('Rate Limit Reached - 20 Requests per rolling 2 second window')).toEqual({ limit: 20, windowMs: 2000 });
			expect(parseHaloRateLimit('Too Many Requests')).toBeUndefined();
		});

		it('reads Halo error bodies of every known shape', () => {
			expect(haloErrorMessage(400, 'An Outcome must be entered for this Action')).toBe('An Outcome must be entered for this Action');
			expect(haloErrorMessage(401, { error: 'invalid_client' })).toBe('invalid_client');
			expect(haloErrorMessage(400, { errors: { '$[0].id': ['bad int'] }, title: 'One or more validation errors occurred.' })).toBe(
				'One or more validation errors occurred. $[0].id: bad int',
			);
			expect(haloErrorMessage(400, { '[0].id': 'Invalid id' })).toBe('[0].id: Invalid id');
			expect(haloErrorMessage(401, undefined)).toBe('HTTP 401 Unauthorized');
			expect(haloErrorMessage(500, '<html><body><h1>Server Error</h1></body></html>')).toBe('Server Error');
		});
	});
});
