/**
 * A request budget shared by every n8n process that uses the same API credential.
 *
 * In queue mode each worker is its own process with its own in-process budget (rateLimiter.ts), so N workers would
 * together send up to N times the configured budget and run into the API's rate limit (measured: 2 workers against
 * Halo's limit → a 429 storm; test/e2e/queueMode.test.ts). The RedisRollingWindowBudget keeps the rolling window in
 * Redis instead — n8n's own queue Redis, whose settings every main and worker process already has — so all processes
 * draw from one budget:
 *
 * - a sorted set of request stamps per credential (`<QUEUE_BULL_PREFIX>:halo-datto:budget:<key>`), pruned and checked
 *   atomically by a Lua script on Redis' clock (no clock skew between hosts); a slot is stamped when taken and moved
 *   to the time the response came back (`settle`), exactly like the in-process limiter;
 * - a shared pause key: a 429 (Retry-After / backoff) pauses every process, not only the one that saw it;
 * - callers inside one process still queue in FIFO order; between processes whoever asks first after a slot frees
 *   up gets it;
 * - if Redis cannot be reached (or the script fails) the call falls back to the in-process budget at once, so an
 *   outage of Redis never blocks or fails API calls: the budget is then per process again until Redis answers.
 *
 * Selection (budgetFor): HALO_DATTO_SHARED_BUDGET = `auto` (default: Redis when EXECUTIONS_MODE=queue), `redis`
 * (always, e.g. several regular-mode mains), `off` (in-process only). Redis settings are n8n's: QUEUE_BULL_REDIS_HOST
 * (localhost), _PORT (6379), _DB (0), _USERNAME, _PASSWORD (or _PASSWORD_FILE), _TLS, and QUEUE_BULL_PREFIX (bull) as
 * the key prefix. A Redis cluster (QUEUE_BULL_REDIS_CLUSTER_NODES) is not supported: the budget stays in-process.
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';

import { sleep } from './retry';
import { RedisConnection, type RedisConnectionConfig, type RedisReply } from './redisConnection';
import { sharedBudget, type RequestBudget } from './rateLimiter';

export interface CrossProcessBudgetSettings {
	redis: RedisConnectionConfig;
	/** Prefix of the Redis keys (n8n's QUEUE_BULL_PREFIX). */
	prefix: string;
}

export type BudgetSharing = { mode: 'process'; reason: string } | { mode: 'redis'; settings: CrossProcessBudgetSettings };

/** How budgets are shared in this process, from the environment (see the file comment). */
export function budgetSharingFromEnv(env: NodeJS.ProcessEnv = process.env): BudgetSharing {
	const wanted = (env.HALO_DATTO_SHARED_BUDGET ?? 'auto').trim().toLowerCase();
	if (wanted === 'off' || wanted === 'process' || wanted === 'false') return { mode: 'process', reason: 'HALO_DATTO_SHARED_BUDGET=off' };
	if (wanted !== 'redis' && env.EXECUTIONS_MODE !== 'queue') return { mode: 'process', reason: 'regular mode (one process)' };
	if ((env.QUEUE_BULL_REDIS_CLUSTER_NODES ?? '').trim() !== '') {
		return { mode: 'process', reason: 'Redis cluster (QUEUE_BULL_REDIS_CLUSTER_NODES) is not supported for the shared budget' };
	}
	let password = env.QUEUE_BULL_REDIS_PASSWORD;
	if (!password && env.QUEUE_BULL_REDIS_PASSWORD_FILE) {
		try {
			password = fs.readFileSync(env.QUEUE_BULL_REDIS_PASSWORD_FILE, 'utf8').trim();
		} catch {
			return { mode: 'process', reason: 'QUEUE_BULL_REDIS_PASSWORD_FILE could not be read' };
		}
	}
	const port = Number(env.QUEUE_BULL_REDIS_PORT || 6379);
	const db = Number(env.QUEUE_BULL_REDIS_DB || 0);
	return {
		mode: 'redis',
		settings: {
			redis: {
				host: env.QUEUE_BULL_REDIS_HOST || 'localhost',
				port: Number.isFinite(port) ? port : 6379,
				db: Number.isFinite(db) ? db : 0,
				username: env.QUEUE_BULL_REDIS_USERNAME || undefined,
				password: password || undefined,
				tls: env.QUEUE_BULL_REDIS_TLS === 'true',
			},
			prefix: env.QUEUE_BULL_PREFIX || 'bull',
		},
	};
}

