/**
 * The loop the Sync Policy node (and scripts/replay.ts) runs for one event, with no n8n in it:
 *
 *   loadPolicyState → technician facts from Halo (only for the tickets needsTicketFacts names) → decide()
 *   → claimGuards (conflict: reload and decide again, up to `maxAttempts`) → external actions through the writer
 *   (dry-run: none, synthetic negative ticket ids) → applyStoreActions → releaseGuards.
 *
 * Failures never leave half a decision behind:
 * - nothing written to Halo yet → guards released, store untouched, the event goes to the failed-event list (kind
 *   `event`; replay decides again);
 * - some Halo writes done (a ticket created, a note posted) → the decision is committed to the store with the ids
 *   created, and only the actions still to do go to the failed-event list (kind `actions`), so a replay never opens
 *   a second ticket;
 * - guards still taken after `maxWaitMs` of retries (or `maxAttempts`) → `defer` with reason "busy", event recorded
 *   for replay.
 */
import {
	applyStoreActions,
	bindActions,
	claimGuards,
	decide,
	isExternalAction,
	needsTicketFacts,
	releaseGuards,
	loadPolicyState,
	type CreatedTickets,
	type Decision,
	type ExternalAction,
	type FactsByTicket,
	type MarkerAction,
	type PolicyConfig,
	type PolicyEvent,
	type PolicyResult,
	type PolicyStore,
	type TicketFacts,
} from '../index';
import type { JsonObject } from '../../store/types';
import { describeFailure, recordFailure } from './failures';
import { executeSteps, planSteps, type PolicyWriter } from './steps';

/** Technician facts of one ticket since `since` (ISO). */
export type FactsProvider = (ticketId: number, since: string) => Promise<TicketFacts>;

export interface PolicyRunOptions {
	store: PolicyStore;
	config: PolicyConfig;
	now: Date;
	/**
	 * The clock for attempts after the first (a retry after a guard conflict decides at the time it runs, not at the
	 * time the first attempt started). Default: `now` for every attempt (tests with a fixed clock).
	 */
	clock?: (() => Date) | null;
	/** Executes Halo/Datto writes; required for live runs with external actions. */
	writer?: PolicyWriter | null;
	/** Technician facts from Halo; without it tickets count as untouched unless Halo ticket events said otherwise. */
	facts?: FactsProvider | null;
	/** Written into guard claims (e.g. the n8n execution id). */
	owner?: string;
	/** At most this many decide attempts when guards conflict (default 100; `maxWaitMs` usually ends it first). */
	maxAttempts?: number;
	/**
	 * Longest total wait for conflicting guards before the event is "busy" (default 30 s). The holder of a guard
	 * keeps it during its Halo writes: a storm's parent with its links can take seconds, and a site going offline
	 * sends its webhooks at once, so a few retries are not enough.
	 */
	maxWaitMs?: number;
	/** Wait before attempt `n + 1` (default: 100 ms growing to 1 s, with jitter). */
	retryDelayMs?: (attempt: number) => number;
	/**
	 * A resolution whose close waits for the grace period anyway gets its technician facts when the close is due
	 * (Process Due checks them again), not now: one Halo call less per lifecycle. Default true.
	 */
	deferFactsToGraceCheck?: boolean;
	/** Ids for tickets "created" in dry-run (default: distinct negative numbers). */
	syntheticId?: () => number;
	/** Record failures in the failed-event list (default true; replay updates its own record instead). */
	recordFailures?: boolean;
}

export interface PolicyRunFailure {
	message: string;
	httpCode: string | null;
	error: unknown;
	/** Key in the failed-event list, or null when it could not be recorded (or recording was off). */
	failedEventKey: string | null;
	/** Whether the decision was committed to the store (some writes had succeeded). */
	committed: boolean;
}

export interface PolicyRunOutcome {
	decision: Decision;
	reason: string;
	dryRun: boolean;
	/** The last decide() result (null only when the event could not even be decided). */
	result: PolicyResult | null;
	/** The subject with created ticket ids bound. */
	subject: { alertUid: string | null; dedupeKey: string | null; ticketId: number | null };
	created: CreatedTickets;
	/** External actions (dry-run: what would have been done) and markers, ticket ids bound. */
	actions: Array<ExternalAction | MarkerAction>;
	/** Halo/Datto calls made for the writes (facts reads not included). */
	calls: number;
	warnings: string[];
	attempts: number;
	/** Tickets whose technician facts were read from Halo. */
	factsFetched: number[];
	/** Datto alerts to resolve that were left to the workflow (no Datto credential). */
	dattoAlertUids: string[];
	/** Where a ticket created by this run went: `{ client: { id, matchedBy, reason, … }, asset: { … } }` (null otherwise). */
	mapping?: Record<string, unknown> | null;
	failure: PolicyRunFailure | null;
}

