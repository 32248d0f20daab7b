/**
 * Mapping store latency at 100k records, both backends: p50/p99 of get, claim, set and purge, measured one call at a
 * time (latency, not throughput). Writes bench/results/store.json and bench/results/store.md.
 *
 * Run: npm run build && node dist/bench/store.bench.js [records]
 * Postgres: PGHOST/PGPORT, else 127.0.0.1:5432 (trust auth, database `test`), else a private server it starts
 * (test/helpers/postgres.ts). The benchmark table is dropped at the end.
 *
 * Postgres at several sizes in one run (issue 19: claim p99 at 1M rows, flat vs 100k):
 *   STORE_BENCH_POSTGRES_SIZES="100000 1000000" STORE_BENCH_STATIC=0 STORE_BENCH_NAME=store-postgres-1m \
 *     node dist/bench/store.bench.js
 * grows ONE table through the sizes (rows written by SQL, 100k per statement), measuring at each; results in
 * bench/results/<STORE_BENCH_NAME>.json and .md (default `store`). `bash bench/run.sh` runs it as `store-1m`.
 */
import { mkdirSync, writeFileSync } from 'fs';
import { cpus, loadavg } from 'os';
import { join, resolve } from 'path';
import { Client } from 'pg';

import {
	closeAllPools,
	openRecordStore,
	StaticDataStore,
	type ImportRow,
	type RecordStore,
} from '../nodes/shared/store';
import { connectionFor, findOrStartPostgres, pgConfigFor, type TestPostgres } from '../test/helpers/postgres';

const RECORDS = Number(process.argv[2] ?? 100_000);
/** Sizes at which the Postgres backend is measured, one table grown from one to the next. */
const POSTGRES_SIZES = (process.env.STORE_BENCH_POSTGRES_SIZES ?? String(RECORDS)).split(/[\s,]+/).filter(Boolean).map(Number);
const MEASURE_STATIC = process.env.STORE_BENCH_STATIC !== '0';
const RESULT_NAME = process.env.STORE_BENCH_NAME ?? 'store';
const SQL_BATCH = 100_000;
const SAMPLES = 2_000;
const WARM_UP = 200;
const PURGE_ROUNDS = 50;
const PURGED_PER_ROUND = 100;
const HOUR = 3_600_000;
const COLLECTION = 'alerts';

interface Result {
	backend: string;
	records: number;
	operation: string;
	samples: number;
	p50Ms: number;
	p99Ms: number;
	meanMs: number;
}

/** A clock the benchmark moves, so closedAt values and purge cutoffs are exact. */
class BenchClock {
	time = Date.parse('2026-01-01T00:00:00.000Z');
	readonly now = (): Date => new Date(this.time);
}

function alertValue(index: number) {
	return {
		ticketId: 100_000 + index,
		alertUid: `3f1c${index.toString(16).padStart(8, '0')}-5b2e-4c1d-9a7e-0d5c2b1a9f${index % 100}`,
		siteUid: `site-${index % 500}`,
		priority: ['Critical', 'High', 'Moderate', 'Low'][index % 4],
		device: `WS-${index % 5000}`,
	};
}

function percentile(sorted: number[], quantile: number): number {
	return sorted[Math.max(0, Math.ceil(quantile * sorted.length) - 1)];
}

function summarise(backend: string, operation: string, durations: number[], records = RECORDS): Result {
	const sorted = [...durations].sort((a, b) => a - b);
	const round = (milliseconds: number) => Math.round(milliseconds * 1000) / 1000;
	return {
		backend,
		records,
		operation,
		samples: sorted.length,
		p50Ms: round(percentile(sorted, 0.5)),
		p99Ms: round(percentile(sorted, 0.99)),
		meanMs: round(sorted.reduce((sum, value) => sum + value, 0) / sorted.length),
	};
}

async function time(samples: number, call: (index: number) => Promise<unknown>): Promise<number[]> {
	const durations: number[] = [];
	for (let index = 0; index < samples; index++) {
		const start = process.hrtime.bigint();
		await call(index);
		durations.push(Number(process.hrtime.bigint() - start) / 1e6);
	}
	return durations;
}

/** Seeds RECORDS open records, then closes PURGE_ROUNDS batches one hour apart, for the purge rounds to remove. */
async function seed(store: RecordStore, clock: BenchClock): Promise<void> {
	const rows: ImportRow[] = Array.from({ length: RECORDS }, (_, index) => ({
		key: `alert-${index}`,
		value: alertValue(index),
	}));
	await store.importRecords(COLLECTION, rows, { event: 'seeded' });
	for (let round = 0; round < PURGE_ROUNDS; round++) {
		clock.time += HOUR;
		for (let offset = 0; offset < PURGED_PER_ROUND; offset++) {
			await store.updateStatus(COLLECTION, `alert-${round * PURGED_PER_ROUND + offset}`, 'closed');
		}
	}
}

