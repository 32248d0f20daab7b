/**
 * Per-client caches of tenant lookups the hot path needs: the status list (closed / reopen status by name; ~10 min)
 * and the API agent's id (`GET /Agent/me`, for echo suppression; 1 h). Keyed by the client's registry key, so every
 * node and execution using one credential in this process shares them. Failed lookups are not cached.
 */
import type { HaloClient, HaloStatus } from '../transport/halo';
import { pickClosedStatus, pickReopenStatus } from '../domain/haloStatus';

export const STATUS_CACHE_TTL_MS = 10 * 60_000;
export const AGENT_CACHE_TTL_MS = 60 * 60_000;

interface Entry<T> {
	at: number;
	value: Promise<T>;
}

const statusCache = new Map<string, Entry<HaloStatus[]>>();
const agentCache = new Map<string, Entry<number>>();

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

/** Forgets the cached lookups (tests, or after changing statuses in Halo). */
export function clearHaloLookupCaches(): void {
	statusCache.clear();
	agentCache.clear();
}
