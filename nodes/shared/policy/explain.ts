/**
 * The decision log as a timeline: every policy record carries the decisions that wrote it in its history
 * (event = decision, reason, data = { alertUid, dedupeKey, ticketId, decidedAt }); explain() merges the histories of the records
 * about one alertUid, dedupeKey or ticket into one ordered timeline. Pure; loadTimeline() (runtime.ts) gathers the
 * records from the store.
 */
import type { HistoryEntry, JsonValue, StoreRecord } from '../store/types';

export interface TimelineEntry {
	/** When the decision was made (`data.decidedAt`), else when the store logged it. */
	at: string;
	/** The decision (create, note, …) or another history event. */
	event: string;
	reason: string | null;
	data: JsonValue | null;
	/** The records that logged it, as `collection/key`. */
	records: string[];
}

export interface Explanation {
	entries: TimelineEntry[];
	/** One line per entry: `2026-11-23T10:00:00.000Z  create  created: new ticket for …`. */
	lines: string[];
}

export interface ExplainOptions {
	/** Keep only entries about this ticket: those its own record logged and those whose data names it. */
	ticketId?: number;
}

type RecordLike = Pick<StoreRecord, 'collection' | 'key' | 'history'>;

function ticketIdOf(data: JsonValue | undefined): unknown {
	return data !== null && typeof data === 'object' && !Array.isArray(data) ? data.ticketId : undefined;
}

/**
 * When the decision was made: `data.decidedAt` (decide() logs it), else the store's write time. The records of one
 * decision are written one after the other, each stamped by the store's clock, so their `at` may differ.
 */
function decidedAtOf(entry: HistoryEntry): string {
	const data = entry.data;
	const decidedAt = data !== null && typeof data === 'object' && !Array.isArray(data) ? data.decidedAt : undefined;
	return typeof decidedAt === 'string' && decidedAt ? decidedAt : entry.at;
}

/** The merged, time-ordered timeline of `records`' histories; one entry per decision even when several records logged it. */
export function explain(records: readonly RecordLike[], options: ExplainOptions = {}): Explanation {
	const byKey = new Map<string, TimelineEntry>();
	let order = 0;
	const seq = new Map<TimelineEntry, number>();
	for (const record of records) {
		const name = `${record.collection}/${record.key}`;
		const isTicketRecord = options.ticketId !== undefined && /(^|\.)tickets$/.test(record.collection) && record.key === String(options.ticketId);
		for (const h of (record.history ?? []) as HistoryEntry[]) {
			if (options.ticketId !== undefined && !isTicketRecord && ticketIdOf(h.data) !== options.ticketId) continue;
			const at = decidedAtOf(h);
			const key = JSON.stringify([at, h.event, h.reason ?? null]);
			const existing = byKey.get(key);
			if (existing) {
				if (!existing.records.includes(name)) existing.records.push(name);
				continue;
			}
			const entry: TimelineEntry = { at, event: h.event, reason: h.reason ?? null, data: h.data ?? null, records: [name] };
			byKey.set(key, entry);
			seq.set(entry, order++);
		}
	}
	const entries = [...byKey.values()].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : (seq.get(a) ?? 0) - (seq.get(b) ?? 0)));
	return { entries, lines: entries.map((e) => `${e.at}  ${e.event}  ${e.reason ?? ''}`.trimEnd()) };
}
