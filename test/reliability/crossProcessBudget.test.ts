/**
 * The request budget shared across processes through Redis (nodes/shared/transport/http/crossProcessBudget.ts), as
 * queue-mode workers use it. Each "process" is simulated by its own RedisRollingWindowBudget with its own Redis
 * connection on the same key. Needs Redis: REDIS_HOST/REDIS_PORT (set by .ci/run), default 127.0.0.1:6379.
 */
import {
	RedisConnection,
	RedisRollingWindowBudget,
	RollingWindowLimiter,
	budgetFor,
	budgetSharingFromEnv,
	resetCrossProcessBudgets,
	sharedBudget,
	type RequestBudget,
} from '../../nodes/shared/transport/http';
import { HaloClient } from '../../nodes/shared/transport/halo';
import { HaloSimulator } from '../../simulators/halo';
import { CLIENT_ID, FAST, SECRET, configFor } from '../halo/helpers';
import { redisDeleteMatching, redisLocation, redisPing } from './support/redis';
import { maxInWindow } from '../../harness/window';

const prefix = `hd-budget-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
const connections: RedisConnection[] = [];

function processBudget(key: string, limit: number, windowMs: number, fallback: RequestBudget = new RollingWindowLimiter(limit, windowMs)): RedisRollingWindowBudget {
	const connection = new RedisConnection({ ...redisLocation() });
	connections.push(connection);
	return new RedisRollingWindowBudget(key, limit, windowMs, connection, prefix, fallback);
}

beforeAll(async () => {
	await redisPing(); // never skip: no Redis is a failure with its address in the message
});

afterAll(async () => {
	for (const c of connections) c.close();
	resetCrossProcessBudgets();
	await redisDeleteMatching(`${prefix}*`);
});

describe('budgetSharingFromEnv', () => {
	test('auto: Redis in queue mode with n8n’s queue settings, in-process otherwise; off and cluster stay in-process', () => {
		expect(budgetSharingFromEnv({}).mode).toBe('process');
		expect(budgetSharingFromEnv({ EXECUTIONS_MODE: 'regular' }).mode).toBe('process');
		expect(
			budgetSharingFromEnv({
				EXECUTIONS_MODE: 'queue',
				QUEUE_BULL_REDIS_HOST: 'redis.internal',
				QUEUE_BULL_REDIS_PORT: '6380',
				QUEUE_BULL_REDIS_DB: '2',
				QUEUE_BULL_REDIS_PASSWORD: 'pw',
				QUEUE_BULL_REDIS_TLS: 'true',
				QUEUE_BULL_PREFIX: 'n8nq',
			}),
		).toEqual({
			mode: 'redis',
			settings: { redis: { host: 'redis.internal', port: 6380, db: 2, username: undefined, password: 'pw', tls: true }, prefix: 'n8nq' },
		});
		expect(budgetSharingFromEnv({ EXECUTIONS_MODE: 'queue', HALO_DATTO_SHARED_BUDGET: 'off' }).mode).toBe('process');
		expect(budgetSharingFromEnv({ HALO_DATTO_SHARED_BUDGET: 'redis' }).mode).toBe('redis');
		expect(budgetSharingFromEnv({ EXECUTIONS_MODE: 'queue', QUEUE_BULL_REDIS_CLUSTER_NODES: 'a:1,b:2' })).toMatchObject({ mode: 'process' });
	});

	test('budgetFor returns the in-process budget unless sharing is on, and one shared budget per key', () => {
		expect(budgetFor('k-local', 5, 1000, { mode: 'process', reason: 'test' })).toBe(sharedBudget('k-local', 5, 1000));
		const sharing = { mode: 'redis' as const, settings: { redis: redisLocation(), prefix } };
		const a = budgetFor('k-shared', 5, 1000, sharing);
		expect(a).toBeInstanceOf(RedisRollingWindowBudget);
		expect(budgetFor('k-shared', 5, 1000, sharing)).toBe(a);
	});
});

describe('RedisRollingWindowBudget across processes', () => {
	test('3 processes, 45 concurrent requests, 10 per second: never more than 10 in any second, all served', async () => {
		const key = `three-${Date.now()}`;
		const budgets = [processBudget(key, 10, 1000), processBudget(key, 10, 1000), processBudget(key, 10, 1000)];
		const stamps: number[] = [];
		const started = Date.now();
		await Promise.all(
			Array.from({ length: 45 }, async (_, i) => {
				const budget = budgets[i % 3];
				await budget.acquire();
				stamps.push(Date.now());
				await new Promise((r) => setTimeout(r, 5));
				budget.settle();
			}),
		);
		expect(stamps).toHaveLength(45);
		// 45 requests at 10 per rolling second cannot finish in less than 4 windows.
		expect(Date.now() - started).toBeGreaterThanOrEqual(4000);
		expect(maxInWindow(stamps, 1000)).toBeLessThanOrEqual(10);
		expect(budgets.reduce((n, b) => n + b.counts.redis, 0)).toBe(45);
		expect(budgets.every((b) => b.counts.fallback === 0)).toBe(true);
	}, 30_000);

	test('a pause after a 429 in one process holds the others too', async () => {
		const key = `pause-${Date.now()}`;
		const [a, b] = [processBudget(key, 100, 1000), processBudget(key, 100, 1000)];
		await a.acquire();
		a.settle();
		a.pauseUntil(Date.now() + 800);
		await new Promise((r) => setTimeout(r, 50)); // the pause is written asynchronously
		const started = Date.now();
		await b.acquire();
		b.settle();
		expect(Date.now() - started).toBeGreaterThanOrEqual(600);
	});

	test('Redis unreachable: falls back to the in-process budget at once, which still limits', async () => {
		const fallback = new RollingWindowLimiter(3, 500);
		const dead = new RedisConnection({ host: '127.0.0.1', port: 1, timeoutMs: 500 });
		connections.push(dead);
		const budget = new RedisRollingWindowBudget(`dead-${Date.now()}`, 3, 500, dead, prefix, fallback);
		const stamps: number[] = [];
		for (let i = 0; i < 6; i++) {
			await budget.acquire();
			stamps.push(Date.now());
			budget.settle();
		}
		expect(budget.counts).toEqual({ redis: 0, fallback: 6 });
		expect(budget.lastFallbackReason).toMatch(/Could not connect to Redis at 127\.0\.0\.1:1/);
		expect(maxInWindow(stamps, 500)).toBeLessThanOrEqual(3);
	});
});

describe('two HaloClients ("workers") sharing one budget through Redis against the Halo simulator', () => {
	let sim: HaloSimulator;

	beforeAll(async () => {
		sim = new HaloSimulator({ clientId: CLIENT_ID, clientSecret: SECRET, rateLimit: { limit: 12, windowMs: 1500 } });
		await sim.listen(0);
	});

	afterAll(async () => {
		await sim.close();
	});

	test('36 ticket reads split over two clients with 12 per 1.5 s each configured: no 429 at Halo', async () => {
		const key = `halo-${Date.now()}`;
		// Each "worker" is configured with the full budget (12 per 1.5 s), as every queue-mode worker is.
		const clients = [0, 1].map(
			() =>
				new HaloClient(configFor(sim, { requestsPerWindow: 12, windowSeconds: 1.5 }), {
					budget: processBudget(key, 12, 1600),
					tuning: { ...FAST, retry: { ...FAST.retry, maxTotalWaitMs: 20_000 } },
				}),
		);
		const before = sim.counts();
		await Promise.all(Array.from({ length: 36 }, async (_, i) => await clients[i % 2].listTickets({}, { limit: 1 })));
		const after = sim.counts();
		expect(after.apiRequests - before.apiRequests).toBe(36);
		expect(after.rateLimited - before.rateLimited).toBe(0);
		expect(sim.maxApiRequestsInWindow(1500)).toBeLessThanOrEqual(12);
	}, 30_000);

	test('the same without sharing (each client its own budget) does run into Halo’s limit', async () => {
		await new Promise((r) => setTimeout(r, 1600)); // let the previous test's window pass
		const clients = [0, 1].map(
			() =>
				new HaloClient(configFor(sim), {
					budget: new RollingWindowLimiter(12, 1600),
					tuning: { ...FAST, retry: { ...FAST.retry, maxTotalWaitMs: 20_000 } },
				}),
		);
		const before = sim.counts();
		await Promise.all(Array.from({ length: 24 }, async (_, i) => await clients[i % 2].listTickets({}, { limit: 1 })));
		expect(sim.counts().rateLimited - before.rateLimited).toBeGreaterThan(0);
	}, 30_000);
});
