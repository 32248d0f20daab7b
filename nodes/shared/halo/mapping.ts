/**
 * Zero-configuration mapping of the Halo service layer: where a Datto RMM alert lands in Halo (client, site, asset,
 * optionally end user), using what Halo's own Datto RMM integration stored in `datto_id` (halopsa-api.md §10).
 *
 * Halo has no server-side `datto_id` filter, so clients and sites are listed (paged) into a per-credential index kept
 * in this process for a TTL (default 60 min) and shared by every node and execution using the credential. Refreshes
 * are single-flight and go through the credential's HaloClient, so they draw from its request budget (the same
 * budget as every other call; shared across queue-mode workers when the Redis budget is on, while the index itself
 * is per process). Once an index exists a caller never waits for a refresh: a stale index is served and refreshed in
 * the background. The assets (and, when asked, end users) of a client are cached the same way, per client.
 * In steady state, resolving a target costs no Halo call.
 */
import {
	buildMappingIndex,
	resolveHaloAsset,
	resolveHaloClient,
	resolveHaloUser,
	type AssetMatch,
	type ClientMatch,
	type MappingDeviceInput,
	type MappingIndex,
	type MappingSiteInput,
	type TableMatch,
	type UserMatch,
} from '../domain/haloMapping';
import type { HaloAsset, HaloClient, HaloTicket, HaloUser, WriteOptions } from '../transport/halo';
import type { ApiRequestError } from '../transport/http';

/** Default lifetime of the client/site index and the per-client asset and user lists. */
export const MAPPING_INDEX_TTL_MS = 60 * 60_000;

/** The TTL from `HALO_MAPPING_TTL_MINUTES` (process-wide default), else 60 minutes. */
export function defaultMappingTtlMs(env: NodeJS.ProcessEnv = process.env): number {
	const minutes = Number(env.HALO_MAPPING_TTL_MINUTES);
	return Number.isFinite(minutes) && minutes > 0 ? Math.round(minutes * 60_000) : MAPPING_INDEX_TTL_MS;
}

export interface CacheStats {
	/** Completed loads (first load and refreshes). */
	loads: number;
	/** Loads that failed. */
	failures: number;
	/** Background refreshes started while a stale value was served. */
	backgroundRefreshes: number;
	/** Calls that were answered from the cache. */
	hits: number;
	lastError: string | null;
}

interface Slot<T> {
	value?: T;
	at: number;
	loading?: Promise<T>;
	stats: CacheStats;
}

const newStats = (): CacheStats => ({ loads: 0, failures: 0, backgroundRefreshes: 0, hits: 0, lastError: null });

/** A keyed cache with TTL, single-flight loads and serve-stale + background refresh. */
class StaleWhileRefreshCache<T> {
	private readonly slots = new Map<string, Slot<T>>();

	private slot(key: string): Slot<T> {
		let slot = this.slots.get(key);
		if (!slot) {
			slot = { at: 0, stats: newStats() };
			this.slots.set(key, slot);
		}
		return slot;
	}

	private load(slot: Slot<T>, loader: () => Promise<T>): Promise<T> {
		slot.loading ??= (async () => {
			try {
				const value = await loader();
				slot.value = value;
				slot.at = Date.now();
				slot.stats.loads++;
				slot.stats.lastError = null;
				return value;
			} catch (error) {
				slot.stats.failures++;
				slot.stats.lastError = (error as Error).message;
				throw error;
			} finally {
				slot.loading = undefined;
			}
		})();
		return slot.loading;
	}

	async get(key: string, ttlMs: number, loader: () => Promise<T>, options: { refresh?: boolean } = {}): Promise<T> {
		const slot = this.slot(key);
		if (slot.value !== undefined && !options.refresh) {
			slot.stats.hits++;
			if (Date.now() - slot.at >= ttlMs && !slot.loading) {
				slot.stats.backgroundRefreshes++;
				// Serve stale; a failed background refresh keeps the old value (and is retried on the next call).
				this.load(slot, loader).catch(() => undefined);
			}
			return slot.value;
		}
		return await this.load(slot, loader);
	}

	invalidate(key: string): void {
		const slot = this.slots.get(key);
		if (slot) slot.at = 0;
	}

