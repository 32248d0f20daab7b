/**
 * Mapping store in a Postgres table: safe with any number of n8n processes and workers. Each write is one statement
 * (claim: `INSERT ... ON CONFLICT DO NOTHING`, set: `INSERT ... ON CONFLICT DO UPDATE`), so concurrent executions never
 * lose each other's updates; a claim that may take over a stale unfinished claim is `INSERT ... ON CONFLICT DO UPDATE
 * ... WHERE <stale>`. The table and its indexes are created on first use (postgresSql.ts).
 */
import type { QueryResultRow } from 'pg';

import { DEFAULT_TABLE_NAME, parseTableName, type TableName } from './identifiers';
import { retryOnConnectionLoss, type PgQueryable } from './postgresPool';
import {
	boundedHistorySql,
	closedAtSql,
	createSchema,
	likePrefix,
	mergedObjectSql,
	mergedValueSql,
	reclaimHistorySql,
	RECORD_COLUMNS,
} from './postgresSql';
import {
	appendHistory,
	assertCollection,
	assertListQuery,
	assertOlderThanHours,
	assertStatus,
	compareKeys,
	nextClosedAt,
	prepareImportRows,
	reclaimEntry,
	resolveHistoryLimit,
	resolveMode,
	resolveStaleClaimRule,
	toHistoryEntry,
	toKey,
	toMergeObject,
	toStorableValue,
} from './records';
import {
	CLOSED_STATUS,
	DEFAULT_STATUS,
	type ClaimInput,
	type ClaimResult,
	type HistoryEntry,
	type HistoryNote,
	type ImportResult,
	type ImportRow,
	type JsonValue,
	type ListQuery,
	type PurgeResult,
	type RecordStore,
	type SetInput,
	type SetResult,
	type StoreKey,
	type StoreOptions,
	type StoreRecord,
	type UpdateStatusOptions,
} from './types';

export interface PostgresStoreOptions extends StoreOptions {
	/** A pg Pool, or the cached pool of postgresPool.getPool(). */
	pool: PgQueryable;
	/** `table` or `schema.table` (the schema must exist); default `halo_datto_mapping`. */
	table?: string;
}

type RecordRow = {
	collection: string;
	key: string;
	value: JsonValue;
	status: string;
	created_at: Date;
	updated_at: Date;
	closed_at: Date | null;
	history: HistoryEntry[];
};

/** Rows per statement when importing. */
const IMPORT_BATCH_SIZE = 500;
/** A claim retries when the conflicting record is deleted before it can be read (rare; bounded). */
const CLAIM_ATTEMPTS = 3;

/** Schema creation runs once per pool and table, shared by concurrent first uses; retried after a failure. */
const schemaReadyByPool = new WeakMap<PgQueryable, Map<string, Promise<void>>>();

export class PostgresStore implements RecordStore {
	readonly backend = 'postgres';
	private readonly pool: PgQueryable;
	private readonly table: TableName;
	private readonly clock: () => Date;
	private readonly historyLimit: number;

	/** Validates the table name before anything else: an invalid name never reaches the database. */
	constructor(options: PostgresStoreOptions) {
		this.table = parseTableName(options.table ?? DEFAULT_TABLE_NAME);
		this.historyLimit = resolveHistoryLimit(options.historyLimit);
		this.clock = options.clock ?? (() => new Date());
		this.pool = options.pool;
	}

	async get(collection: string, storeKey: StoreKey): Promise<StoreRecord | undefined> {
		assertCollection(collection);
		const key = toKey(storeKey);
		const rows = await this.query(
			`SELECT ${RECORD_COLUMNS} FROM ${this.table.quoted} WHERE collection = $1 AND key = $2`,
			[collection, key],
			true,
		);
		return rows[0] && toRecord(rows[0]);
	}

