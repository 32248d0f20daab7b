/**
 * The sync policy decision engine: decide(state, event, config, now) → { decision, reason, actions, guards }.
 * Pure: no I/O, no clock (now is an argument), no randomness; the same inputs always give the same result.
 *
 * Order of the policies for a triggered alert (first match wins):
 *   duplicate delivery → maintenance window (suppress) → grace close pending (rejoin, cancel the close)
 *   → flap dedupe (note or fold) → reopen window (reopen) → business hours (defer / lower priority)
 *   → storm correlation (correlate) → create.
 * A resolved alert: unknown / duplicate / held → ignore; otherwise the alert leaves its ticket, and when no other
 * alert keeps the ticket open: touched by a technician → note only; grace > 0 → scheduled close (defer); else close.
 */
import type { JsonObject, JsonValue } from '../store/types';
import { DAY_MS, HOUR_MS, MINUTE_MS } from './zonedTime';
import { alertRecordStatus, lockKey, policyLayout, type PolicyLayout } from './layout';
import type {
	AlertSnapshot,
	AlertValue,
	ConditionValue,
	Decision,
	DecisionSubject,
	DueItem,
	ExternalAction,
	FactsByTicket,
	GraceCloseValue,
	Guard,
	HaloTicketEventInput,
	MarkerAction,
	NoteKind,
	PolicyAction,
	PolicyConfig,
	PolicyEvent,
	PolicyResult,
	PolicyState,
	StoreAction,
	StormEntry,
	StormValue,
	TicketFacts,
	TicketRef,
	TicketRefObject,
	TicketValue,
	Touch,
} from './types';
import { activeWindows, isWithinBusinessHours, nextBusinessHoursStart, validateBusinessHours } from './windows';

/** Most recent alert uids kept on conditions and tickets, for explain. */
export const MAX_TRACKED_ALERTS = 50;
/** Storm entries kept per site (only those within the storm window are kept anyway). */
export const MAX_STORM_ENTRIES = 500;

const TICKET_REF: TicketRefObject = { $ref: 'ticket' };
const PARENT_REF: TicketRefObject = { $ref: 'parent' };

export const EXTERNAL_ACTION_TYPES: ReadonlySet<PolicyAction['type']> = new Set([
	'createTicket',
	'createParent',
	'addNote',
	'reopenTicket',
	'closeTicket',
	'attachToParent',
	'resolveDattoAlert',
]);

export function isExternalAction(action: PolicyAction): action is ExternalAction {
	return EXTERNAL_ACTION_TYPES.has(action.type);
}

interface Outcome {
	decision: Decision;
	reason: string;
	subject: DecisionSubject;
}

type PendingWrite = {
	collection: string;
	key: string | TicketRefObject;
	op: 'set' | 'delete';
	value: JsonObject;
	status?: string;
};

// ---------------------------------------------------------------------------------------------------------------
// Small helpers

const iso = (t: number) => new Date(t).toISOString();

