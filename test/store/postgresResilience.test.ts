/**
 * The Postgres store against a real server when things go wrong (issue 18): a lock wait is cut by the statement
 * timeout instead of hanging the execution, and a read whose connection is killed (pg_terminate_backend → 57P01)
 * is repeated on a new connection, while a write in the same situation is not repeated (it may have happened).
 *
 * Against the old pool, the lock-wait test sees the watchdog value "still waiting" and the terminate test a 57P01
 * error for the read.
 */
import { Client } from 'pg';

import { closeAllPools, getPool, PostgresStore } from '../../nodes/shared/store';
import { isConnectionLost } from '../../nodes/shared/store/postgresPool';
import { connectionFor, dropTable, findOrStartPostgres, pgConfigFor, uniqueTableName, type TestPostgres } from '../helpers/postgres';

let server: TestPostgres;
let locker: Client;
let killer: Client;
const table = uniqueTableName('resilience');

beforeAll(async () => {
	server = await findOrStartPostgres();
	locker = new Client(pgConfigFor(server));
	killer = new Client(pgConfigFor(server));
	await Promise.all([locker.connect(), killer.connect()]);
});

afterAll(async () => {
	await locker?.end();
	await killer?.end();
	await closeAllPools();
	if (server) {
		await dropTable(server, table);
		await server.stop();
	}
});

function storeWith(statementTimeoutMs: number): PostgresStore {
	return new PostgresStore({ pool: getPool({ ...connectionFor(server, 2), statementTimeoutMs }), table });
}

/** Resolves to `fallback` if `promise` has not settled after `ms` (a hang detector, not a speed figure). */
function orAfter<T, F>(promise: Promise<T>, ms: number, fallback: F): Promise<T | F> {
	return Promise.race([promise, new Promise<F>((resolve) => setTimeout(() => resolve(fallback), ms).unref())]);
}

/** The pid of the store's backend waiting for a lock on the table. */
async function waitingBackend(): Promise<number> {
	for (let i = 0; i < 100; i++) {
		const { rows } = await killer.query<{ pid: number }>(
			`SELECT pid FROM pg_stat_activity WHERE application_name = 'n8n-nodes-halo-datto' AND wait_event_type = 'Lock' AND query LIKE $1`,
			[`%${table}%`],
		);
		if (rows[0]) return rows[0].pid;
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
	throw new Error('no backend waiting for the lock');
}

test('a read waiting for a lock fails with the statement timeout (57014) instead of hanging the execution', async () => {
	const store = storeWith(500);
	await store.set('alerts', 'locked-key', { value: 1 });
	await locker.query('BEGIN');
	await locker.query(`LOCK TABLE "${table}" IN ACCESS EXCLUSIVE MODE`);
	try {
		const outcome = await orAfter(
			store.get('alerts', 'locked-key').then(
				() => 'read',
				(error: { code?: string; message?: string }) => `${error.code}: ${error.message}`,
			),
			10_000,
			'still waiting',
		);
		expect(outcome).toBe('57014: canceling statement due to statement timeout');
	} finally {
		await locker.query('ROLLBACK');
	}
});

test('a read whose connection is terminated (57P01) is repeated on a new connection; a write is not', async () => {
	const store = storeWith(20_000);
	await store.set('alerts', 'kill-key', { value: 'before' });

	for (const kind of ['read', 'write'] as const) {
		await locker.query('BEGIN');
		await locker.query(`LOCK TABLE "${table}" IN ACCESS EXCLUSIVE MODE`);
		const pending =
			kind === 'read'
				? store.get('alerts', 'kill-key').then((record) => ({ ok: record?.value }))
				: store.set('alerts', 'kill-key', { value: 'after' }).then((result) => ({ ok: result.record.value }));
		const settled = pending.catch((error: { code?: string }) => ({ failed: error.code ?? String(error), lost: isConnectionLost(error) }));
		const pid = await waitingBackend();
		await killer.query('SELECT pg_terminate_backend($1)', [pid]);
		await locker.query('COMMIT');
		expect([kind, await orAfter(settled, 15_000, 'still waiting')]).toEqual(
			kind === 'read' ? ['read', { ok: 'before' }] : ['write', { failed: '57P01', lost: true }],
		);
	}
	// The write was not repeated: the value is still the old one.
	expect((await store.get('alerts', 'kill-key'))?.value).toBe('before');
});
