/**
 * The fallback of test/helpers/postgres.ts: when no PostgreSQL answers, the store tests start their own. This test
 * always takes that path, so the fallback is known to work on this machine even where a service is running.
 */
import { existsSync } from 'fs';
import { Client, Pool } from 'pg';

import { PostgresStore } from '../../nodes/shared/store';
import { dropTable, pgConfigFor, startPostgres, type TestPostgres } from '../helpers/postgres';

describe('test PostgreSQL helper', () => {
	let server: TestPostgres | undefined;

	afterAll(async () => {
		await server?.stop();
	});

	test('starts a private server with database "test" that the store can use, and stops it', async () => {
		server = await startPostgres();
		expect(server.origin).toBe('started');
		const client = new Client(pgConfigFor(server));
		await client.connect();
		try {
			const { rows } = await client.query<{ database: string; port: string }>(
				"SELECT current_database() AS database, current_setting('port') AS port",
			);
			expect(rows[0]).toEqual({ database: 'test', port: String(server.port) });
		} finally {
			await client.end();
		}
		const pool = new Pool(pgConfigFor(server));
		try {
			const store = new PostgresStore({ pool, table: 'helper_check' });
			expect((await store.claim('alerts', 'k', { value: 1 })).claimed).toBe(true);
		} finally {
			await pool.end();
		}
		const tableExists = async () => {
			const c = new Client(pgConfigFor(server!));
			await c.connect();
			try {
				return (await c.query<{ t: string | null }>("SELECT to_regclass('public.helper_check')::text AS t")).rows[0].t !== null;
			} finally {
				await c.end();
			}
		};
		expect(await tableExists()).toBe(true);
		await dropTable(server, 'helper_check');
		expect(await tableExists()).toBe(false);
		await dropTable(server, 'helper_check'); // already gone: no error
		const stopped = server;
		server = undefined;
		await stopped.stop();
		const probe = new Client({ ...pgConfigFor(stopped), connectionTimeoutMillis: 2_000 });
		await expect(probe.connect()).rejects.toThrow();
		await probe.end().catch(() => undefined);
		expect(stopped.directory).toBeDefined();
		expect(existsSync(stopped.directory!)).toBe(false);
	});
});
