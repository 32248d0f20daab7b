/**
 * Record rules shared by both backends: input validation, key order, status → closedAt, value merge and the bounded
 * history. The Postgres backend expresses the same rules in SQL (postgresSql.ts); the shared test suite holds them
 * equal.
 */
import { MappingStoreError } from './errors';
import {
	CLOSED_STATUS,
	DEFAULT_HISTORY_LIMIT,
	DEFAULT_PENDING_STATUS,
	RECLAIMED_EVENT,
	type HistoryEntry,
	type HistoryNote,
	type ImportRow,
	type JsonObject,
	type JsonValue,
	type ListQuery,
	type ReclaimStaleOptions,
	type StoreRecord,
	type ValueWriteMode,
} from './types';

/** Keys are part of Postgres' primary-key index, whose entries must stay well below 2.7 kB. */
export const MAX_KEY_BYTES = 1024;
export const MAX_COLLECTION_BYTES = 256;
export const MAX_STATUS_BYTES = 256;
/** 100 years: keeps reclaim cutoffs within the timestamps both backends (Postgres timestamptz) can hold. */
export const MAX_RECLAIM_MINUTES = 100 * 365 * 24 * 60;

/** NUL and unpaired UTF-16 surrogates: Postgres text and JSONB cannot hold them, so neither backend accepts them. */
const UNPAIRED_SURROGATE = /\p{Cs}/u;

function hasUnstorableCharacter(text: string): boolean {
	return text.includes('\u0000') || UNPAIRED_SURROGATE.test(text);
}
/** The same characters as they appear (escaped, after an even number of backslashes) in JSON.stringify output. */
const UNSTORABLE_JSON_ESCAPE = /(?:^|[^\\])(?:\\\\)*\\u(?:0000|d[89a-f][0-9a-f]{2})/i;

function invalid(message: string): MappingStoreError {
	return new MappingStoreError('invalidInput', message);
}

function assertText(what: string, text: unknown, maxBytes: number): asserts text is string {
	if (typeof text !== 'string' || text.length === 0) {
		throw invalid(`The ${what} must be a non-empty string`);
	}
	if (Buffer.byteLength(text, 'utf8') > maxBytes) {
		throw invalid(`The ${what} is longer than ${maxBytes} bytes (UTF-8)`);
	}
	if (hasUnstorableCharacter(text)) {
		throw invalid(`The ${what} contains a NUL character or an unpaired UTF-16 surrogate`);
	}
}

export function assertCollection(collection: unknown): asserts collection is string {
	assertText('collection name', collection, MAX_COLLECTION_BYTES);
}

export function assertKey(key: unknown): asserts key is string {
	assertText('key', key, MAX_KEY_BYTES);
}

/**
 * The stored (string) form of a key: text as it is, a finite number as its JavaScript decimal text (`123` → "123"),
 * so both backends, and callers that pass a Halo ticket id as a number, agree on one key. Anything else is rejected.
 */
export function toKey(key: unknown, what = 'key'): string {
	if (typeof key === 'number') {
		if (!Number.isFinite(key)) throw invalid(`The ${what} must be a string or a finite number, got ${key}`);
		return String(key);
	}
	if (key !== undefined && key !== null && typeof key !== 'string') {
		throw invalid(
			`The ${what} must be a string or a number, got ${typeof key === 'object' ? 'an object' : typeof key}`,
		);
	}
	assertText(what, key, MAX_KEY_BYTES);
	return key;
}

export function assertStatus(status: unknown): asserts status is string {
	assertText('status', status, MAX_STATUS_BYTES);
}

/** A value checked for storability, as JSON text (what Postgres receives) and as a private deep copy. */
export interface StorableValue {
	json: string;
	value: JsonValue;
}

