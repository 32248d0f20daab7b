/**
 * Store-facing helpers for the n8n glue, so the Sync Policy node stays thin: load the state decide() reads, claim
 * and release its guards, write its store actions, gather an explain timeline. They use only the RecordStore
 * interface (either backend) and import nothing from n8n. decide() itself stays pure (decide.ts).
 */
import type { JsonObject, RecordStore, StoreRecord } from '../store/types';
import { bindActions, ticketRefsIn, type CreatedTickets, PolicyBindError } from './bind';
import { explain, type Explanation } from './explain';
import { DEFAULT_CALENDAR_KEY, policyLayout, type PolicyLayout } from './layout';
import type {
	AlertValue,
	BusinessHoursCalendar,
	ConditionValue,
	GraceCloseValue,
	Guard,
	MaintenanceWindow,
	PolicyConfig,
	PolicyEvent,
	PolicyResult,
	PolicyState,
	StormValue,
	TicketValue,
} from './types';

export type PolicyStoreReader = Pick<RecordStore, 'get' | 'list'>;
export type PolicyStore = Pick<RecordStore, 'get' | 'list' | 'set' | 'delete' | 'claim' | 'updateStatus' | 'atomically'>;

/** Conditions loaded per ticket at most (a storm parent in note mode can carry many). */
export const MAX_CONDITIONS_PER_TICKET = 50;

function valueOf<T>(record: StoreRecord | undefined): T | null {
	const v = record?.value;
	return v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v) ? (v as unknown as T) : null;
}

/**
 * Reads what decide() needs for `event` (at most three rounds of parallel reads): the alert, its condition, its
 * site's storm bucket, the enabled windows and the client's (else the default) business-hours calendar; then the
 * tickets those point at with their pending grace closes; then the conditions of those tickets.
 */
export async function loadPolicyState(store: PolicyStoreReader, event: PolicyEvent, config: PolicyConfig): Promise<PolicyState> {
	const L: PolicyLayout = policyLayout(config.dryRun);
	const state: PolicyState = { alert: null, conditions: {}, tickets: {}, graceCloses: {}, storm: null, windows: [], businessHours: null };
	const ticketIds = new Set<number>();

	let alertInfo: { dedupeKey: string; siteUid: string | null; clientId: string | null } | null = null;
	if (event.type === 'alert') {
		state.alert = valueOf<AlertValue>(await store.get(L.alerts, event.alert.alertUid));
		alertInfo = { dedupeKey: event.alert.dedupeKey, siteUid: event.alert.site?.uid ?? null, clientId: event.clientId ?? state.alert?.clientId ?? null };
	} else if (event.type === 'tick' && event.due.kind === 'release') {
		state.alert = valueOf<AlertValue>(await store.get(L.alerts, event.due.alertUid));
		if (state.alert) alertInfo = { dedupeKey: state.alert.dedupeKey, siteUid: state.alert.alert?.site?.uid ?? null, clientId: state.alert.clientId };
	} else if (event.type === 'tick' && event.due.kind === 'graceClose') {
		ticketIds.add(event.due.ticketId);
	} else if (event.type === 'haloTicket') {
		ticketIds.add(event.ticket.ticketId);
	}

	if (alertInfo) {
		const { dedupeKey, siteUid, clientId } = alertInfo;
		const [condition, storm, windows, calendar, fallback] = await Promise.all([
			store.get(L.conditions, dedupeKey),
			config.storm.enabled && siteUid ? store.get(L.storms, siteUid) : undefined,
			config.maintenance.enabled ? store.list(L.windows, { status: 'open' }) : [],
			config.businessHours.enabled && clientId ? store.get(L.businessHours, clientId) : undefined,
			config.businessHours.enabled ? store.get(L.businessHours, DEFAULT_CALENDAR_KEY) : undefined,
		]);
		const cond = valueOf<ConditionValue>(condition);
		if (cond) state.conditions[dedupeKey] = cond;
		state.storm = valueOf<StormValue>(storm);
		state.windows = windows.map((r) => valueOf<MaintenanceWindow>(r)).filter((w): w is MaintenanceWindow => w !== null);
		state.businessHours = valueOf<BusinessHoursCalendar>(calendar) ?? valueOf<BusinessHoursCalendar>(fallback);
		for (const id of [cond?.ticketId, state.alert?.ticketId, state.alert?.parentTicketId, state.storm?.parentTicketId]) {
			if (typeof id === 'number') ticketIds.add(id);
		}
	}

	const ids = [...ticketIds];
	const loaded = await Promise.all(ids.flatMap((id) => [store.get(L.tickets, id), store.get(L.graceCloses, id)]));
	ids.forEach((id, i) => {
		const ticket = valueOf<TicketValue>(loaded[2 * i]);
		const grace = valueOf<GraceCloseValue>(loaded[2 * i + 1]);
		if (ticket) state.tickets[String(id)] = ticket;
		if (grace) state.graceCloses[String(id)] = grace;
	});

	const keys = [
		...new Set(Object.values(state.tickets).flatMap((t) => (Array.isArray(t.dedupeKeys) ? t.dedupeKeys.slice(-MAX_CONDITIONS_PER_TICKET) : []))),
	].filter((k) => state.conditions[k] === undefined);
	const conditions = await Promise.all(keys.map((k) => store.get(L.conditions, k)));
	keys.forEach((k, i) => {
		const cond = valueOf<ConditionValue>(conditions[i]);
		if (cond) state.conditions[k] = cond;
	});
	return state;
}

