/**
 * Webhook credential cache shared by both triggers (Datto RMM Trigger, HaloPSA Trigger).
 *
 * Reading a credential in the webhook phase is the most expensive thing a trigger does in n8n 2.x: `getCredentials`
 * decrypts the credential (with a database read) and n8n's `applyDefaultsAndOverwrites` builds a mock workflow that
 * needs an expression isolate of its own (issue 19: about a third of the Datto trigger's CPU per request). The secret
 * changes rarely, so the triggers keep the decrypted data in this process for a short time:
 *
 * - one entry per credential type and credential id, kept for `ttlMs` (default 60 s), then read again;
 * - a request the cached data does not accept (wrong or rotated secret) is checked again against a fresh read at
 *   once, so a rotated secret works from its first request; the fresh read replaces the cached entry;
 * - a node without a credential id (not saved yet) reads the credential every time.
 *
 * Trade-off, documented in docs/performance.md: after a rotation the OLD secret is still accepted for at most `ttlMs`
 * (until the entry expires or a request with the new secret replaces it). A request with a wrong secret costs one
 * credential read, as it did without the cache.
 *
 * The cache lives in module scope: n8n loads a node's code once per process, so all executions of all workflows in one
 * process share it. The data never leaves the process and is never logged.
 */
import type { ICredentialDataDecryptedObject, IWebhookFunctions } from 'n8n-workflow';

export const DEFAULT_CREDENTIAL_TTL_MS = 60_000;
/** More distinct credentials than this in one process: the oldest entry goes (a bound, not a tuning knob). */
const MAX_ENTRIES = 200;

interface Entry {
	data: ICredentialDataDecryptedObject;
	expiresAt: number;
}

const entries = new Map<string, Entry>();

export interface CachedCheckOptions {
	ttlMs?: number;
	/** Milliseconds since the epoch (tests). */
	now?: () => number;
}

export interface CachedCheck<R> {
	result: R;
	data: ICredentialDataDecryptedObject;
	/** True when the cached data decided (no credential read for this request). */
	fromCache: boolean;
}

/**
 * Checks a webhook request against the node's credential of `credentialType`, from the cache when the cached data
 * accepts it, otherwise against a fresh read (which then replaces the cached entry).
 *
 * @param check what the trigger does with the credential data (e.g. compare the secret); must be pure and cheap
 * @param accepted whether a result lets the request through (a rejected result triggers the fresh read)
 */
export async function checkWithCachedCredential<R>(
	context: IWebhookFunctions,
	credentialType: string,
	check: (data: ICredentialDataDecryptedObject) => R,
	accepted: (result: R) => boolean,
	options: CachedCheckOptions = {},
): Promise<CachedCheck<R>> {
	const now = options.now ?? Date.now;
	const ttlMs = options.ttlMs ?? DEFAULT_CREDENTIAL_TTL_MS;
	const id = context.getNode().credentials?.[credentialType]?.id;
	const key = id ? `${credentialType}\u0000${id}` : undefined;
	const cached = key === undefined ? undefined : entries.get(key);
	if (cached !== undefined && cached.expiresAt > now()) {
		const result = check(cached.data);
		if (accepted(result)) return { result, data: cached.data, fromCache: true };
	}
	const data = await context.getCredentials<ICredentialDataDecryptedObject>(credentialType);
	if (key !== undefined && ttlMs > 0) {
		entries.delete(key); // re-insert: Map order is then oldest first
		entries.set(key, { data, expiresAt: now() + ttlMs });
		if (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value as string);
	}
	return { result: check(data), data, fromCache: false };
}

/** Forgets every cached credential (tests; a process restart does the same). */
export function clearWebhookCredentialCache(): void {
	entries.clear();
}
