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
 * Limits: one process only (refused in queue mode); records written after the last execution that persisted are lost
 * if the process dies before another execution ends; a manual (editor) run of a saved workflow uses the same live copy
 * as production runs.
 */
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

type RecordsByKey = Record<string, StoreRecord>;

/** The persisted shape. Maps keyed by user text have no prototype, so keys like `__proto__` are plain keys. */
interface LiveStore {
	formatVersion: typeof FORMAT_VERSION;
	collections: Record<string, RecordsByKey>;
}

const liveStoresByWorkflow = new Map<string, LiveStore>();

export interface StaticDataStoreOptions extends StoreOptions {
	/** n8n's EXECUTIONS_MODE; read from the environment when omitted. */
	executionsMode?: string;
}

export class StaticDataStore implements RecordStore {
	readonly backend = 'staticData';
	private readonly live: LiveStore;
	private readonly clock: () => Date;
	private readonly historyLimit: number;

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
		this.live = attachLiveStore(workflowId, staticData);
	}

	async get(collection: string, storeKey: StoreKey): Promise<StoreRecord | undefined> {
		const key = toKey(storeKey);
		const record = this.records(collection)?.[key];
		return record && copyOf(record);
	}

	async set(collection: string, storeKey: StoreKey, input: SetInput): Promise<SetResult> {
		const key = toKey(storeKey);
		const { value } = toStorableValue(input.value);
		const mode = resolveMode(input.mode);
		if (input.status !== undefined) assertStatus(input.status);
		const now = this.now();
		const entry = toHistoryEntry(input.history, now);
		const records = this.records(collection, true);
		const existing = records[key];
		if (existing === undefined) {
			records[key] = this.newRecord(collection, key, value, input.status, now, entry);
			return { created: true, record: copyOf(records[key]) };
		}
		const status = input.status ?? existing.status;
		records[key] = {
			...existing,
			value: mergeValue(existing.value, value, mode),
			status,
			closedAt: nextClosedAt(existing, status, now),
			updatedAt: input.keepUpdatedAt === true ? existing.updatedAt : now,
			history: appendHistory(existing.history, entry, this.historyLimit),
		};
		return { created: false, record: copyOf(records[key]) };
	}

	async delete(collection: string, storeKey: StoreKey): Promise<StoreRecord | undefined> {
		const key = toKey(storeKey);
		const records = this.records(collection);
		const existing = records?.[key];
		if (records === undefined || existing === undefined) return undefined;
		delete records[key];
		return copyOf(existing);
	}

	async list(collection: string, query: ListQuery = {}): Promise<StoreRecord[]> {
		assertListQuery(query);
		const records = this.records(collection);
		if (records === undefined) return [];
		const { status, keyPrefix, offset = 0, limit } = query;
		const keys = Object.keys(records)
			.filter((key) => keyPrefix === undefined || key.startsWith(keyPrefix))
			.filter((key) => status === undefined || records[key].status === status)
			.sort(compareKeys);
		const page = keys.slice(offset, limit === undefined ? undefined : offset + limit);
		return page.map((key) => copyOf(records[key]));
	}

	async claim(collection: string, storeKey: StoreKey, input: ClaimInput = {}): Promise<ClaimResult> {
		const key = toKey(storeKey);
		const { value } = toStorableValue(input.value);
		if (input.status !== undefined) assertStatus(input.status);
		const now = this.now();
		const rule = resolveStaleClaimRule(input.reclaimStale, now);
		const entry = toHistoryEntry(input.history, now);
		const records = this.records(collection, true);
		// From here to the return nothing awaits: check and write are one critical section for this process.
		const existing = records[key];
		if (existing === undefined) {
			records[key] = this.newRecord(collection, key, value, input.status, now, entry);
			return { claimed: true, reclaimed: false, record: copyOf(records[key]) };
		}
		if (rule === undefined || !isStaleClaim(existing, rule)) {
			return { claimed: false, reclaimed: false, record: copyOf(existing) };
		}
		const status = input.status ?? DEFAULT_STATUS;
		const appended = [reclaimEntry(rule, now, existing.updatedAt), ...(entry === undefined ? [] : [entry])];
		records[key] = {
			...existing,
			value,
			status,
			closedAt: nextClosedAt(existing, status, now),
			updatedAt: now,
			history: appendHistory(existing.history, appended, this.historyLimit),
		};
		return { claimed: true, reclaimed: true, record: copyOf(records[key]) };
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
		const records = this.records(collection);
		const existing = records?.[key];
		if (records === undefined || existing === undefined) return undefined;
		records[key] = {
			...existing,
			value: merge === undefined ? existing.value : mergeValue(existing.value, merge.value, 'merge'),
			status,
			closedAt: nextClosedAt(existing, status, now),
			updatedAt: now,
			history: appendHistory(existing.history, entry, this.historyLimit),
		};
		return copyOf(records[key]);
	}

	async purge(collection: string, olderThanHours: number): Promise<PurgeResult> {
		assertOlderThanHours(olderThanHours);
		const records = this.records(collection);
		if (records === undefined) return { count: 0, keys: [] };
		const cutoff = this.clock().getTime() - olderThanHours * 3_600_000;
		const keys = Object.keys(records)
			.filter((key) => {
				const { status, closedAt } = records[key];
				return status === CLOSED_STATUS && closedAt !== null && Date.parse(closedAt) < cutoff;
			})
			.sort(compareKeys);
		for (const key of keys) delete records[key];
		return { count: keys.length, keys };
	}

	async importRecords(collection: string, rows: ImportRow[], history?: HistoryNote): Promise<ImportResult> {
		const prepared = prepareImportRows(rows);
		const now = this.now();
		const entry = toHistoryEntry(history, now);
		const records = this.records(collection, true);
		const result: ImportResult = { created: 0, updated: 0 };
		for (const row of prepared) {
			const existing = records[row.key];
			if (existing === undefined) {
				records[row.key] = this.newRecord(collection, row.key, row.value, row.status, now, entry);
				result.created++;
				continue;
			}
			const status = row.status ?? DEFAULT_STATUS;
			records[row.key] = {
				...existing,
				value: row.value,
				status,
				closedAt: nextClosedAt(existing, status, now),
				updatedAt: now,
				history: appendHistory(existing.history, entry, this.historyLimit),
			};
			result.updated++;
		}
		return result;
	}

	private now(): string {
		return this.clock().toISOString();
	}

	/** The live records of a collection; undefined when it has none yet, unless `create`. */
	private records(collection: string, create: true): RecordsByKey;
	private records(collection: string, create?: false): RecordsByKey | undefined;
	private records(collection: string, create = false): RecordsByKey | undefined {
		assertCollection(collection);
		const { collections } = this.live;
		if (collections[collection] === undefined && create) {
			collections[collection] = Object.create(null) as RecordsByKey;
		}
		return collections[collection];
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

/** Records handed out are deep copies (JSON, which also works through n8n's observable proxies). */
function copyOf(record: StoreRecord): StoreRecord {
	return JSON.parse(JSON.stringify(record)) as StoreRecord;
}

/** Finds or creates the workflow's live store and puts it into the execution's static data (see file comment). */
function attachLiveStore(workflowId: string, staticData: Record<string, unknown>): LiveStore {
	let live = liveStoresByWorkflow.get(workflowId);
	if (live === undefined) {
		live = hydrate(staticData[STATIC_DATA_PROPERTY]);
		liveStoresByWorkflow.set(workflowId, live);
	}
	staticData[STATIC_DATA_PROPERTY] = live;
	return live;
}

/** Builds a live store from persisted static data (or an empty one), checking its shape. */
function hydrate(persisted: unknown): LiveStore {
	const live: LiveStore = { formatVersion: FORMAT_VERSION, collections: Object.create(null) };
	if (persisted === undefined || persisted === null) return live;
	const data = JSON.parse(JSON.stringify(persisted)) as Partial<LiveStore>;
	if (data.formatVersion !== FORMAT_VERSION || !isPlainObject(data.collections)) {
		throw corrupt(`it is not a format ${FORMAT_VERSION} mapping store`);
	}
	for (const [collection, records] of Object.entries(data.collections)) {
		if (!isPlainObject(records)) throw corrupt(`collection "${collection}" is not an object`);
		const recordsByKey: RecordsByKey = Object.create(null);
		for (const [key, record] of Object.entries(records)) {
			if (!isStoredRecord(record))
				throw corrupt(`record "${key}" of collection "${collection}" is malformed`);
			recordsByKey[key] = { ...record, collection, key };
		}
		live.collections[collection] = recordsByKey;
	}
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
