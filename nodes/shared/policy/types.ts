/**
 * Sync policy engine: the types of its configuration, the stored state it reads, the events it decides on and the
 * actions it returns. Everything here is plain JSON-compatible data, so the n8n glue can load it from the mapping
 * store, pass it through items and write it back without conversion. See README.md in this folder.
 */
import type { AlertEvent } from '../domain/dattoAlert';
import type { DattoPriority } from '../domain/priority';
import type { HistoryNote, JsonObject } from '../store/types';

// ---------------------------------------------------------------------------------------------------------------
// Decisions

/** The named outputs of the Sync Policy node, one per decision. */
export const DECISIONS = ['create', 'note', 'reopen', 'close', 'suppress', 'ignore', 'correlate', 'defer'] as const;
export type Decision = (typeof DECISIONS)[number];

// ---------------------------------------------------------------------------------------------------------------
// Configuration

export type StormAttachMode = 'note' | 'childTicket';
export type OutsideHoursMode = 'lowerPriority' | 'defer';

export interface PolicyConfig {
	/** Record what would be done, in the dry-run collections, without any Halo or Datto write. */
	dryRun: boolean;
	/** One ticket per dedupeKey: a repeat while its ticket is open adds a note (repeats close together fold into one). */
	flapDedupe: { enabled: boolean; foldMinutes: number };
	/** A recurrence within `hours` after its ticket closed reopens that ticket. */
	reopenWindow: { enabled: boolean; hours: number };
	/** A cleared alert closes its ticket only when no technician has touched it; it always adds a note. */
	closeRules: { enabled: boolean };
	/** A clearance waits `minutes` before the close; a re-fire meanwhile cancels it. 0 closes at once. */
	graceClose: { enabled: boolean; minutes: number };
	/** `threshold` alerts from different devices of one site within `windowMinutes` → one parent ticket for the site. */
	storm: { enabled: boolean; threshold: number; windowMinutes: number; attachAs: StormAttachMode };
	/** Alerts inside a maintenance window are recorded and suppressed, and processed when the window ends. */
	maintenance: { enabled: boolean };
	/** Outside a client's business hours, low-priority alerts are deferred to the next opening or get a lower priority. */
	businessHours: {
		enabled: boolean;
		outsideHours: OutsideHoursMode;
		/** The priorities the policy applies to. */
		lowPriorities: DattoPriority[];
		/** The priority given with `lowerPriority`. */
		lowerTo: DattoPriority;
	};
	/** Halo agent ids this integration acts as: their changes never count as a technician's touch. */
	integrationAgentIds: number[];
}

/** A partial configuration: every policy and setting may be left out (defaults apply). */
export type PolicyConfigInput = {
	[K in keyof PolicyConfig]?: PolicyConfig[K] extends unknown[]
		? PolicyConfig[K]
		: PolicyConfig[K] extends object
			? Partial<PolicyConfig[K]>
			: PolicyConfig[K];
};

// ---------------------------------------------------------------------------------------------------------------
// Maintenance windows and business hours (stored in the `windows` and `businessHours` collections)

export type Weekday = 'sun' | 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat';

export type WindowScope =
	/** A Halo client, as the glue's site → client lookup names it (id as text). */
	| { level: 'client'; id: string }
	/** A Datto site uid. */
	| { level: 'site'; id: string }
	/** A Datto device uid or hostname (case-insensitive). */
	| { level: 'device'; id: string };

interface WindowBase {
	id: string;
	name?: string;
	scope: WindowScope;
	/** IANA time zone of the local times; `UTC` when omitted. */
	timeZone?: string;
}

/**
 * One-off window `[start, end)`. Times are ISO 8601 with a zone (`2026-11-23T22:00:00Z`, `…+01:00`) or local times
 * without one (`2026-11-23T22:00`), which are read in `timeZone`.
 */
export type OneOffWindow = WindowBase & { kind: 'oneOff'; start: string; end: string };

