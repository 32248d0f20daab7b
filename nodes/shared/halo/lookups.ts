/**
 * Per-client caches of tenant lookups the hot path needs: the status list (closed / reopen status by name; ~10 min)
 * and the API agent's id (`GET /Agent/me`, for echo suppression; 1 h). Keyed by the client's registry key, so every
 * node and execution using one credential in this process shares them. Failed lookups are not cached.
 */
import type { HaloClient, HaloOutcome, HaloStatus } from '../transport/halo';
import { USUAL_NOTE_OUTCOMES, pickClosedStatus, pickNoteOutcome, pickReopenStatus } from '../domain/haloStatus';

export const STATUS_CACHE_TTL_MS = 10 * 60_000;
export const AGENT_CACHE_TTL_MS = 60 * 60_000;

interface Entry<T> {
	at: number;
	value: Promise<T>;
}

const statusCache = new Map<string, Entry<HaloStatus[]>>();
const agentCache = new Map<string, Entry<number>>();
const outcomeCache = new Map<string, Entry<HaloOutcome[]>>();

async function cached<T>(cache: Map<string, Entry<T>>, key: string, ttlMs: number, load: () => Promise<T>, refresh = false): Promise<T> {
	const hit = cache.get(key);
	if (hit && !refresh && Date.now() - hit.at < ttlMs) return await hit.value;
	const entry: Entry<T> = { at: Date.now(), value: load() };
	cache.set(key, entry);
	// A failed lookup is forgotten so the next call asks again (the caller still sees the failure).
	entry.value.catch(() => {
		if (cache.get(key) === entry) cache.delete(key);
	});
	return await entry.value;
}

/** GET /Status, cached per client for STATUS_CACHE_TTL_MS (`refresh` forces a reload, e.g. for dropdowns). */
export async function cachedStatuses(client: HaloClient, refresh = false): Promise<HaloStatus[]> {
	return await cached(statusCache, client.key, STATUS_CACHE_TTL_MS, async () => await client.listStatuses(), refresh);
}

/** GET /Outcome, cached per client like the statuses. */
export async function cachedOutcomes(client: HaloClient, refresh = false): Promise<HaloOutcome[]> {
	return await cached(outcomeCache, client.key, STATUS_CACHE_TTL_MS, async () => await client.listOutcomes(), refresh);
}

/** The id of the agent this credential logs in as (GET /Agent/me), cached per client. */
export async function cachedApiAgentId(client: HaloClient): Promise<number> {
	return await cached(agentCache, client.key, AGENT_CACHE_TTL_MS, async () => (await client.me()).id);
}

export class StatusResolutionError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'StatusResolutionError';
	}
}

const describe = (statuses: HaloStatus[]) => statuses.map((s) => `${s.name ?? '?'} (${s.id})`).join(', ');

/** The tenant's closed status chosen by name (see pickClosedStatus). */
export async function autoClosedStatus(client: HaloClient): Promise<HaloStatus> {
	const statuses = await cachedStatuses(client);
	const status = pickClosedStatus(statuses);
	if (!status) {
		throw new StatusResolutionError(
			`No closed status found by name among ${describe(statuses)}: choose the closed status explicitly`,
		);
	}
	return status;
}

/** The status a reopened ticket moves to, chosen by name (see pickReopenStatus). */
export async function autoReopenStatus(client: HaloClient): Promise<HaloStatus> {
	const statuses = await cachedStatuses(client);
	const status = pickReopenStatus(statuses);
	if (!status) {
		throw new StatusResolutionError(`No open status found by name among ${describe(statuses)}: choose the status explicitly`);
	}
	return status;
}

/**
 * The outcome of the integration's notes, chosen from the tenant (see pickNoteOutcome: "Private Note", "Internal
 * Note", "Note", … else the first outcome that does not change the status); a clear error when there is none.
 */
export async function autoNoteOutcome(client: HaloClient): Promise<HaloOutcome> {
	const outcomes = await cachedOutcomes(client);
	const outcome = pickNoteOutcome(outcomes);
	if (!outcome) {
		const names = outcomes.map((o) => `${o.outcome ?? o.buttonname ?? '?'} (${o.id})`).join(', ') || 'none';
		throw new StatusResolutionError(
			`No note outcome found in Halo (looked for ${USUAL_NOTE_OUTCOMES.map((n) => `"${n}"`).join(', ')}, then any outcome that does not change the status; found: ${names}): choose the outcome explicitly`,
		);
	}
	return outcome;
}

/** Forgets the cached lookups (tests, or after changing statuses in Halo). */
export function clearHaloLookupCaches(): void {
	statusCache.clear();
	agentCache.clear();
	outcomeCache.clear();
}