// ---------------------------------------------------------------------------------------------------------------
// Guards

/** Status of a guard claim while its execution works (guards are deleted when it is done). */
export const GUARD_PENDING_STATUS = 'pending';

export interface ClaimGuardsOptions {
	/** A pending guard older than this was abandoned (its execution died) and may be taken over. Default 5. */
	staleAfterMinutes?: number;
	/** Written into the guard's value, for diagnosis (e.g. the n8n execution id). */
	owner?: string;
}

export type ClaimGuardsResult =
	| { ok: true }
	| { ok: false; conflict: Guard; reason: 'claimed' | 'changed'; holder: StoreRecord | null };

function versionOf(record: StoreRecord | undefined): number {
	const v = valueOf<{ version?: unknown }>(record)?.version;
	return record === undefined ? 0 : typeof v === 'number' ? v : 0;
}

/**
 * Claims every guard in order, then checks that every guarded record still has the version decide() read.
 * On a conflict (another execution holds a guard, or wrote the record since it was read) it releases what it
 * claimed and returns the conflict: the caller reloads the state and decides again.
 */
export async function claimGuards(store: PolicyStore, guards: readonly Guard[], options: ClaimGuardsOptions = {}): Promise<ClaimGuardsResult> {
	const claimed: Guard[] = [];
	for (const guard of guards) {
		const result = await store.claim(guard.collection, guard.key, {
			value: { owner: options.owner ?? null },
			status: GUARD_PENDING_STATUS,
			reclaimStale: { afterMinutes: options.staleAfterMinutes ?? 5, status: GUARD_PENDING_STATUS },
		});
		if (!result.claimed) {
			await releaseGuards(store, claimed);
			return { ok: false, conflict: guard, reason: 'claimed', holder: result.record };
		}
		claimed.push(guard);
	}
	for (const guard of guards) {
		const current = await store.get(guard.record.collection, guard.record.key);
		if (versionOf(current) !== guard.record.version) {
			await releaseGuards(store, claimed);
			return { ok: false, conflict: guard, reason: 'changed', holder: current ?? null };
		}
	}
	return { ok: true };
}

/** Deletes the guards: after the store writes (commit), or when nothing will be written (abandon). */
export async function releaseGuards(store: PolicyStore, guards: readonly Guard[]): Promise<void> {
	for (const guard of guards) await store.delete(guard.collection, guard.key);
}