/**
 * Weekly window: on each of `days`, from `startTime` to `endTime` local time (`HH:mm`), `[start, end)`. An end at
 * or before the start ends on the next day (22:00–02:00; 00:00–00:00 lasts 24 hours). Local times follow the clock
 * of `timeZone` across daylight saving changes.
 */
export type WeeklyWindow = WindowBase & { kind: 'weekly'; days: Weekday[]; startTime: string; endTime: string };

export type MaintenanceWindow = OneOffWindow | WeeklyWindow;

export interface BusinessHoursInterval {
	days: Weekday[];
	/** `HH:mm` local time; `[start, end)`, an end at or before the start ends on the next day. */
	start: string;
	end: string;
}

export interface BusinessHoursCalendar {
	/** The Halo client (id as text) this calendar belongs to, or `default`. */
	clientId: string;
	timeZone: string;
	hours: BusinessHoursInterval[];
	/** Local dates (`YYYY-MM-DD`) that are closed all day; an interval that starts on one does not count. */
	holidays?: string[];
}

// ---------------------------------------------------------------------------------------------------------------
// Stored state: the values of the policy collections (see layout.ts). Each carries `version`, bumped by every
// guarded write (see Guard).

/** A ticket id, or a reference to a ticket that an earlier action of the same result creates. */
export type TicketRefName = 'ticket' | 'parent';
export type TicketRefObject = { $ref: TicketRefName };
export type TicketRef = number | TicketRefObject;

/** The alert as stored: the NormalisedAlert without its raw body. */
export type AlertSnapshot = {
	event: AlertEvent;
	alertUid: string;
	priority: DattoPriority;
	message: string;
	device: { uid: string | null; hostname: string | null };
	site: { uid: string | null; name: string | null };
	condition: string;
	occurredAt: string;
	platform: string | null;
	dedupeKey: string;
	link: string | null;
};

export type AlertState = 'open' | 'resolved' | 'suppressed' | 'deferred';

/** `alerts/<alertUid>`. */
export type AlertValue = {
	version: number;
	alertUid: string;
	dedupeKey: string;
	state: AlertState;
	/** The ticket the alert belongs to (its own, a deduped one, or a storm parent in note mode). */
	ticketId: number | null;
	/** The storm parent it is attached to, when any. */
	parentTicketId: number | null;
	clientId: string | null;
	firstSeenAt: string;
	resolvedAt: string | null;
	/** While suppressed or deferred: when to look again, and why (`window:<id>` or `businessHours:<clientId>`). */
	heldUntil: string | null;
	heldBy: string | null;
	alert: AlertSnapshot;
};

/** `conditions/<dedupeKey>`: one device + condition, the ticket it currently maps to and its occurrence counter. */
export type ConditionValue = {
	version: number;
	dedupeKey: string;
	ticketId: number | null;
	/** Triggered alerts counted against `ticketId` (1 = the alert that opened it). */
	occurrences: number;
	firstAt: string;
	lastAt: string;
	/** When the last note (or the ticket) was written: repeats within the fold window after it fold into the next note. */
	lastNoteAt: string | null;
	foldedSinceNote: number;
	/** Most recent alert uids (newest last, bounded), for explain. */
	alertUids: string[];
	deviceUid: string | null;
	hostname: string | null;
	siteUid: string | null;
};

export type TicketState = 'open' | 'closing' | 'closed';
export type TouchKind = 'humanAction' | 'statusChange' | 'reassignment';

export type Touch = { kind: TouchKind; by: string | null; at: string };

/** `tickets/<ticketId>`: a ticket this integration opened. */
export type TicketValue = {
	version: number;
	ticketId: number;
	kind: 'alert' | 'parent';
	state: TicketState;
	/** When it was opened or last reopened. Technician facts count from here. */
	openedAt: string;
	closedAt: string | null;
	closedBy: 'integration' | 'halo' | null;
	/** Alerts whose clearance this ticket waits for. */
	openAlertUids: string[];
	/** Every alert that ever joined it (bounded), for explain. */
	alertUids: string[];
	dedupeKeys: string[];
	siteUid: string | null;
	parentTicketId: number | null;
	/** First technician touch since it was (re)opened, from Halo ticket events. */
	touched: Touch | null;
	/** Baseline assignee seen on the first Halo event: a later different one is a reassignment. */
	assignedAgentId: number | null;
	reopenCount: number;
};

