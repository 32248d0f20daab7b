/**
 * The compact archive of the static data backend's closed records (issue 19).
 *
 * n8n copies a workflow's whole static data several times per execution: it parses it when a webhook arrives and
 * again when the execution starts, wraps every nested object in an observable proxy when it builds the Workflow, and
 * serialises it whole when the execution ends (static data and execution data). The cost therefore grows with the
 * number of *objects* in the static data far more than with its bytes. Closed records are the bulk of a grown store
 * (a week of closed alert and ticket links) and are only read by key (duplicate deliveries, the ticket → alert link),
 * listed rarely (purge, explain, status page), and written rarely (a duplicate delivery's history note). So the backend
 * keeps them here, outside the per-key objects: in memory one encoded line per record, persisted as ONE string per
 * collection (the lines joined with "\n"), which n8n copies as a single value.
 *
 * A line is the JSON array `[key, createdAt, updatedAt, closedAt, value, history]`, each history entry the array
 * `[at, event]`, `[at, event, reason]` or `[at, event, reason or 0, data]`; timestamps are epoch milliseconds when that
 * gives back the same ISO text (always, for timestamps the store wrote), else the text itself.
 * JSON text never contains a raw line break, so "\n" separates lines whatever the keys and values hold.
 *
 * Pure: no n8n, no clock; the backend decides what is closed and trims the history before it archives a record.
 */
import type { HistoryEntry, JsonValue, StoreRecord } from './types';
import { CLOSED_STATUS } from './types';

interface ArchivedLine {
	line: string;
	closedAtMs: number;
}

type EncodedTime = number | string;
type EncodedEntry = [EncodedTime, string, (string | 0)?, JsonValue?];
type EncodedRecord = [string, EncodedTime, EncodedTime, EncodedTime, JsonValue, EncodedEntry[]];

function encodeTime(iso: string): EncodedTime {
	const ms = Date.parse(iso);
	return Number.isFinite(ms) && new Date(ms).toISOString() === iso ? ms : iso;
}

function decodeTime(time: unknown): string | undefined {
	if (typeof time === 'number' && Number.isFinite(time)) return new Date(time).toISOString();
	return typeof time === 'string' ? time : undefined;
}

function encodeEntry(entry: HistoryEntry): EncodedEntry {
	const encoded: EncodedEntry = [encodeTime(entry.at), entry.event];
	if (entry.reason !== undefined || entry.data !== undefined) encoded.push(entry.reason ?? 0);
	if (entry.data !== undefined) encoded.push(entry.data);
	return encoded;
}

function decodeEntry(encoded: unknown): HistoryEntry | undefined {
	if (!Array.isArray(encoded) || encoded.length < 2 || encoded.length > 4) return undefined;
	const [time, event, reason, data] = encoded as unknown[];
	const at = decodeTime(time);
	if (at === undefined || typeof event !== 'string') return undefined;
	const entry: HistoryEntry = { at, event };
	if (typeof reason === 'string') entry.reason = reason;
	else if (reason !== undefined && reason !== 0) return undefined;
	if (encoded.length === 4) entry.data = data as JsonValue;
	return entry;
}

/** The archive line of a closed record (its collection is the archive's). */
export function encodeClosedRecord(record: StoreRecord): string {
	const encoded: EncodedRecord = [
		record.key,
		encodeTime(record.createdAt),
		encodeTime(record.updatedAt),
		encodeTime(record.closedAt ?? record.updatedAt),
		record.value,
		record.history.map(encodeEntry),
	];
	return JSON.stringify(encoded);
}

/** The record of an archive line, or undefined when the line is not one. */
export function decodeClosedRecord(collection: string, line: string): StoreRecord | undefined {
	let parsed: unknown;
	try {
		parsed = JSON.parse(line);
	} catch {
		return undefined;
	}
	if (!Array.isArray(parsed) || parsed.length !== 6) return undefined;
	const [key, created, updated, closed, value, history] = parsed as unknown[];
	const createdAt = decodeTime(created);
	const updatedAt = decodeTime(updated);
	const closedAt = decodeTime(closed);
	if (typeof key !== 'string' || key === '' || !createdAt || !updatedAt || !closedAt || !Array.isArray(history)) {
		return undefined;
	}
	const entries = history.map(decodeEntry);
	if (entries.some((entry) => entry === undefined)) return undefined;
	return {
		collection,
		key,
		value: value as JsonValue,
		status: CLOSED_STATUS,
		createdAt,
		updatedAt,
		closedAt,
		history: entries as HistoryEntry[],
	};
}

/** The closed records of one collection: lookup by key in memory, `text` is what the static data persists. */
export class ClosedArchive {
	private readonly lines = new Map<string, ArchivedLine>();
	private joined = '';

	constructor(readonly collection: string) {}

	/** Rebuilds an archive from its persisted text; throws with the line number when a line is not a record. */
	static fromText(collection: string, text: string): ClosedArchive {
		const archive = new ClosedArchive(collection);
		if (text === '') return archive;
		const lines = text.split('\n');
		for (const [index, line] of lines.entries()) {
			const record = decodeClosedRecord(collection, line);
			if (record === undefined) throw new Error(`line ${index + 1} is not a closed record`);
			archive.lines.set(record.key, { line, closedAtMs: Date.parse(record.closedAt ?? '') });
		}
		archive.rebuild();
		return archive;
	}

	get size(): number {
		return this.lines.size;
	}

	/** The persisted form: one line per record. */
	get text(): string {
		return this.joined;
	}

	has(key: string): boolean {
		return this.lines.has(key);
	}

	get(key: string): StoreRecord | undefined {
		const entry = this.lines.get(key);
		return entry && decodeClosedRecord(this.collection, entry.line);
	}

	/** Adds or replaces a closed record (its history already trimmed by the caller). */
	put(record: StoreRecord): void {
		const line = encodeClosedRecord(record);
		const closedAtMs = Date.parse(record.closedAt ?? record.updatedAt);
		const replacing = this.lines.has(record.key);
		this.lines.set(record.key, { line, closedAtMs });
		if (replacing) this.rebuild();
		else this.joined = this.joined === '' ? line : `${this.joined}\n${line}`;
	}

	/** Removes a record; returns it, or undefined when it was not archived. */
	remove(key: string): StoreRecord | undefined {
		const record = this.get(key);
		if (record === undefined) return undefined;
		this.lines.delete(key);
		this.rebuild();
		return record;
	}

	keys(): string[] {
		return [...this.lines.keys()];
	}

	/** Removes every record closed before `cutoffMs`; returns their keys (unsorted). */
	removeClosedBefore(cutoffMs: number): string[] {
		const removed: string[] = [];
		for (const [key, entry] of this.lines) {
			if (entry.closedAtMs < cutoffMs) removed.push(key);
		}
		for (const key of removed) this.lines.delete(key);
		if (removed.length > 0) this.rebuild();
		return removed;
	}

	private rebuild(): void {
		this.joined = Array.from(this.lines.values(), (entry) => entry.line).join('\n');
	}
}
