/**
 * The mapping store model, shared by both backends (workflow static data and Postgres).
 *
 * A store holds records in named collections (e.g. `alerts`: Datto alert uid → Halo ticket, `sites`: Datto site →
 * Halo client). Every record has a JSON value, a free-form status ("open", "closed", ...), timestamps and a bounded
 * history: the per-record decision log ("ticket created", "duplicate ignored", "closed because resolved in Datto").
 *
 * This module and the backends import nothing from n8n, so other nodes (and the policy engine) can use them directly.
 */

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [property: string]: JsonValue };
export type JsonObject = { [property: string]: JsonValue };

/** The status that `purge` looks at and that stamps `closedAt`. Any other non-empty string is allowed too. */
export const CLOSED_STATUS = 'closed';
/** The status of a record created without an explicit status. */
export const DEFAULT_STATUS = 'open';
/** How many history entries a record keeps unless the store is configured otherwise; the oldest are dropped. */
export const DEFAULT_HISTORY_LIMIT = 50;
/** The status that marks a claim whose work has not finished yet (see ClaimInput.reclaimStale). */
export const DEFAULT_PENDING_STATUS = 'pending';
/** Event of the history entry a claim appends when it takes over a stale unfinished claim. */
export const RECLAIMED_EVENT = 'staleClaimReclaimed';

/**
 * A record key: text, or a number (e.g. a Halo ticket id). Both backends store a number as its JavaScript decimal
 * text (`123` → `"123"`, `1.5` → `"1.5"`), so `get("123")` finds a record set with the key `123` and records always
 * carry string keys. NaN and ±Infinity are rejected.
 */
export type StoreKey = string | number;

/** One entry of a record's decision log. */
export interface HistoryEntry {
	/** ISO timestamp of the write that appended the entry. */
	at: string;
	/** What happened, e.g. `ticketCreated`, `duplicateIgnored`. */
	event: string;
	/** Why it happened, in words a technician understands. */
	reason?: string;
	/** Anything else worth keeping (ticket id, alert priority, ...). */
	data?: JsonValue;
}

/** What a caller asks to append to the history: the store adds the timestamp. */
export interface HistoryNote {
	event: string;
	reason?: string;
	data?: JsonValue;
}

export interface StoreRecord {
	collection: string;
	key: string;
	value: JsonValue;
	status: string;
	/** ISO timestamps. */
	createdAt: string;
	updatedAt: string;
	/** Set when the record moves to `closed`, kept while it stays closed, cleared when it is reopened. */
	closedAt: string | null;
	/** Oldest first, at most `historyLimit` entries. */
	history: HistoryEntry[];
}

export type ValueWriteMode = 'replace' | 'merge';

export interface SetInput {
	value: JsonValue;
	/**
	 * `replace` (default) stores `value` as given. `merge` shallow-merges it into the stored value when both are JSON
	 * objects (top-level properties of `value` win) and replaces it otherwise.
	 */
	mode?: ValueWriteMode;
	/** New status; when omitted a new record is `open` and an existing one keeps its status. */
	status?: string;
	history?: HistoryNote;
	/**
	 * Leave an existing record's `updatedAt` as it was (a new record still gets now). For notes that only log an event,
	 * e.g. a duplicate delivery: `updatedAt` is the clock of stale-claim reclaim, and a repeat delivery must not make an
	 * abandoned claim look alive (the reclaim would never come while Datto keeps delivering or reconciling the alert).
	 */
	keepUpdatedAt?: boolean;
}

export interface SetResult {
	/** True when the key did not exist before this call. */
	created: boolean;
	record: StoreRecord;
}

export interface ClaimInput {
	value?: JsonValue;
	/** Status of the claimed record; `open` by default. Use the pending status when stale claims are to be reclaimed. */
	status?: string;
	history?: HistoryNote;
	/** Take over an unfinished claim that was abandoned (see ReclaimStaleOptions); never when omitted. */
	reclaimStale?: ReclaimStaleOptions;
}

/**
 * When a claim finds an existing record whose status is `status` (an unfinished claim: the execution that made it
 * died or failed before finishing its work) and whose `updatedAt` is more than `afterMinutes` before now, the claim
 * wins anyway: atomically, so of any number of concurrent reclaimers exactly one wins. The winner replaces the
 * value and status as a new claim would, keeps `createdAt` and the history, and appends a `staleClaimReclaimed`
 * history entry (data: `previousUpdatedAt`, `staleAfterMinutes`) before its own history note.
 */