/** `graceCloses/<ticketId>`: a close waiting for its grace period. */
export type GraceCloseValue = {
	version: number;
	ticketId: number;
	dueAt: string;
	resolvedAt: string;
	alertUid: string;
	dedupeKey: string;
	/** Hostname (or device uid) of the cleared alert, for the close note. */
	host: string | null;
	occurrences: number;
};

export type StormEntry = {
	alertUid: string;
	deviceKey: string;
	hostname: string | null;
	dedupeKey: string;
	at: string;
	/** The ticket the alert got before the storm was recognised, when any. */
	ticketId: number | null;
	resolved: boolean;
};

/** `storms/<siteUid>`: the site's recent new-ticket alerts and its current storm parent. */
export type StormValue = {
	version: number;
	siteUid: string;
	siteName: string | null;
	entries: StormEntry[];
	parentTicketId: number | null;
	startedAt: string | null;
	/** The last alert correlated into the current storm: the storm goes on while alerts come within the window. */
	lastAt: string | null;
};

/** What decide() reads. Missing records are absent keys / null; the glue fills it with loadPolicyState(). */
export interface PolicyState {
	/** `alerts/<alertUid>` of the event's alert. */
	alert: AlertValue | null;
	/** `conditions/<dedupeKey>`: the event's condition and the conditions of the tickets involved. */
	conditions: Record<string, ConditionValue>;
	/** `tickets/<id>`: the tickets the alert, its condition, its parent and its site storm point at. */
	tickets: Record<string, TicketValue>;
	/** `graceCloses/<ticketId>` of those tickets. */
	graceCloses: Record<string, GraceCloseValue>;
	/** `storms/<siteUid>` of the alert's site. */
	storm: StormValue | null;
	/** All enabled windows (`windows` collection, status open). */
	windows: MaintenanceWindow[];
	/** `businessHours/<clientId>`, else `businessHours/default`. */
	businessHours: BusinessHoursCalendar | null;
}

// ---------------------------------------------------------------------------------------------------------------
// Events

/** What the glue found out about a ticket from Halo since `since` (needsTicketFacts), keyed by ticket id. */
export interface TicketFacts {
	/** Actions (notes, emails, time) by people other than this integration. */
	humanActions: number;
	manualStatusChange: boolean;
	reassigned: boolean;
	/** Who, for the reason text. */
	agentName?: string | null;
}

export type FactsByTicket = Record<string, TicketFacts>;

export interface AlertPolicyEvent {
	type: 'alert';
	/** A NormalisedAlert (raw is ignored) or a stored snapshot. */
	alert: AlertSnapshot & { raw?: unknown };
	/** The Halo client of the alert's site (from the glue's site → client lookup), for windows and business hours. */
	clientId?: string | null;
	facts?: FactsByTicket;
	/**
	 * A "resolved" delivery that Datto RMM did not confirm (Verify resolves: the API still reports the alert open or
	 * could not be asked): the reason. Decided as `ignore` with reason "resolveNotConfirmed: …"; the reconciliation
	 * resolves the alert once Datto reports it resolved.
	 */
	resolveNotConfirmed?: string;
}

export type DueItem = { kind: 'graceClose'; ticketId: number } | { kind: 'release'; alertUid: string };

/** A scheduled check: one due item (see dueWork()). */
export interface TickPolicyEvent {
	type: 'tick';
	due: DueItem;
	facts?: FactsByTicket;
}

/** The fields of a HaloTicketEvent (domain/haloTicketEvent.ts) the engine reads. */
export interface HaloTicketEventInput {
	event: 'new' | 'statusChanged' | 'closed' | 'updated';
	ticketId: number;
	closed: boolean;
	agentId: number | null;
	assignedAgentId: number | null;
	markerFound: boolean;
	changedAt: string;
	statusName?: string | null;
	/** The agent's name when the glue knows it. */
	agentName?: string | null;
}

