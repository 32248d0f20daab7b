/** Shared setup for the Halo tests: an in-process simulator on port 0, clients with ms-scale waits, a webhook receiver. */
import { HaloClient, HaloClientOptions, HaloConnectionConfig } from '../../nodes/shared/transport/halo';
import { RollingWindowLimiter } from '../../nodes/shared/transport/http';
import { HaloSimulator, HaloSimulatorOptions } from '../../simulators/halo';

export const CLIENT_ID = 'n8n-test-client';
export const SECRET = 'Halo-Cl1ent-Secret-0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c';

export const FAST: NonNullable<HaloClientOptions['tuning']> = {
	retry: { maxAttempts: 6, baseDelayMs: 5, maxDelayMs: 50, maxTotalWaitMs: 3_000 },
	rateLimitBaseDelayMs: 10,
	timeoutMs: 3_000,
};

export async function startSim(options: HaloSimulatorOptions = {}): Promise<HaloSimulator> {
	const sim = new HaloSimulator({ clientId: CLIENT_ID, clientSecret: SECRET, rateLimit: false, ...options });
	await sim.listen(0);
	return sim;
}

export function configFor(sim: HaloSimulator, overrides: Partial<HaloConnectionConfig> = {}): HaloConnectionConfig {
	return {
		hosting: 'cloud',
		instanceUrl: sim.baseUrl,
		authUrl: `${sim.baseUrl}${sim.authPath}`,
		tenant: sim.tenant,
		clientId: CLIENT_ID,
		clientSecret: SECRET,
		...overrides,
	};
}

/**
 * A client with fast tuning and, unless `sharedBudget` is set, its own generous budget (so tests never share the
 * process-wide budget of a credential).
 */
export function clientFor(
	sim: HaloSimulator,
	overrides: Partial<HaloConnectionConfig> = {},
	options: HaloClientOptions & { sharedBudget?: boolean } = {},
): HaloClient {
	const { sharedBudget, ...rest } = options;
	return new HaloClient(configFor(sim, overrides), {
		...rest,
		budget: rest.budget ?? (sharedBudget ? undefined : new RollingWindowLimiter(10_000, 1_000)),
		tuning: { ...FAST, ...(rest.tuning ?? {}), retry: { ...FAST.retry, ...(rest.tuning?.retry ?? {}) } },
	});
}

export { sleep } from '../../harness/wait';
export { startReceiver } from '../../harness/receiver';

/** Raw call against the simulator with a fresh token (for simulator-level tests). */
export async function rawToken(sim: HaloSimulator, secret = SECRET, tenant = sim.tenant): Promise<Response> {
	return await fetch(`${sim.baseUrl}${sim.authPath}/token?tenant=${encodeURIComponent(tenant)}`, {
		method: 'POST',
		headers: { 'content-type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: secret, scope: 'all' }).toString(),
	});
}

export async function bearer(sim: HaloSimulator): Promise<string> {
	const res = await rawToken(sim);
	if (res.status !== 200) throw new Error(`token failed: ${res.status}`);
	return ((await res.json()) as { access_token: string }).access_token;
}

export async function api(
	sim: HaloSimulator,
	token: string | undefined,
	method: string,
	path: string,
	body?: unknown,
): Promise<{ status: number; text: string; json: unknown; headers: Headers }> {
	const res = await fetch(`${sim.baseUrl}${path}`, {
		method,
		headers: {
			...(token ? { authorization: `Bearer ${token}` } : {}),
			...(body === undefined ? {} : { 'content-type': 'application/json' }),
		},
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const text = await res.text();
	let json: unknown;
	try {
		json = JSON.parse(text);
	} catch {
		json = undefined;
	}
	return { status: res.status, text, json, headers: res.headers };
}