/** `undefined` is stored as `null`; anything JSON cannot represent, or Postgres cannot hold, is rejected. */
export function toStorableValue(value: unknown, what = 'value'): StorableValue {
	let json: string | undefined;
	try {
		json = JSON.stringify(value === undefined ? null : value);
	} catch (error) {
		throw invalid(`The ${what} cannot be stored as JSON: ${(error as Error).message}`);
	}
	if (json === undefined) {
		throw invalid(`The ${what} cannot be stored as JSON`);
	}
	if (UNSTORABLE_JSON_ESCAPE.test(json)) {
		throw invalid(`The ${what} contains a NUL character or an unpaired UTF-16 surrogate`);
	}
	return { json, value: JSON.parse(json) as JsonValue };
}

export function resolveHistoryLimit(historyLimit: number | undefined): number {
	const limit = historyLimit ?? DEFAULT_HISTORY_LIMIT;
	if (!Number.isInteger(limit) || limit < 0) {
		throw invalid(`The history limit must be a whole number of 0 or more, got ${String(historyLimit)}`);
	}
	return limit;
}

/** Turns a caller's note into a storable entry stamped `at`; undefined when there is no note. */
export function toHistoryEntry(note: HistoryNote | undefined, at: string): HistoryEntry | undefined {
	if (note === undefined) return undefined;
	if (typeof note.event !== 'string' || note.event.length === 0) {
		throw invalid('A history entry needs a non-empty event');
	}
	const entry: HistoryEntry = { at, event: note.event };
	if (note.reason !== undefined && note.reason !== '') entry.reason = note.reason;
	if (note.data !== undefined) entry.data = note.data;
	return toStorableValue(entry, 'history entry').value as unknown as HistoryEntry;
}

/** Appends `entry` (or entries) and keeps the newest `limit` entries. */
export function appendHistory(
	history: HistoryEntry[],
	entry: HistoryEntry | HistoryEntry[] | undefined,
	limit: number,
): HistoryEntry[] {
	const entries = entry === undefined ? [] : Array.isArray(entry) ? entry : [entry];
	const appended = entries.length === 0 ? history : [...history, ...entries];
	return appended.length > limit ? appended.slice(appended.length - limit) : appended;
}

/** A validated ReclaimStaleOptions with its cutoff: records of `status` last updated before `cutoff` are stale. */
export interface StaleClaimRule {
	status: string;
	afterMinutes: number;
	/** ISO timestamp; strictly earlier updatedAt values are stale. */
	cutoff: string;
}

/** Validates the reclaim options of a claim made at `now`; undefined when stale claims are not to be reclaimed. */
export function resolveStaleClaimRule(
	options: ReclaimStaleOptions | undefined,
	now: string,
): StaleClaimRule | undefined {
	if (options === undefined) return undefined;
	const { afterMinutes } = options;
	if (typeof afterMinutes !== 'number' || !Number.isFinite(afterMinutes) || afterMinutes <= 0) {
		throw invalid(
			`"Reclaim stale claims after" must be a number of minutes above 0, got ${String(afterMinutes)}`,
		);
	}
	if (afterMinutes > MAX_RECLAIM_MINUTES) {
		throw invalid(`"Reclaim stale claims after" is more than 100 years: ${afterMinutes} minutes`);
	}
	const status = options.status ?? DEFAULT_PENDING_STATUS;
	assertStatus(status);
	const cutoff = new Date(Date.parse(now) - afterMinutes * 60_000).toISOString();
	return { status, afterMinutes, cutoff };
}

/** Whether `record` is an unfinished claim older than the rule allows. */
export function isStaleClaim(
	record: Pick<StoreRecord, 'status' | 'updatedAt'>,
	rule: StaleClaimRule,
): boolean {
	return record.status === rule.status && Date.parse(record.updatedAt) < Date.parse(rule.cutoff);
}

/**
 * The history entry of a reclaim; `previousUpdatedAt` is the stale record's updatedAt (the Postgres backend fills
 * it in from the row, see postgresSql.reclaimHistorySql).
 */
export function reclaimEntry(
	rule: StaleClaimRule,
	now: string,
	previousUpdatedAt: string | null,
): HistoryEntry {
	return {
		at: now,
		event: RECLAIMED_EVENT,
		reason:
			`The earlier claim was still "${rule.status}" more than ${rule.afterMinutes} minutes after its last ` +
			'update, so its work is taken to have failed and this claim takes over',
		data: { previousUpdatedAt, staleAfterMinutes: rule.afterMinutes },
	};
}