/** Redis' clock in ms, inside a script. */
const NOW = `local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/** KEYS: stamps, pause. ARGV: limit, windowMs, member. → {1, 0} taken, or {0, ms to wait}. */
const ACQUIRE = `${NOW}
local pause = tonumber(redis.call('GET', KEYS[2]) or '0')
if pause > now then return {0, pause - now} end
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < limit then
	redis.call('ZADD', KEYS[1], now, ARGV[3])
	redis.call('PEXPIRE', KEYS[1], window * 2)
	return {1, 0}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {0, tonumber(oldest[2]) + window - now + 1}`;

/** KEYS: stamps. ARGV: member. Moves the member's stamp to now (only if it is still there). */
const SETTLE = `${NOW}
redis.call('ZADD', KEYS[1], 'XX', now, ARGV[1])
return 1`;

/** KEYS: pause. ARGV: delay ms. Extends the shared pause to now + delay. */
const PAUSE = `${NOW}
local untilMs = now + tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if untilMs > current then redis.call('SET', KEYS[1], untilMs, 'PX', math.max(1, untilMs - now)) end
return 1`;

/** The longest single wait before asking Redis again (a pause or a freed slot elsewhere may change things). */
const MAX_POLL_MS = 2000;
const LOCAL = '\u0000local';
/** How long the in-process fallback is used after Redis failed, before Redis is asked again. */
const REDIS_RETRY_AFTER_MS = 10_000;

export class RedisRollingWindowBudget implements RequestBudget {
	private queue: Promise<void> = Promise.resolve();
	/** Members of slots taken and not settled yet, oldest first (LOCAL for slots the fallback gave). */
	private readonly inFlight: string[] = [];
	private readonly instance = randomBytes(6).toString('hex');
	private seq = 0;
	private readonly stampsKey: string;
	private readonly pauseKey: string;
	/** Why the last acquire fell back to the in-process budget (undefined while Redis works). */
	lastFallbackReason?: string;
	/** Slots taken through Redis / through the fallback (tests, diagnostics). */
	readonly counts = { redis: 0, fallback: 0 };
	/** After a Redis failure, Redis is not asked again before this time (a hanging Redis must not slow every call). */
	private redisAgainAt = 0;

	constructor(
		readonly key: string,
		public limit: number,
		public windowMs: number,
		private readonly redis: RedisConnection,
		prefix: string,
		/** The in-process budget used while Redis cannot be reached. */
		private readonly fallback: RequestBudget,
		private readonly wait: (ms: number) => Promise<void> = sleep,
	) {
		if (!(limit > 0) || !(windowMs > 0)) throw new Error('A request budget needs a positive limit and window');
		this.stampsKey = `${prefix}:halo-datto:budget:${key}`;
		this.pauseKey = `${this.stampsKey}:pause`;
	}

	async acquire(): Promise<void> {
		const turn = this.queue.then(async () => await this.takeSlot());
		this.queue = turn.catch(() => undefined);
		await turn;
	}

	private async takeSlot(): Promise<void> {
		for (;;) {
			const member = `${this.instance}:${++this.seq}`;
			let reply: RedisReply;
			try {
				if (Date.now() < this.redisAgainAt) throw new Error(this.lastFallbackReason ?? 'Redis unavailable');
				reply = await this.redis.command(['EVAL', ACQUIRE, 2, this.stampsKey, this.pauseKey, this.limit, this.windowMs, member]);
			} catch (error) {
				if (Date.now() >= this.redisAgainAt) this.redisAgainAt = Date.now() + REDIS_RETRY_AFTER_MS;
				this.lastFallbackReason = (error as Error).message;
				await this.fallback.acquire();
				this.inFlight.push(LOCAL);
				this.counts.fallback++;
				return;
			}
			this.lastFallbackReason = undefined;
			const [taken, waitMs] = (Array.isArray(reply) ? reply : [0, 1000]).map(Number);
			if (taken === 1) {
				this.inFlight.push(member);
				this.counts.redis++;
				return;
			}
			await this.wait(Math.max(1, Math.min(waitMs || 1, MAX_POLL_MS)));
		}
	}

	settle(): void {
		const member = this.inFlight.shift();
		if (member === undefined) return;
		if (member === LOCAL) {
			this.fallback.settle();
			return;
		}
		void this.redis.command(['EVAL', SETTLE, 1, this.stampsKey, member]).catch(() => undefined);
	}

	pauseUntil(epochMs: number): void {
		this.fallback.pauseUntil(epochMs);
		const delay = Math.ceil(epochMs - Date.now());
		if (delay > 0) void this.redis.command(['EVAL', PAUSE, 1, this.pauseKey, delay]).catch(() => undefined);
	}

	setBudget(limit: number, windowMs: number): void {
		if (limit > 0 && windowMs > 0) {
			this.limit = limit;
			this.windowMs = windowMs;
			this.fallback.setBudget(limit, windowMs);
		}
	}
}

const connections = new Map<string, RedisConnection>();
const budgets = new Map<string, RequestBudget>();

function connectionFor(config: RedisConnectionConfig): RedisConnection {
	const id = JSON.stringify([config.host, config.port, config.db ?? 0, config.username ?? '', config.tls ?? false]);
	let connection = connections.get(id);
	if (!connection) {
		connection = new RedisConnection(config);
		connections.set(id, connection);
	}
	return connection;
}

/**
 * The budget for a credential (and bucket) key: shared through Redis across processes when budgetSharingFromEnv()
 * says so, else the process-wide in-process budget (sharedBudget). One instance per key and process.
 */
export function budgetFor(key: string, limit: number, windowMs: number, sharing: BudgetSharing = budgetSharingFromEnv()): RequestBudget {
	const local = sharedBudget(key, limit, windowMs);
	if (sharing.mode !== 'redis') return local;
	const id = `${key}\u0000${sharing.settings.prefix}\u0000${sharing.settings.redis.host}:${sharing.settings.redis.port}/${sharing.settings.redis.db ?? 0}`;
	let budget = budgets.get(id);
	if (!budget) {
		budget = new RedisRollingWindowBudget(key, limit, windowMs, connectionFor(sharing.settings.redis), sharing.settings.prefix, local);
		budgets.set(id, budget);
	}
	return budget;
}

/** Forgets cross-process budgets and closes their Redis connections (tests). */
export function resetCrossProcessBudgets(): void {
	budgets.clear();
	for (const connection of connections.values()) connection.close();
	connections.clear();
}
