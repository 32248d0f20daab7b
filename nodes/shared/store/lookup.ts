/**
 * Site → client lookup with fallback, on any backend:
 * 1. `exactKey`: a record whose key is exactly `key`;
 * 2. `name`: a record whose key, or whose `value.name`, equals `name` (or `key`) after normalisation (lower-case,
 *    without punctuation, symbols and whitespace: "ACME Corp." = "acme-corp"); key matches before value.name
 *    matches, each in key order;
 * 3. `fallback`: the configured catch-all value;
 * otherwise `none`.
 * The name rule reads the whole collection, which suits lookup tables (sites, clients), not the alert collection.
 */
import { MappingStoreError } from './errors';
import { toKey } from './records';
import type { JsonValue, RecordStore, StoreKey, StoreRecord } from './types';

export type LookupRule = 'exactKey' | 'name' | 'fallback' | 'none';

export interface LookupRequest {
	/** Compared exactly with record keys, e.g. a Datto site uid (a number is taken as its decimal text). */
	key?: StoreKey | null;
	/** Compared after normalisation with record keys and `value.name`, e.g. the Datto site name; `key` by default. */
	name?: string | number | null;
	/** Returned (as `fallback`) when no record matches; without it the result is `none`. */
	fallbackValue?: JsonValue;
}

export interface LookupResult {
	matchedBy: LookupRule;
	/** Key of the matching record; null for `fallback` and `none`. */
	key: string | null;
	/** The matching record's value, the fallback value, or null. */
	value: JsonValue | null;
	record: StoreRecord | null;
	/** Other keys the name rule also matched (a sign of an ambiguous lookup table), in preference order. */
	otherMatches: string[];
}

/** Lower-case letters and digits only (Unicode-aware), after compatibility normalisation. */
export function normaliseName(text: string): string {
	return text
		.normalize('NFKC')
		.toLowerCase()
		.replace(/[^\p{L}\p{N}]/gu, '');
}

function valueName(value: JsonValue): string | undefined {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
	return typeof value.name === 'string' ? value.name : undefined;
}

export async function lookupWithFallback(
	store: RecordStore,
	collection: string,
	request: LookupRequest,
): Promise<LookupResult> {
	// An alert without site information gives null or blank fields: that is "no key", which the fallback covers.
	const key = isBlank(request.key) ? undefined : toKey(request.key as StoreKey);
	const name = isBlank(request.name) ? key : String(request.name);
	if (key === undefined && name === undefined && request.fallbackValue === undefined) {
		throw new MappingStoreError('invalidInput', 'A lookup needs a key, a name or a fallback value');
	}
	if (key !== undefined) {
		const record = await store.get(collection, key);
		if (record !== undefined) return matched('exactKey', record, []);
	}
	const wanted = name === undefined ? '' : normaliseName(name);
	if (wanted !== '') {
		const records = await store.list(collection);
		const byKey = records.filter((record) => normaliseName(record.key) === wanted);
		const byValueName = records.filter((record) => {
			const recordName = valueName(record.value);
			return !byKey.includes(record) && recordName !== undefined && normaliseName(recordName) === wanted;
		});
		const [best, ...others] = [...byKey, ...byValueName];
		if (best !== undefined)
			return matched(
				'name',
				best,
				others.map((record) => record.key),
			);
	}
	if (request.fallbackValue !== undefined) {
		return { matchedBy: 'fallback', key: null, value: request.fallbackValue, record: null, otherMatches: [] };
	}
	return { matchedBy: 'none', key: null, value: null, record: null, otherMatches: [] };
}

function isBlank(value: unknown): boolean {
	return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

function matched(rule: LookupRule, record: StoreRecord, otherMatches: string[]): LookupResult {
	return { matchedBy: rule, key: record.key, value: record.value, record, otherMatches };
}