/** Validates the value to merge into a record by updateStatus: a JSON object, storable; undefined when absent. */
export function toMergeObject(value: unknown): { json: string; value: JsonObject } | undefined {
	if (value === undefined) return undefined;
	if (typeof value !== 'object' || value === null || Array.isArray(value)) {
		throw invalid('The value to merge must be a JSON object, e.g. {"closedBy": "datto"}');
	}
	const storable = toStorableValue(value, 'value to merge');
	return { json: storable.json, value: storable.value as JsonObject };
}

/** closedAt after a status change: stamped when a record becomes closed, kept while it stays closed. */
export function nextClosedAt(
	previous: Pick<StoreRecord, 'status' | 'closedAt'> | undefined,
	status: string,
	now: string,
): string | null {
	if (status !== CLOSED_STATUS) return null;
	return previous?.status === CLOSED_STATUS && previous.closedAt !== null ? previous.closedAt : now;
}

function isJsonObject(value: JsonValue): value is { [property: string]: JsonValue } {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function mergeValue(stored: JsonValue, incoming: JsonValue, mode: ValueWriteMode): JsonValue {
	if (mode === 'merge' && isJsonObject(stored) && isJsonObject(incoming)) {
		return { ...stored, ...incoming };
	}
	return incoming;
}

export function resolveMode(mode: unknown): ValueWriteMode {
	if (mode === undefined || mode === 'replace' || mode === 'merge') return mode ?? 'replace';
	throw invalid(`Unknown value mode "${String(mode)}": use "replace" or "merge"`);
}

function rankCodeUnit(unit: number): number {
	// Surrogates (D800–DFFF) encode code points above FFFF, which sort after every other BMP code unit.
	if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
	if (unit >= 0xe000) return unit - 0x800;
	return unit;
}

/** Unicode code point order: the order of Postgres' collation "C" on UTF-8, so both backends page alike. */
export function compareKeys(a: string, b: string): number {
	const length = Math.min(a.length, b.length);
	for (let index = 0; index < length; index++) {
		const unitA = a.charCodeAt(index);
		const unitB = b.charCodeAt(index);
		if (unitA !== unitB) return rankCodeUnit(unitA) - rankCodeUnit(unitB);
	}
	return a.length - b.length;
}

export function assertListQuery(query: ListQuery): void {
	if (query.status !== undefined) assertStatus(query.status);
	if (query.keyPrefix !== undefined && hasUnstorableCharacter(query.keyPrefix)) {
		throw invalid('The key prefix contains a NUL character or an unpaired UTF-16 surrogate');
	}
	for (const [name, number] of [
		['limit', query.limit],
		['offset', query.offset],
	] as const) {
		if (number !== undefined && (!Number.isInteger(number) || number < 0)) {
			throw invalid(`The ${name} must be a whole number of 0 or more, got ${String(number)}`);
		}
	}
}

export function assertOlderThanHours(olderThanHours: unknown): asserts olderThanHours is number {
	if (typeof olderThanHours !== 'number' || !Number.isFinite(olderThanHours) || olderThanHours < 0) {
		throw invalid(`"Older than" must be a number of hours of 0 or more, got ${String(olderThanHours)}`);
	}
}

/**
 * Validates import rows (keys, statuses, values) and rejects duplicate keys (after number keys became text); returns
 * the rows with string keys and their storable values.
 */
export function prepareImportRows(rows: ImportRow[]): Array<ImportRow & StorableValue & { key: string }> {
	const seen = new Set<string>();
	return rows.map((row, index) => {
		const key = toKey(row.key);
		if (row.status !== undefined) assertStatus(row.status);
		if (seen.has(key)) {
			throw invalid(`Import row ${index + 1} repeats the key "${key}"`);
		}
		seen.add(key);
		return { ...row, key, ...toStorableValue(row.value, `value of key "${key}"`) };
	});
}