	stats(key: string): CacheStats & { ageMs: number | null } {
		const slot = this.slots.get(key);
		if (!slot) return { ...newStats(), ageMs: null };
		return { ...slot.stats, ageMs: slot.value === undefined ? null : Date.now() - slot.at };
	}

	/** Waits for running loads (tests, benchmarks). */
	async settle(): Promise<void> {
		await Promise.all([...this.slots.values()].map(async (s) => await s.loading?.catch(() => undefined)));
	}

	clear(): void {
		this.slots.clear();
	}
}

const indexCache = new StaleWhileRefreshCache<MappingIndex>();
const assetCache = new StaleWhileRefreshCache<HaloAsset[]>();
const userCache = new StaleWhileRefreshCache<HaloUser[]>();

export interface MappingCacheOptions {
	/** Lifetime before a background refresh (default: defaultMappingTtlMs()). */
	ttlMs?: number;
	/** Reload now and wait for it (e.g. a "refresh" button, a setup check). */
	refresh?: boolean;
}

const ttl = (options: MappingCacheOptions): number => (options.ttlMs && options.ttlMs > 0 ? options.ttlMs : defaultMappingTtlMs());

/** The client/site index of a credential (GET /Client and /Site, paged, inactive ones included). */
export async function mappingIndex(client: HaloClient, options: MappingCacheOptions = {}): Promise<MappingIndex> {
	return await indexCache.get(
		client.key,
		ttl(options),
		async () => {
			const [clients, sites] = await Promise.all([
				client.listClients({ includeInactive: true }, { returnAll: true }),
				client.listSites({ includeInactive: true }, { returnAll: true }),
			]);
			return buildMappingIndex(clients, sites);
		},
		options,
	);
}

/** The assets of one Halo client (GET /Asset?client_id=, paged), cached like the index. */
export async function clientAssets(client: HaloClient, clientId: number, options: MappingCacheOptions = {}): Promise<HaloAsset[]> {
	return await assetCache.get(`${client.key}:${clientId}`, ttl(options), async () => await client.listAssets({ clientId }, { returnAll: true }), options);
}

/** The end users of one Halo client (GET /Users?client_id=, paged), cached like the index. */
export async function clientUsers(client: HaloClient, clientId: number, options: MappingCacheOptions = {}): Promise<HaloUser[]> {
	return await userCache.get(`${client.key}:${clientId}`, ttl(options), async () => await client.listUsers({ clientId }, { returnAll: true }), options);
}

/** Forgets a client's cached assets (e.g. after Halo refused an asset id that has since been deleted). */
export function invalidateClientAssets(client: HaloClient, clientId: number): void {
	assetCache.invalidate(`${client.key}:${clientId}`);
}

/** Cache statistics of a credential's index (health checks, benchmarks). */
export function mappingIndexStats(client: HaloClient): CacheStats & { ageMs: number | null } {
	return indexCache.stats(client.key);
}

/** Waits for background refreshes (tests, benchmarks). */
export async function settleMappingRefreshes(): Promise<void> {
	await Promise.all([indexCache.settle(), assetCache.settle(), userCache.settle()]);
}

/** Forgets every cached index, asset and user list (tests). */
export function clearMappingCaches(): void {
	indexCache.clear();
	assetCache.clear();
	userCache.clear();
}

export interface HaloTargetRequest {
	site: MappingSiteInput;
	device?: MappingDeviceInput | null;
	/** A Mapping Store row found for the site (rule 1, an override). */
	table?: TableMatch | null;
	/** Catch-all client (rule 5). */
	catchAllClientId?: number | null;
	/** Look for the device's asset (default true). */
	asset?: boolean;
	/** Look for the end user from the device's last logged-in user (default false). */
	endUser?: boolean;
}

export interface HaloTarget {
	client: ClientMatch;
	/** null when not asked for. */
	asset: AssetMatch | null;
	/** null when not asked for. */
	user: UserMatch | null;
}

/**
 * Where an alert of this Datto site / device lands in Halo: client and site (rules in domain/haloMapping.ts), the
 * device's asset within that client, and optionally the end user. Used by the HaloPSA node (Create From Alert,
 * Client → Find for Datto Site, Asset → Find for Datto Device), the Sync Policy's writer and the setup check.
 */
