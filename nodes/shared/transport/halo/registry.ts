/**
 * Process-wide HaloClient cache: one client (token cache, budget, discovery result) per credential, shared by every
 * node, execution and loadOptions call in the process. Keyed by haloClientKey (no plain secret).
 * Options (tuning, budget) only apply when the client is first created.
 */
import { HaloConnectionConfig, resolveHaloConfig } from './config';
import { HaloClient, HaloClientOptions } from './client';
import { haloClientKey } from './key';

const clients = new Map<string, HaloClient>();

export function getHaloClient(config: HaloConnectionConfig, options?: HaloClientOptions): HaloClient {
	const resolved = resolveHaloConfig(config);
	const key = haloClientKey(resolved);
	let client = clients.get(key);
	if (!client) {
		client = new HaloClient(config, options);
		clients.set(key, client);
	} else {
		client.configureBudget(resolved.requestsPerWindow, resolved.windowMs);
	}
	return client;
}

/** Forgets all cached clients (tests). Budgets live in the shared budget registry and are not reset. */
export function clearHaloClients(): void {
	clients.clear();
}

export function cachedHaloClientCount(): number {
	return clients.size;
}