	async set(collection: string, storeKey: StoreKey, input: SetInput): Promise<SetResult> {
		assertCollection(collection);
		const key = toKey(storeKey);
		const { json } = toStorableValue(input.value);
		const mode = resolveMode(input.mode);
		if (input.status !== undefined) assertStatus(input.status);
		const now = this.now();
		const entry = toHistoryEntry(input.history, now);
		const status = input.status ?? DEFAULT_STATUS;
		const newStatus = input.status === undefined ? 'r.status' : 'EXCLUDED.status';
		const assignments = [
			`value = ${mergedValueSql(mode === 'merge')}`,
			`status = ${newStatus}`,
			`closed_at = ${closedAtSql(newStatus, 'EXCLUDED.updated_at')}`,
			input.keepUpdatedAt === true ? 'updated_at = r.updated_at' : 'updated_at = EXCLUDED.updated_at',
		];
		const values: unknown[] = [
			collection,
			key,
			json,
			status,
			now,
			nextClosedAt(undefined, status, now),
			this.historyOf(entry),
		];
		if (entry !== undefined) {
			values.push(this.historyLimit);
			assignments.push(`history = ${boundedHistorySql('EXCLUDED.history', '$8::int')}`);
		}
		const rows = await this.query<RecordRow & { inserted: boolean }>(
			`INSERT INTO ${this.table.quoted} AS r (${RECORD_COLUMNS})
			VALUES ($1, $2, $3::jsonb, $4, $5::timestamptz, $5::timestamptz, $6::timestamptz, $7::jsonb)
			ON CONFLICT (collection, key) DO UPDATE SET ${assignments.join(', ')}
			RETURNING ${RECORD_COLUMNS}, (xmax = 0) AS inserted`,
			values,
		);
		return { created: rows[0].inserted, record: toRecord(rows[0]) };
	}

	async delete(collection: string, storeKey: StoreKey): Promise<StoreRecord | undefined> {
		assertCollection(collection);
		const key = toKey(storeKey);
		const rows = await this.query(
			`DELETE FROM ${this.table.quoted} WHERE collection = $1 AND key = $2 RETURNING ${RECORD_COLUMNS}`,
			[collection, key],
		);
		return rows[0] && toRecord(rows[0]);
	}

	async list(collection: string, query: ListQuery = {}): Promise<StoreRecord[]> {
		assertCollection(collection);
		assertListQuery(query);
		const values: unknown[] = [collection];
		const conditions = ['collection = $1'];
		if (query.status !== undefined) {
			values.push(query.status);
			conditions.push(`status = $${values.length}`);
		}
		if (query.keyPrefix !== undefined && query.keyPrefix !== '') {
			values.push(likePrefix(query.keyPrefix));
			conditions.push(`key LIKE $${values.length}`);
		}
		let sql = `SELECT ${RECORD_COLUMNS} FROM ${this.table.quoted} WHERE ${conditions.join(' AND ')} ORDER BY key`;
		if (query.limit !== undefined) {
			values.push(query.limit);
			sql += ` LIMIT $${values.length}`;
		}
		if (query.offset !== undefined && query.offset > 0) {
			values.push(query.offset);
			sql += ` OFFSET $${values.length}`;
		}
		const rows = await this.query(sql, values, true);
		return rows.map(toRecord);
	}

	/**
	 * One statement decides: `INSERT ... ON CONFLICT DO NOTHING`, or with `reclaimStale`
	 * `INSERT ... ON CONFLICT DO UPDATE ... WHERE status = <pending> AND updated_at < <cutoff>`. Postgres locks the
	 * conflicting row and evaluates the WHERE on its newest version, so of concurrent reclaimers (any pools, any
	 * processes) only the first finds it stale: the others see the winner's fresh updated_at and lose.
	 */
	async claim(collection: string, storeKey: StoreKey, input: ClaimInput = {}): Promise<ClaimResult> {
		assertCollection(collection);
		const key = toKey(storeKey);
		const { json } = toStorableValue(input.value);
		if (input.status !== undefined) assertStatus(input.status);
		const now = this.now();
		const rule = resolveStaleClaimRule(input.reclaimStale, now);
		const entry = toHistoryEntry(input.history, now);
		const status = input.status ?? DEFAULT_STATUS;
		const values: unknown[] = [
			collection,
			key,
			json,
			status,
			now,
			nextClosedAt(undefined, status, now),
			this.historyOf(entry),
		];
		let onConflict = 'DO NOTHING';
		if (rule !== undefined) {
			const appended = [reclaimEntry(rule, now, null), ...(entry === undefined ? [] : [entry])];
			values.push(rule.status, rule.cutoff, JSON.stringify(appended), this.historyLimit);
			onConflict = `DO UPDATE SET value = EXCLUDED.value, status = EXCLUDED.status,
				closed_at = ${closedAtSql('EXCLUDED.status', 'EXCLUDED.updated_at')},
				updated_at = EXCLUDED.updated_at,
				history = ${boundedHistorySql(reclaimHistorySql('$10::jsonb'), '$11::int')}
				WHERE r.status = $8 AND r.updated_at < $9::timestamptz`;
		}
		for (let attempt = 1; attempt <= CLAIM_ATTEMPTS; attempt++) {
			const written = await this.query<RecordRow & { inserted: boolean }>(
				`INSERT INTO ${this.table.quoted} AS r (${RECORD_COLUMNS})
				VALUES ($1, $2, $3::jsonb, $4, $5::timestamptz, $5::timestamptz, $6::timestamptz, $7::jsonb)
				ON CONFLICT (collection, key) ${onConflict}
				RETURNING ${RECORD_COLUMNS}, (xmax = 0) AS inserted`,
				values,
			);
			if (written[0] !== undefined) {
				return { claimed: true, reclaimed: !written[0].inserted, record: toRecord(written[0]) };
			}
			const existing = await this.get(collection, key);
			if (existing !== undefined) return { claimed: false, reclaimed: false, record: existing };
		}
		throw new Error(`Claiming key "${key}" kept conflicting with concurrent deletes; try again`);
	}