export interface ReclaimStaleOptions {
	/** More than 0; choose more than the longest time the claimed work can take, or it may run twice. */
	afterMinutes: number;
	/** The status that marks an unfinished claim; `pending` by default. */
	status?: string;
}

export interface ClaimResult {
	/** True for exactly one of any number of concurrent claims of the same key. */
	claimed: boolean;
	/** True when this call won by taking over a stale unfinished claim (then `claimed` is true too). */
	reclaimed: boolean;
	/**
	 * The record this call created or took over (`claimed`), or the one that already existed (not `claimed`, left
	 * unchanged).
	 */
	record: StoreRecord;
}

export interface UpdateStatusOptions {
	/**
	 * A JSON object whose top-level properties are merged into the stored value (e.g. `{ closedBy: 'datto' }`), as
	 * `set` does in merge mode: a stored value that is not an object is replaced by it.
	 */
	mergeValue?: JsonObject;
}

export interface ListQuery {
	status?: string;
	/** Only keys starting with this text (taken literally: `%` and `_` are not wildcards). */
	keyPrefix?: string;
	/** Maximum number of records; all when omitted. */
	limit?: number;
	/** Records to skip, in key order. */
	offset?: number;
}

export interface PurgeResult {
	count: number;
	/** Keys of the purged records, in key order. */
	keys: string[];
}

/** One row of an import: the key, its value and optionally its status (`open` when omitted). */
export interface ImportRow {
	key: StoreKey;
	value: JsonValue;
	status?: string;
}

export interface ImportResult {
	created: number;
	updated: number;
}

/** Options common to both backends. */
export interface StoreOptions {
	/** Source of "now" for all timestamps and for purge cutoffs; injectable for tests. */
	clock?: () => Date;
	/** History entries kept per record (default 50, 0 keeps none). */
	historyLimit?: number;
}

/**
 * A mapping store backend. Records are ordered by key in Unicode code point order (Postgres: collation "C").
 * Every method validates its input (see records.ts) and throws `MappingStoreError` for bad input.
 */
export interface RecordStore {
	readonly backend: 'staticData' | 'postgres';
	get(collection: string, key: StoreKey): Promise<StoreRecord | undefined>;
	/** Upsert. */
	set(collection: string, key: StoreKey, input: SetInput): Promise<SetResult>;
	/** Returns the deleted record, or undefined when there was none. */
	delete(collection: string, key: StoreKey): Promise<StoreRecord | undefined>;
	list(collection: string, query?: ListQuery): Promise<StoreRecord[]>;
	/**
	 * Atomic insert-if-absent: the way "one ticket per alert" holds under concurrent webhook deliveries. With
	 * `reclaimStale`, also atomic take-over of an abandoned unfinished claim.
	 */
	claim(collection: string, key: StoreKey, input?: ClaimInput): Promise<ClaimResult>;
	/**
	 * Sets the status (closed stamps closedAt), optionally merging properties into the value. Returns the updated
	 * record, or undefined when the key does not exist (nothing is created).
	 */
	updateStatus(
		collection: string,
		key: StoreKey,
		status: string,
		history?: HistoryNote,
		options?: UpdateStatusOptions,
	): Promise<StoreRecord | undefined>;
	/** Deletes the `closed` records whose `closedAt` is more than `olderThanHours` before now. */
	purge(collection: string, olderThanHours: number): Promise<PurgeResult>;
	/**
	 * Upserts all rows (all or nothing on Postgres): the value is replaced and the status set to the row's status
	 * (`open` when omitted). Duplicate keys within `rows` are rejected.
	 */
	importRecords(collection: string, rows: ImportRow[], history?: HistoryNote): Promise<ImportResult>;
	/**
	 * Runs `work` with a store whose writes are one unit: all or none (Postgres: one transaction on one connection).
	 * Absent where the backend cannot (static data: each write is applied at once and saved by n8n at the end of
	 * the execution).
	 */
	atomically?<T>(work: (store: RecordStore) => Promise<T>): Promise<T>;
}