export async function resolveHaloTarget(client: HaloClient, request: HaloTargetRequest, options: MappingCacheOptions = {}): Promise<HaloTarget> {
	const index = await mappingIndex(client, options);
	const match = resolveHaloClient(index, { site: request.site, table: request.table, catchAllClientId: request.catchAllClientId });
	const clientId = match.clientId;
	let asset: AssetMatch | null = null;
	if (request.asset !== false) {
		asset =
			clientId === null
				? resolveHaloAsset([], null, request.device)
				: !request.device || (!request.device.uid && !request.device.hostname)
					? resolveHaloAsset([], clientId, request.device)
					: resolveHaloAsset(await clientAssets(client, clientId, options), clientId, request.device);
	}
	let user: UserMatch | null = null;
	if (request.endUser === true) {
		user =
			clientId === null || !request.device?.lastLoggedInUser
				? resolveHaloUser([], clientId, request.device?.lastLoggedInUser)
				: resolveHaloUser(await clientUsers(client, clientId, options), clientId, request.device.lastLoggedInUser);
	}
	return { client: match, asset, user };
}

/** The ticket fields a target contributes: client, site, `assets: [{ id }]`, and the end user (with its site). */
export function targetTicketFields(target: HaloTarget): Record<string, unknown> {
	const fields: Record<string, unknown> = {};
	if (target.client.clientId !== null) fields.client_id = target.client.clientId;
	if (target.client.siteId !== null) fields.site_id = target.client.siteId;
	if (target.asset?.assetId) fields.assets = [{ id: target.asset.assetId }];
	if (target.user?.userId) {
		fields.user_id = target.user.userId;
		// Halo requires the site whenever a specific user is set (halopsa-api.md §8.4).
		if (fields.site_id === undefined && target.user.siteId) fields.site_id = target.user.siteId;
	}
	return fields;
}

/** The target as it appears in node output and the decision log. */
export function targetSummary(target: HaloTarget): Record<string, unknown> {
	const c = target.client;
	return {
		client: { id: c.clientId, name: c.clientName, siteId: c.siteId, siteName: c.siteName, matchedBy: c.matchedBy, reason: c.reason, notes: c.notes },
		asset: target.asset
			? { id: target.asset.assetId, name: target.asset.assetName, matchedBy: target.asset.matchedBy, reason: target.asset.reason }
			: null,
		...(target.user ? { user: { id: target.user.userId, name: target.user.userName, matchedBy: target.user.matchedBy, reason: target.user.reason } } : {}),
	};
}

/** A transport ApiRequestError with HTTP 400 (checked by shape: the policy runtime must not load the HTTP layer). */
function isHaloBadRequest(error: unknown): error is ApiRequestError {
	return error instanceof Error && error.name === 'ApiRequestError' && (error as ApiRequestError).status === 400;
}

/**
 * POST /Tickets for a resolved target. If Halo refuses the asset (400 naming the asset: it was deleted or moved
 * since the asset list was cached), the client's asset list is refreshed next time and the ticket is created without
 * the asset (the target's asset then says why): the alert is never lost over a stale asset link.
 */
export async function createTicketForTarget(
	client: HaloClient,
	fields: Record<string, unknown>,
	target: HaloTarget,
	options: WriteOptions<HaloTicket> = {},
): Promise<HaloTicket> {
	try {
		return await client.createTicket(fields, options);
	} catch (error) {
		const assets = fields.assets;
		if (!isHaloBadRequest(error) || error.status !== 400 || !Array.isArray(assets) || !assets.length || !/asset/i.test(error.message)) {
			throw error;
		}
		if (target.client.clientId !== null) invalidateClientAssets(client, target.client.clientId);
		const { assets: _dropped, ...rest } = fields;
		if (target.asset) {
			target.asset = {
				matchedBy: 'none',
				assetId: null,
				assetName: null,
				reason: `Halo refused asset ${target.asset.assetId ?? '?'} (${error.apiMessage ?? error.message}); ticket created without it`,
			};
		}
		return await client.createTicket(rest, options);
	}
}
