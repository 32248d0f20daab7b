/**
 * One pg connection pool per Postgres connection (credential), shared by every store and execution in the process,
 * in the manner of n8n's own Postgres node: cached under a hash of the connection fields, closed after 5 idle minutes
 * and re-opened transparently on the next use.
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
