/**
 * The failed-event list: events whose Halo/Datto writes failed (or that could not get their guards), kept in the
 * mapping store so that the Sync Policy node's Replay Failed Events operation can run them again.
 *
 * Two kinds of record (collection `failedEvents`, `dryRun.failedEvents` in dry-run; status `open` until replayed):
 * - `event`: nothing was written, neither to Halo nor to the store: replay runs the event through decide() again;
 * - `actions`: some writes succeeded (e.g. the ticket was created), so the decision was committed to the store and
 *   only the external actions that did not happen are kept (ticket ids bound): replay executes just those.
 */
import { DRY_RUN_PREFIX, type Decision, type DecisionSubject, type ExternalAction, type PolicyEvent } from '../index';
import type { JsonObject, RecordStore, StoreRecord } from '../../store';

export const FAILED_EVENTS_COLLECTION = 'failedEvents';

export function failedEventsCollection(dryRun: boolean): string {
	return dryRun ? `${DRY_RUN_PREFIX}${FAILED_EVENTS_COLLECTION}` : FAILED_EVENTS_COLLECTION;
}

export interface FailedEventValue {
	kind: 'event' | 'actions';
	/** The event as decided (without technician facts, which are fetched again). */
	event: PolicyEvent;
	/** `actions` records: what is left to execute, ticket ids bound. */
	actions: ExternalAction[];
	decision: Decision;
	reason: string;
	subject: DecisionSubject;
	error: string;
	httpCode: string | null;
	firstFailedAt: string;
	failedAt: string;
	/** How many times it failed (the first run included). */
	failures: number;
	dryRun: boolean;
}

/** One record per event: a repeated failure of the same event updates it. */
export function failureKey(event: PolicyEvent, kind: 'event' | 'actions', now: Date): string {
	const base =
		event.type === 'alert'
			? `alert/${event.alert.alertUid}/${event.alert.event}`
			: event.type === 'haloTicket'
				? `halo/${event.ticket.ticketId}/${event.ticket.event}/${event.ticket.changedAt}`
				: event.due.kind === 'graceClose'
					? `tick/graceClose/${event.due.ticketId}`
					: `tick/release/${event.due.alertUid}`;
	return kind === 'actions' ? `actions/${base}/${now.toISOString()}` : base;
}

/** `{ message, httpCode }` of any error (ApiRequestError carries `status`). No secrets: clients redact their errors. */
export function describeFailure(error: unknown): { message: string; httpCode: string | null } {
	const e = error as { message?: unknown; status?: unknown; httpCode?: unknown } | null;
	const message = e && typeof e.message === 'string' ? e.message : String(error);
	const code = e?.status ?? e?.httpCode;
	return { message, httpCode: code === undefined || code === null ? null : String(code) };
}

function withoutFacts(event: PolicyEvent): PolicyEvent {
	if (event.type === 'haloTicket') return event;
	const { facts: _facts, ...rest } = event as PolicyEvent & { facts?: unknown };
	return rest as PolicyEvent;
}

/** Adds (or updates) a failed-event record; returns its key. */
export async function recordFailure(
	store: Pick<RecordStore, 'get' | 'set'>,
	input: {
		kind: 'event' | 'actions';
		event: PolicyEvent;
		actions?: ExternalAction[];
		decision: Decision;
		reason: string;
		subject: DecisionSubject;
		error: unknown;
		dryRun: boolean;
		now: Date;
		key?: string;
	},
): Promise<string> {
	const collection = failedEventsCollection(input.dryRun);
	const key = input.key ?? failureKey(input.event, input.kind, input.now);
	const existing = (await store.get(collection, key))?.value as Partial<FailedEventValue> | undefined;
	const { message, httpCode } = describeFailure(input.error);
	const value: FailedEventValue = {
		kind: input.kind,
		event: withoutFacts(input.event),
		actions: input.actions ?? [],
		decision: input.decision,
		reason: input.reason,
		subject: input.subject,
		error: message,
		httpCode,
		firstFailedAt: existing?.firstFailedAt ?? input.now.toISOString(),
		failedAt: input.now.toISOString(),
		failures: (existing?.failures ?? 0) + 1,
		dryRun: input.dryRun,
	};
	await store.set(collection, key, {
		value: value as unknown as JsonObject,
		status: 'open',
		history: { event: 'failed', reason: message, data: { decision: input.decision, httpCode } },
	});
	return key;
}

export function failedEventOf(record: StoreRecord): FailedEventValue | null {
	const v = record.value;
	if (!v || typeof v !== 'object' || Array.isArray(v)) return null;
	const value = v as unknown as FailedEventValue;
	return value.kind === 'event' || value.kind === 'actions' ? value : null;
}

/** Open failed events, oldest failure first. */
export async function listFailedEvents(store: Pick<RecordStore, 'list'>, dryRun: boolean, limit?: number): Promise<StoreRecord[]> {
	const records = await store.list(failedEventsCollection(dryRun), { status: 'open' });
	const sorted = records.sort((a, b) => (a.updatedAt < b.updatedAt ? -1 : a.updatedAt > b.updatedAt ? 1 : a.key < b.key ? -1 : 1));
	return limit !== undefined && limit > 0 ? sorted.slice(0, limit) : sorted;
}

/** Marks a failed event as replayed (status `closed`, so Purge removes it later). */
export async function markReplayed(
	store: Pick<RecordStore, 'updateStatus'>,
	dryRun: boolean,
	key: string,
	now: Date,
	outcome: { decision: Decision; reason: string },
): Promise<void> {
	await store.updateStatus(
		failedEventsCollection(dryRun),
		key,
		'closed',
		{ event: 'replayed', reason: outcome.reason, data: { decision: outcome.decision } },
		{ mergeValue: { replayedAt: now.toISOString(), replayDecision: outcome.decision } },
	);
}
