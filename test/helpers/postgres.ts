/**
 * A PostgreSQL server for tests and benchmarks. findOrStartPostgres() uses, in this order:
 * 1. PGHOST/PGPORT (+ PGUSER/PGDATABASE/PGPASSWORD) when set;
 * 2. the machine's service on 127.0.0.1:5432 with trust auth, user `postgres` or `root`, database `test`;
 * 3. a private server it starts: initdb into a temporary directory (owned by user `postgres` when running as root)
 *    and `pg_ctl start` on a free port, using the Debian binaries under /usr/lib/postgresql/<version>/bin.
 * It never skips: when none of these works it throws, saying what was tried.
 */
import { execFileSync } from 'child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'fs';
import { createServer } from 'net';
import { tmpdir, userInfo } from 'os';
import { join } from 'path';
import { Client } from 'pg';

import type { PostgresConnectionConfig } from '../../nodes/shared/store';

export interface TestPostgres {
	host: string;
	port: number;
	user: string;
	password: string;
	database: string;
	/** Where the server came from. */
	origin: 'environment' | 'service' | 'started';
	/** The temporary directory of a server this helper started (removed by stop()). */
	directory?: string;
	/** Stops the server if this helper started it (no-op otherwise). */
	stop(): Promise<void>;
}

type Candidate = Omit<TestPostgres, 'stop'>;

/** Settings for a plain pg Client or Pool. */
export function pgConfigFor(server: TestPostgres): {
	host: string;
	port: number;
	user: string;
	password: string;
	database: string;
} {
	const { host, port, user, password, database } = server;
	return { host, port, user, password, database };
}

/** The store's connection settings for a test server. */
export function connectionFor(server: TestPostgres, maxConnections = 10): PostgresConnectionConfig {
	return {
		host: server.host,
		port: server.port,
		database: server.database,
		user: server.user,
		password: server.password,
		ssl: 'disable',
		maxConnections,
	};
}

async function answers(candidate: Candidate): Promise<string | undefined> {
	const client = new Client({ ...candidate, connectionTimeoutMillis: 3000 });
	try {
		await client.connect();
		await client.query('SELECT 1');
		return undefined;
	} catch (error) {
		return (error as Error).message;
	} finally {
		await client.end().catch(() => undefined);
	}
}

function candidates(): Candidate[] {
	const { PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD } = process.env;
	if (PGHOST !== undefined || PGPORT !== undefined) {
		return (PGUSER !== undefined ? [PGUSER] : ['postgres', 'root']).map((user) => ({
			host: PGHOST ?? '127.0.0.1',
			port: Number(PGPORT ?? 5432),
			user,
			password: PGPASSWORD ?? '',
			database: PGDATABASE ?? 'test',
			origin: 'environment' as const,
		}));
	}
	return ['postgres', 'root'].map((user) => ({
		host: '127.0.0.1',
		port: 5432,
		user,
		password: '',
		database: 'test',
		origin: 'service' as const,
	}));
}

export async function findOrStartPostgres(): Promise<TestPostgres> {
	const failures: string[] = [];
	for (const candidate of candidates()) {
		const failure = await answers(candidate);
		if (failure === undefined) return { ...candidate, stop: async () => undefined };
		failures.push(`${candidate.user}@${candidate.host}:${candidate.port}/${candidate.database}: ${failure}`);
	}
	try {
		return await startPostgres();
	} catch (error) {
		throw new Error(
			`No PostgreSQL for the tests. Tried ${failures.join('; ')}; starting one failed: ${(error as Error).message}`,
		);
	}
}

function postgresBinDir(): string {
	const root = '/usr/lib/postgresql';
	const versions = existsSync(root)
		? readdirSync(root)
				.filter((version) => existsSync(join(root, version, 'bin', 'initdb')))
				.sort((a, b) => Number(b) - Number(a))
		: [];
	if (versions.length === 0)
		throw new Error(`no initdb under ${root}/<version>/bin (install the postgresql package)`);
	return join(root, versions[0], 'bin');
}

async function freePort(): Promise<number> {
	return await new Promise((resolve, reject) => {
		const server = createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			server.close(() =>
				typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
			);
		});
	});
}

/** Starts a private server (always, regardless of what else runs) with database `test`, user `postgres`, trust auth. */
export async function startPostgres(): Promise<TestPostgres> {
	const bin = postgresBinDir();
	const asRoot = userInfo().uid === 0;
	const run = (program: string, args: string[]) => {
		const [command, commandArgs] = asRoot
			? ['runuser', ['-u', 'postgres', '--', join(bin, program), ...args]]
			: [join(bin, program), args];
		execFileSync(command, commandArgs, { stdio: 'pipe', timeout: 60_000 });
	};
	const base = mkdtempSync(join(tmpdir(), 'mapping-store-pg-'));
	if (asRoot) {
		const uid = execFileSync('id', ['-u', 'postgres']).toString().trim();
		const gid = execFileSync('id', ['-g', 'postgres']).toString().trim();
		chownSync(base, Number(uid), Number(gid));
	}
	const data = join(base, 'data');
	const port = await freePort();
	try {
		run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C']);
		run('pg_ctl', [
			'-D',
			data,
			'-l',
			join(base, 'postgres.log'),
			'-o',
			`-p ${port} -k ${base} -c listen_addresses=127.0.0.1`,
			'-w',
			'start',
		]);
	} catch (error) {
		rmSync(base, { recursive: true, force: true });
		const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
		throw new Error(`starting PostgreSQL from ${bin} failed: ${(error as Error).message} ${stderr}`);
	}
	const stop = async () => {
		// "smart" waits for clients that are still closing their connections (a pool's end() resolves before its
		// sockets are closed; a server-side termination would make them emit unhandled errors); "fast" if that hangs.
		try {
			run('pg_ctl', ['-D', data, '-m', 'smart', '-t', '10', '-w', 'stop']);
		} catch {
			run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
		}
		rmSync(base, { recursive: true, force: true });
	};
	const admin = new Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
	try {
		await admin.connect();
		await admin.query('CREATE DATABASE test');
	} catch (error) {
		await stop();
		throw error;
	} finally {
		await admin.end().catch(() => undefined);
	}
	return {
		host: '127.0.0.1',
		port,
		user: 'postgres',
		password: '',
		database: 'test',
		origin: 'started',
		directory: base,
		stop,
	};
}

/** Drops a table a test or benchmark created (ignoring a table that is already gone or a server that is down). */
export async function dropTable(server: TestPostgres, table: string): Promise<void> {
	const client = new Client(pgConfigFor(server));
	try {
		await client.connect();
		await client.query(`DROP TABLE IF EXISTS "${table.replace(/"/g, '""')}"`);
	} catch {
		// cleanup only
	} finally {
		await client.end().catch(() => undefined);
	}
}

/** A table name unique to this test process and purpose, e.g. `mst_store_12345_k3j2`. */
export function uniqueTableName(purpose: string): string {
	return `mst_${purpose}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
}