/**
 * Grows the Postgres table from `from` to `to` records by SQL (rows shaped as seed() writes them), then closes the
 * first PURGE_ROUNDS × PURGED_PER_ROUND new ones in hourly batches, as seed() does.
 */
async function seedPostgresBySql(admin: Client, table: string, from: number, to: number, clock: BenchClock): Promise<void> {
	const at = new Date(clock.time).toISOString();
	for (let start = from; start < to; start += SQL_BATCH) {
		const end = Math.min(to, start + SQL_BATCH) - 1;
		await admin.query(
			`INSERT INTO "${table}" (collection, key, value, status, created_at, updated_at, closed_at, history)
			SELECT $1, 'alert-' || i, jsonb_build_object('ticketId', 100000 + i,
				'alertUid', '3f1c' || lpad(to_hex(i), 8, '0') || '-5b2e-4c1d-9a7e-0d5c2b1a9f' || (i % 100),
				'siteUid', 'site-' || (i % 500), 'priority', (ARRAY['Critical','High','Moderate','Low'])[i % 4 + 1],
				'device', 'WS-' || (i % 5000)),
				'open', $2::timestamptz, $2::timestamptz, NULL, jsonb_build_array(jsonb_build_object('at', $2::text, 'event', 'seeded'))
			FROM generate_series($3::int, $4::int) AS i`,
			[COLLECTION, at, start, end],
		);
	}
	const closing = PURGE_ROUNDS * PURGED_PER_ROUND;
	await admin.query(
		`UPDATE "${table}" SET status = 'closed',
			closed_at = $2::timestamptz + ((substr(key, 7)::int - $3) / $4 + 1) * interval '1 hour',
			updated_at = $2::timestamptz + ((substr(key, 7)::int - $3) / $4 + 1) * interval '1 hour'
		WHERE collection = $1 AND key IN (SELECT 'alert-' || i FROM generate_series($3::int, $5::int) AS i)`,
		[COLLECTION, at, from, PURGED_PER_ROUND, from + closing - 1],
	);
	clock.time += PURGE_ROUNDS * HOUR;
	await admin.query(`ANALYZE "${table}"`);
}

/**
 * Measures one backend at `records` records. `seedRecords` fills the store (and closes the purge batches);
 * `purgedKeys` are the keys the purge rounds remove, never drawn as "existing" keys.
 */
async function measure(
	backend: string,
	store: RecordStore,
	clock: BenchClock,
	records = RECORDS,
	seedRecords: () => Promise<void> = () => seed(store, clock),
	purgedRange: [number, number] = [0, PURGE_ROUNDS * PURGED_PER_ROUND],
): Promise<Result[]> {
	const seedStart = Date.now();
	await seedRecords();
	process.stderr.write(`[bench] ${backend}: seeded ${records} records in ${Date.now() - seedStart} ms\n`);
	const randomKey = () => {
		for (;;) {
			const index = Math.floor(Math.random() * records);
			if (index < purgedRange[0] || index >= purgedRange[1]) return `alert-${index}`;
		}
	};
	const sum = (operation: string, durations: number[]) => summarise(backend, operation, durations, records);

	await time(WARM_UP, () => store.get(COLLECTION, randomKey()));
	const results = [sum('get', await time(SAMPLES, () => store.get(COLLECTION, randomKey())))];
	results.push(
		sum(
			'claim (new key: wins)',
			await time(SAMPLES, (index) => store.claim(COLLECTION, `new-${records}-${index}`, { value: alertValue(index) })),
		),
		sum('claim (existing key: loses)', await time(SAMPLES, () => store.claim(COLLECTION, randomKey(), { value: {} }))),
		sum(
			'set (merge + history entry)',
			await time(SAMPLES, (index) =>
				store.set(COLLECTION, randomKey(), {
					value: { lastSeen: index },
					mode: 'merge',
					history: { event: 'seen', reason: 'benchmark' },
				}),
			),
		),
	);
	// Each purge round removes the next batch of PURGED_PER_ROUND records, the oldest closed first.
	const firstClosedAt = clock.time - (PURGE_ROUNDS - 1) * HOUR;
	clock.time += 24 * HOUR;
	const purges = await time(PURGE_ROUNDS, async (round) => {
		const cutoff = firstClosedAt + round * HOUR + HOUR / 2;
		const purged = await store.purge(COLLECTION, (clock.time - cutoff) / HOUR);
		if (purged.count !== PURGED_PER_ROUND) throw new Error(`purge removed ${purged.count} records`);
	});
	results.push(sum(`purge (${PURGED_PER_ROUND} of ~${records / 1000}k)`, purges));
	return results;
}