let syntheticSeq = 0;
const SYNTHETIC_EPOCH = Date.UTC(2025, 0, 1);
/**
 * Negative ids for dry-run tickets: seconds since 2025 × 1000 + a counter, so distinct unless one process makes
 * more than 1000 in a second (or two processes "create" in the same second with the same counter).
 */
export function nextSyntheticId(): number {
	syntheticSeq = (syntheticSeq + 1) % 1000;
	return -(Math.floor((Date.now() - SYNTHETIC_EPOCH) / 1000) * 1000 + syntheticSeq);
}

/**
 * Records where the created ticket went (client/site/asset and the rules that matched) on the alert's record: in the
 * value (`mapping`) and in the decision's history entry (reason and data), so Explain shows it.
 */
function withMapping<T extends Pick<PolicyResult, 'actions'>>(result: T, alertUid: string | null, mapping: Record<string, unknown> | null | undefined): T {
	if (!mapping || alertUid === null) return result;
	const client = (mapping.client ?? {}) as Record<string, unknown>;
	const asset = mapping.asset as Record<string, unknown> | null | undefined;
	const text = `Halo client ${String(client.id ?? '?')} by ${String(client.matchedBy ?? '?')}${asset ? `, asset ${asset.id === null ? 'none' : String(asset.id)} by ${String(asset.matchedBy)}` : ''}`;
	const json = JSON.parse(JSON.stringify(mapping)) as JsonObject;
	const isAlertRecord = (a: (typeof result.actions)[number]) =>
		a.type === 'store' && a.op === 'set' && a.key === alertUid && /(^|\.)alerts$/.test(a.collection);
	const alertAction = result.actions.find(isAlertRecord);
	const original = alertAction && alertAction.type === 'store' && alertAction.op === 'set' ? alertAction.history : undefined;
	const actions = result.actions.map((a) => {
		if (a.type !== 'store' || a.op !== 'set') return a;
		// The decision's note is the same on every record it writes (alert, ticket, condition): change it on all of them
		// so that Explain's timeline still merges them into one entry.
		const same = original && a.history && a.history.event === original.event && a.history.reason === original.reason;
		const history = same
			? { ...a.history!, reason: `${original.reason ?? original.event} (${text})`, data: { ...((a.history!.data as JsonObject | undefined) ?? {}), mapping: json } }
			: a.history;
		return { ...a, ...(isAlertRecord(a) ? { value: { ...a.value, mapping: json } } : {}), ...(history ? { history } : {}) };
	});
	return { ...result, actions };
}

const defaultDelay = (attempt: number) => {
	const base = Math.min(1000, 100 * 1.5 ** Math.max(0, attempt - 1));
	return Math.round(base * (0.5 + Math.random()));
};
export const DEFAULT_MAX_ATTEMPTS = 100;
export const DEFAULT_MAX_WAIT_MS = 30_000;
const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

function bindSafely<T extends ExternalAction | MarkerAction>(actions: T[], created: CreatedTickets): T[] {
	return actions.map((a) => {
		try {
			return bindActions([a], created)[0];
		} catch {
			return a;
		}
	});
}

function boundSubject(result: PolicyResult, created: CreatedTickets): PolicyRunOutcome['subject'] {
	const t = result.subject.ticketId;
	const ticketId = typeof t === 'number' ? t : t && created[t.$ref] !== undefined ? (created[t.$ref] as number) : null;
	return { alertUid: result.subject.alertUid, dedupeKey: result.subject.dedupeKey, ticketId };
}

/** The external actions (live) or would-do actions (dry-run) plus markers of a result, bound to `created`. */
function visibleActions(result: PolicyResult, created: CreatedTickets): Array<ExternalAction | MarkerAction> {
	const external = result.dryRun ? result.wouldDo : result.actions.filter(isExternalAction);
	const markers = result.actions.filter(
		(a): a is MarkerAction => a.type === 'scheduleGraceClose' || a.type === 'cancelGraceClose' || a.type === 'suppress' || a.type === 'defer',
	);
	return bindSafely<ExternalAction | MarkerAction>([...external, ...markers], created);
}

