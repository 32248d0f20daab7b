/**
 * The request pipeline shared by the Halo and Datto clients: request budget → bearer token → HTTP call →
 * 401 refresh (once) → backoff and retry on 429, 5xx and network errors → ApiRequestError with the API's message.
 * Subclasses supply the API specifics (token grant, budgets per request, error message shape, 403 policy).
 */
import axios, { AxiosInstance, AxiosResponse } from 'axios';
import { ApiName, ApiRequestError } from './errors';
import { redactSecrets } from './redact';
import { backoffDelayMs, parseRetryAfterMs, RetryPolicy, sleep } from './retry';
import type { RequestBudget } from './rateLimiter';
import type { TokenCache } from './tokenCache';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';
export type QueryValue = string | number | boolean | undefined | null;

export interface ApiRequest {
	method: HttpMethod;
	/** Path relative to the client's base URL (e.g. "/Tickets/12"), or an absolute URL already vetted by the client. */
	path: string;
	query?: Record<string, QueryValue>;
	body?: unknown;
	/**
	 * Whether repeating the request is harmless. Defaults to true for GET/PUT/DELETE and false for POST.
	 * A non-idempotent request is only repeated after an ambiguous failure (500, 504, timeout, connection reset)
	 * when `recover` finds nothing or `retryAmbiguous` is set; 429, 502, 503 and refused connections are always safe.
	 */
	idempotent?: boolean;
	/** Called after an ambiguous failure of a non-idempotent request: return the result if the write did happen. */
	recover?: () => Promise<unknown | undefined>;
	/** Repeat a non-idempotent request after ambiguous failures even without `recover` (duplicates are tolerable). */
	retryAmbiguous?: boolean;
	/** Name of an extra request budget for this call (e.g. Datto's "alert-resolve" bucket). */
	bucket?: string;
}

export interface ApiResponse<T = unknown> {
	status: number;
	data: T;
	headers: Record<string, string>;
}

export interface ClientTuning {
	retry: RetryPolicy;
	/** Per-request timeout in ms. */
	timeoutMs: number;
	/** Largest response body read, in bytes (default DEFAULT_MAX_RESPONSE_BYTES); a larger one fails the request. */
	maxResponseBytes?: number;
	/** Injected for tests; defaults to a real timer. */
	sleep?: (ms: number) => Promise<void>;
	random?: () => number;
}

/** A response larger than this (a runaway list, a misconfigured proxy) is not read into memory. */
export const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

export type RetryDecision = { retry: true; delayMs: number } | { retry: false; hint?: string };

const AMBIGUOUS_STATUSES = new Set([500, 504]);
const SAFE_RETRY_STATUSES = new Set([502, 503]);
const RETRYABLE_NETWORK_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'ECONNABORTED', 'EPIPE', 'EAI_AGAIN', 'ECONNREFUSED', 'ERR_NETWORK', 'ENOTFOUND']);
const NOT_SENT_NETWORK_CODES = new Set(['ECONNREFUSED', 'EAI_AGAIN', 'ENOTFOUND']);

function parseBody(raw: unknown): unknown {
	if (typeof raw !== 'string') return raw;
	const trimmed = raw.trim();
	if (trimmed === '') return undefined;
	if (trimmed.startsWith('{') || trimmed.startsWith('[') || trimmed.startsWith('"')) {
		try {
			return JSON.parse(trimmed);
		} catch {
			return raw;
		}
	}
	return raw;
}

function flattenHeaders(headers: AxiosResponse['headers']): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [key, value] of Object.entries(headers ?? {})) {
		if (value !== undefined && value !== null) out[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
	}
	return out;
}

export abstract class ApiClientBase {
	protected abstract readonly api: ApiName;
	protected readonly http: AxiosInstance;
	private readonly wait: (ms: number) => Promise<void>;
	private readonly random: () => number;

	protected constructor(
		protected readonly baseUrl: string,
		protected readonly tokens: TokenCache,
		protected readonly tuning: ClientTuning,
	) {
		this.http = axios.create({
			timeout: tuning.timeoutMs,
			maxContentLength: tuning.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
			maxRedirects: 0,
			responseType: 'text',
			transformResponse: [(data: unknown) => data],
			validateStatus: () => true,
		});
		this.wait = tuning.sleep ?? sleep;
		this.random = tuning.random ?? Math.random;
	}

