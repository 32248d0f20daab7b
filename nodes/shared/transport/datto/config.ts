/**
 * Datto RMM API locations. Shared by the credential (test request, preAuthentication) and the DattoClient.
 * No n8n or axios imports here: the credential file loads this module.
 */
export const DATTO_PLATFORMS = ['pinotage', 'merlot', 'concord', 'vidal', 'zinfandel', 'syrah'] as const;
export type DattoPlatform = (typeof DATTO_PLATFORMS)[number];

/** base64("public-client:public"): Datto's fixed public OAuth client for the password grant. */
export const DATTO_PUBLIC_CLIENT_AUTHORIZATION = `Basic ${Buffer.from('public-client:public').toString('base64')}`;

export const DATTO_GRANT_PATH = '/auth/oauth/token';

export interface DattoLocation {
	/** One of DATTO_PLATFORMS or "custom". */
	platform?: string;
	/** Used when platform is "custom" (or empty): e.g. https://merlot-api.centrastage.net or a simulator URL. */
	customUrl?: string;
}

/**
 * Normalises a user-entered API URL to the API origin + optional path prefix, without a trailing slash and without
 * a trailing "/api" or "/api/v2" (users often paste the REST base; the token endpoint lives outside /api).
 */
export function normaliseDattoApiUrl(url: string): string {
	let out = url.trim().replace(/\/+$/, '');
	out = out.replace(/\/api(\/v2)?$/i, '');
	if (!/^https?:\/\//i.test(out)) throw new Error(`The Datto RMM API URL must start with https:// or http:// (got "${url}")`);
	return out.replace(/\/+$/, '');
}

/** `https://<platform>-api.centrastage.net` for a known platform, else the normalised custom URL. */
export function dattoApiBaseUrl(location: DattoLocation): string {
	const platform = (location.platform ?? '').trim().toLowerCase();
	if (platform && platform !== 'custom') {
		if (!(DATTO_PLATFORMS as readonly string[]).includes(platform)) throw new Error(`Unknown Datto RMM platform "${platform}"`);
		return `https://${platform}-api.centrastage.net`;
	}
	if (!location.customUrl) throw new Error('A custom Datto RMM API URL is required when the platform is "custom"');
	return normaliseDattoApiUrl(location.customUrl);
}

/** The platform name for a base URL (e.g. "merlot" for https://merlot-api.centrastage.net), else undefined. */
export function dattoPlatformOf(baseUrl: string): DattoPlatform | undefined {
	const match = /^https?:\/\/([a-z]+)-api\.centrastage\.net/i.exec(baseUrl);
	const name = match?.[1]?.toLowerCase();
	return (DATTO_PLATFORMS as readonly string[]).includes(name ?? '') ? (name as DattoPlatform) : undefined;
}