/** Which facts to fetch for this event (see deferFactsToGraceCheck). */
function factsToFetch(state: Awaited<ReturnType<typeof loadPolicyState>>, event: PolicyEvent, options: PolicyRunOptions) {
	const wanted = needsTicketFacts(state, event, options.config);
	const { config } = options;
	const waitsForGrace = event.type === 'alert' && event.alert.event === 'resolved' && config.graceClose.enabled && config.graceClose.minutes > 0;
	if (waitsForGrace && options.deferFactsToGraceCheck !== false) return [];
	return wanted;
}

/** Store collection of the create intents (key: alert UID). */
export const CREATE_INTENTS_COLLECTION = 'createIntents';

/**
 * Writes an intent record for every alert ticket `external` creates; returns the alert UIDs that already had one
 * (an earlier attempt got that far and then failed): their tickets are searched for before any create.
 */
async function claimCreateIntents(store: PolicyStore, external: readonly ExternalAction[], now: Date, owner: string | undefined): Promise<Set<string>> {
	const searchFirst = new Set<string>();
	for (const a of external) {
		if (a.type !== 'createTicket') continue;
		const uid = a.alert.alertUid;
		if (await store.get(CREATE_INTENTS_COLLECTION, uid)) searchFirst.add(uid);
		else await store.set(CREATE_INTENTS_COLLECTION, uid, { value: { alertUid: uid, at: now.toISOString(), owner: owner ?? null }, status: 'open' });
	}
	return searchFirst;
}

/** Deletes the intents of the tickets that were created and committed (best effort: a leftover only costs a search). */
async function dropCreateIntents(store: PolicyStore, external: readonly ExternalAction[], created: CreatedTickets): Promise<void> {
	if (created.ticket === undefined) return;
	for (const a of external) {
		if (a.type === 'createTicket') await store.delete(CREATE_INTENTS_COLLECTION, a.alert.alertUid).catch(() => undefined);
	}
}

