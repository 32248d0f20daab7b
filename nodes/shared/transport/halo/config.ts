/**
 * HaloPSA connection settings: what the `haloPsaApi` credential holds, normalised into the URLs the client uses.
 * Shared by HaloClient and the credential's preAuthentication (no n8n or HTTP imports here).
 *
 * - Hosted ("cloud"): token endpoint `{authUrl}/token?tenant={tenant}`; on-premise: `{authUrl}/token`.
 * - Authorisation server URL: when empty, discovered with `GET {instance}/api/authinfo` (`auth_url`), falling back
 *   to `{instance}/auth` (docs/api/halopsa.md#1-instance-urls-and-discovery).
 * - Resource server URL: default `{instance}/api`.
 */

export type HaloHosting = 'cloud' | 'onPremise';

export interface HaloConnectionConfig {
	hosting?: HaloHosting;
	/** e.g. https://yourco.halopsa.com (a trailing /api is tolerated). */
	instanceUrl?: string;
	/** Authorisation server, e.g. https://yourco.halopsa.com/auth; empty = discover. */
	authUrl?: string;
	/** Resource server, e.g. https://yourco.halopsa.com/api; empty = `{instanceUrl}/api`. */
	resourceUrl?: string;
	/** Tenant name for `?tenant=` (hosted only); empty = taken from /api/authinfo when discovering. */
	tenant?: string;
	clientId: string;
	clientSecret: string;
	/** Space-separated scopes; default `all`. */
	scope?: string;
	/** Request budget: requests per window (default 300) and window length in seconds (default 300). */
	requestsPerWindow?: number;
	windowSeconds?: number;
}

export interface ResolvedHaloConfig {
	hosting: HaloHosting;
	instanceUrl: string;
	/** Undefined when it has to be discovered. */
	authUrl?: string;
	resourceUrl: string;
	tenant?: string;
	clientId: string;
	clientSecret: string;
	scope: string;
	requestsPerWindow: number;
	windowMs: number;
}

export const HALO_DEFAULT_BUDGET = { limit: 300, windowMs: 300_000 };

function cleanUrl(value: unknown, what: string): string | undefined {
	if (value === undefined || value === null) return undefined;
	const url = String(value).trim();
	if (!url) return undefined;
	if (!/^https?:\/\/[^/]/i.test(url)) {
		throw new Error(`The HaloPSA ${what} "${url}" is not a valid URL (it must start with https:// or http://)`);
	}
	try {
		// Validates the URL; keeps the user's spelling otherwise.
		new URL(url);
	} catch {
		throw new Error(`The HaloPSA ${what} "${url}" is not a valid URL`);
	}
	return url.replace(/\/+$/, '');
}

function positive(value: unknown, fallback: number): number {
	const n = Number(value);
	return Number.isFinite(n) && n > 0 ? n : fallback;
}

/** Validates and normalises connection settings; throws an Error naming the problem (never the secret). */
export function resolveHaloConfig(config: HaloConnectionConfig): ResolvedHaloConfig {
	const resourceUrl = cleanUrl(config.resourceUrl, 'resource server URL');
	let instanceUrl = cleanUrl(config.instanceUrl, 'instance URL');
	if (instanceUrl) instanceUrl = instanceUrl.replace(/\/api$/i, '');
	if (!instanceUrl && resourceUrl) instanceUrl = resourceUrl.replace(/\/api$/i, '');
	if (!instanceUrl) throw new Error('The HaloPSA credential needs an instance URL (e.g. https://yourco.halopsa.com)');
	const authUrl = cleanUrl(config.authUrl, 'authorisation server URL')?.replace(/\/token$/i, '');
	const clientId = String(config.clientId ?? '').trim();
	const clientSecret = String(config.clientSecret ?? '').trim();
	if (!clientId) throw new Error('The HaloPSA credential needs a client ID');
	if (!clientSecret) throw new Error('The HaloPSA credential needs a client secret');
	const tenant = String(config.tenant ?? '').trim() || undefined;
	return {
		hosting: config.hosting === 'onPremise' ? 'onPremise' : 'cloud',
		instanceUrl,
		authUrl,
		resourceUrl: resourceUrl ?? `${instanceUrl}/api`,
		tenant,
		clientId,
		clientSecret,
		scope: String(config.scope ?? '').trim() || 'all',
		requestsPerWindow: Math.floor(positive(config.requestsPerWindow, HALO_DEFAULT_BUDGET.limit)),
		windowMs: Math.round(positive(config.windowSeconds, HALO_DEFAULT_BUDGET.windowMs / 1000) * 1000),
	};
}

/** `{authUrl}/token?tenant=` for hosted Halo, `{authUrl}/token` on-premise (or when no tenant is known). */
export function haloTokenUrl(authUrl: string, hosting: HaloHosting, tenant?: string): string {
	const base = `${authUrl.replace(/\/+$/, '').replace(/\/token$/i, '')}/token`;
	return hosting === 'cloud' && tenant ? `${base}?tenant=${encodeURIComponent(tenant)}` : base;
}

/** The fallback authorisation server when discovery fails. */
export function defaultHaloAuthUrl(instanceUrl: string): string {
	return `${instanceUrl.replace(/\/+$/, '')}/auth`;
}

/** Reads the `haloPsaApi` credential's fields (n8n's decrypted credential object). */
export function haloConfigFromCredentials(credentials: Record<string, unknown>): HaloConnectionConfig {
	const str = (key: string): string | undefined => (credentials[key] === undefined || credentials[key] === null ? undefined : String(credentials[key]));
	return {
		hosting: credentials.hosting === 'onPremise' ? 'onPremise' : 'cloud',
		instanceUrl: str('instanceUrl'),
		authUrl: str('authUrl'),
		resourceUrl: str('resourceUrl'),
		tenant: str('tenant'),
		clientId: str('clientId') ?? '',
		clientSecret: str('clientSecret') ?? '',
		scope: str('scope'),
		requestsPerWindow: credentials.requestsPerWindow === undefined ? undefined : Number(credentials.requestsPerWindow),
		windowSeconds: credentials.windowSeconds === undefined ? undefined : Number(credentials.windowSeconds),
	};
}

/**
 * Parses Halo's 429 text, e.g. "Rate Limit Reached - 300 Requests per rolling 5 minute window" (also accepts
 * seconds and hours). Returns the stated budget or undefined.
 */
export function parseHaloRateLimit(message: unknown): { limit: number; windowMs: number } | undefined {
	if (typeof message !== 'string') return undefined;
	const m = /(\d+)\s+requests?\s+per\s+(?:rolling\s+)?(\d+(?:\.\d+)?)\s*(second|sec|s|minute|min|m|hour|hr|h)s?\b/i.exec(message);
	if (!m) return undefined;
	const limit = Number(m[1]);
	const amount = Number(m[2]);
	const unit = m[3].toLowerCase();
	const factor = unit.startsWith('h') ? 3_600_000 : unit.startsWith('m') ? 60_000 : 1000;
	const windowMs = Math.round(amount * factor);
	return limit > 0 && windowMs > 0 ? { limit, windowMs } : undefined;
}