// ---------------------------------------------------------------------------------------------------------------
// Store writes

/**
 * Executes the store actions of a result, in order, after binding ticket references to `created` ids. External
 * actions, markers and the decision record are skipped (the glue executes external actions before this). All or
 * none where the backend allows (Postgres: one transaction per decision, RecordStore.atomically): a failure half-way
 * leaves no half-written decision behind.
 */
export async function applyStoreActions(store: PolicyStore, result: Pick<PolicyResult, 'actions'>, created: CreatedTickets = {}): Promise<number> {
	const storeActions = result.actions.filter((a) => a.type === 'store');
	const bound = bindActions(storeActions, created);
	const write = async (target: PolicyStore) => await writeStoreActions(target, bound);
	return store.atomically ? await store.atomically(write) : await write(store);
}

async function writeStoreActions(store: PolicyStore, bound: ReturnType<typeof bindActions>): Promise<number> {
	let count = 0;
	for (const action of bound) {
		if (action.type !== 'store') continue;
		if (typeof action.key !== 'string' || ticketRefsIn(action).size > 0) throw new PolicyBindError(`Unbound ticket reference in a ${action.collection} write`);
		if (action.op === 'delete') {
			await store.delete(action.collection, action.key);
		} else {
			await store.set(action.collection, action.key, {
				value: action.value as JsonObject,
				mode: 'merge',
				...(action.status !== undefined ? { status: action.status } : {}),
				...(action.history ? { history: action.history } : {}),
			});
		}
		count++;
	}
	return count;
}

// ---------------------------------------------------------------------------------------------------------------
// Explain

export type ExplainSubject = { alertUid: string } | { dedupeKey: string } | { ticketId: number };

/**
 * Gathers the records about one alertUid, dedupeKey or ticket id (the record itself and the alerts, conditions and
 * tickets it names) and returns their merged timeline.
 */
export async function loadTimeline(store: PolicyStoreReader, subject: ExplainSubject, options: { dryRun?: boolean } = {}): Promise<Explanation & { records: StoreRecord[] }> {
	const L = policyLayout(options.dryRun ?? false);
	const records = new Map<string, StoreRecord>();
	const fetch = async (collection: string, key: string | number | null | undefined) => {
		if (key === null || key === undefined || records.has(`${collection}/${key}`)) return undefined;
		const record = await store.get(collection, key);
		if (record) records.set(`${collection}/${record.key}`, record);
		return record;
	};
	const ticketIdsOf = new Set<number>();
	if ('alertUid' in subject) {
		const alert = valueOf<AlertValue>(await fetch(L.alerts, subject.alertUid));
		if (alert) {
			await fetch(L.conditions, alert.dedupeKey);
			for (const id of [alert.ticketId, alert.parentTicketId]) if (typeof id === 'number') ticketIdsOf.add(id);
		}
		await Promise.all([...ticketIdsOf].map((id) => fetch(L.tickets, id)));
	} else if ('dedupeKey' in subject) {
		const cond = valueOf<ConditionValue>(await fetch(L.conditions, subject.dedupeKey));
		if (cond) {
			await Promise.all([...(cond.alertUids ?? []).map((u) => fetch(L.alerts, u)), fetch(L.tickets, cond.ticketId)]);
		}
	} else {
		const ticket = valueOf<TicketValue>(await fetch(L.tickets, subject.ticketId));
		if (ticket) {
			await Promise.all([
				...(ticket.alertUids ?? []).map((u) => fetch(L.alerts, u)),
				...(ticket.dedupeKeys ?? []).map((k) => fetch(L.conditions, k)),
			]);
		}
	}
	const all = [...records.values()];
	return { ...explain(all, 'ticketId' in subject ? { ticketId: subject.ticketId } : {}), records: all };
}