/** "45 s", "12 min", "3 h 20 min", "2 d 1 h". */
export function formatDuration(ms: number): string {
	const abs = Math.max(0, Math.round(ms / 1000));
	if (abs < 60) return `${abs} s`;
	const minutes = Math.floor(abs / 60);
	if (minutes < 60) return `${minutes} min`;
	const hours = Math.floor(minutes / 60);
	if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
	const days = Math.floor(hours / 24);
	return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

const list = <T>(value: T[] | null | undefined): T[] => (Array.isArray(value) ? value : []);

function pushBounded(values: string[] | null | undefined, value: string, max = MAX_TRACKED_ALERTS): string[] {
	const out = list(values).filter((v) => v !== value);
	out.push(value);
	return out.length > max ? out.slice(out.length - max) : out;
}

function hostOf(alert: Pick<AlertSnapshot, 'device'>): string {
	return alert.device.hostname ?? alert.device.uid ?? 'unknown device';
}

/** Device identity for storm counting: uid, else hostname; null when the alert names no device. */
export function deviceKeyOf(alert: Pick<AlertSnapshot, 'device'>): string | null {
	if (alert.device.uid) return alert.device.uid;
	if (alert.device.hostname) return `host:${alert.device.hostname.toLowerCase()}`;
	return null;
}

/** The stored form of an alert: the NormalisedAlert without `raw` (and without unknown extra properties). */
export function snapshotOf(alert: AlertSnapshot & { raw?: unknown }): AlertSnapshot {
	return {
		event: alert.event,
		alertUid: alert.alertUid,
		priority: alert.priority,
		message: alert.message ?? '',
		device: { uid: alert.device?.uid ?? null, hostname: alert.device?.hostname ?? null },
		site: { uid: alert.site?.uid ?? null, name: alert.site?.name ?? null },
		condition: alert.condition,
		occurredAt: alert.occurredAt,
		platform: alert.platform ?? null,
		dedupeKey: alert.dedupeKey,
		link: alert.link ?? null,
	};
}

function emptyState(state: Partial<PolicyState> | undefined): PolicyState {
	return {
		alert: state?.alert ?? null,
		conditions: state?.conditions ?? {},
		tickets: state?.tickets ?? {},
		graceCloses: state?.graceCloses ?? {},
		storm: state?.storm ?? null,
		windows: state?.windows ?? [],
		businessHours: state?.businessHours ?? null,
	};
}

const TOUCH_LABEL: Record<Touch['kind'], string> = {
	humanAction: 'human action',
	statusChange: 'manual status change',
	reassignment: 'reassignment',
};

function touchFromFacts(facts: TicketFacts | undefined, at: string): Touch | null {
	if (!facts) return null;
	const by = facts.agentName ?? null;
	if (facts.manualStatusChange) return { kind: 'statusChange', by, at };
	if (facts.reassigned) return { kind: 'reassignment', by, at };
	if (facts.humanActions > 0) return { kind: 'humanAction', by, at };
	return null;
}

function describeTouch(touch: Touch): string {
	return `touched by ${touch.by ?? 'a technician'} (${TOUCH_LABEL[touch.kind]})`;
}

// ---------------------------------------------------------------------------------------------------------------
// The plan under construction

class Plan {
	readonly layout: PolicyLayout;
	readonly nowMs: number;
	readonly now: string;
	readonly external: ExternalAction[] = [];
	readonly markers: MarkerAction[] = [];
	readonly warnings: string[] = [];
	private readonly writes = new Map<string, PendingWrite>();
	private readonly guards = new Map<string, Guard>();

	constructor(
		readonly state: PolicyState,
		readonly config: PolicyConfig,
		now: Date,
	) {
		this.layout = policyLayout(config.dryRun);
		this.nowMs = now.getTime();
		this.now = iso(this.nowMs);
	}

	private slot(collection: string, key: string | TicketRefObject): string {
		return `${collection}\u0000${typeof key === 'string' ? key : `$ref:${key.$ref}`}`;
	}

	/**
	 * Merge `patch` into a record. `readVersion` is the version decide() read (0 when the record was absent): the
	 * write bumps it and is guarded. `null` writes blindly (link fields no other decision derives anything from).
	 */
	set(collection: string, key: string | TicketRefObject, readVersion: number | null, patch: JsonObject, status?: string): void {
		const slot = this.slot(collection, key);
		const pending = this.writes.get(slot);
		const value: JsonObject = { ...(pending?.op === 'set' ? pending.value : {}), ...patch };
		if (readVersion !== null && typeof key === 'string') {
			value.version = readVersion + 1;
			const lock = lockKey(collection, key, readVersion + 1);
			this.guards.set(lock, { collection: this.layout.locks, key: lock, record: { collection, key, version: readVersion } });
		}
		this.writes.set(slot, { collection, key, op: 'set', value, status: status ?? pending?.status });
	}

	/** A record for a ticket this result creates: new, so nothing to guard. */
	create(collection: string, key: TicketRefObject, value: JsonObject, status: string): void {
		this.writes.set(this.slot(collection, key), { collection, key, op: 'set', value, status });
	}

	remove(collection: string, key: string): void {
		this.writes.set(this.slot(collection, key), { collection, key, op: 'delete', value: {} });
	}

	/** Append the decision to a record's history without changing it. */
	touch(collection: string, key: string): void {
		const slot = this.slot(collection, key);
		if (!this.writes.has(slot)) this.writes.set(slot, { collection, key, op: 'set', value: {} });
	}

	note(ticket: TicketRef, kind: NoteKind, text: string, occurrence: number | null = null, folded = 0): void {
		this.external.push({ type: 'addNote', ticket, kind, text, occurrence, folded });
	}

	finish(outcome: Outcome): PolicyResult {
		const dryRun = this.config.dryRun;
		const reason = dryRun ? `[dry-run] ${outcome.decision === 'ignore' ? '' : `would ${outcome.decision}: `}${outcome.reason}` : outcome.reason;
		// `decidedAt`: the store stamps each write with its own clock, and the records of one decision are written
		// one after the other (milliseconds apart on Postgres); explain() groups and orders by the decision's time.
		const data: JsonObject = {
			alertUid: outcome.subject.alertUid,
			dedupeKey: outcome.subject.dedupeKey,
			ticketId: outcome.subject.ticketId as JsonValue,
			decidedAt: this.now,
		};
		const history = { event: outcome.decision, reason, data };
		const store: StoreAction[] = [...this.writes.values()].map((w) =>
			w.op === 'delete'
				? { type: 'store', op: 'delete', collection: w.collection, key: w.key }
				: {
						type: 'store',
						op: 'set',
						collection: w.collection,
						key: w.key,
						value: w.value,
						...(w.status !== undefined ? { status: w.status } : {}),
						history,
					},
		);
		const record: PolicyAction = { type: 'recordDecision', decision: outcome.decision, reason, subject: outcome.subject };
		return {
			decision: outcome.decision,
			reason,
			actions: [...(dryRun ? [] : this.external), ...this.markers, ...store, record],
			guards: [...this.guards.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
			subject: outcome.subject,
			dryRun,
			wouldDo: dryRun ? [...this.external] : [],
			warnings: this.warnings,
		};
	}
}

// ---------------------------------------------------------------------------------------------------------------
// Record writers

function ticketOf(plan: Plan, id: number | null | undefined): TicketValue | null {
	if (id === null || id === undefined) return null;
	return plan.state.tickets[String(id)] ?? null;
}

/** A partial record value whose ticket ids may still be references to tickets this result creates. */
type Patch<T> = { [K in keyof T]?: T[K] | TicketRefObject };

function writeAlert(plan: Plan, alert: AlertSnapshot, clientId: string | null, patch: Patch<AlertValue>): void {
	const existing = plan.state.alert && plan.state.alert.alertUid === alert.alertUid ? plan.state.alert : null;
	const base: Patch<AlertValue> = existing
		? {}
		: {
				alertUid: alert.alertUid,
				dedupeKey: alert.dedupeKey,
				ticketId: null,
				parentTicketId: null,
				clientId,
				firstSeenAt: plan.now,
				resolvedAt: null,
				heldUntil: null,
				heldBy: null,
				alert,
			};
	const value = { ...base, ...patch } as JsonObject;
	const state = (patch.state as AlertValue['state'] | undefined) ?? existing?.state;
	plan.set(plan.layout.alerts, alert.alertUid, existing?.version ?? 0, value, state ? alertRecordStatus(state) : undefined);
}

function newTicketValue(plan: Plan, ref: TicketRefObject, kind: 'alert' | 'parent', siteUid: string | null, parent: TicketRef | null): JsonObject {
	return {
		version: 1,
		ticketId: ref,
		kind,
		state: 'open',
		openedAt: plan.now,
		closedAt: null,
		closedBy: null,
		openAlertUids: [],
		alertUids: [],
		dedupeKeys: [],
		siteUid,
		parentTicketId: parent,
		touched: null,
		assignedAgentId: null,
		reopenCount: 0,
	};
}

/** The condition now maps to a ticket it did not map to before (created, or a storm parent). */
function conditionForTicket(plan: Plan, alert: AlertSnapshot, ticket: TicketRef): void {
	const cond = plan.state.conditions[alert.dedupeKey];
	plan.set(
		plan.layout.conditions,
		alert.dedupeKey,
		cond?.version ?? 0,
		{
			dedupeKey: alert.dedupeKey,
			ticketId: ticket as JsonValue,
			occurrences: 1,
			firstAt: cond?.firstAt ?? plan.now,
			lastAt: plan.now,
			lastNoteAt: plan.now,
			foldedSinceNote: 0,
			alertUids: pushBounded(cond?.alertUids, alert.alertUid),
			deviceUid: alert.device.uid,
			hostname: alert.device.hostname,
			siteUid: alert.site.uid,
		},
		'open',
	);
}

/** Mark the conditions that still map to `ticketId` with a record status (closed / open), guarded. */
function conditionsStatus(plan: Plan, ticket: TicketValue, status: 'open' | 'closed'): void {
	for (const dk of list(ticket.dedupeKeys)) {
		const cond = plan.state.conditions[dk];
		if (cond && cond.ticketId === ticket.ticketId) plan.set(plan.layout.conditions, dk, cond.version ?? 0, {}, status);
	}
}

// ---------------------------------------------------------------------------------------------------------------
// Triggered

interface TriggerContext {
	alert: AlertSnapshot;
	clientId: string | null;
	/** The held alert record being released at a tick, or null for a webhook. */
	release: AlertValue | null;
	prefix: string;
}

function subjectOf(alert: AlertSnapshot, ticketId: TicketRef | null = null): DecisionSubject {
	return { alertUid: alert.alertUid, dedupeKey: alert.dedupeKey, ticketId };
}

function onTriggered(plan: Plan, ctx: TriggerContext): Outcome {
	const { state, config } = plan;
	const { alert, clientId, prefix } = ctx;
	const existing = state.alert && state.alert.alertUid === alert.alertUid ? state.alert : null;

	if (!ctx.release && existing) {
		plan.touch(plan.layout.alerts, alert.alertUid);
		const ticket = existing.ticketId !== null ? `, ticket ${existing.ticketId}` : '';
		return {
			decision: 'ignore',
			reason: `duplicate delivery: alert ${alert.alertUid} already processed (${existing.state}${ticket})`,
			subject: subjectOf(alert, existing.ticketId),
		};
	}

	if (config.maintenance.enabled) {
		const active = activeWindows(state.windows, alert, clientId, plan.nowMs, plan.warnings);
		if (active.length > 0) {
			const { window } = active[0];
			const until = iso(Math.max(...active.map((a) => a.occurrence.end)));
			writeAlert(plan, alert, clientId, { state: 'suppressed', heldUntil: until, heldBy: `window:${window.id}`, ticketId: null });
			plan.markers.push({ type: 'suppress', alertUid: alert.alertUid, windowId: window.id, until });
			const name = window.name ? ` "${window.name}"` : '';
			return {
				decision: 'suppress',
				reason: `${prefix}suppressed by window ${window.id}${name} (${window.scope.level} ${window.scope.id}) until ${until}`,
				subject: subjectOf(alert),
			};
		}
	}

	const cond = state.conditions[alert.dedupeKey] ?? null;
	const ticket = ticketOf(plan, cond?.ticketId);
	let why = '';
	if (cond && ticket) {
		if (ticket.state === 'closing') return join(plan, ctx, cond, ticket, true);
		if (ticket.state === 'open') {
			if (config.flapDedupe.enabled) return join(plan, ctx, cond, ticket, false);
			why = `; flap dedupe off (ticket ${ticket.ticketId} still open)`;
		}
		if (ticket.state === 'closed') {
			const closedAt = ticket.closedAt ? Date.parse(ticket.closedAt) : NaN;
			const elapsed = plan.nowMs - closedAt;
			if (!config.reopenWindow.enabled) why = `; reopen window off (ticket ${ticket.ticketId} closed)`;
			else if (ticket.kind !== 'alert') why = `; last ticket ${ticket.ticketId} was a storm parent, not reopened`;
			else if (Number.isFinite(elapsed) && elapsed <= config.reopenWindow.hours * HOUR_MS) return reopen(plan, ctx, cond, ticket, elapsed);
			else why = `; ticket ${ticket.ticketId} closed ${formatDuration(elapsed)} ago, outside the ${config.reopenWindow.hours} h reopen window`;
		}
	}

	let priority = alert.priority;
	let lowered = '';
	const calendar = state.businessHours;
	if (config.businessHours.enabled && calendar && config.businessHours.lowPriorities.includes(priority)) {
		const errors = validateBusinessHours(calendar);
		if (errors.length > 0) {
			plan.warnings.push(`business hours of client ${String(calendar.clientId)} ignored: ${errors.join('; ')}`);
		} else if (!isWithinBusinessHours(calendar, plan.nowMs)) {
			if (config.businessHours.outsideHours === 'defer') {
				const next = nextBusinessHoursStart(calendar, plan.nowMs);
				if (next !== null) {
					const until = iso(next);
					const by = `businessHours:${calendar.clientId}`;
					writeAlert(plan, alert, clientId, { state: 'deferred', heldUntil: until, heldBy: by, ticketId: null });
					plan.markers.push({ type: 'defer', alertUid: alert.alertUid, until, by });
					return {
						decision: 'defer',
						reason: `${prefix}deferred: ${priority} alert outside business hours of client ${calendar.clientId}; released at ${until}`,
						subject: subjectOf(alert),
					};
				}
				plan.warnings.push(`business hours of client ${calendar.clientId} have no opening in the next 14 days: not deferred`);
			} else {
				priority = config.businessHours.lowerTo;
				lowered = `; priority lowered from ${alert.priority} to ${priority} outside business hours of client ${calendar.clientId}`;
			}
		}
	}

	return createOrCorrelate(plan, ctx, priority, why + lowered);
}

/** A repeat (or a re-fire during the grace period) joins the condition's ticket: a note, or folded into the next one. */
function join(plan: Plan, ctx: TriggerContext, cond: ConditionValue, ticket: TicketValue, cancelGrace: boolean): Outcome {
	const { config, layout } = plan;
	const { alert, clientId, prefix } = ctx;
	const tid = ticket.ticketId;
	const occurrence = (cond.occurrences ?? 0) + 1;
	const foldMs = config.flapDedupe.enabled ? config.flapDedupe.foldMinutes * MINUTE_MS : 0;
	const lastNote = cond.lastNoteAt ? Date.parse(cond.lastNoteAt) : NaN;
	const fold = foldMs > 0 && Number.isFinite(lastNote) && plan.nowMs - lastNote < foldMs;
	const folded = cond.foldedSinceNote ?? 0;

	let graceText = '';
	if (cancelGrace) {
		const grace = plan.state.graceCloses[String(tid)];
		plan.markers.push({ type: 'cancelGraceClose', ticket: tid });
		plan.remove(layout.graceCloses, String(tid));
		const since = grace ? ` ${formatDuration(plan.nowMs - Date.parse(grace.resolvedAt))} after it cleared` : '';
		graceText = `pending close of ticket ${tid} cancelled: alert fired again${since}, within the grace period`;
	}
	plan.set(
		layout.tickets,
		String(tid),
		ticket.version ?? 0,
		{ state: 'open', openAlertUids: pushBounded(ticket.openAlertUids, alert.alertUid), alertUids: pushBounded(ticket.alertUids, alert.alertUid) },
		'open',
	);
	plan.set(
		layout.conditions,
		alert.dedupeKey,
		cond.version ?? 0,
		{
			occurrences: occurrence,
			lastAt: plan.now,
			alertUids: pushBounded(cond.alertUids, alert.alertUid),
			...(fold ? { foldedSinceNote: folded + 1 } : { lastNoteAt: plan.now, foldedSinceNote: 0 }),
		},
		'open',
	);
	writeAlert(plan, alert, clientId, {
		state: 'open',
		ticketId: tid,
		parentTicketId: ticket.kind === 'parent' ? tid : null,
		heldUntil: null,
		heldBy: null,
	});

	let reason = cancelGrace
		? `${prefix}${graceText} (occurrence ${occurrence})`
		: `${prefix}deduped: ticket ${tid} already open for dedupeKey ${alert.dedupeKey} (occurrence ${occurrence})`;
	if (fold) {
		reason += `; folded into the next note (last note ${formatDuration(plan.nowMs - lastNote)} ago, fold window ${config.flapDedupe.foldMinutes} min)`;
		return { decision: 'ignore', reason, subject: subjectOf(alert, tid) };
	}
	const more = folded > 0 ? `, ${folded} more repeat${folded === 1 ? '' : 's'} since the last note` : '';
	const lead = cancelGrace ? 'Datto RMM alert fired again before the scheduled close; the close is cancelled' : 'Datto RMM alert fired again';
	plan.note(tid, cancelGrace ? 'graceCancelled' : 'repeat', `${lead} on ${hostOf(alert)} (occurrence ${occurrence}${more}): ${alert.message}`, occurrence, folded);
	if (folded > 0) reason += `; note covers ${folded} folded repeat${folded === 1 ? '' : 's'}`;
	return { decision: 'note', reason, subject: subjectOf(alert, tid) };
}

function reopen(plan: Plan, ctx: TriggerContext, cond: ConditionValue, ticket: TicketValue, elapsed: number): Outcome {
	const { layout, config } = plan;
	const { alert, clientId, prefix } = ctx;
	const tid = ticket.ticketId;
	const occurrence = (cond.occurrences ?? 0) + 1;
	plan.external.push({ type: 'reopenTicket', ticket: tid });
	plan.note(
		tid,
		'reopened',
		`Datto RMM alert fired again on ${hostOf(alert)} ${formatDuration(elapsed)} after this ticket was closed; reopened (occurrence ${occurrence}): ${alert.message}`,
		occurrence,
	);
	plan.set(
		layout.tickets,
		String(tid),
		ticket.version ?? 0,
		{
			state: 'open',
			openedAt: plan.now,
			closedAt: null,
			closedBy: null,
			openAlertUids: [alert.alertUid],
			alertUids: pushBounded(ticket.alertUids, alert.alertUid),
			touched: null,
			reopenCount: (ticket.reopenCount ?? 0) + 1,
		},
		'open',
	);
	plan.set(
		layout.conditions,
		alert.dedupeKey,
		cond.version ?? 0,
		{ occurrences: occurrence, lastAt: plan.now, lastNoteAt: plan.now, foldedSinceNote: 0, alertUids: pushBounded(cond.alertUids, alert.alertUid) },
		'open',
	);
	writeAlert(plan, alert, clientId, { state: 'open', ticketId: tid, parentTicketId: null, heldUntil: null, heldBy: null });
	return {
		decision: 'reopen',
		reason: `${prefix}reopened ticket ${tid}: recurrence ${formatDuration(elapsed)} after it closed, within the ${config.reopenWindow.hours} h reopen window (dedupeKey ${alert.dedupeKey}, occurrence ${occurrence})`,
		subject: subjectOf(alert, tid),
	};
}

/** A new ticket for the alert; `parent` when it is a storm child. */
function createTicket(plan: Plan, ctx: TriggerContext, priority: AlertSnapshot['priority'], parent: TicketRef | null): void {
	const { alert, clientId } = ctx;
	plan.external.push({ type: 'createTicket', ref: 'ticket', alert, priority, clientId, parent });
	const value = newTicketValue(plan, TICKET_REF, 'alert', alert.site.uid, parent);
	value.openAlertUids = [alert.alertUid];
	value.alertUids = [alert.alertUid];
	value.dedupeKeys = [alert.dedupeKey];
	plan.create(plan.layout.tickets, TICKET_REF, value, 'open');
	conditionForTicket(plan, alert, TICKET_REF);
	writeAlert(plan, alert, clientId, { state: 'open', ticketId: TICKET_REF, parentTicketId: parent, heldUntil: null, heldBy: null });
}

function createOrCorrelate(plan: Plan, ctx: TriggerContext, priority: AlertSnapshot['priority'], extra: string): Outcome {
	const { config, state, layout } = plan;
	const { alert, prefix } = ctx;
	const site = alert.site.uid;
	const device = deviceKeyOf(alert);
	if (!config.storm.enabled || site === null || device === null) {
		createTicket(plan, ctx, priority, null);
		return { decision: 'create', reason: `${prefix}created: new ticket for dedupeKey ${alert.dedupeKey}${extra}`, subject: subjectOf(alert, TICKET_REF) };
	}

	const windowMs = config.storm.windowMinutes * MINUTE_MS;
	const storm: StormValue | null = state.storm && state.storm.siteUid === site ? state.storm : null;
	// An entry stamped after `now` (a concurrent execution that started later but committed first, or another
	// process's clock running ahead) belongs to the window too: dropping it would lose that alert from the storm.
	const recent = list(storm?.entries).filter((e) => {
		const age = plan.nowMs - Date.parse(e.at);
		return age <= windowMs && e.alertUid !== alert.alertUid;
	});
	const entry: StormEntry = {
		alertUid: alert.alertUid,
		deviceKey: device,
		dedupeKey: alert.dedupeKey,
		at: plan.now,
		ticketId: null,
		resolved: false,
		hostname: alert.device.hostname,
	};
	const stormBase: JsonObject = storm ? {} : { siteUid: site, siteName: alert.site.name, parentTicketId: null, startedAt: null, lastAt: null };
	const bounded = (entries: JsonValue[]) => entries.slice(Math.max(0, entries.length - MAX_STORM_ENTRIES));
	const siteLabel = alert.site.name ? `${alert.site.name} (${site})` : site;

	// A storm in progress: its parent is not closed and the last correlated alert is within the window.
	const parent = ticketOf(plan, storm?.parentTicketId);
	const lastAt = storm?.lastAt ? Date.parse(storm.lastAt) : NaN;
	if (storm && parent && parent.state !== 'closed' && Number.isFinite(lastAt) && plan.nowMs - lastAt <= windowMs) {
		const pid = parent.ticketId;
		const patch: JsonObject = { openAlertUids: pushBounded(parent.openAlertUids, alert.alertUid), alertUids: pushBounded(parent.alertUids, alert.alertUid) };
		let ticket: TicketRef = pid;
		if (config.storm.attachAs === 'note') {
			patch.dedupeKeys = pushBounded(parent.dedupeKeys, alert.dedupeKey);
			plan.note(pid, 'correlated', `Also alerting: ${hostOf(alert)}: ${alert.message}`);
			conditionForTicket(plan, alert, pid);
			writeAlert(plan, alert, ctx.clientId, { state: 'open', ticketId: pid, parentTicketId: pid, heldUntil: null, heldBy: null });
		} else {
			createTicket(plan, ctx, priority, pid);
			ticket = TICKET_REF;
		}
		if (parent.state === 'closing' || state.graceCloses[String(pid)]) {
			plan.remove(layout.graceCloses, String(pid));
			plan.markers.push({ type: 'cancelGraceClose', ticket: pid });
		}
		plan.set(layout.tickets, String(pid), parent.version ?? 0, { ...patch, state: 'open' }, 'open');
		plan.set(layout.storms, site, storm.version ?? 0, { entries: bounded([...recent, entry]), lastAt: plan.now });
		const devices = new Set([...recent.map((e) => e.deviceKey), device]).size;
		return {
			decision: 'correlate',
			reason: `${prefix}correlated under ticket ${pid}: storm at site ${siteLabel} since ${storm.startedAt ?? '?'} (${devices} devices within ${config.storm.windowMinutes} min)${config.storm.attachAs === 'note' ? ', added as a note' : ', child ticket created'}${extra}`,
			subject: subjectOf(alert, ticket),
		};
	}

	const devices = new Set([...recent.map((e) => e.deviceKey), device]);
	if (devices.size < config.storm.threshold) {
		createTicket(plan, ctx, priority, null);
		plan.set(layout.storms, site, storm?.version ?? 0, { ...stormBase, entries: bounded([...recent, { ...entry, ticketId: TICKET_REF }]) });
		return { decision: 'create', reason: `${prefix}created: new ticket for dedupeKey ${alert.dedupeKey}${extra}`, subject: subjectOf(alert, TICKET_REF) };
	}

	// A new storm: one parent for the site; tickets opened moments ago for the same storm are attached to it.
	const earlier = recent.filter((e) => e.ticketId !== null && !e.resolved);
	const names = [...new Set([...recent.map((e) => e.hostname ?? e.deviceKey), hostOf(alert)])];
	plan.external.push({
		type: 'createParent',
		ref: 'parent',
		siteUid: site,
		siteName: alert.site.name,
		clientId: ctx.clientId,
		priority,
		summary: `Datto RMM: ${devices.size} devices alerting at site ${alert.site.name ?? site}`,
		text: `${devices.size} devices of site ${siteLabel} raised alerts within ${config.storm.windowMinutes} minutes: ${names.join(', ')}.`,
	});
	for (const e of earlier) {
		plan.external.push({ type: 'attachToParent', ticket: e.ticketId as number, parent: PARENT_REF });
		plan.set(layout.tickets, String(e.ticketId), null, { parentTicketId: PARENT_REF });
		plan.set(layout.alerts, e.alertUid, null, { parentTicketId: PARENT_REF });
	}
	const parentValue = newTicketValue(plan, PARENT_REF, 'parent', site, null);
	const tracked = [...earlier.map((e) => e.alertUid), alert.alertUid];
	parentValue.openAlertUids = tracked;
	parentValue.alertUids = tracked;
	let ticket: TicketRef = PARENT_REF;
	if (config.storm.attachAs === 'note') {
		parentValue.dedupeKeys = [alert.dedupeKey];
		plan.note(PARENT_REF, 'correlated', `Alerting: ${hostOf(alert)}: ${alert.message}`);
		conditionForTicket(plan, alert, PARENT_REF);
		writeAlert(plan, alert, ctx.clientId, {
			state: 'open',
			ticketId: PARENT_REF,
			parentTicketId: PARENT_REF,
			heldUntil: null,
			heldBy: null,
		});
	} else {
		createTicket(plan, ctx, priority, PARENT_REF);
		ticket = TICKET_REF;
	}
	plan.create(layout.tickets, PARENT_REF, parentValue, 'open');
	plan.set(layout.storms, site, storm?.version ?? 0, {
		...stormBase,
		entries: bounded([...recent, entry]),
		parentTicketId: PARENT_REF,
		startedAt: plan.now,
		lastAt: plan.now,
	});
	return {
		decision: 'correlate',
		reason: `${prefix}correlated under a new parent ticket for site ${siteLabel}: ${devices.size} devices within ${config.storm.windowMinutes} min (threshold ${config.storm.threshold}); ${earlier.length} existing ticket${earlier.length === 1 ? '' : 's'} attached${extra}`,
		subject: subjectOf(alert, ticket),
	};
}

// ---------------------------------------------------------------------------------------------------------------
// Resolved, grace close due

interface CloseInfo {
	alertUid: string;
	dedupeKey: string;
	host: string;
	resolvedAt: string;
	occurrences: number;
	/** `resolve`: may start a grace period; `tick`: the grace period is over. */
	mode: 'resolve' | 'tick';
}

function closeFlow(plan: Plan, ticket: TicketValue, facts: FactsByTicket, info: CloseInfo, subject: DecisionSubject): Outcome {
	const { config, layout } = plan;
	const tid = ticket.ticketId;
	const pendingGrace = ticket.state === 'closing' || plan.state.graceCloses[String(tid)] !== undefined;
	const touch = config.closeRules.enabled ? (touchFromFacts(facts[String(tid)], plan.now) ?? ticket.touched ?? null) : null;
	const occurrences = info.occurrences > 1 ? ` after ${info.occurrences} occurrences` : '';

	if (touch) {
		if (pendingGrace) {
			plan.remove(layout.graceCloses, String(tid));
			plan.markers.push({ type: 'cancelGraceClose', ticket: tid });
		}
		plan.set(layout.tickets, String(tid), ticket.version ?? 0, { state: 'open', openAlertUids: [], touched: touch }, 'open');
		plan.note(
			tid,
			'notClosed',
			`Datto RMM alert on ${info.host} cleared at ${info.resolvedAt}${occurrences}. The ticket stays open because it was ${describeTouch(touch)}.`,
		);
		return { decision: 'note', reason: `not closed: ${describeTouch(touch)}; alert cleared, note added to ticket ${tid}`, subject };
	}

	if (info.mode === 'resolve' && config.graceClose.enabled && config.graceClose.minutes > 0) {
		const dueAt = iso(plan.nowMs + config.graceClose.minutes * MINUTE_MS);
		plan.markers.push({ type: 'scheduleGraceClose', ticket: tid, dueAt });
		// Unguarded: a grace close is always written with its ticket, whose guard covers both.
		plan.set(
			layout.graceCloses,
			String(tid),
			null,
			{ version: 1, ticketId: tid, dueAt, resolvedAt: info.resolvedAt, alertUid: info.alertUid, dedupeKey: info.dedupeKey, host: info.host, occurrences: info.occurrences },
			'open',
		);
		plan.set(layout.tickets, String(tid), ticket.version ?? 0, { state: 'closing', openAlertUids: [] }, 'closing');
		return {
			decision: 'defer',
			reason: `close of ticket ${tid} scheduled at ${dueAt} (grace ${config.graceClose.minutes} min): alert cleared`,
			subject,
		};
	}

	if (pendingGrace) plan.remove(layout.graceCloses, String(tid));
	plan.note(tid, 'cleared', `Datto RMM alert on ${info.host} cleared at ${info.resolvedAt}${occurrences}. Ticket closed by the Datto RMM integration.`, info.occurrences);
	plan.external.push({ type: 'closeTicket', ticket: tid });
	plan.set(layout.tickets, String(tid), ticket.version ?? 0, { state: 'closed', closedAt: plan.now, closedBy: 'integration', openAlertUids: [] }, 'closed');
	conditionsStatus(plan, ticket, 'closed');
	const untouched = config.closeRules.enabled ? ', no technician touched it' : '';
	const after = info.mode === 'tick' ? ` after the ${config.graceClose.minutes} min grace period` : '';
	return { decision: 'close', reason: `closed ticket ${tid}${after}: alert cleared at ${info.resolvedAt}${untouched}`, subject };
}

/** The alert leaves `ticket`; the ticket closes (per the close rules) when no other alert keeps it open. */
function leaveTicket(plan: Plan, ticket: TicketValue, alert: AlertSnapshot, facts: FactsByTicket, occurrences: number): Outcome {
	const tid = ticket.ticketId;
	const subject = subjectOf(alert, tid);
	if (ticket.state === 'closed') {
		return { decision: 'ignore', reason: `ticket ${tid} already closed${ticket.closedBy === 'halo' ? ' in Halo' : ''}: alert cleared`, subject };
	}
	if (ticket.state === 'closing') {
		return { decision: 'ignore', reason: `close of ticket ${tid} already scheduled: alert cleared`, subject };
	}
	const remaining = list(ticket.openAlertUids).filter((u) => u !== alert.alertUid);
	if (remaining.length > 0) {
		plan.set(plan.layout.tickets, String(tid), ticket.version ?? 0, { openAlertUids: remaining });
		plan.note(tid, 'stillOpen', `Datto RMM alert on ${hostOf(alert)} cleared; ${remaining.length} other alert${remaining.length === 1 ? '' : 's'} still open on this ticket.`);
		return { decision: 'note', reason: `not closed: ${remaining.length} other alert${remaining.length === 1 ? '' : 's'} still open on ticket ${tid}`, subject };
	}
	return closeFlow(plan, ticket, facts, {
		alertUid: alert.alertUid,
		dedupeKey: alert.dedupeKey,
		host: hostOf(alert),
		resolvedAt: plan.now,
		occurrences,
		mode: 'resolve',
	}, subject);
}

/**
 * Verify resolves: a resolution Datto RMM did not confirm changes nothing. The decision is logged on the alert's
 * record when there is one (explain shows it); the reconciliation resolves the alert once Datto reports it resolved.
 */
function onUnconfirmedResolve(plan: Plan, alert: AlertSnapshot, why: string): Outcome {
	const a = plan.state.alert && plan.state.alert.alertUid === alert.alertUid ? plan.state.alert : null;
	if (a) plan.touch(plan.layout.alerts, alert.alertUid);
	return {
		decision: 'ignore',
		reason: `resolveNotConfirmed: ${why}; nothing closed, left to the reconciliation`,
		subject: subjectOf(alert, a?.ticketId ?? null),
	};
}

function onResolved(plan: Plan, alert: AlertSnapshot, facts: FactsByTicket): Outcome {
	const { state, layout } = plan;
	const a = state.alert && state.alert.alertUid === alert.alertUid ? state.alert : null;
	if (!a) {
		writeAlert(plan, { ...alert, event: 'resolved' }, null, { state: 'resolved', resolvedAt: plan.now });
		return { decision: 'ignore', reason: `resolved for unknown alert ${alert.alertUid}: no ticket; recorded`, subject: subjectOf(alert) };
	}
	if (a.state === 'resolved') {
		plan.touch(layout.alerts, alert.alertUid);
		return { decision: 'ignore', reason: `duplicate resolution of alert ${alert.alertUid}`, subject: subjectOf(alert, a.ticketId) };
	}
	const resolved: Patch<AlertValue> = { state: 'resolved', resolvedAt: plan.now, heldUntil: null, heldBy: null };
	if (a.state === 'suppressed' || a.state === 'deferred') {
		writeAlert(plan, a.alert, a.clientId, resolved);
		const held = a.state === 'suppressed' ? `suppressed by ${a.heldBy ?? 'a maintenance window'}` : 'deferred outside business hours';
		return { decision: 'ignore', reason: `resolved while ${held}: no ticket`, subject: subjectOf(alert) };
	}
	writeAlert(plan, a.alert, a.clientId, resolved);
	if (a.ticketId === null) return { decision: 'ignore', reason: `resolved: alert ${alert.alertUid} has no ticket`, subject: subjectOf(alert) };

	const storm = state.storm;
	if (storm && storm.siteUid === a.alert.site.uid && list(storm.entries).some((e) => e.alertUid === alert.alertUid && !e.resolved)) {
		const entries = list(storm.entries).map((e) => (e.alertUid === alert.alertUid ? { ...e, resolved: true } : e));
		plan.set(layout.storms, storm.siteUid, storm.version ?? 0, { entries });
	}

	const occurrences = state.conditions[a.dedupeKey]?.ticketId === a.ticketId ? (state.conditions[a.dedupeKey].occurrences ?? 1) : 1;
	// A ticket record lost (purged) or never written: treat it as open and waiting for this alert only.
	const ticket: TicketValue = ticketOf(plan, a.ticketId) ?? {
		version: 0,
		ticketId: a.ticketId,
		kind: 'alert',
		state: 'open',
		openedAt: a.firstSeenAt,
		closedAt: null,
		closedBy: null,
		openAlertUids: [a.alertUid],
		alertUids: [a.alertUid],
		dedupeKeys: [a.dedupeKey],
		siteUid: a.alert.site.uid,
		parentTicketId: a.parentTicketId,
		touched: null,
		assignedAgentId: null,
		reopenCount: 0,
	};
	const outcome = leaveTicket(plan, ticket, a.alert, facts, occurrences);
	const parent = a.parentTicketId !== null && a.parentTicketId !== a.ticketId ? ticketOf(plan, a.parentTicketId) : null;
	if (parent) {
		const second = leaveTicket(plan, parent, a.alert, facts, 1);
		outcome.reason += `; parent ticket ${parent.ticketId}: ${second.reason}`;
	}
	return outcome;
}

function onGraceDue(plan: Plan, ticketId: number, facts: FactsByTicket): Outcome {
	const { state, layout } = plan;
	const grace: GraceCloseValue | undefined = state.graceCloses[String(ticketId)];
	const ticket = ticketOf(plan, ticketId);
	const subject: DecisionSubject = { alertUid: grace?.alertUid ?? null, dedupeKey: grace?.dedupeKey ?? null, ticketId };
	if (!grace) return { decision: 'ignore', reason: `no pending close for ticket ${ticketId}`, subject };
	if (plan.nowMs < Date.parse(grace.dueAt)) return { decision: 'ignore', reason: `close of ticket ${ticketId} not due until ${grace.dueAt}`, subject };
	if (!ticket || ticket.state !== 'closing' || list(ticket.openAlertUids).length > 0) {
		plan.remove(layout.graceCloses, String(ticketId));
		if (ticket && ticket.state === 'closing') plan.set(layout.tickets, String(ticketId), ticket.version ?? 0, { state: 'open' }, 'open');
		const why = !ticket ? 'the ticket is unknown' : ticket.state !== 'closing' ? `the ticket is ${ticket.state}` : 'alerts are open on it again';
		return { decision: 'ignore', reason: `pending close of ticket ${ticketId} dropped: ${why}`, subject };
	}
	return closeFlow(plan, ticket, facts, {
		alertUid: grace.alertUid,
		dedupeKey: grace.dedupeKey,
		host: grace.host ?? grace.dedupeKey.split('|')[0],
		resolvedAt: grace.resolvedAt,
		occurrences: grace.occurrences ?? 1,
		mode: 'tick',
	}, subject);
}

function onRelease(plan: Plan, alertUid: string): Outcome {
	const a = plan.state.alert && plan.state.alert.alertUid === alertUid ? plan.state.alert : null;
	const subject: DecisionSubject = { alertUid, dedupeKey: a?.dedupeKey ?? null, ticketId: null };
	if (!a || (a.state !== 'suppressed' && a.state !== 'deferred')) {
		return { decision: 'ignore', reason: `nothing held for alert ${alertUid}${a ? ` (${a.state})` : ''}`, subject };
	}
	if (a.heldUntil && plan.nowMs < Date.parse(a.heldUntil)) {
		return { decision: 'ignore', reason: `alert ${alertUid} held until ${a.heldUntil}`, subject };
	}
	const why = a.heldBy?.startsWith('window:') ? `window ${a.heldBy.slice('window:'.length)} ended` : 'business hours started';
	return onTriggered(plan, {
		alert: { ...a.alert, event: 'triggered' },
		clientId: a.clientId,
		release: a,
		prefix: `released (${why}): `,
	});
}

// ---------------------------------------------------------------------------------------------------------------
// Halo ticket events

function onHaloTicket(plan: Plan, ev: HaloTicketEventInput): Outcome {
	const { state, config, layout } = plan;
	const id = ev.ticketId;
	const ticket = ticketOf(plan, id);
	const subject: DecisionSubject = { alertUid: null, dedupeKey: ticket ? (list(ticket.dedupeKeys)[0] ?? null) : null, ticketId: id };
	if (!ticket) return { decision: 'ignore', reason: `ticket ${id} was not opened by this integration`, subject };
	const baseline: JsonObject = ticket.assignedAgentId === null && ev.assignedAgentId !== null ? { assignedAgentId: ev.assignedAgentId } : {};

	// The agent id decides first (a technician quoting the visible marker is not us); the marker only when the agent
	// cannot be told (issue 18).
	const own =
		ev.agentId !== null && config.integrationAgentIds.length > 0 ? config.integrationAgentIds.includes(ev.agentId) : ev.markerFound;
	if (own || ev.event === 'new') {
		if (Object.keys(baseline).length > 0) plan.set(layout.tickets, String(id), ticket.version ?? 0, baseline);
		return { decision: 'ignore', reason: `ticket ${id}: ${own ? 'own change' : 'creation'} (${ev.event}), not a technician's touch`, subject };
	}
	const agent = ev.agentName ?? (ev.agentId !== null ? `agent ${ev.agentId}` : null);
	const changedAt = Date.parse(ev.changedAt);
	const at = Number.isFinite(changedAt) && changedAt <= plan.nowMs ? iso(changedAt) : plan.now;

	if (ev.closed || ev.event === 'closed') {
		if (ticket.state === 'closed') return { decision: 'ignore', reason: `ticket ${id} already closed`, subject };
		if (ticket.state === 'closing' || state.graceCloses[String(id)]) {
			plan.remove(layout.graceCloses, String(id));
			plan.markers.push({ type: 'cancelGraceClose', ticket: id });
		}
		const open = list(ticket.openAlertUids);
		for (const alertUid of open) plan.external.push({ type: 'resolveDattoAlert', alertUid });
		plan.set(layout.tickets, String(id), ticket.version ?? 0, { ...baseline, state: 'closed', closedAt: at, closedBy: 'halo', openAlertUids: [] }, 'closed');
		conditionsStatus(plan, ticket, 'closed');
		return {
			decision: 'close',
			reason: `ticket ${id} closed in Halo${agent ? ` by ${agent}` : ''}: ${open.length} open Datto alert${open.length === 1 ? '' : 's'} to resolve`,
			subject,
		};
	}
	if (ev.agentId === null) {
		if (Object.keys(baseline).length > 0) plan.set(layout.tickets, String(id), ticket.version ?? 0, baseline);
		return { decision: 'ignore', reason: `ticket ${id} changed (${ev.event}) without a known agent: not counted as a technician's touch`, subject };
	}
	const reassigned =
		ticket.assignedAgentId !== null && ev.assignedAgentId !== null && ev.assignedAgentId !== ticket.assignedAgentId;
	const kind: Touch['kind'] = ev.event === 'statusChanged' ? 'statusChange' : reassigned ? 'reassignment' : 'humanAction';
	const touch: Touch = ticket.touched ?? { kind, by: agent, at };
	if (ticket.state === 'closed') {
		plan.set(layout.tickets, String(id), ticket.version ?? 0, { ...baseline, state: 'open', closedAt: null, closedBy: null, touched: { kind: 'statusChange', by: agent, at }, openedAt: at }, 'open');
		conditionsStatus(plan, ticket, 'open');
		return { decision: 'ignore', reason: `ticket ${id} reopened in Halo by ${agent}: it will not be closed automatically`, subject };
	}
	plan.set(layout.tickets, String(id), ticket.version ?? 0, { ...baseline, touched: touch });
	return {
		decision: 'ignore',
		reason: `ticket ${id} touched by ${agent} (${TOUCH_LABEL[kind]}): it will not be closed automatically`,
		subject,
	};
}

// ---------------------------------------------------------------------------------------------------------------
// Public API

/**
 * Decides what to do with one event. Pure: reads only its arguments. `state` may omit records that do not exist.
 * The glue claims `guards`, executes the external actions (binding `{ $ref }` ticket references to the ids they
 * created, see bindActions), then the store writes, in order.
 */
export function decide(state: Partial<PolicyState>, event: PolicyEvent, config: PolicyConfig, now: Date): PolicyResult {
	if (!(now instanceof Date) || Number.isNaN(now.getTime())) throw new TypeError('decide: now must be a valid Date');
	const plan = new Plan(emptyState(state), config, now);
	let outcome: Outcome;
	switch (event.type) {
		case 'alert': {
			const alert = snapshotOf(event.alert);
			outcome =
				alert.event === 'resolved' && event.resolveNotConfirmed !== undefined
					? onUnconfirmedResolve(plan, alert, event.resolveNotConfirmed)
					: alert.event === 'resolved'
					? onResolved(plan, alert, event.facts ?? {})
					: onTriggered(plan, { alert, clientId: event.clientId ?? null, release: null, prefix: '' });
			break;
		}
		case 'tick':
			outcome =
				event.due.kind === 'graceClose'
					? onGraceDue(plan, event.due.ticketId, event.facts ?? {})
					: onRelease(plan, event.due.alertUid);
			break;
		case 'haloTicket':
			outcome = onHaloTicket(plan, event.ticket);
			break;
		default:
			throw new TypeError(`decide: unknown event type ${String((event as { type?: unknown }).type)}`);
	}
	return plan.finish(outcome);
}

/**
 * The tickets whose technician facts (TicketFacts, since `since`) the glue should fetch from Halo before calling
 * decide(): those this event may close. Empty when the close rules are off.
 */
export function needsTicketFacts(state: Partial<PolicyState>, event: PolicyEvent, config: PolicyConfig): Array<{ ticketId: number; since: string }> {
	if (!config.closeRules.enabled) return [];
	const s = emptyState(state);
	const candidates: TicketValue[] = [];
	if (event.type === 'alert' && event.alert.event === 'resolved' && event.resolveNotConfirmed === undefined) {
		const a = s.alert && s.alert.alertUid === event.alert.alertUid ? s.alert : null;
		if (a && a.state === 'open') {
			for (const id of [a.ticketId, a.parentTicketId]) {
				const t = id !== null ? s.tickets[String(id)] : undefined;
				if (t && t.state === 'open' && list(t.openAlertUids).every((u) => u === a.alertUid)) candidates.push(t);
			}
		}
	} else if (event.type === 'tick' && event.due.kind === 'graceClose') {
		const t = s.tickets[String(event.due.ticketId)];
		if (t && t.state === 'closing') candidates.push(t);
	}
	const seen = new Set<number>();
	return candidates.filter((t) => !seen.has(t.ticketId) && seen.add(t.ticketId)).map((t) => ({ ticketId: t.ticketId, since: t.openedAt }));
}

/** Pending grace closes that are due (dueAt ≤ now: a close is due exactly at resolution + G), earliest first. */
export function dueGraceCloses(state: Pick<PolicyState, 'graceCloses'> | GraceCloseValue[], now: Date): GraceCloseValue[] {
	const values = Array.isArray(state) ? state : Object.values(state.graceCloses ?? {});
	return values
		.filter((g) => Date.parse(g.dueAt) <= now.getTime())
		.sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt) || a.ticketId - b.ticketId);
}

/**
 * Everything a scheduled check should process now, one item per decide() call: due grace closes, then held
 * (suppressed / deferred) alerts whose hold has ended (heldUntil ≤ now).
 */
export function dueWork(
	input: { graceCloses?: GraceCloseValue[]; heldAlerts?: AlertValue[] },
	now: Date,
): DueItem[] {
	const items: DueItem[] = dueGraceCloses(list(input.graceCloses), now).map((g) => ({ kind: 'graceClose', ticketId: g.ticketId }));
	const held = list(input.heldAlerts)
		.filter((a) => (a.state === 'suppressed' || a.state === 'deferred') && a.heldUntil !== null && Date.parse(a.heldUntil) <= now.getTime())
		.sort((a, b) => Date.parse(a.heldUntil as string) - Date.parse(b.heldUntil as string) || (a.alertUid < b.alertUid ? -1 : 1));
	for (const a of held) items.push({ kind: 'release', alertUid: a.alertUid });
	return items;
}

export { DAY_MS, HOUR_MS, MINUTE_MS };