export interface HaloTicketPolicyEvent {
	type: 'haloTicket';
	ticket: HaloTicketEventInput;
}

export type PolicyEvent = AlertPolicyEvent | TickPolicyEvent | HaloTicketPolicyEvent;

// ---------------------------------------------------------------------------------------------------------------
// Actions

export type NoteKind = 'repeat' | 'reopened' | 'cleared' | 'notClosed' | 'correlated' | 'stillOpen' | 'graceCancelled';

/** Halo/Datto writes: executed by the glue (or the nodes it routes to), never in dry-run. */
export type ExternalAction =
	| {
			type: 'createTicket';
			ref: 'ticket';
			alert: AlertSnapshot;
			/** Datto priority to map to Halo's (lowered outside business hours). */
			priority: DattoPriority;
			clientId: string | null;
			parent: TicketRef | null;
	  }
	| {
			type: 'createParent';
			ref: 'parent';
			siteUid: string;
			siteName: string | null;
			clientId: string | null;
			priority: DattoPriority;
			summary: string;
			text: string;
	  }
	| { type: 'addNote'; ticket: TicketRef; kind: NoteKind; text: string; occurrence: number | null; folded: number }
	| { type: 'reopenTicket'; ticket: TicketRef }
	| { type: 'closeTicket'; ticket: TicketRef }
	| { type: 'attachToParent'; ticket: TicketRef; parent: TicketRef }
	| { type: 'resolveDattoAlert'; alertUid: string };

/** What the store writes below mean, for the output item and the log; the glue executes nothing for them. */
export type MarkerAction =
	| { type: 'scheduleGraceClose'; ticket: TicketRef; dueAt: string }
	| { type: 'cancelGraceClose'; ticket: TicketRef }
	| { type: 'suppress'; alertUid: string; windowId: string; until: string }
	| { type: 'defer'; alertUid: string; until: string; by: string };

export type StoreAction =
	| {
			type: 'store';
			op: 'set';
			collection: string;
			key: string | TicketRefObject;
			/** Top-level properties to merge into the stored value (store `set` in `merge` mode). */
			value: JsonObject;
			status?: string;
			history?: HistoryNote;
	  }
	| { type: 'store'; op: 'delete'; collection: string; key: string | TicketRefObject };

export interface DecisionSubject {
	alertUid: string | null;
	dedupeKey: string | null;
	ticketId: TicketRef | null;
}

export type RecordDecisionAction = { type: 'recordDecision'; decision: Decision; reason: string; subject: DecisionSubject };

export type PolicyAction = ExternalAction | MarkerAction | StoreAction | RecordDecisionAction;

/**
 * Optimistic concurrency. decide() read `record` at `version` (0 = absent) and writes `version + 1`. Before executing
 * anything the glue claims `key` (`<collection>/<key>@<version + 1>`) in the locks collection, then checks that the
 * record still has `version`. Of two executions that read the same version only one gets past both steps; the other
 * releases its claims, reloads the state and decides again. Locks live only while their execution works: they are
 * deleted after the store writes (a lock abandoned by a crashed execution is taken over after a few minutes).
 */
export interface Guard {
	collection: string;
	key: string;
	record: { collection: string; key: string; version: number };
}

export interface PolicyResult {
	decision: Decision;
	/** One line for the decision log, e.g. "deduped: ticket 123 already open for dedupeKey X (occurrence 4)". */
	reason: string;
	/** In order: external actions, markers, store writes, the decision record. In dry-run: no external actions. */
	actions: PolicyAction[];
	guards: Guard[];
	subject: DecisionSubject;
	dryRun: boolean;
	/** Dry-run only: the external actions a live run would have executed. */
	wouldDo: ExternalAction[];
	/** Stored data the engine could not use (e.g. a window with an unknown time zone). */
	warnings: string[];
}