	/** Secrets and tokens that must never appear in messages. */
	protected abstract secrets(): Array<string | undefined>;
	/** Request budgets that must admit this request (credential-wide budget plus optional buckets). */
	protected abstract budgetsFor(request: ApiRequest): RequestBudget[];
	/** The API's own error message from a response body. */
	protected abstract messageFrom(status: number, body: unknown): string;

	/** Decides how to handle a 429; the default honours Retry-After, else exponential backoff. */
	protected onRateLimited(response: ApiResponse, attempt: number): RetryDecision {
		const retryAfter = parseRetryAfterMs(response.headers['retry-after']);
		return { retry: true, delayMs: retryAfter ?? this.backoff(attempt) };
	}

	/** Decides how to handle a 403; the default fails at once (a permission problem). */
	protected onForbidden(_response: ApiResponse, _request: ApiRequest): RetryDecision {
		return { retry: false };
	}

	protected backoff(attempt: number): number {
		return backoffDelayMs(attempt, this.tuning.retry, this.random);
	}

	/** Redacts secrets and the current token from a message. */
	protected redact(text: string): string {
		return redactSecrets(text, [...this.secrets(), this.tokens.peek()]);
	}

	protected urlFor(path: string): string {
		if (/^https?:\/\//i.test(path)) return path;
		return `${this.baseUrl.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
	}

	protected pathForMessages(path: string): string {
		const withoutQuery = path.split('?')[0];
		return withoutQuery.startsWith(this.baseUrl) ? withoutQuery.slice(this.baseUrl.length) || '/' : withoutQuery;
	}

	/**
	 * Requests a token from an OAuth2 token endpoint (form body). Retries network errors, 429 and 5xx a few times;
	 * a rejected grant becomes an ApiRequestError with the endpoint's message and no secret in it.
	 */
	protected async requestTokenGrant(
		url: string,
		form: Record<string, string>,
		headers: Record<string, string> = {},
	): Promise<{ accessToken: string; expiresInSeconds: number }> {
		const path = this.pathForMessages(url.split('?')[0]);
		for (let attempt = 1; ; attempt++) {
			let failure: { status?: number; message: string; code?: string };
			try {
				const raw = await this.http.request({
					method: 'POST',
					url,
					data: new URLSearchParams(form).toString(),
					headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json', ...headers },
				});
				const body = parseBody(raw.data) as Record<string, unknown> | string | undefined;
				if (raw.status >= 200 && raw.status < 300 && body && typeof body === 'object' && typeof body.access_token === 'string') {
					const expires = Number(body.expires_in);
					return { accessToken: body.access_token, expiresInSeconds: Number.isFinite(expires) && expires > 0 ? expires : 3600 };
				}
				failure = {
					status: raw.status,
					message:
						raw.status >= 200 && raw.status < 300
							? 'The token endpoint answered without an access_token'
							: this.messageFrom(raw.status, body),
				};
				if (raw.status !== 429 && raw.status < 500) {
					throw new ApiRequestError({
						api: this.api,
						status: failure.status,
						apiMessage: this.redact(failure.message),
						method: 'POST',
						path,
						attempts: attempt,
						hint: raw.status === 400 || raw.status === 401 ? 'Check the client ID, secret, tenant and token URL of the credential' : undefined,
					});
				}
			} catch (error) {
				if (error instanceof ApiRequestError) throw error;
				failure = { code: (error as { code?: string }).code ?? 'ERR_NETWORK', message: `Token request failed: ${(error as Error).message}` };
			}
			if (attempt >= Math.min(3, this.tuning.retry.maxAttempts)) {
				throw new ApiRequestError({
					api: this.api,
					status: failure.status,
					code: failure.code,
					apiMessage: this.redact(failure.message),
					method: 'POST',
					path,
					attempts: attempt,
				});
			}
			await this.wait(this.backoff(attempt));
		}
	}

	/** Sends one request and settles its budget slots when the answer (or the failure) comes back. */
	private async sendCounted(budgets: RequestBudget[], config: Parameters<AxiosInstance['request']>[0]): Promise<AxiosResponse> {
		try {
			return await this.http.request(config);
		} finally {
			for (const budget of budgets) budget.settle();
		}
	}

	async request<T = unknown>(request: ApiRequest): Promise<ApiResponse<T>> {
		const idempotent = request.idempotent ?? request.method !== 'POST';
		const path = this.pathForMessages(request.path);
		let attempt = 0;
		let waitedMs = 0;
		let refreshedAfter401 = false;
		/** Attempts answered 429 (counted separately when the policy has maxRateLimitedAttempts). */
		let rateLimited = 0;

		const fail = (details: { status?: number; message: string; code?: string; hint?: string }): never => {
			throw new ApiRequestError({
				api: this.api,
				status: details.status,
				apiMessage: this.redact(details.message),
				method: request.method,
				path,
				code: details.code,
				attempts: attempt,
				hint: details.hint,
			});
		};

		const retryOrFail = async (
			decision: RetryDecision,
			failure: { status?: number; message: string; code?: string },
		): Promise<void> => {
			if (!decision.retry) return fail({ ...failure, hint: decision.hint });
			const delay = Math.min(decision.delayMs, this.tuning.retry.maxDelayMs);
			const { maxAttempts, maxRateLimitedAttempts, maxTotalWaitMs } = this.tuning.retry;
			const attemptsExhausted =
				maxRateLimitedAttempts === undefined
					? attempt >= maxAttempts
					: failure.status === 429
						? rateLimited >= maxRateLimitedAttempts
						: attempt - rateLimited >= maxAttempts;
			if (attemptsExhausted || waitedMs + delay > maxTotalWaitMs) {
				return fail({ ...failure, hint: `Gave up after ${attempt} attempts and ${Math.round(waitedMs / 1000)} s of waiting` });
			}
			waitedMs += delay;
			await this.wait(delay);
		};

		const recovered = async (): Promise<ApiResponse<T> | undefined> => {
			if (!request.recover) return undefined;
			const data = await request.recover();
			return data === undefined ? undefined : { status: 200, data: data as T, headers: {} };
		};

		for (;;) {
			attempt++;
			// Token first (a fetch can take a while), then the budget slot, so the slot is taken right before sending.
			await this.tokens.get();
			const budgets = this.budgetsFor(request);
			for (const budget of budgets) await budget.acquire();
			const token = await this.tokens.get();
			let raw: AxiosResponse;
			try {
				raw = await this.sendCounted(budgets, {
					method: request.method,
					url: this.urlFor(request.path),
					params: request.query ? Object.fromEntries(Object.entries(request.query).filter(([, v]) => v !== undefined && v !== null)) : undefined,
					data: request.body === undefined ? undefined : JSON.stringify(request.body),
					headers: {
						Authorization: `Bearer ${token}`,
						Accept: 'application/json',
						...(request.body === undefined ? {} : { 'Content-Type': 'application/json' }),
					},
				});
			} catch (error) {
				const code = (error as { code?: string }).code ?? 'ERR_NETWORK';
				const failure = { code, message: `Request failed: ${(error as Error).message}` };
				const safe = idempotent || NOT_SENT_NETWORK_CODES.has(code) || request.retryAmbiguous;
				if (!safe) {
					const found = await recovered();
					if (found) return found;
					if (!request.recover) return fail({ ...failure, hint: 'The request may or may not have been applied; not repeated' });
				}
				await retryOrFail(RETRYABLE_NETWORK_CODES.has(code) ? { retry: true, delayMs: this.backoff(attempt) } : { retry: false }, failure);
				continue;
			}

			const response: ApiResponse = { status: raw.status, data: parseBody(raw.data), headers: flattenHeaders(raw.headers) };
			const { status } = response;
			if (status >= 200 && status < 300) return response as ApiResponse<T>;

			const failure = { status, message: this.messageFrom(status, response.data) };
			if (status === 401 && !refreshedAfter401) {
				refreshedAfter401 = true;
				this.tokens.invalidate(token);
				attempt--;
				continue;
			}
			if (status === 429) {
				rateLimited++;
				await retryOrFail(this.onRateLimited(response, attempt), failure);
				continue;
			}
			if (status === 403) {
				await retryOrFail(this.onForbidden(response, request), failure);
				continue;
			}
			if (status === 409 || SAFE_RETRY_STATUSES.has(status) || (AMBIGUOUS_STATUSES.has(status) && (idempotent || request.retryAmbiguous))) {
				await retryOrFail({ retry: true, delayMs: this.backoff(attempt) }, failure);
				continue;
			}
			if (AMBIGUOUS_STATUSES.has(status) && request.recover) {
				const found = await recovered();
				if (found) return found;
				await retryOrFail({ retry: true, delayMs: this.backoff(attempt) }, failure);
				continue;
			}
			if (AMBIGUOUS_STATUSES.has(status)) {
				return fail({ ...failure, hint: 'The request may or may not have been applied; not repeated' });
			}
			return fail(failure);
		}
	}
}
