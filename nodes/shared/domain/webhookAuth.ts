/**
 * Webhook authentication for the two triggers. Neither Datto nor Halo signs payloads, so a shared secret travels
 * in the URL, a header, Basic auth or a Bearer token. Every comparison runs in constant time.
 */
import { createHash, timingSafeEqual } from 'crypto';

/** Constant-time string comparison (hashing first makes lengths equal, so length is not leaked either). */
export function safeEqual(actual: string | undefined | null, expected: string | undefined | null): boolean {
	if (typeof actual !== 'string' || typeof expected !== 'string' || expected.length === 0) return false;
	const a = createHash('sha256').update(actual, 'utf8').digest();
	const b = createHash('sha256').update(expected, 'utf8').digest();
	return timingSafeEqual(a, b) && actual.length === expected.length;
}

type Headers = Record<string, string | string[] | undefined>;
type Query = Record<string, unknown>;

function header(headers: Headers, name: string): string | undefined {
	const value = headers[name.toLowerCase()] ?? Object.entries(headers).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
	return Array.isArray(value) ? value[0] : value;
}

/** Shortest Datto webhook secret accepted (credential test and every delivery). */
export const MIN_DATTO_SECRET_LENGTH = 16;

/** Where the Datto RMM Trigger accepts the secret. */
export type DattoSecretLocation = 'queryOrHeader' | 'headerOnly';

export interface DattoWebhookSecretSettings {
	secret: string;
	/** During a rotation: the secret being replaced, accepted as well until it is removed from the credential. */
	previousSecret?: string;
	queryParameter: string;
	headerName: string;
	/** 'headerOnly' (behind a proxy that adds the header): a secret in the URL is refused, even a right one. */
	location?: DattoSecretLocation;
}

/** Why a configured secret (or previous secret) is not acceptable, or undefined when it is. */
export function dattoSecretProblem(secret: string, name = 'Webhook Secret'): string | undefined {
	if (secret === '') return `The ${name} is empty`;
	if (secret.length < MIN_DATTO_SECRET_LENGTH) {
		return `The ${name} has ${secret.length} characters; at least ${MIN_DATTO_SECRET_LENGTH} are required (use a long random value)`;
	}
	return undefined;
}

export type AuthResult = { ok: true } | { ok: false; reason: string };

/** Datto: the secret in the query string (what Datto can do) or in a header (where a proxy adds one). */
export function checkDattoWebhookSecret(headers: Headers, query: Query, settings: DattoWebhookSecretSettings): AuthResult {
	const rawQuery = query[settings.queryParameter];
	const fromQuery = Array.isArray(rawQuery) ? rawQuery[0] : rawQuery;
	const fromHeader = settings.headerName ? header(headers, settings.headerName) : undefined;
	const headerOnly = settings.location === 'headerOnly';
	if (headerOnly && fromQuery !== undefined) {
		return {
			ok: false,
			reason: `The webhook secret is not accepted in the URL (query parameter "${settings.queryParameter}"): this trigger takes it only in the header "${settings.headerName}"`,
		};
	}
	const candidates = (headerOnly ? [fromHeader] : [fromQuery, fromHeader]).filter((v): v is string => typeof v === 'string');
	if (candidates.length === 0) {
		return {
			ok: false,
			reason: headerOnly
				? `Missing webhook secret (header "${settings.headerName}")`
				: `Missing webhook secret (query parameter "${settings.queryParameter}" or header "${settings.headerName}")`,
		};
	}
	const accepted = [settings.secret, settings.previousSecret].filter((v): v is string => typeof v === 'string' && v !== '');
	// Compare every candidate with every accepted secret so timing does not reveal which one was present or matched.
	const matches = candidates.flatMap((c) => accepted.map((secret) => safeEqual(c, secret)));
	return matches.some(Boolean) ? { ok: true } : { ok: false, reason: 'Wrong webhook secret' };
}

export type HaloWebhookAuthMethod = 'basic' | 'bearer' | 'header';

export interface HaloWebhookAuthSettings {
	method: HaloWebhookAuthMethod;
	username?: string;
	password?: string;
	token?: string;
	headerName?: string;
	headerValue?: string;
}

/** Halo outbound webhooks: Basic auth or a Bearer token (set on the webhook), or a shared header. */
export function checkHaloWebhookAuth(headers: Headers, settings: HaloWebhookAuthSettings): AuthResult {
	if (settings.method === 'header') {
		const name = settings.headerName || 'x-halo-webhook-secret';
		const value = header(headers, name);
		if (value === undefined) return { ok: false, reason: `Missing header "${name}"` };
		return safeEqual(value, settings.headerValue) ? { ok: true } : { ok: false, reason: `Wrong value in header "${name}"` };
	}
	const authorization = header(headers, 'authorization');
	if (!authorization) return { ok: false, reason: 'Missing Authorization header' };
	const [scheme, ...rest] = authorization.trim().split(/\s+/);
	const credentials = rest.join(' ');
	if (settings.method === 'bearer') {
		if (scheme.toLowerCase() !== 'bearer') return { ok: false, reason: 'Expected a Bearer token' };
		return safeEqual(credentials, settings.token) ? { ok: true } : { ok: false, reason: 'Wrong Bearer token' };
	}
	if (scheme.toLowerCase() !== 'basic') return { ok: false, reason: 'Expected Basic authentication' };
	let decoded = '';
	try {
		decoded = Buffer.from(credentials, 'base64').toString('utf8');
	} catch {
		return { ok: false, reason: 'Malformed Basic credentials' };
	}
	const colon = decoded.indexOf(':');
	if (colon < 0) return { ok: false, reason: 'Malformed Basic credentials' };
	const userOk = safeEqual(decoded.slice(0, colon), settings.username);
	const passOk = safeEqual(decoded.slice(colon + 1), settings.password);
	return userOk && passOk ? { ok: true } : { ok: false, reason: 'Wrong username or password' };
}
