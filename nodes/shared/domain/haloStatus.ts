/**
 * Choosing tenant-specific HaloPSA statuses by name (ids differ per tenant: never assume 9 is "Closed").
 * Pure functions over the `/api/Status` list.
 */

export interface HaloStatusLike {
	id: number;
	name?: string | null;
	type?: number | null;
}

/** Words that mark a closed status or a close event ("Closed", "Resolved", "Completed", "Cancelled"). */
const CLOSED_WORDS = /\b(closed?|resolved|completed|cancell?ed)\b/i;
/** Names that look closed-ish but are not closed ("Pending Closure", "Awaiting Resolution"). */
const NOT_YET = /\b(pending|awaiting|waiting|to be|reopen(ed)?|re-open(ed)?|not)\b/i;

/** A status or event name that means "closed". */
export function isClosedName(name: unknown): boolean {
	if (typeof name !== 'string') return false;
	return CLOSED_WORDS.test(name) && !NOT_YET.test(name);
}

const norm = (s: HaloStatusLike): string => String(s.name ?? '').trim().toLowerCase();

/**
 * The tenant's closed status: a status named exactly "Closed"; else "Resolved" / "Completed"; else another
 * closed-sounding name (not "Cancelled"); else a type-4 status whose name is not "pending …"; else undefined.
 */
export function pickClosedStatus<T extends HaloStatusLike>(statuses: T[]): T | undefined {
	for (const wanted of ['closed', 'resolved', 'completed', 'complete', 'done']) {
		const exact = statuses.find((s) => norm(s) === wanted);
		if (exact) return exact;
	}
	const named = statuses.find((s) => isClosedName(s.name) && !/cancel/i.test(String(s.name)));
	if (named) return named;
	return statuses.find((s) => s.type === 4 && !NOT_YET.test(String(s.name ?? '')) && !/cancel/i.test(String(s.name ?? '')));
}

/** The status a reopened ticket goes to: "In Progress", else "Open", else "New", else the first non-closed one. */
export function pickReopenStatus<T extends HaloStatusLike>(statuses: T[]): T | undefined {
	for (const wanted of ['in progress', 'open', 'reopened', 're-opened', 'new']) {
		const exact = statuses.find((s) => norm(s) === wanted);
		if (exact) return exact;
	}
	return statuses.find((s) => !isClosedName(s.name) && s.type !== 4);
}

export interface HaloOutcomeLike {
	id: number;
	outcome?: string | null;
	buttonname?: string | null;
	newstatus?: number | null;
}

/** Usual names of a note outcome, most wanted first (private notes first: the integration's notes are internal). */
export const USUAL_NOTE_OUTCOMES = ['private note', 'internal note', 'note', 'update', 'comment', 'add note'];

const outcomeText = (o: HaloOutcomeLike): string => String(o.outcome || o.buttonname || '').trim().toLowerCase();
const changesStatus = (o: HaloOutcomeLike): boolean => typeof o.newstatus === 'number' && o.newstatus > 0;

/**
 * The tenant's outcome for the integration's notes: the first of USUAL_NOTE_OUTCOMES that exists (by outcome or
 * button name, case-insensitive); else the first outcome that does not change the status; else undefined.
 */
export function pickNoteOutcome<T extends HaloOutcomeLike>(outcomes: T[]): T | undefined {
	for (const wanted of USUAL_NOTE_OUTCOMES) {
		const found = outcomes.find((o) => outcomeText(o) === wanted && !changesStatus(o));
		if (found) return found;
	}
	return outcomes.find((o) => outcomeText(o) !== '' && !changesStatus(o));
}
