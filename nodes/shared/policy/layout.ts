/**
 * Where the policy state lives in the mapping store: collection names, keys and record statuses.
 * Dry-run uses the same layout under `dryRun.`-prefixed collections, so a dry run never touches the live state
 * (windows and business hours, which are configuration, are shared).
 */
import type { AlertState, TicketRef, TicketState } from './types';

export interface PolicyLayout {
	/** `alerts/<alertUid>` → AlertValue. */
	alerts: string;
	/** `conditions/<dedupeKey>` → ConditionValue. */
	conditions: string;
	/** `tickets/<ticketId>` → TicketValue. */
	tickets: string;
	/** `graceCloses/<ticketId>` → GraceCloseValue (status open while pending; deleted when done or cancelled). */
	graceCloses: string;
	/** `storms/<siteUid>` → StormValue. */
	storms: string;
	/** `windows/<windowId>` → MaintenanceWindow (status open = enabled). */
	windows: string;
	/** `businessHours/<clientId>` (or `default`) → BusinessHoursCalendar. */
	businessHours: string;
	/** `locks/<collection>/<key>@<version>` → guard claims (see Guard). */
	locks: string;
}

export const POLICY_COLLECTIONS: Readonly<PolicyLayout> = Object.freeze({
	alerts: 'alerts',
	conditions: 'conditions',
	tickets: 'tickets',
	graceCloses: 'graceCloses',
	storms: 'storms',
	windows: 'windows',
	businessHours: 'businessHours',
	locks: 'locks',
});

export const DRY_RUN_PREFIX = 'dryRun.';

/** The collections for a live run, or for a dry run (state collections prefixed, configuration shared). */
export function policyLayout(dryRun: boolean): PolicyLayout {
	if (!dryRun) return { ...POLICY_COLLECTIONS };
	const p = (name: string) => `${DRY_RUN_PREFIX}${name}`;
	return {
		alerts: p('alerts'),
		conditions: p('conditions'),
		tickets: p('tickets'),
		graceCloses: p('graceCloses'),
		storms: p('storms'),
		windows: POLICY_COLLECTIONS.windows,
		businessHours: POLICY_COLLECTIONS.businessHours,
		locks: p('locks'),
	};
}

/** The key of a default business-hours calendar, used for clients without their own. */
export const DEFAULT_CALENDAR_KEY = 'default';

/** Record status of an alert record: resolved alerts are `closed` (purgeable), held ones say why. */
export function alertRecordStatus(state: AlertState): string {
	return state === 'resolved' ? 'closed' : state;
}

/** Record status of a ticket record; only `closed` ones are purgeable (purge after more than the reopen window). */
export function ticketRecordStatus(state: TicketState): string {
	return state;
}

/** `123` → "123"; a reference stays a reference (bound by bindActions). */
export function ticketKey(ticket: TicketRef): string | { $ref: 'ticket' | 'parent' } {
	return typeof ticket === 'number' ? String(ticket) : ticket;
}

/** The lock key of a guarded write: `<collection>/<key>@<version written>`. */
export function lockKey(collection: string, key: string, version: number): string {
	return `${collection}/${key}@${version}`;
}