	async updateStatus(
		collection: string,
		storeKey: StoreKey,
		status: string,
		history?: HistoryNote,
		options: UpdateStatusOptions = {},
	): Promise<StoreRecord | undefined> {
		assertCollection(collection);
		const key = toKey(storeKey);
		assertStatus(status);
		const merge = toMergeObject(options.mergeValue);
		const now = this.now();
		const entry = toHistoryEntry(history, now);
		const values: unknown[] = [collection, key, status, now];
		const assignments = [
			'status = $3',
			`closed_at = ${closedAtSql('$3::text', '$4::timestamptz')}`,
			'updated_at = $4',
		];
		if (entry !== undefined) {
			values.push(this.historyOf(entry), this.historyLimit);
			assignments.push(
				`history = ${boundedHistorySql(`$${values.length - 1}::jsonb`, `$${values.length}::int`)}`,
			);
		}
		if (merge !== undefined) {
			values.push(merge.json);
			assignments.push(`value = ${mergedObjectSql(`$${values.length}::jsonb`)}`);
		}
		const rows = await this.query(
			`UPDATE ${this.table.quoted} AS r SET ${assignments.join(', ')}
			WHERE r.collection = $1 AND r.key = $2
			RETURNING ${RECORD_COLUMNS}`,
			values,
		);
		return rows[0] && toRecord(rows[0]);
	}

	async purge(collection: string, olderThanHours: number): Promise<PurgeResult> {
		assertCollection(collection);
		assertOlderThanHours(olderThanHours);
		const cutoff = new Date(this.clock().getTime() - olderThanHours * 3_600_000).toISOString();
		const rows = await this.query<{ key: string }>(
			`DELETE FROM ${this.table.quoted}
			WHERE collection = $1 AND status = $2 AND closed_at < $3::timestamptz
			RETURNING key`,
			[collection, CLOSED_STATUS, cutoff],
		);
		const keys = rows.map((row) => row.key).sort(compareKeys);
		return { count: keys.length, keys };
	}

