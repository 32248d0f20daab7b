import { Client, Pool } from 'pg';

import {
	closeAllPools,
	getPool,
	MappingStoreError,
	openRecordStore,
	PostgresStore,
	type PgQueryable,
} from '../../nodes/shared/store';
import {
	connectionFor,
	findOrStartPostgres,
	pgConfigFor,
	uniqueTableName,
	type TestPostgres,
} from '../helpers/postgres';
import { describeStoreBehaviour, FakeClock, type StoreHarness } from './storeBehaviour';

let server: TestPostgres;
let admin: Client;
const table = uniqueTableName('store');
const schema = uniqueTableName('schema');
const pools: Pool[] = [];

/** Pools close idle connections quickly: the service may be shared with other test runs (max_connections). */
function newPool(max = 3): Pool {
	const pool = new Pool({ ...pgConfigFor(server), max, idleTimeoutMillis: 500 });
	pools.push(pool);
	return pool;
}

beforeAll(async () => {
	server = await findOrStartPostgres();
	admin = new Client(pgConfigFor(server));
	await admin.connect();
});

afterAll(async () => {
	await admin?.query(`DROP TABLE IF EXISTS "${table}"`);
	await admin?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
	await admin?.end();
	await Promise.all(pools.map(async (pool) => await pool.end()));
	await closeAllPools();
	await server?.stop();
});

let mainPool: Pool | undefined;
const harness: StoreHarness = {
	open: (options) => new PostgresStore({ ...options, pool: (mainPool ??= newPool()), table }),
	openConcurrent: (count, options) => {
		const separatePools = Array.from({ length: 5 }, () => newPool(3));
		return Array.from(
			{ length: count },
			(_, index) =>
				new PostgresStore({ ...options, pool: separatePools[index % separatePools.length], table }),
		);
	},
};

describeStoreBehaviour('Postgres backend', () => harness);