/** Runs one event through the policies, writes and all (see the file comment). Never throws for Halo failures. */
export async function runPolicyEvent(event: PolicyEvent, options: PolicyRunOptions): Promise<PolicyRunOutcome> {
	const { store, config } = options;
	let now = options.now;
	const maxAttempts = Math.max(1, options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
	const maxWaitMs = Math.max(0, options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS);
	let waitedMs = 0;
	let attempts = 0;
	const record = options.recordFailures !== false;
	let last: PolicyResult | null = null;
	let factsFetched: number[] = [];

	const fail = async (
		result: PolicyResult,
		error: unknown,
		kind: 'event' | 'actions',
		extra: { created?: CreatedTickets; remaining?: ExternalAction[]; committed: boolean; attempts: number; calls?: number; dattoAlertUids?: string[]; decision?: Decision; reason?: string },
	): Promise<PolicyRunOutcome> => {
		const { message, httpCode } = describeFailure(error);
		const created = extra.created ?? {};
		const decision = extra.decision ?? result.decision;
		const reason = extra.reason ?? `failed: ${message} (decision was: ${result.reason})`;
		let failedEventKey: string | null = null;
		if (record) {
			try {
				failedEventKey = await recordFailure(store, {
					kind,
					event,
					actions: extra.remaining,
					decision: result.decision,
					reason: result.reason,
					subject: { ...result.subject, ticketId: boundSubject(result, created).ticketId },
					error,
					dryRun: config.dryRun,
					now,
				});
			} catch {
				failedEventKey = null;
			}
		}
		return {
			decision,
			reason,
			dryRun: config.dryRun,
			result,
			subject: boundSubject(result, created),
			created,
			actions: visibleActions(result, created),
			calls: extra.calls ?? 0,
			warnings: result.warnings,
			attempts: extra.attempts,
			factsFetched,
			dattoAlertUids: extra.dattoAlertUids ?? [],
			failure: { message, httpCode, error, failedEventKey, committed: extra.committed },
		};
	};

	for (let attempt = 1; attempt <= maxAttempts; attempt++) {
		attempts = attempt;
		if (attempt > 1 && options.clock) now = options.clock();
		const state = await loadPolicyState(store, event, config);
		const facts: FactsByTicket = {};
		factsFetched = [];
		const wanted = options.facts ? factsToFetch(state, event, options) : [];
		let factsError: unknown = null;
		for (const { ticketId, since } of wanted) {
			try {
				facts[String(ticketId)] = await options.facts!(ticketId, since);
				factsFetched.push(ticketId);
			} catch (error) {
				factsError = error;
				break;
			}
		}
		const decided: PolicyEvent = event.type === 'haloTicket' ? event : { ...event, facts: { ...(event.facts ?? {}), ...facts } };
		const result = decide(state, decided, config, now);
		last = result;
		if (factsError !== null) return await fail(result, factsError, 'event', { committed: false, attempts: attempt });

		const claim = await claimGuards(store, result.guards, { owner: options.owner });
		if (!claim.ok) {
			const delay = (options.retryDelayMs ?? defaultDelay)(attempt);
			if (attempt >= maxAttempts || waitedMs + delay > maxWaitMs) break;
			await sleep(delay);
			waitedMs += delay;
			continue;
		}

		let created: CreatedTickets = {};
		let calls = 0;
		let dattoAlertUids: string[] = [];
		if (result.dryRun) {
			for (const a of result.wouldDo) if (a.type === 'createTicket' || a.type === 'createParent') created[a.ref] = (options.syntheticId ?? nextSyntheticId)();
		} else {
			const external = result.actions.filter(isExternalAction);
			if (external.length > 0 && !options.writer) {
				await releaseGuards(store, result.guards);
				return await fail(result, new Error('No HaloPSA writer: select a HaloPSA credential (or switch on Dry Run)'), 'event', { committed: false, attempts: attempt });
			}
			if (external.length > 0) {
				// Idempotent ticket creation: an intent record per alert ticket to create, written before POST /Tickets and
				// deleted after the commit. One left over from an earlier attempt (any failure after it was written: Halo,
				// the store, a crash) makes the writer search for the alert's ticket before creating.
				let searchFirst: Set<string>;
				try {
					searchFirst = await claimCreateIntents(store, external, now, options.owner);
				} catch (error) {
					await releaseGuards(store, result.guards);
					return await fail(result, error, 'event', { committed: false, attempts: attempt });
				}
				const exec = await executeSteps(planSteps(external), options.writer!, {}, { searchFirst });
				created = exec.created;
				calls = exec.calls;
				dattoAlertUids = exec.dattoAlertUids;
				if (exec.failure) {
					if (exec.done === 0) {
						await releaseGuards(store, result.guards);
						return await fail(result, exec.failure.error, 'event', { committed: false, attempts: attempt, calls });
					}
					// Some writes happened: commit the decision with what was created; keep the rest for replay.
					let committed = false;
					try {
						await applyStoreActions(store, result, created);
						committed = true;
						await dropCreateIntents(store, external, created);
					} catch {
						// committed stays as it was: the intents (if any) are kept for the next attempt.
					}
					await releaseGuards(store, result.guards);
					const remaining = bindSafely(exec.failure.remaining, created);
					return await fail(result, exec.failure.error, committed ? 'actions' : 'event', {
						created,
						remaining: committed ? remaining : [],
						committed,
						attempts: attempt,
						calls,
						dattoAlertUids,
					});
				}
			}
		}
		const mapping = created.ticket !== undefined ? (options.writer?.mappingFor?.(result.subject.alertUid) ?? null) : null;
		try {
			await applyStoreActions(store, withMapping(result, result.subject.alertUid, mapping), created);
		} catch (error) {
			// The Halo writes happened but the store did not take the decision: the create intents stay, so a rerun of
			// this event (redelivery, reconciliation, replay) finds the ticket instead of opening a second one.
			await releaseGuards(store, result.guards).catch(() => undefined);
			return await fail(result, error, 'event', { created, committed: false, attempts: attempt, calls, dattoAlertUids });
		}
		if (!result.dryRun) await dropCreateIntents(store, result.actions.filter(isExternalAction), created);
		await releaseGuards(store, result.guards);
		return {
			decision: result.decision,
			reason: result.reason,
			dryRun: result.dryRun,
			result,
			subject: boundSubject(result, created),
			created,
			actions: visibleActions(result, created),
			calls,
			warnings: result.warnings,
			attempts: attempt,
			factsFetched,
			dattoAlertUids,
			mapping,
			failure: null,
		};
	}

	const result = last as PolicyResult;
	const waited = `${attempts} attempts, ${(waitedMs / 1000).toFixed(1)} s`;
	return await fail(result, new Error(`busy: another execution kept changing the records of this event (${waited})`), 'event', {
		committed: false,
		attempts,
		decision: 'defer',
		reason: `busy: the records of this event changed under ${waited}; recorded for replay`,
	});
}