	async importRecords(collection: string, rows: ImportRow[], history?: HistoryNote): Promise<ImportResult> {
		assertCollection(collection);
		const prepared = prepareImportRows(rows);
		const now = this.now();
		const entry = toHistoryEntry(history, now);
		const assignments = [
			'value = EXCLUDED.value',
			'status = EXCLUDED.status',
			`closed_at = ${closedAtSql('EXCLUDED.status', 'EXCLUDED.updated_at')}`,
			'updated_at = EXCLUDED.updated_at',
		];
		if (entry !== undefined)
			assignments.push(`history = ${boundedHistorySql('EXCLUDED.history', '$8::int')}`);
		const sql = `INSERT INTO ${this.table.quoted} AS r (${RECORD_COLUMNS})
			SELECT $1, incoming.key, incoming.value, incoming.status, $5::timestamptz, $5::timestamptz,
				incoming.closed_at, $6::jsonb
			FROM unnest($2::text[], $3::jsonb[], $4::text[], $7::timestamptz[]) AS incoming(key, value, status, closed_at)
			ON CONFLICT (collection, key) DO UPDATE SET ${assignments.join(', ')}
			RETURNING (xmax = 0) AS inserted`;
		const result: ImportResult = { created: 0, updated: 0 };
		await this.ensureSchema();
		const client = await this.pool.connect();
		try {
			await client.query('BEGIN');
			for (let start = 0; start < prepared.length; start += IMPORT_BATCH_SIZE) {
				const batch = prepared.slice(start, start + IMPORT_BATCH_SIZE);
				const statuses = batch.map((row) => row.status ?? DEFAULT_STATUS);
				const values: unknown[] = [
					collection,
					batch.map((row) => row.key),
					batch.map((row) => row.json),
					statuses,
					now,
					this.historyOf(entry),
					statuses.map((status) => nextClosedAt(undefined, status, now)),
				];
				if (entry !== undefined) values.push(this.historyLimit);
				const { rows: outcomes } = await client.query<{ inserted: boolean }>(sql, values);
				for (const { inserted } of outcomes) result[inserted ? 'created' : 'updated']++;
			}
			await client.query('COMMIT');
		} catch (error) {
			await client.query('ROLLBACK').catch(() => undefined);
			throw error;
		} finally {
			client.release();
		}
		return result;
	}

	private now(): string {
		return this.clock().toISOString();
	}

	/** The JSON history of a new record: the entry (if any) within the limit. */
	private historyOf(entry: HistoryEntry | undefined): string {
		return JSON.stringify(appendHistory([], entry, this.historyLimit));
	}

	/**
	 * One transaction on one pooled connection: `work` gets a store bound to it; COMMIT when it resolves, ROLLBACK
	 * when it throws (then nothing of it is stored). Used for the Sync Policy's store writes of one decision.
	 */
	async atomically<T>(work: (store: RecordStore) => Promise<T>): Promise<T> {
		await this.ensureSchema();
		const client = await this.pool.connect();
		const bound: PgQueryable = {
			query: async (sql, values) => await client.query(sql, values),
			connect: () => Promise.reject(new Error('A transaction of the mapping store cannot open another one')),
		};
		// The schema exists (checked above on the pool): the bound store must not try to create it inside the transaction.
		schemaReadyByPool.set(bound, new Map([[this.table.qualified, Promise.resolve()]]));
		const tx = new PostgresStore({ pool: bound, table: this.table.qualified, historyLimit: this.historyLimit, clock: this.clock });
		let released = false;
		try {
			await client.query('BEGIN');
			const result = await work(tx);
			await client.query('COMMIT');
			return result;
		} catch (error) {
			try {
				await client.query('ROLLBACK');
			} catch (rollbackError) {
				// The connection is unusable (e.g. terminated): drop it from the pool instead of returning it.
				client.release(rollbackError as Error);
				released = true;
			}
			throw error;
		} finally {
			if (!released) client.release();
		}
	}

	/** One statement; `idempotent` ones (reads) are repeated after a lost connection, see retryOnConnectionLoss. */
	private async query<Row extends QueryResultRow = RecordRow>(
		sql: string,
		values: unknown[],
		idempotent = false,
	): Promise<Row[]> {
		await this.ensureSchema();
		const run = async () => (await this.pool.query<Row>(sql, values)).rows;
		return idempotent ? await retryOnConnectionLoss(run) : await run();
	}

	private ensureSchema(): Promise<void> {
		let readyByTable = schemaReadyByPool.get(this.pool);
		if (readyByTable === undefined) {
			readyByTable = new Map();
			schemaReadyByPool.set(this.pool, readyByTable);
		}
		const tables = readyByTable;
		let ready = tables.get(this.table.qualified);
		if (ready === undefined) {
			ready = createSchema(this.pool, this.table).catch((error: unknown) => {
				tables.delete(this.table.qualified);
				throw error;
			});
			tables.set(this.table.qualified, ready);
		}
		return ready;
	}
}

function toRecord(row: RecordRow): StoreRecord {
	return {
		collection: row.collection,
		key: row.key,
		value: row.value,
		status: row.status,
		createdAt: toIso(row.created_at),
		updatedAt: toIso(row.updated_at),
		closedAt: row.closed_at === null ? null : toIso(row.closed_at),
		history: row.history,
	};
}

/** pg returns timestamptz as Date unless another package in the process changed pg's global type parsers. */
function toIso(timestamp: Date | string): string {
	return new Date(timestamp).toISOString();
}
