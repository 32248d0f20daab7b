/**
 * One pg connection pool per Postgres connection (credential), shared by every store and execution in the process,
 * in the manner of n8n's own Postgres node: cached under a hash of the connection fields, closed after 5 idle minutes
 * and re-opened transparently on the next use.
 *
 * Every statement has a server-side `statement_timeout` and a client-side `query_timeout` (a lock wait or a hung
 * server fails the execution with a clear error instead of hanging it), and statements the caller marks idempotent
 * are repeated after a lost connection (57P01 administrator shutdown, ECONNRESET, "Connection terminated").
 */
import { createHash } from 'crypto';
import { Pool, type PoolClient, type PoolConfig, type QueryResult, type QueryResultRow } from 'pg';

export type PostgresSslMode = 'disable' | 'allow' | 'require';

/** The fields of the Mapping Store Postgres credential (the same as n8n's built-in Postgres credential). */
export interface PostgresConnectionConfig {
	host: string;
	port: number;
	database: string;
	user: string;
	password: string;
	ssl: PostgresSslMode;
	/** Accept self-signed or otherwise unverifiable server certificates. */
	ignoreSslIssues?: boolean;
	maxConnections: number;
	/** Server-side statement timeout in ms (default DEFAULT_STATEMENT_TIMEOUT_MS); the client gives up 5 s later. */
	statementTimeoutMs?: number;
}

/** A statement running longer (e.g. waiting for a lock another session holds) is cancelled by the server. */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 30_000;

/** SQLSTATE codes and socket errors meaning the connection (not the statement) failed. */
const CONNECTION_LOST_CODES = new Set([
	'57P01', // admin_shutdown: pg_terminate_backend, server restart
	'57P02', // crash_shutdown
	'57P03', // cannot_connect_now: the server is starting
	'08000',
	'08003',
	'08006', // connection_exception family
	'ECONNRESET',
	'ECONNREFUSED',
	'EPIPE',
	'ETIMEDOUT',
]);

/** Whether a query failed because its connection was lost (safe to repeat when the statement is idempotent). */
export function isConnectionLost(error: unknown): boolean {
	const e = error as { code?: unknown; message?: unknown } | undefined;
	if (typeof e?.code === 'string' && CONNECTION_LOST_CODES.has(e.code)) return true;
	return typeof e?.message === 'string' && /Connection terminated|connection ended|Client has encountered a connection error/i.test(e.message);
}

/** Attempts of an idempotent statement after lost connections (the first included), and the pause between them. */
export const CONNECTION_RETRY_ATTEMPTS = 3;
const CONNECTION_RETRY_DELAYS_MS = [100, 500];

/** Runs an idempotent statement, repeating it after a lost connection (never after any other error). */
export async function retryOnConnectionLoss<T>(run: () => Promise<T>): Promise<T> {
	for (let attempt = 1; ; attempt++) {
		try {
			return await run();
		} catch (error) {
			if (attempt >= CONNECTION_RETRY_ATTEMPTS || !isConnectionLost(error)) throw error;
			await new Promise((resolve) => setTimeout(resolve, CONNECTION_RETRY_DELAYS_MS[attempt - 1] ?? 500));
		}
	}
}

/** What a store needs from a pool: plain queries and a dedicated client for transactions. `pg.Pool` fits. */
export interface PgQueryable {
	query<Row extends QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<Row>>;
	connect(): Promise<PoolClient>;
}

const POOL_IDLE_TTL_MS = 5 * 60_000;
const SWEEP_INTERVAL_MS = 60_000;

export function toPoolConfig(connection: PostgresConnectionConfig): PoolConfig {
	return {
		host: connection.host,
		port: connection.port,
		database: connection.database,
		user: connection.user,
		password: connection.password,
		// pg cannot fall back from SSL to plain connections, so "allow" means SSL, as in n8n's Postgres node.
		ssl: connection.ssl === 'disable' ? false : { rejectUnauthorized: connection.ignoreSslIssues !== true },
		max: connection.maxConnections,
		keepAlive: true,
		idleTimeoutMillis: 30_000,
		connectionTimeoutMillis: 10_000,
		application_name: 'n8n-nodes-halo-datto',
		statement_timeout: connection.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS,
		query_timeout: (connection.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS) + 5_000,
	};
}

/** A pool that opens on first use, closes when idle for POOL_IDLE_TTL_MS and re-opens when used again. */
class ManagedPool implements PgQueryable {
	private pool: Pool | undefined;
	private lastUsed = Date.now();

	constructor(private readonly config: PoolConfig) {}

	query<Row extends QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<Row>> {
		return this.acquire().query<Row>(text, values);
	}

	connect(): Promise<PoolClient> {
		return this.acquire().connect();
	}

	/** Ends the pool if nothing used it for the TTL and no client is checked out or awaited. */
	closeIfIdle(now: number): void {
		const pool = this.pool;
		if (pool === undefined || now - this.lastUsed < POOL_IDLE_TTL_MS) return;
		if (pool.totalCount !== pool.idleCount || pool.waitingCount > 0) return;
		this.pool = undefined;
		void pool.end();
	}

	async close(): Promise<void> {
		const pool = this.pool;
		this.pool = undefined;
		await pool?.end();
	}

	private acquire(): Pool {
		this.lastUsed = Date.now();
		if (this.pool === undefined) {
			this.pool = new Pool(this.config);
			// Errors of idle clients (e.g. the server restarted) are emitted here; pg drops the broken client and the
			// next query opens a new one. Without a listener they would crash the n8n process.
			this.pool.on('error', () => undefined);
		}
		return this.pool;
	}
}

const poolsByConnection = new Map<string, ManagedPool>();
let sweeper: NodeJS.Timeout | undefined;

function connectionId(connection: PostgresConnectionConfig): string {
	const fields = [
		connection.host,
		connection.port,
		connection.database,
		connection.user,
		connection.password,
		connection.ssl,
		connection.ignoreSslIssues === true,
		connection.maxConnections,
		connection.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS,
	];
	return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}

/** The process-wide pool for a connection; the same object for the same connection fields. */
export function getPool(connection: PostgresConnectionConfig): PgQueryable {
	const id = connectionId(connection);
	let pool = poolsByConnection.get(id);
	if (pool === undefined) {
		pool = new ManagedPool(toPoolConfig(connection));
		poolsByConnection.set(id, pool);
	}
	if (sweeper === undefined) {
		sweeper = setInterval(() => {
			const now = Date.now();
			for (const managed of poolsByConnection.values()) managed.closeIfIdle(now);
		}, SWEEP_INTERVAL_MS);
		sweeper.unref();
	}
	return pool;
}

/** Ends every cached pool now (tests, benchmarks, shutdown); each re-opens if it is used again. */
export async function closeAllPools(): Promise<void> {
	await Promise.all([...poolsByConnection.values()].map(async (pool) => await pool.close()));
}