describe('Postgres backend: tables, identifiers and pools', () => {
	test('the test database is a real PostgreSQL server', async () => {
		const { rows } = await admin.query<{ version: string }>('SELECT version()');
		expect(rows[0].version).toMatch(/^PostgreSQL \d+/);
	});

	test('an invalid table name is rejected before any SQL runs', async () => {
		const invalidNames = [
			'',
			'Mapping',
			'1table',
			'map-ping',
			'map ping',
			'mapping;DROP TABLE x',
			'"mapping"',
			'a.b.c',
			'.mapping',
			'mapping.',
			'x'.repeat(64),
			'mapping\u0000',
			'mäpping',
		];
		const fakePool = { query: jest.fn(), connect: jest.fn() };
		const poolConnect = jest.spyOn(Pool.prototype, 'connect');
		const poolQuery = jest.spyOn(Pool.prototype, 'query');
		try {
			for (const name of invalidNames) {
				expect(() => new PostgresStore({ pool: fakePool as unknown as PgQueryable, table: name })).toThrow(
					expect.objectContaining({ code: 'invalidTableName' }),
				);
				expect(() =>
					openRecordStore({ backend: 'postgres', connection: connectionFor(server), table: name }),
				).toThrow(MappingStoreError);
			}
			expect(fakePool.query).not.toHaveBeenCalled();
			expect(fakePool.connect).not.toHaveBeenCalled();
			expect(poolConnect).not.toHaveBeenCalled();
			expect(poolQuery).not.toHaveBeenCalled();
		} finally {
			poolConnect.mockRestore();
			poolQuery.mockRestore();
		}
	});

	test('schema-qualified names, reserved words and 63-character names work', async () => {
		await admin.query(`CREATE SCHEMA "${schema}"`);
		for (const name of [`${schema}.select`, `${schema}.${'t'.repeat(63)}`, `${schema}.${'t'.repeat(62)}`]) {
			const store = new PostgresStore({ pool: newPool(2), table: name });
			await store.set('alerts', 'k', { value: { name } });
			expect((await store.get('alerts', 'k'))?.value).toEqual({ name });
		}
		const { rows } = await admin.query<{ tablename: string; indexname: string }>(
			'SELECT tablename, indexname FROM pg_indexes WHERE schemaname = $1 ORDER BY tablename, indexname',
			[schema],
		);
		expect(rows).toHaveLength(6); // primary key and purge index for each table, with distinct index names
		expect(new Set(rows.map((row) => row.indexname)).size).toBe(6);
	});

	test('the table is created once, concurrently from 5 separate pools, with its indexes', async () => {
		const freshTable = `${schema}.concurrent_create`;
		await admin.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
		const stores = Array.from(
			{ length: 5 },
			() => new PostgresStore({ pool: newPool(2), table: freshTable }),
		);
		const results = await Promise.all(
			stores.map((store, index) => store.claim('alerts', 'first', { value: index })),
		);
		expect(results.filter((result) => result.claimed)).toHaveLength(1);

		const columns = await admin.query<{
			column_name: string;
			data_type: string;
			collation_name: string | null;
		}>(
			`SELECT column_name, data_type, collation_name FROM information_schema.columns
			WHERE table_schema = $1 AND table_name = 'concurrent_create' ORDER BY ordinal_position`,
			[schema],
		);
		expect(columns.rows).toEqual([
			{ column_name: 'collection', data_type: 'text', collation_name: 'C' },
			{ column_name: 'key', data_type: 'text', collation_name: 'C' },
			{ column_name: 'value', data_type: 'jsonb', collation_name: null },
			{ column_name: 'status', data_type: 'text', collation_name: null },
			{ column_name: 'created_at', data_type: 'timestamp with time zone', collation_name: null },
			{ column_name: 'updated_at', data_type: 'timestamp with time zone', collation_name: null },
			{ column_name: 'closed_at', data_type: 'timestamp with time zone', collation_name: null },
			{ column_name: 'history', data_type: 'jsonb', collation_name: null },
		]);
		const indexes = await admin.query<{ indexdef: string }>(
			"SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = 'concurrent_create' ORDER BY indexname",
			[schema],
		);
		expect(indexes.rows.map((row) => row.indexdef)).toEqual([
			expect.stringMatching(/UNIQUE INDEX concurrent_create_pkey .*\(collection, key\)/),
			expect.stringMatching(/INDEX concurrent_create_status_closed_idx .*\(collection, status, closed_at\)/),
		]);
	});

	test('purge and key-prefix queries use the indexes', async () => {
		const explainTable = uniqueTableName('explain');
		const store = new PostgresStore({ pool: newPool(2), table: explainTable });
		try {
			const rows = Array.from({ length: 3_000 }, (_, index) => ({
				key: `alert-${index}`,
				value: index,
				status: index % 100 === 0 ? 'closed' : 'open',
			}));
			await store.importRecords('alerts', rows);
			await admin.query(`ANALYZE "${explainTable}"`);
			const plan = async (sql: string, values: unknown[]) =>
				JSON.stringify((await admin.query(`EXPLAIN ${sql}`, values)).rows);
			const prefixPlan = await plan(
				`SELECT key FROM "${explainTable}" WHERE collection = $1 AND key LIKE $2 ORDER BY key`,
				['alerts', 'alert-12%'],
			);
			// LIKE 'prefix%' on the collation "C" key becomes a range condition on the primary-key index.
			expect(prefixPlan).toMatch(/Index Cond: .*key >= 'alert-12'::text\) AND \(key < 'alert-13'::text/);
			expect(prefixPlan).toMatch(/Index (Only )?Scan (using|on) \w+_pkey/);
			const purgePlan = await plan(
				`DELETE FROM "${explainTable}" WHERE collection = $1 AND status = $2 AND closed_at < $3`,
				['alerts', 'closed', new Date().toISOString()],
			);
			expect(purgePlan).toMatch(/status_closed_idx/);
		} finally {
			await admin.query(`DROP TABLE IF EXISTS "${explainTable}"`);
		}
	});

	test('writes from separate pools never lose updates to the same record', async () => {
		const stores = Array.from({ length: 5 }, () => new PostgresStore({ pool: newPool(2), table }));
		await stores[0].set('merge', 'k', { value: {} });
		await Promise.all(
			Array.from({ length: 40 }, (_, index) =>
				stores[index % 5].set('merge', 'k', {
					value: { [`field${index}`]: index },
					mode: 'merge',
					history: { event: `write${index}` },
				}),
			),
		);
		const record = await stores[0].get('merge', 'k');
		expect(Object.keys(record?.value as object)).toHaveLength(40);
		expect(record?.history).toHaveLength(40);
	});

	test('a claim, and a reclaim of a stale claim, is one INSERT ... ON CONFLICT statement', async () => {
		const pool = newPool(2);
		const statements: string[] = [];
		const recording = {
			query: async (text: string, values?: unknown[]) => {
				statements.push(text);
				return await pool.query(text, values);
			},
			connect: async () => await pool.connect(),
		} as unknown as PgQueryable;
		const clock = new FakeClock();
		const store = new PostgresStore({ pool: recording, table, clock: clock.now });
		await store.get('single-statement', 'warm-up'); // schema creation is done
		statements.length = 0;
		expect(await store.claim('single-statement', 'k', { status: 'pending' })).toMatchObject({
			claimed: true,
		});
		expect(statements).toHaveLength(1);
		expect(statements[0]).toMatch(/^INSERT INTO .*\sON CONFLICT \(collection, key\) DO NOTHING\s+RETURNING/s);
		clock.advance(3_600_000);
		statements.length = 0;
		const reclaimed = await store.claim('single-statement', 'k', { reclaimStale: { afterMinutes: 10 } });
		expect(reclaimed).toMatchObject({ claimed: true, reclaimed: true });
		expect(statements).toHaveLength(1);
		expect(statements[0]).toMatch(
			/^INSERT INTO .*\sON CONFLICT \(collection, key\) DO UPDATE SET .*\sWHERE r\.status = \$8 AND r\.updated_at < \$9::timestamptz\s+RETURNING/s,
		);
	});

	test('getPool caches one pool per connection', async () => {
		const connection = connectionFor(server, 3);
		expect(getPool(connection)).toBe(getPool({ ...connection }));
		expect(getPool(connection)).not.toBe(getPool({ ...connection, maxConnections: 4 }));
		const store = openRecordStore({
			backend: 'postgres',
			connection,
			table,
			options: { clock: new FakeClock().now },
		});
		await store.set('pool', 'k', { value: 'via cached pool' });
		expect((await store.get('pool', 'k'))?.value).toBe('via cached pool');
		await closeAllPools();
		expect((await store.get('pool', 'k'))?.value).toBe('via cached pool'); // the pool re-opens
	});
});
