/**
 * Mapping store latency at 100k records, both backends: p50/p99 of get, claim, set and purge, measured one call at a
 * time (latency, not throughput). Writes bench/results/store.json and bench/results/store.md.
 *
 * Run: npm run build && node dist/bench/store.bench.js [records]
 * Postgres: PGHOST/PGPORT, else 127.0.0.1:5432 (trust auth, database `test`), else a private server it starts
 * (test/helpers/postgres.ts). The benchmark table is dropped at the end.
 */
import { mkdirSync, writeFileSync } from 'fs';
import { cpus } from 'os';
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
const SAMPLES = 2_000;
const WARM_UP = 200;
const PURGE_ROUNDS = 50;
const PURGED_PER_ROUND = 100;
const HOUR = 3_600_000;
const COLLECTION = 'alerts';

interface Result {
	backend: string;
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

function summarise(backend: string, operation: string, durations: number[]): Result {
	const sorted = [...durations].sort((a, b) => a - b);
	const round = (milliseconds: number) => Math.round(milliseconds * 1000) / 1000;
	return {
		backend,
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

async function measure(backend: string, store: RecordStore, clock: BenchClock): Promise<Result[]> {
	const seedStart = Date.now();
	await seed(store, clock);
	process.stderr.write(`[bench] ${backend}: seeded ${RECORDS} records in ${Date.now() - seedStart} ms\n`);
	const randomKey = () => `alert-${Math.floor(Math.random() * RECORDS)}`;

	await time(WARM_UP, () => store.get(COLLECTION, randomKey()));
	const results = [summarise(backend, 'get', await time(SAMPLES, () => store.get(COLLECTION, randomKey())))];
	results.push(
		summarise(
			backend,
			'claim (new key: wins)',
			await time(SAMPLES, (index) => store.claim(COLLECTION, `new-${index}`, { value: alertValue(index) })),
		),
		summarise(
			backend,
			'claim (existing key: loses)',
			await time(SAMPLES, () => store.claim(COLLECTION, randomKey(), { value: {} })),
		),
		summarise(
			backend,
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
	results.push(summarise(backend, `purge (${PURGED_PER_ROUND} of ~${RECORDS / 1000}k)`, purges));
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
		`# Mapping store latency at ${RECORDS.toLocaleString('en-US')} records`,
		'',
		...Object.entries(context).map(([name, value]) => `- ${name}: ${value}`),
		'',
		'| Backend | Operation | Samples | p50 (ms) | p99 (ms) | mean (ms) |',
		'|---|---|---:|---:|---:|---:|',
		...results.map(
			(result) =>
				`| ${result.backend} | ${result.operation} | ${result.samples} | ${result.p50Ms} | ${result.p99Ms} | ${result.meanMs} |`,
		),
		'',
	];
	return lines.join('\n');
}

async function main(): Promise<void> {
	const results: Result[] = [];

	const staticClock = new BenchClock();
	const staticData: Record<string, unknown> = {};
	const staticStore = new StaticDataStore('bench-workflow', staticData, {
		clock: staticClock.now,
		executionsMode: 'regular',
	});
	results.push(...(await measure('staticData', staticStore, staticClock)), staticDataSave(staticData));

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
		results.push(...(await measure('postgres', postgresStore, postgresClock)));
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
	};
	const directory = resolve(__dirname, '..', '..', 'bench', 'results');
	mkdirSync(directory, { recursive: true });
	writeFileSync(
		join(directory, 'store.json'),
		`${JSON.stringify({ records: RECORDS, context, results }, null, 2)}\n`,
	);
	writeFileSync(join(directory, 'store.md'), markdown(results, context));
	process.stdout.write(markdown(results, context));
}

main().catch((error: unknown) => {
	process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
	process.exitCode = 1;
});
