/**
 * Mapping store kept in a workflow's static data (the embedded default: one n8n instance, regular mode).
 *
 * n8n gives each execution its own copy of the workflow's static data, loaded when the execution starts and written
 * back whole when it ends, so overlapping executions overwrite each other's changes; in queue mode it is not saved at
 * all (both measured on n8n 2.41.1). This backend therefore works like this:
 *
 * - The authoritative copy of the store lives in this process: one "live" object per workflow id (module-level map).
 * - Every execution that uses the store puts a reference to that live object into its static data
 *   (`staticData.haloDattoMappingStore = live`), which also flags the static data as changed. When the execution ends,
 *   n8n serialises its static data, i.e. the live object *as it is at that moment*: every record written so far by any
 *   execution, and none that was deleted or purged (deletions really remove the record from the live object, so no
 *   tombstones are needed). Whichever execution ends last persists the complete, current store.
 * - The static data an execution loaded is read only when this process has no live copy for the workflow yet (first
 *   use after a start): it is then the state the last persisting execution wrote. Later snapshots are never merged
 *   back, so a stale snapshot cannot resurrect a deleted record.
 * - Every operation runs synchronously on the live object (the async signatures only match the Postgres backend), so
 *   a claim's check and insert (or its stale-claim check and take-over) happen in the same tick and concurrent claims
 *   in one process cannot both win.
 *
 * - Closed records are kept compact (closedArchive.ts): one text per collection instead of one object per record, with
 *   at most `closedHistoryLimit` history entries, because n8n copies the whole static data several times per
 *   execution and the cost grows with its number of objects (issue 19, docs/performance.md). Every other record is a
 *   live object as before; a closed record that is reopened becomes one again.
 *
 * Limits: one process only (refused in queue mode); records written after the last execution that persisted are lost
 * if the process dies before another execution ends; a manual (editor) run of a saved workflow uses the same live copy
 * as production runs.
 */
