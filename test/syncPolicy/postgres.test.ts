/**
 * The Sync Policy node on the Postgres backend (the one for queue mode and several n8n processes): concurrent
 * deliveries of one condition give one ticket, and the lifecycle runs the same as on static data.
 */
import type { IDataObject } from 'n8n-workflow';
import { Pool } from 'pg';

import { applyStoreActions } from '../../nodes/shared/policy/policyStore';
import type { StoreAction } from '../../nodes/shared/policy/types';
import { PostgresStore } from '../../nodes/shared/store/PostgresStore';

import { closeAllPools } from '../../nodes/shared/store';
import type { HaloSimulator } from '../../simulators/halo';
import { findOrStartPostgres, pgConfigFor, uniqueTableName, type TestPostgres } from '../helpers/postgres';
import { alertOf, Clock, haloCredentials, MIN, resolvedOf, routeCounts, runPolicy, deciding, startSim, warmClient } from './helpers';

describe('Sync Policy node on Postgres', () => {
	let sim: HaloSimulator;
	let pg: TestPostgres;
	let clock: Clock;
	let table: string;

	beforeAll(async () => {
		[sim, pg] = await Promise.all([startSim(), findOrStartPostgres()]);
	}, 120_000);
	afterAll(async () => {
		await closeAllPools();
		await sim.close();
		await pg.stop();
	});
	beforeEach(() => {
		sim.reset('default');
		warmClient(sim);
		clock = new Clock();
		table = uniqueTableName('sync_policy');
	});

	const credentials = () => ({
		haloPsaApi: haloCredentials(sim),
		mappingStorePostgresApi: { host: pg.host, port: pg.port, database: pg.database, user: pg.user, password: pg.password, ssl: 'disable', maxConnections: 10 },
	});
	const run = async (at: number, parameters: IDataObject, alerts: IDataObject[] = []) =>
		await runPolicy(
			sim,
			deciding({ backend: 'postgres', table, clockOverride: clock.set(at), ...parameters }),
			alerts.length ? alerts.map((json) => ({ json })) : [{ json: {} }],
			{ credentials: credentials() as never },
		);

	it('5 concurrent deliveries for one dedupeKey: exactly one ticket', async () => {
		sim.faults.configure({ pathPattern: '^/api/tickets$', latencyMs: 200 });
		const runs = await Promise.all([1, 2, 3, 4, 5].map((i) => run(0, {}, [alertOf(`pg-race-${i}`)])));
		const decisions = runs.flatMap((r) => r.decisions).sort();
		expect(decisions).toEqual(['create', 'ignore', 'ignore', 'ignore', 'ignore']);
		expect(routeCounts(sim)['POST /api/tickets']).toBe(1);
		const ids = new Set(runs.flatMap((r) => r.all.map((j) => j.ticketId)));
		expect(ids.size).toBe(1);
	});

	it('lifecycle: create, defer, close when due', async () => {
		const a = alertOf('pg-1');
		const created = await run(0, {}, [a]);
		expect(created.decisions).toEqual(['create']);
		expect((await run(MIN, {}, [resolvedOf(a)])).decisions).toEqual(['defer']);
		const due = await run(6 * MIN, { operation: 'processDue' });
		expect(due.decisions).toEqual(['close']);
		expect(sim.ticket(created.byDecision.create[0].ticketId as number)).toMatchObject({ status_id: 9 });
	});

	it('the store writes of one decision are one transaction: a failure half-way leaves none of them (issue 18)', async () => {
		const pool = new Pool({ ...pgConfigFor(pg), max: 2 });
		try {
			const store = new PostgresStore({ pool, table });
			const set = (key: string, value: Record<string, string | number>): StoreAction => ({ type: 'store', op: 'set', collection: 'alerts', key, value, status: 'open' });
			// The second write is refused by the store (a key over its size limit) after the first one was made.
			const actions: StoreAction[] = [set('tx-1', { ticketId: 1 }), set('k'.repeat(5000), { ticketId: 1 })];
			await expect(applyStoreActions(store, { actions }, {})).rejects.toThrow(/key/i);
			expect(await store.get('alerts', 'tx-1')).toBeUndefined();
			// A decision that succeeds commits every write; the pool's connection was returned both times.
			expect(await applyStoreActions(store, { actions: [set('tx-2', { ticketId: 2 }), set('tx-3', { ticketId: 3 })] }, {})).toBe(2);
			expect((await store.list('alerts')).map((r) => r.key)).toEqual(['tx-2', 'tx-3']);
			expect(pool.totalCount - pool.idleCount).toBe(0);
		} finally {
			await pool.end();
		}
	});
});