function staticDataSave(staticData: Record<string, unknown>): Result {
	const durations: number[] = [];
	let bytes = 0;
	for (let sample = 0; sample < 5; sample++) {
		const start = process.hrtime.bigint();
		bytes = JSON.stringify(staticData).length;
		durations.push(Number(process.hrtime.bigint() - start) / 1e6);
	}
	return summarise(
		'staticData',
		`n8n's save at execution end: JSON of ${(bytes / 1e6).toFixed(1)} MB`,
		durations,
	);
}

function markdown(results: Result[], context: Record<string, string | number>): string {
	const lines = [
		`# Mapping store latency at ${[...new Set(results.map((result) => result.records))].map((n) => n.toLocaleString('en-US')).join(' and ')} records`,
		'',
		...Object.entries(context).map(([name, value]) => `- ${name}: ${value}`),
		'',
		'| Backend | Records | Operation | Samples | p50 (ms) | p99 (ms) | mean (ms) |',
		'|---|---:|---|---:|---:|---:|---:|',
		...results.map(
			(result) =>
				`| ${result.backend} | ${result.records} | ${result.operation} | ${result.samples} | ${result.p50Ms} | ${result.p99Ms} | ${result.meanMs} |`,
		),
		'',
	];
	return lines.join('\n');
}

async function main(): Promise<void> {
	const results: Result[] = [];

	if (MEASURE_STATIC) {
		const staticClock = new BenchClock();
		const staticData: Record<string, unknown> = {};
		const staticStore = new StaticDataStore('bench-workflow', staticData, {
			clock: staticClock.now,
			executionsMode: 'regular',
		});
		results.push(...(await measure('staticData', staticStore, staticClock)), staticDataSave(staticData));
	}

	const server: TestPostgres = await findOrStartPostgres();
	const table = `bench_store_${process.pid}`;
	const admin = new Client(pgConfigFor(server));
	await admin.connect();
	let postgresVersion = '';
	try {
		postgresVersion = (await admin.query<{ server_version: string }>('SHOW server_version')).rows[0]
			.server_version;
		const postgresClock = new BenchClock();
		const postgresStore = openRecordStore({
			backend: 'postgres',
			connection: connectionFor(server, 10),
			table,
			options: { clock: postgresClock.now },
		});
		if (POSTGRES_SIZES.length === 1 && POSTGRES_SIZES[0] === RECORDS) {
			results.push(...(await measure('postgres', postgresStore, postgresClock)));
		} else {
			await postgresStore.get(COLLECTION, 'creates-the-table');
			let size = 0;
			for (const target of POSTGRES_SIZES) {
				const from = size;
				results.push(
					...(await measure(
						'postgres',
						postgresStore,
						postgresClock,
						target,
						() => seedPostgresBySql(admin, table, from, target, postgresClock),
						[from, from + PURGE_ROUNDS * PURGED_PER_ROUND],
					)),
				);
				size = target;
			}
		}
	} finally {
		await admin.query(`DROP TABLE IF EXISTS "${table}"`);
		await admin.end();
		await closeAllPools();
		await server.stop();
	}

	const context = {
		date: new Date().toISOString(),
		node: process.version,
		cpu: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
		postgres: `${postgresVersion} (${server.origin}, ${server.host}:${server.port}, pool of 10)`,
		method: `sequential calls, ${SAMPLES} samples per operation after ${WARM_UP} warm-up gets; random existing keys`,
		sizes: POSTGRES_SIZES.length === 1 && POSTGRES_SIZES[0] === RECORDS
			? `${RECORDS} records, both backends`
			: `Postgres grown through ${POSTGRES_SIZES.join(', ')} rows in one table (rows written by SQL)`,
		load: loadavg().map((load) => load.toFixed(2)).join(' '),
	};
	const directory = resolve(__dirname, '..', '..', 'bench', 'results');
	mkdirSync(directory, { recursive: true });
	writeFileSync(
		join(directory, `${RESULT_NAME}.json`),
		`${JSON.stringify({ records: MEASURE_STATIC ? RECORDS : POSTGRES_SIZES, context, results }, null, 2)}\n`,
	);
	writeFileSync(join(directory, `${RESULT_NAME}.md`), markdown(results, context));
	process.stdout.write(markdown(results, context));
}

main().catch((error: unknown) => {
	process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
	process.exitCode = 1;
});