import { ClosedArchive } from './closedArchive';
import { MappingStoreError } from './errors';
import {
	appendHistory,
	assertCollection,
	assertListQuery,
	assertOlderThanHours,
	assertStatus,
	compareKeys,
	isStaleClaim,
	mergeValue,
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

/** The property of the workflow's global static data that holds the store. */
export const STATIC_DATA_PROPERTY = 'haloDattoMappingStore';
const FORMAT_VERSION = 1;
/**
 * History entries a closed record keeps in the static data backend (unless configured otherwise): the newest, i.e.
 * the entry that closed it (or a later note, such as a duplicate delivery). A closed record is read by key (duplicate
 * deliveries, the ticket → alert link) and its value says who closed it; its full decision log would keep the static
 * data, which n8n copies per execution, large (bench/storeGrowth.bench.ts: 4.3 MB with 2 entries at 10,000 records).
 */
export const DEFAULT_CLOSED_HISTORY_LIMIT = 1;
/**
 * Records (open and closed, all collections) above which the static data backend warns that Postgres is the better
 * choice: where the shipped workflow's CPU per alert passes 1.25 × an empty store's, measured with
 * bench/storeGrowth.bench.ts (1.24 × at 10,000 closed records, 1.43 × at 20,000; docs/performance.md).
 */
export const STATIC_STORE_WARN_RECORDS = 10_000;

type RecordsByKey = Record<string, StoreRecord>;

/**
 * The persisted shape. Maps keyed by user text have no prototype, so keys like `__proto__` are plain keys.
 * `collections` holds the records that are not closed, one object each; `closed` the closed ones, one string per
 * collection (closedArchive.ts). Stores written before the archive existed have closed records in `collections`:
 * they move to the archive when the store is first loaded.
 */
interface PersistedStore {
	formatVersion: typeof FORMAT_VERSION;
	collections: Record<string, RecordsByKey>;
	closed?: Record<string, string>;
}

interface LiveStore {
	persisted: PersistedStore;
	archives: Map<string, ClosedArchive>;
}

const liveStoresByWorkflow = new Map<string, LiveStore>();

export interface StaticDataStoreOptions extends StoreOptions {
	/** n8n's EXECUTIONS_MODE; read from the environment when omitted. */
	executionsMode?: string;
	/** History entries a closed record keeps (default DEFAULT_CLOSED_HISTORY_LIMIT, at most `historyLimit`). */
	closedHistoryLimit?: number;
}

/** Size of a static data store, for the size warning (Mapping Store node, Check Setup). */
export interface StaticStoreStats {
	/** Records that are not closed (kept one object each). */
	openRecords: number;
	/** Closed records (kept in the compact archive). */
	closedRecords: number;
	records: number;
	/** True when `records` is above STATIC_STORE_WARN_RECORDS. */
	aboveWarnSize: boolean;
}

export class StaticDataStore implements RecordStore {
	readonly backend = 'staticData';
	private readonly live: LiveStore;
	private readonly clock: () => Date;
	private readonly historyLimit: number;
	private readonly closedHistoryLimit: number;

	/**
	 * @param workflowId the workflow whose store this is (all executions of one workflow share it)
	 * @param staticData the execution's global workflow static data (`getWorkflowStaticData('global')`)
	 */
	constructor(workflowId: string, staticData: Record<string, unknown>, options: StaticDataStoreOptions = {}) {
		if ((options.executionsMode ?? process.env.EXECUTIONS_MODE) === 'queue') {
			throw new MappingStoreError(
				'queueModeUnsupported',
				'The static data backend does not work in queue mode (EXECUTIONS_MODE=queue): n8n does not save ' +
					'workflow static data from workers, so records would be lost. Use the Postgres backend instead.',
				'Set "Backend" to "Postgres" and select a Mapping Store Postgres credential.',
			);
		}
		if (typeof workflowId !== 'string' || workflowId === '') {
			throw new MappingStoreError(
				'invalidInput',
				'The static data backend needs a saved workflow (the workflow has no id)',
				'Save the workflow first.',
			);
		}
		this.clock = options.clock ?? (() => new Date());
		this.historyLimit = resolveHistoryLimit(options.historyLimit);
		this.closedHistoryLimit = Math.min(
			this.historyLimit,
			resolveHistoryLimit(options.closedHistoryLimit ?? DEFAULT_CLOSED_HISTORY_LIMIT),
		);
		this.live = attachLiveStore(workflowId, staticData, this.closedHistoryLimit);
	}

	/** How many records the store holds (all collections), and whether that is above the size to warn at. */
	stats(): StaticStoreStats {
		return statsOf(this.live);
	}

	async get(collection: string, storeKey: StoreKey): Promise<StoreRecord | undefined> {
		const key = toKey(storeKey);
		const record = this.find(collection, key);
		return record && copyOf(record);
	}

	async set(collection: string, storeKey: StoreKey, input: SetInput): Promise<SetResult> {
		const key = toKey(storeKey);
		const { value } = toStorableValue(input.value);
		const mode = resolveMode(input.mode);
		if (input.status !== undefined) assertStatus(input.status);
		const now = this.now();
		const entry = toHistoryEntry(input.history, now);
		const existing = this.find(collection, key);
		if (existing === undefined) {
			const created = this.write(collection, this.newRecord(collection, key, value, input.status, now, entry));
			return { created: true, record: copyOf(created) };
		}
		const status = input.status ?? existing.status;
		const updated = this.write(collection, {
			...existing,
			value: mergeValue(existing.value, value, mode),
			status,
			closedAt: nextClosedAt(existing, status, now),
			updatedAt: input.keepUpdatedAt === true ? existing.updatedAt : now,
			history: appendHistory(existing.history, entry, this.historyLimit),
		});
		return { created: false, record: copyOf(updated) };
	}

	async delete(collection: string, storeKey: StoreKey): Promise<StoreRecord | undefined> {
		const key = toKey(storeKey);
		const records = this.records(collection);
		const existing = records?.[key];
		if (records !== undefined && existing !== undefined) {
			delete records[key];
			return copyOf(existing);
		}
		const archived = this.live.archives.get(collection)?.remove(key);
		if (archived !== undefined) this.persistArchive(collection);
		return archived;
	}

	async list(collection: string, query: ListQuery = {}): Promise<StoreRecord[]> {
		assertListQuery(query);
		const records = this.records(collection);
		const archive = this.live.archives.get(collection);
		const { status, keyPrefix, offset = 0, limit } = query;
		const matches = (key: string) => keyPrefix === undefined || key.startsWith(keyPrefix);
		// Closed records are all in the archive, and only closed ones are: a status filter picks one side.
		const keys =
			records === undefined || status === CLOSED_STATUS
				? []
				: Object.keys(records).filter((key) => matches(key) && (status === undefined || records[key].status === status));
		if (archive !== undefined && (status === undefined || status === CLOSED_STATUS)) {
			keys.push(...archive.keys().filter(matches));
		}
		keys.sort(compareKeys);
		const page = keys.slice(offset, limit === undefined ? undefined : offset + limit);
		return page.map((key) => copyOf(this.find(collection, key) as StoreRecord));
	}

	async claim(collection: string, storeKey: StoreKey, input: ClaimInput = {}): Promise<ClaimResult> {
		const key = toKey(storeKey);
		const { value } = toStorableValue(input.value);
		if (input.status !== undefined) assertStatus(input.status);
		const now = this.now();
		const rule = resolveStaleClaimRule(input.reclaimStale, now);
		const entry = toHistoryEntry(input.history, now);
		this.records(collection, true);
		// From here to the return nothing awaits: check and write are one critical section for this process.
		const existing = this.find(collection, key);
		if (existing === undefined) {
			const created = this.write(collection, this.newRecord(collection, key, value, input.status, now, entry));
			return { claimed: true, reclaimed: false, record: copyOf(created) };
		}
		if (rule === undefined || !isStaleClaim(existing, rule)) {
			return { claimed: false, reclaimed: false, record: copyOf(existing) };
		}
		const status = input.status ?? DEFAULT_STATUS;
		const appended = [reclaimEntry(rule, now, existing.updatedAt), ...(entry === undefined ? [] : [entry])];
		const reclaimed = this.write(collection, {
			...existing,
			value,
			status,
			closedAt: nextClosedAt(existing, status, now),
			updatedAt: now,
			history: appendHistory(existing.history, appended, this.historyLimit),
		});
		return { claimed: true, reclaimed: true, record: copyOf(reclaimed) };
	}

	async updateStatus(
		collection: string,
		storeKey: StoreKey,
		status: string,
		history?: HistoryNote,
		options: UpdateStatusOptions = {},
	): Promise<StoreRecord | undefined> {
		const key = toKey(storeKey);
		assertStatus(status);
		const merge = toMergeObject(options.mergeValue);
		const now = this.now();
		const entry = toHistoryEntry(history, now);
		const existing = this.find(collection, key);
		if (existing === undefined) return undefined;
		const updated = this.write(collection, {
			...existing,
			value: merge === undefined ? existing.value : mergeValue(existing.value, merge.value, 'merge'),
			status,
			closedAt: nextClosedAt(existing, status, now),
			updatedAt: now,
			history: appendHistory(existing.history, entry, this.historyLimit),
		});
		return copyOf(updated);
	}

	async purge(collection: string, olderThanHours: number): Promise<PurgeResult> {
		assertOlderThanHours(olderThanHours);
		assertCollection(collection);
		const archive = this.live.archives.get(collection);
		if (archive === undefined) return { count: 0, keys: [] };
		const cutoff = this.clock().getTime() - olderThanHours * 3_600_000;
		const keys = archive.removeClosedBefore(cutoff).sort(compareKeys);
		if (keys.length > 0) this.persistArchive(collection);
		return { count: keys.length, keys };
	}

	async importRecords(collection: string, rows: ImportRow[], history?: HistoryNote): Promise<ImportResult> {
		const prepared = prepareImportRows(rows);
		const now = this.now();
		const entry = toHistoryEntry(history, now);
		this.records(collection, true);
		const result: ImportResult = { created: 0, updated: 0 };
		for (const row of prepared) {
			const existing = this.find(collection, row.key);
			if (existing === undefined) {
				this.write(collection, this.newRecord(collection, row.key, row.value, row.status, now, entry));
				result.created++;
				continue;
			}
			const status = row.status ?? DEFAULT_STATUS;
			this.write(collection, {
				...existing,
				value: row.value,
				status,
				closedAt: nextClosedAt(existing, status, now),
				updatedAt: now,
				history: appendHistory(existing.history, entry, this.historyLimit),
			});
			result.updated++;
		}
		return result;
	}

	private now(): string {
		return this.clock().toISOString();
	}

	/** The live records of a collection that are not closed; undefined when it has none yet, unless `create`. */
	private records(collection: string, create: true): RecordsByKey;
	private records(collection: string, create?: false): RecordsByKey | undefined;
	private records(collection: string, create = false): RecordsByKey | undefined {
		assertCollection(collection);
		const { collections } = this.live.persisted;
		if (collections[collection] === undefined && create) {
			collections[collection] = Object.create(null) as RecordsByKey;
		}
		return collections[collection];
	}

	/** The stored record of a key: the live object of an open one, a decoded copy of a closed one. */
	private find(collection: string, key: string): StoreRecord | undefined {
		return this.records(collection)?.[key] ?? this.live.archives.get(collection)?.get(key);
	}

	/**
	 * Stores a record where its status says: closed ones in the archive with at most `closedHistoryLimit` history
	 * entries, the others as live objects. Returns the record as stored.
	 */
	private write(collection: string, record: StoreRecord): StoreRecord {
		const records = this.records(collection, true);
		if (record.status === CLOSED_STATUS) {
			delete records[record.key];
			const compact = { ...record, history: appendHistory(record.history, undefined, this.closedHistoryLimit) };
			archiveOf(this.live, collection).put(compact);
			this.persistArchive(collection);
			return compact;
		}
		const archive = this.live.archives.get(collection);
		if (archive?.has(record.key)) {
			archive.remove(record.key);
			this.persistArchive(collection);
		}
		records[record.key] = record;
		return record;
	}

	/** Puts the archive's text into the persisted store (n8n saves it when the execution ends). */
	private persistArchive(collection: string): void {
		persistArchive(this.live, collection);
	}

	private newRecord(
		collection: string,
		key: string,
		value: JsonValue,
		status: string | undefined,
		now: string,
		entry: HistoryEntry | undefined,
	): StoreRecord {
		const recordStatus = status ?? DEFAULT_STATUS;
		return {
			collection,
			key,
			value,
			status: recordStatus,
			createdAt: now,
			updatedAt: now,
			closedAt: nextClosedAt(undefined, recordStatus, now),
			history: appendHistory([], entry, this.historyLimit),
		};
	}
}

/**
 * The warning to show when a static data store is above the size where the Postgres backend is the better choice;
 * undefined below it. Shared by the Mapping Store node (execution hint) and Check Setup.
 */
export function staticStoreSizeWarning(stats: StaticStoreStats): string | undefined {
	if (!stats.aboveWarnSize) return undefined;
	return (
		`The workflow static data store holds ${stats.records.toLocaleString('en-US')} records ` +
		`(${stats.openRecords.toLocaleString('en-US')} open, ${stats.closedRecords.toLocaleString('en-US')} closed), more than ` +
		`${STATIC_STORE_WARN_RECORDS.toLocaleString('en-US')}: n8n copies the whole store for every execution, so each alert ` +
		'costs more CPU as it grows. Purge closed records sooner (the Purge operation\'s "Closed For More Than"), or move ' +
		'to the Postgres backend (workflows/postgres/), whose cost does not grow with the number of records.'
	);
}

/**
 * The size of every static data store this n8n process has loaded (a store loads with its workflow's first Mapping
 * Store execution after a start), for Check Setup, which runs in a workflow of its own.
 */
export function loadedStaticStoreStats(): Array<{ workflowId: string; stats: StaticStoreStats }> {
	return [...liveStoresByWorkflow.entries()].map(([workflowId, live]) => ({ workflowId, stats: statsOf(live) }));
}

function statsOf(live: LiveStore): StaticStoreStats {
	let openRecords = 0;
	for (const records of Object.values(live.persisted.collections)) openRecords += Object.keys(records).length;
	let closedRecords = 0;
	for (const archive of live.archives.values()) closedRecords += archive.size;
	const records = openRecords + closedRecords;
	return { openRecords, closedRecords, records, aboveWarnSize: records > STATIC_STORE_WARN_RECORDS };
}

/** Records handed out are deep copies (JSON, which also works through n8n's observable proxies). */
function copyOf(record: StoreRecord): StoreRecord {
	return JSON.parse(JSON.stringify(record)) as StoreRecord;
}

function archiveOf(live: LiveStore, collection: string): ClosedArchive {
	let archive = live.archives.get(collection);
	if (archive === undefined) {
		archive = new ClosedArchive(collection);
		live.archives.set(collection, archive);
	}
	return archive;
}

function persistArchive(live: LiveStore, collection: string): void {
	const archive = live.archives.get(collection);
	const closed = (live.persisted.closed ??= Object.create(null) as Record<string, string>);
	if (archive === undefined || archive.size === 0) {
		delete closed[collection];
		live.archives.delete(collection);
	} else {
		closed[collection] = archive.text;
	}
}

/** Finds or creates the workflow's live store and puts it into the execution's static data (see file comment). */
function attachLiveStore(
	workflowId: string,
	staticData: Record<string, unknown>,
	closedHistoryLimit: number,
): LiveStore {
	let live = liveStoresByWorkflow.get(workflowId);
	if (live === undefined) {
		live = hydrate(staticData[STATIC_DATA_PROPERTY], closedHistoryLimit);
		liveStoresByWorkflow.set(workflowId, live);
	}
	staticData[STATIC_DATA_PROPERTY] = live.persisted;
	return live;
}

/** Builds a live store from persisted static data (or an empty one), checking its shape. */
function hydrate(persisted: unknown, closedHistoryLimit: number): LiveStore {
	const live: LiveStore = {
		persisted: { formatVersion: FORMAT_VERSION, collections: Object.create(null) },
		archives: new Map(),
	};
	if (persisted === undefined || persisted === null) return live;
	const data = JSON.parse(JSON.stringify(persisted)) as Partial<PersistedStore>;
	if (data.formatVersion !== FORMAT_VERSION || !isPlainObject(data.collections)) {
		throw corrupt(`it is not a format ${FORMAT_VERSION} mapping store`);
	}
	if (data.closed !== undefined && !isPlainObject(data.closed)) throw corrupt('its closed records are not an object');
	for (const [collection, text] of Object.entries(data.closed ?? {})) {
		if (typeof text !== 'string') throw corrupt(`the closed records of collection "${collection}" are not text`);
		try {
			live.archives.set(collection, ClosedArchive.fromText(collection, text));
		} catch (error) {
			throw corrupt(`the closed records of collection "${collection}": ${(error as Error).message}`);
		}
	}
	for (const [collection, records] of Object.entries(data.collections)) {
		if (!isPlainObject(records)) throw corrupt(`collection "${collection}" is not an object`);
		const recordsByKey: RecordsByKey = Object.create(null);
		live.persisted.collections[collection] = recordsByKey;
		for (const [key, record] of Object.entries(records)) {
			if (!isStoredRecord(record))
				throw corrupt(`record "${key}" of collection "${collection}" is malformed`);
			const stored = { ...record, collection, key };
			if (stored.status === CLOSED_STATUS) {
				// Written before the archive existed: archived now, compact like every closed record.
				const history = appendHistory(stored.history, undefined, closedHistoryLimit);
				archiveOf(live, collection).put({ ...stored, closedAt: stored.closedAt ?? stored.updatedAt, history });
			} else {
				live.archives.get(collection)?.remove(key);
				recordsByKey[key] = stored;
			}
		}
	}
	for (const collection of live.archives.keys()) persistArchive(live, collection);
	return live;
}

function corrupt(problem: string): MappingStoreError {
	return new MappingStoreError(
		'corruptStaticData',
		`The workflow static data property "${STATIC_DATA_PROPERTY}" cannot be read: ${problem}`,
		'Another node may have written to this property; remove it from the static data or use another workflow.',
	);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStoredRecord(value: unknown): value is StoreRecord {
	if (!isPlainObject(value)) return false;
	return (
		'value' in value &&
		typeof value.status === 'string' &&
		typeof value.createdAt === 'string' &&
		typeof value.updatedAt === 'string' &&
		(value.closedAt === null || typeof value.closedAt === 'string') &&
		Array.isArray(value.history)
	);
}
