/**
 * Datto RMM API v2 client (see docs/api/datto-rmm.md). One instance per credential, cached per process
 * (getDattoClient), so the token, the request budgets and the IP-block state are shared by every node and execution.
 *
 * - Token: OAuth2 password grant at `{base}/auth/oauth/token` with Basic `public-client:public`; cached, single-flight,
 *   renewed 10 min before expiry and once on 401 (TokenCache).
 * - Budgets: 600 requests / 60 s per credential, plus the `alert-resolve` bucket (100 / 60 s) for resolve calls;
 *   a request counts from its response on (see RollingWindowLimiter), so the budget holds at Datto whatever the latency.
 * - 429: honour Retry-After (capped by retry.maxDelayMs), else exponential backoff; the shared budget is paused for the
 *   same time so parallel callers do not keep hitting the limit (continued requests while limited get the IP blocked).
 * - 403: a 403 shortly after a 429 means Datto blocked the IP (~5 min): every call to that API origin fails fast
 *   without being sent until the block is over, and the budget is paused. Any other 403 is a permission problem.
 * - Paging: follows `pageDetails.nextPageUrl` (absolute) only on the API origin (SSRF guard), re-adds query params
 *   Datto drops, ends on null or "", stops at a page cap.
 */
import { createHash } from 'crypto';
import type { z } from 'zod';
import { ApiClientBase, ApiRequest, ApiResponse, ClientTuning, QueryValue, RetryDecision } from '../http/apiClient';
import { ApiRequestError, ApiName, isApiRequestError } from '../http/errors';
import { RequestBudget, sharedBudget } from '../http/rateLimiter';
import { parseRetryAfterMs, RetryPolicy } from '../http/retry';
import { TokenCache } from '../http/tokenCache';
import { dattoApiBaseUrl, DATTO_PUBLIC_CLIENT_AUTHORIZATION, DATTO_GRANT_PATH, normaliseDattoApiUrl } from './config';
import {
	DattoAlert,
	DattoDevice,
	DattoSite,
	isDeletedDevicesSite,
	normaliseAlert,
	normaliseDevice,
	normaliseSite,
} from './normalise';
import {
	accountSchema,
	alertSchema,
	componentSchema,
	DattoComponent,
	DattoJob,
	DattoJobResultsRaw,
	jobResultsSchema,
	jobSchema,
	jobStdDataSchema,
	quickJobResponseSchema,
	DattoAccount,
	DattoPagination,
	DattoRequestRate,
	DattoSystemStatus,
	deviceSchema,
	pageSchema,
	paginationSchema,
	requestRateSchema,
	siteSchema,
	systemStatusSchema,
} from './schemas';

/** Name of Datto's per-operation write bucket for `POST /v2/alert/{uid}/resolve`. */
export const DATTO_RESOLVE_BUCKET = 'alert-resolve';
/** Name of Datto's per-operation write bucket for `PUT /v2/device/{uid}/quickjob`. */
export const DATTO_JOB_CREATE_BUCKET = 'device-job-create';

export interface DattoBudgetSettings {
	limit: number;
	windowMs: number;
}

export interface DattoTuning extends ClientTuning {
	/** Credential-wide request budget (Datto: 600 per sliding 60 s per account). */
	accountBudget: DattoBudgetSettings;
	/** Budget of the alert-resolve write bucket (Datto: 100 per 60 s). */
	resolveBudget: DattoBudgetSettings;
	/** Budget of the device-job-create write bucket (Datto: 100 per 60 s). */
	jobCreateBudget: DattoBudgetSettings;
	/** How long all calls to the API origin stop after Datto blocked the IP (403 after 429s). */
	ipBlockPauseMs: number;
	/** A 403 within this long after a 429 (from the same API origin) is read as an IP block. */
	rateLimitMemoryMs: number;
	/** Safety cap on pages per list call. */
	maxPages: number;
	/** `max` sent on list calls (Datto's maximum is 250). */
	pageSize: number;
	/** Renew the token this long before its reported expiry. */
	refreshBeforeExpiryMs: number;
}

export const DEFAULT_DATTO_RETRY: RetryPolicy = {
	maxAttempts: 6,
	baseDelayMs: 2_000,
	maxDelayMs: 30_000,
	maxTotalWaitMs: 120_000,
};

export const DEFAULT_DATTO_TUNING: DattoTuning = {
	retry: DEFAULT_DATTO_RETRY,
	timeoutMs: 30_000,
	accountBudget: { limit: 600, windowMs: 60_000 },
	resolveBudget: { limit: 100, windowMs: 60_000 },
	jobCreateBudget: { limit: 100, windowMs: 60_000 },
	ipBlockPauseMs: 5 * 60_000,
	rateLimitMemoryMs: 10 * 60_000,
	maxPages: 200,
	pageSize: 250,
	refreshBeforeExpiryMs: 10 * 60_000,
};

export type DattoTuningOverrides = Partial<Omit<DattoTuning, 'retry'>> & { retry?: Partial<RetryPolicy> };

export interface DattoClientConfig {
	/** API base, e.g. https://merlot-api.centrastage.net (a trailing /api or /api/v2 is removed). */
	apiUrl: string;
	apiKey: string;
	apiSecret: string;
	tuning?: DattoTuningOverrides;
	/** Injected budgets (tests); by default process-wide budgets keyed by the credential. */
	budgets?: { account?: RequestBudget; resolve?: RequestBudget; jobCreate?: RequestBudget };
}

export type DattoAlertScope = 'account' | 'site' | 'device';

export interface DattoListOptions {
	/** Fetch every page (up to the page cap); otherwise stop at `limit`. */
	returnAll?: boolean;
	/** Maximum items when returnAll is false (default 50). */
	limit?: number;
	/** Page size (`max`) for this call; defaults to tuning.pageSize. */
	pageSize?: number;
}

export interface DattoAlertListOptions extends DattoListOptions {
	scope?: DattoAlertScope;
	/** Site UID or device UID for the site and device scopes. */
	uid?: string;
	/** true: muted only; false: unmuted only; undefined: both. */
	muted?: boolean;
}

export interface DattoSiteListOptions extends DattoListOptions {
	/** Datto's `siteName` filter (LIKE). */
	name?: string;
	/** Keep Datto's built-in "Deleted Devices" site (default false: filtered out). */
	includeDeletedDevicesSite?: boolean;
}

export interface DattoDeviceListOptions extends DattoListOptions {
	hostname?: string;
	siteName?: string;
	deviceType?: string;
	operatingSystem?: string;
	filterId?: number;
}

export interface DattoListResult<T> {
	items: T[];
	/** Pages fetched. */
	pages: number;
	/** True when the page cap stopped the walk before the end. */
	truncated: boolean;
}

export interface DattoResolveResult {
	alertUid: string;
	resolved: true;
	/** True when Datto said the alert was already resolved (answered with an error and the alert reads as resolved). */
	alreadyResolved: boolean;
}

export interface DattoQuickJobInput {
	componentUid: string;
	jobName: string;
	variables?: Array<{ name: string; value: string | number | boolean | null | undefined }>;
}

export interface DattoQuickJob {
	jobUid: string;
	deviceUid: string;
	componentUid: string;
	/** "active" or "completed" (Job.status). */
	status: string | null;
	job: DattoJob;
	jobComponents: unknown[];
}

export type DattoJobResults = DattoJobResultsRaw & { stdout?: string; stderr?: string };

/** Job deployment states after which nothing changes any more (JobResults.jobDeploymentStatus). */
export const DATTO_FINISHED_DEPLOYMENT_STATES = ['Success', 'Warning', 'Failure', 'Expired', 'Retired'] as const;

export function isFinishedDeployment(status: string | null | undefined): boolean {
	return (DATTO_FINISHED_DEPLOYMENT_STATES as readonly string[]).includes(String(status ?? ''));
}

export interface DattoClientStats {
	/** HTTP requests sent (API calls, retries and token requests). */
	httpRequests: number;
	/** Token requests sent to /auth/oauth/token. */
	tokenRequests: number;
	/** Responses by HTTP status. */
	byStatus: Record<number, number>;
	/** Calls refused locally because the IP is blocked. */
	refusedWhileBlocked: number;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Stable key for a credential: hash of API URL, key and a hash of the secret (the secret itself is never kept in keys). */
export function dattoCredentialKey(apiUrl: string, apiKey: string, apiSecret: string): string {
	return sha256(`${normaliseDattoApiUrl(apiUrl)}\n${apiKey}\n${sha256(apiSecret)}`).slice(0, 40);
}

/** Process-wide state per API origin: Datto blocks by IP, so a block affects every credential on that origin. */
interface OriginState {
	last429At: number;
	blockedUntil: number;
}
const originStates = new Map<string, OriginState>();
function originState(origin: string): OriginState {
	let state = originStates.get(origin);
	if (!state) {
		state = { last429At: 0, blockedUntil: 0 };
		originStates.set(origin, state);
	}
	return state;
}

const clients = new Map<string, DattoClient>();

/** The process-wide client for a credential (created on first use). Tuning only applies when it is created. */
export function getDattoClient(config: DattoClientConfig): DattoClient {
	const key = dattoCredentialKey(config.apiUrl, config.apiKey, config.apiSecret);
	let client = clients.get(key);
	if (!client) {
		client = new DattoClient(config);
		clients.set(key, client);
	}
	return client;
}

/** Builds the client config from the fields of the `dattoRmmApi` credential. */
export function dattoConfigFromCredentials(credentials: Record<string, unknown>): DattoClientConfig {
	const text = (value: unknown): string => (typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value));
	return {
		apiUrl: dattoApiBaseUrl({ platform: text(credentials.platform), customUrl: text(credentials.customUrl) }),
		apiKey: text(credentials.apiKey).trim(),
		apiSecret: text(credentials.apiSecret).trim(),
	};
}

/** The process-wide client for an n8n `dattoRmmApi` credential. */
export function getDattoClientForCredentials(credentials: Record<string, unknown>): DattoClient {
	return getDattoClient(dattoConfigFromCredentials(credentials));
}

/** Forgets cached clients and IP-block state (tests). */
export function resetDattoClients(): void {
	clients.clear();
	originStates.clear();
}

function mergeTuning(overrides: DattoTuningOverrides = {}): DattoTuning {
	return {
		...DEFAULT_DATTO_TUNING,
		...overrides,
		retry: { ...DEFAULT_DATTO_RETRY, ...(overrides.retry ?? {}) },
		accountBudget: { ...DEFAULT_DATTO_TUNING.accountBudget, ...(overrides.accountBudget ?? {}) },
		resolveBudget: { ...DEFAULT_DATTO_TUNING.resolveBudget, ...(overrides.resolveBudget ?? {}) },
		jobCreateBudget: { ...DEFAULT_DATTO_TUNING.jobCreateBudget, ...(overrides.jobCreateBudget ?? {}) },
	};
}

function textOf(value: unknown): string | undefined {
	if (typeof value === 'string' && value.trim() !== '') return value.trim();
	return undefined;
}

function stripHtml(text: string): string {
	return text
		.replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ')
		.replace(/<[^>]+>/g, ' ')
		.replace(/\s+/g, ' ')
		.trim();
}

const STATUS_TEXT: Record<number, string> = {
	400: 'Bad request',
	401: 'Unauthorized',
	403: 'Forbidden',
	404: 'Not found',
	409: 'Request aborted due to concurrent write access to this record',
	429: 'Too many requests',
	500: 'Internal server error',
	502: 'Bad gateway',
	503: 'Service unavailable',
	504: 'Gateway timeout',
};

export class DattoClient extends ApiClientBase {
	protected readonly api: ApiName = 'Datto RMM';
	readonly credentialKey: string;
	/** API origin (scheme://host:port): nextPageUrl must point here. */
	readonly origin: string;
	readonly settings: DattoTuning;
	readonly accountBudget: RequestBudget;
	readonly resolveBudget: RequestBudget;
	readonly jobCreateBudget: RequestBudget;
	private readonly apiKey: string;
	private readonly apiSecret: string;
	private readonly recentTokens: string[] = [];
	private readonly counters: DattoClientStats = {
		httpRequests: 0,
		tokenRequests: 0,
		byStatus: {},
		refusedWhileBlocked: 0,
	};

	constructor(config: DattoClientConfig) {
		const settings = mergeTuning(config.tuning);
		const baseUrl = normaliseDattoApiUrl(config.apiUrl);
		const holder: { client?: DattoClient } = {};
		const tokens = new TokenCache(async () => await holder.client!.fetchToken(), {
			refreshBeforeExpiryMs: settings.refreshBeforeExpiryMs,
		});
		super(baseUrl, tokens, settings);
		holder.client = this;
		this.settings = settings;
		this.apiKey = config.apiKey;
		this.apiSecret = config.apiSecret;
		this.origin = new URL(baseUrl).origin;
		this.credentialKey = dattoCredentialKey(baseUrl, config.apiKey, config.apiSecret);
		const { accountBudget: ab, resolveBudget: rb } = settings;
		this.accountBudget =
			config.budgets?.account ??
			sharedBudget(`datto:${this.credentialKey}:account:${ab.limit}/${ab.windowMs}`, ab.limit, ab.windowMs);
		this.resolveBudget =
			config.budgets?.resolve ??
			sharedBudget(`datto:${this.credentialKey}:${DATTO_RESOLVE_BUCKET}:${rb.limit}/${rb.windowMs}`, rb.limit, rb.windowMs);
		const jb = settings.jobCreateBudget;
		this.jobCreateBudget =
			config.budgets?.jobCreate ??
			sharedBudget(`datto:${this.credentialKey}:${DATTO_JOB_CREATE_BUCKET}:${jb.limit}/${jb.windowMs}`, jb.limit, jb.windowMs);
		this.http.interceptors.request.use((request) => {
			this.counters.httpRequests++;
			if ((request.url ?? '').includes(DATTO_GRANT_PATH)) this.counters.tokenRequests++;
			return request;
		});
		this.http.interceptors.response.use((response) => {
			this.counters.byStatus[response.status] = (this.counters.byStatus[response.status] ?? 0) + 1;
			return response;
		});
	}

	/** The API base URL (without /api). */
	get apiBaseUrl(): string {
		return this.baseUrl;
	}

	/** Request counters (tests, benchmarks). */
	get stats(): DattoClientStats {
		return { ...this.counters, byStatus: { ...this.counters.byStatus } };
	}

	/** Epoch ms until which Datto is known to block this host, or 0. */
	get blockedUntil(): number {
		const until = originState(this.origin).blockedUntil;
		return until > Date.now() ? until : 0;
	}

	// ---------------------------------------------------------------- pipeline hooks

	protected secrets(): Array<string | undefined> {
		return [this.apiSecret, this.apiKey, ...this.recentTokens];
	}

	protected budgetsFor(request: ApiRequest): RequestBudget[] {
		// The bucket first: waiting for it must not hold a slot of the account budget.
		if (request.bucket === DATTO_RESOLVE_BUCKET) return [this.resolveBudget, this.accountBudget];
		if (request.bucket === DATTO_JOB_CREATE_BUCKET) return [this.jobCreateBudget, this.accountBudget];
		return [this.accountBudget];
	}

	protected messageFrom(status: number, body: unknown): string {
		let message: string | undefined;
		if (body && typeof body === 'object' && !Array.isArray(body)) {
			const b = body as Record<string, unknown>;
			message = textOf(b.error_description) ?? textOf(b.message) ?? textOf(b.errorMessage) ?? textOf(b.error) ?? textOf(b.detail);
			if (!message && Array.isArray(b.errors)) message = b.errors.map((e) => (typeof e === 'string' ? e : JSON.stringify(e))).join('; ');
			message ??= JSON.stringify(body).slice(0, 300);
		} else if (typeof body === 'string') {
			message = stripHtml(body).slice(0, 300) || undefined;
		} else if (body !== undefined && body !== null) {
			message = JSON.stringify(body).slice(0, 300);
		}
		return message ?? STATUS_TEXT[status] ?? `HTTP ${status}`;
	}

	protected onRateLimited(response: ApiResponse, attempt: number): RetryDecision {
		const now = Date.now();
		originState(this.origin).last429At = now;
		const retryAfter = parseRetryAfterMs(response.headers['retry-after']);
		const delayMs = Math.min(retryAfter ?? this.backoff(attempt), this.settings.retry.maxDelayMs);
		// Everyone using this credential waits: continued requests while limited get the IP blocked.
		this.accountBudget.pauseUntil(now + delayMs);
		return { retry: true, delayMs };
	}

	protected onForbidden(): RetryDecision {
		if (this.markBlockIfRateLimited()) return { retry: false, hint: this.blockHint() };
		return {
			retry: false,
			hint:
				'Datto RMM refused the request (403). Check that API access is enabled (Setup > Global Settings > Access Control) ' +
				"and the API user's permissions. A 403 right after rate limiting (429) means Datto has blocked this IP for about 5 minutes.",
		};
	}

	/** Marks the origin as blocked when a 429 was seen recently; returns whether it did. */
	private markBlockIfRateLimited(): boolean {
		const state = originState(this.origin);
		const now = Date.now();
		if (!state.last429At || now - state.last429At > this.settings.rateLimitMemoryMs) return false;
		state.blockedUntil = Math.max(state.blockedUntil, now + this.settings.ipBlockPauseMs);
		this.accountBudget.pauseUntil(state.blockedUntil);
		return true;
	}

	private blockHint(): string {
		const until = new Date(originState(this.origin).blockedUntil).toISOString();
		return (
			`Datto RMM has temporarily blocked this IP address after repeated rate limiting (403 after 429). ` +
			`Calls to ${this.origin} are paused until ${until}; retry after that and lower the request rate ` +
			`(the 600 requests/minute quota is shared with every integration on the Datto account).`
		);
	}

	private blockedError(method: string, path: string, apiMessage?: string): ApiRequestError {
		const state = originState(this.origin);
		const seconds = Math.max(1, Math.ceil((state.blockedUntil - Date.now()) / 1000));
		return new ApiRequestError({
			api: this.api,
			status: 403,
			apiMessage:
				(apiMessage ? `${apiMessage}. ` : '') +
				`Datto RMM is blocking this IP after repeated rate limiting; calls are paused for another ${seconds} s ` +
				`(until ${new Date(state.blockedUntil).toISOString()})`,
			method,
			path: this.pathForMessages(path),
			hint: this.blockHint(),
		});
	}

	async request<T = unknown>(request: ApiRequest): Promise<ApiResponse<T>> {
		if (this.blockedUntil) {
			this.counters.refusedWhileBlocked++;
			throw this.blockedError(request.method, request.path);
		}
		try {
			return await super.request<T>(request);
		} catch (error) {
			if (isApiRequestError(error) && error.status === 403 && this.blockedUntil && !/blocking this IP/.test(error.apiMessage)) {
				throw this.blockedError(request.method, request.path, error.apiMessage);
			}
			throw error;
		}
	}

	/** Password grant at {base}/auth/oauth/token with Datto's public client. */
	private async fetchToken(): Promise<{ accessToken: string; expiresInSeconds: number }> {
		const url = `${this.baseUrl}${DATTO_GRANT_PATH}`;
		try {
			const grant = await this.requestTokenGrant(
				url,
				{ grant_type: 'password', username: this.apiKey, password: this.apiSecret },
				{ Authorization: DATTO_PUBLIC_CLIENT_AUTHORIZATION },
			);
			this.recentTokens.unshift(grant.accessToken);
			this.recentTokens.length = Math.min(this.recentTokens.length, 5);
			return grant;
		} catch (error) {
			if (!isApiRequestError(error)) throw error;
			if (error.status === 403 && this.markBlockIfRateLimited()) throw this.blockedError('POST', url, error.apiMessage);
			if (error.status === 400 || error.status === 401 || error.status === 403) {
				throw new ApiRequestError({
					api: this.api,
					status: error.status,
					apiMessage: error.apiMessage,
					method: error.method,
					path: error.path,
					attempts: error.attempts,
					hint:
						'Datto RMM rejected the API key or secret. Check them in the credential (regenerating keys in Datto ' +
						'invalidates the old pair), the platform / API URL, and that API access is enabled.',
				});
			}
			throw error;
		}
	}

	// ---------------------------------------------------------------- helpers

	private parse<S extends z.ZodTypeAny>(schema: S, data: unknown, method: string, path: string): z.infer<S> {
		const result = schema.safeParse(data);
		if (result.success) return result.data;
		const issue = result.error.issues[0];
		throw new ApiRequestError({
			api: this.api,
			status: 200,
			code: 'INVALID_RESPONSE',
			apiMessage: this.redact(
				`Unexpected response shape: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'}`,
			),
			method,
			path: this.pathForMessages(path),
		});
	}

	private async getJson<S extends z.ZodTypeAny>(schema: S, path: string, query?: Record<string, QueryValue>): Promise<z.infer<S>> {
		const response = await this.request({ method: 'GET', path, query });
		return this.parse(schema, response.data, 'GET', path);
	}

	private absoluteUrl(path: string, query: Record<string, string>): string {
		const url = new URL(this.urlFor(path));
		for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
		return url.toString();
	}

	/**
	 * Checks and completes a nextPageUrl: same origin as the API (http is upgraded to https on the same host), query
	 * parameters that Datto dropped are re-added, and a missing `page` becomes the previous page + 1.
	 */
	vetNextPageUrl(next: string, query: Record<string, string>, previousPage: number): string {
		let url: URL;
		try {
			url = new URL(next, `${this.baseUrl}/`);
		} catch {
			throw new ApiRequestError({
				api: this.api,
				code: 'INVALID_NEXT_PAGE_URL',
				apiMessage: 'Datto RMM returned an invalid nextPageUrl',
				method: 'GET',
				path: '(paging)',
			});
		}
		const base = new URL(this.baseUrl);
		if (url.protocol === 'http:' && base.protocol === 'https:' && url.host === base.host) url.protocol = 'https:';
		if (url.origin !== this.origin) {
			throw new ApiRequestError({
				api: this.api,
				code: 'UNTRUSTED_NEXT_PAGE_URL',
				apiMessage: `Refusing to follow nextPageUrl to ${url.origin}: it is not the API origin ${this.origin}`,
				method: 'GET',
				path: url.pathname,
				hint: 'The bearer token is only sent to the configured Datto RMM API URL. Check the platform / API URL of the credential.',
			});
		}
		for (const [key, value] of Object.entries(query)) if (!url.searchParams.has(key)) url.searchParams.set(key, value);
		if (!url.searchParams.has('page')) url.searchParams.set('page', String(previousPage + 1));
		return url.toString();
	}

	/**
	 * Walks a Datto list endpoint: 0-based `page`, `max`, then `pageDetails.nextPageUrl` until null or "".
	 * `filter` drops items before they count towards the limit.
	 */
	async paginate<S extends z.ZodTypeAny>(options: {
		path: string;
		key: 'alerts' | 'sites' | 'devices' | 'components';
		item: S;
		query?: Record<string, QueryValue>;
		returnAll?: boolean;
		limit?: number;
		pageSize?: number;
		filter?: (item: z.infer<S>) => boolean;
	}): Promise<DattoListResult<z.infer<S>>> {
		const want = options.returnAll ? Number.POSITIVE_INFINITY : Math.max(0, Math.floor(options.limit ?? 50));
		const items: Array<z.infer<S>> = [];
		if (want === 0) return { items, pages: 0, truncated: false };
		const pageSize = Math.max(1, Math.min(250, Math.floor(options.pageSize ?? this.settings.pageSize)));
		const query: Record<string, string> = { max: String(pageSize) };
		for (const [key, value] of Object.entries(options.query ?? {})) {
			if (value !== undefined && value !== null && value !== '') query[key] = String(value);
		}
		const schema = pageSchema(options.key, options.item);
		let url = this.absoluteUrl(options.path, { ...query, page: '0' });
		const visited = new Set<string>();
		let pages = 0;
		for (;;) {
			visited.add(url);
			pages++;
			const page = this.parse(schema, (await this.request({ method: 'GET', path: url })).data, 'GET', url) as Record<
				string,
				unknown
			> & { pageDetails?: { nextPageUrl?: string | null } | null };
			const batch = (page[options.key] as Array<z.infer<S>> | null | undefined) ?? [];
			for (const item of batch) {
				if (options.filter && !options.filter(item)) continue;
				items.push(item);
				if (items.length >= want) return { items, pages, truncated: false };
			}
			const next = page.pageDetails?.nextPageUrl;
			if (typeof next !== 'string' || next.trim() === '' || batch.length === 0) return { items, pages, truncated: false };
			if (pages >= this.settings.maxPages) return { items, pages, truncated: true };
			const currentPage = Number(new URL(url).searchParams.get('page') ?? pages - 1);
			url = this.vetNextPageUrl(next.trim(), query, Number.isFinite(currentPage) ? currentPage : pages - 1);
			if (visited.has(url)) {
				throw new ApiRequestError({
					api: this.api,
					code: 'PAGING_LOOP',
					apiMessage: 'Datto RMM returned a nextPageUrl that was already fetched; stopping to avoid an endless loop',
					method: 'GET',
					path: this.pathForMessages(url),
				});
			}
		}
	}

	// ---------------------------------------------------------------- account and system

	async getAccount(): Promise<DattoAccount> {
		return await this.getJson(accountSchema, '/api/v2/account');
	}

	async getSystemStatus(): Promise<DattoSystemStatus> {
		return await this.getJson(systemStatusSchema, '/api/v2/system/status');
	}

	async getPagination(): Promise<DattoPagination> {
		return await this.getJson(paginationSchema, '/api/v2/system/pagination');
	}

	async getRequestRate(): Promise<DattoRequestRate> {
		return await this.getJson(requestRateSchema, '/api/v2/system/request_rate');
	}

	// ---------------------------------------------------------------- alerts

	async getAlert(alertUid: string): Promise<DattoAlert> {
		const raw = await this.getJson(alertSchema, `/api/v2/alert/${encodeURIComponent(required(alertUid, 'alertUid'))}`);
		return normaliseAlert(raw);
	}

	/**
	 * Resolves an alert (`POST /v2/alert/{uid}/resolve`, no body, alert-resolve bucket). Resolving is repeatable, so
	 * ambiguous failures are retried; when Datto answers 400/409/422 and the alert reads as resolved, that counts as success.
	 */
	async resolveAlert(alertUid: string): Promise<DattoResolveResult> {
		const uid = required(alertUid, 'alertUid');
		try {
			await this.request({
				method: 'POST',
				path: `/api/v2/alert/${encodeURIComponent(uid)}/resolve`,
				bucket: DATTO_RESOLVE_BUCKET,
				idempotent: true,
			});
			return { alertUid: uid, resolved: true, alreadyResolved: false };
		} catch (error) {
			if (isApiRequestError(error) && (error.status === 400 || error.status === 409 || error.status === 422)) {
				const alert = await this.getAlert(uid).catch(() => undefined);
				if (alert?.resolved === true) return { alertUid: uid, resolved: true, alreadyResolved: true };
			}
			throw error;
		}
	}

	private alertsPath(state: 'open' | 'resolved', options: DattoAlertListOptions): string {
		const scope = options.scope ?? 'account';
		if (scope === 'account') return `/api/v2/account/alerts/${state}`;
		const uid = required(options.uid, scope === 'site' ? 'site UID' : 'device UID');
		return `/api/v2/${scope}/${encodeURIComponent(uid)}/alerts/${state}`;
	}

	async listOpenAlerts(options: DattoAlertListOptions = {}): Promise<DattoListResult<DattoAlert>> {
		return await this.listAlerts('open', options);
	}

	async listResolvedAlerts(options: DattoAlertListOptions = {}): Promise<DattoListResult<DattoAlert>> {
		return await this.listAlerts('resolved', options);
	}

	private async listAlerts(state: 'open' | 'resolved', options: DattoAlertListOptions): Promise<DattoListResult<DattoAlert>> {
		const result = await this.paginate({
			path: this.alertsPath(state, options),
			key: 'alerts',
			item: alertSchema,
			query: { muted: options.muted },
			returnAll: options.returnAll,
			limit: options.limit,
			pageSize: options.pageSize,
		});
		return { ...result, items: result.items.map(normaliseAlert) };
	}

	// ---------------------------------------------------------------- components and quick jobs

	/** The account's components (`GET /v2/account/components`, paged like every Datto list). */
	async listComponents(options: DattoListOptions = {}): Promise<DattoListResult<DattoComponent>> {
		return await this.paginate({
			path: '/api/v2/account/components',
			key: 'components',
			item: componentSchema,
			returnAll: options.returnAll,
			limit: options.limit,
			pageSize: options.pageSize,
		});
	}

	/**
	 * Runs a component on a device as a quick job (`PUT /v2/device/{deviceUid}/quickjob`, body
	 * `{ jobName, jobComponent: { componentUid, variables: [{ name, value }] } }`, write bucket `device-job-create`).
	 * Creating a job is not repeatable: it is retried after 429 / 502 / 503 / 409 (not executed), never after a
	 * timeout or 500/504, where a retry could start the component twice.
	 */
	async runQuickJob(deviceUid: string, input: DattoQuickJobInput): Promise<DattoQuickJob> {
		const uid = required(deviceUid, 'device UID');
		const componentUid = required(input.componentUid, 'component UID');
		const jobName = required(input.jobName, 'job name');
		const path = `/api/v2/device/${encodeURIComponent(uid)}/quickjob`;
		const variables = (input.variables ?? []).map((v) => ({ name: String(v.name), value: v.value === undefined || v.value === null ? '' : String(v.value) }));
		const response = await this.request({
			method: 'PUT',
			path,
			body: { jobName, jobComponent: { componentUid, variables } },
			bucket: DATTO_JOB_CREATE_BUCKET,
			idempotent: false,
		});
		const parsed = this.parse(quickJobResponseSchema, response.data ?? {}, 'PUT', path);
		const jobUid = parsed.job?.uid;
		if (!jobUid) {
			throw new ApiRequestError({
				api: this.api,
				status: response.status,
				code: 'INVALID_RESPONSE',
				apiMessage: 'Datto RMM created no job (the response has no job.uid)',
				method: 'PUT',
				path: this.pathForMessages(path),
			});
		}
		return { jobUid, deviceUid: uid, componentUid, status: parsed.job?.status ?? null, job: parsed.job ?? {}, jobComponents: parsed.jobComponents ?? [] };
	}

	/** A job (`GET /v2/job/{jobUid}`): status "active" or "completed". */
	async getJob(jobUid: string): Promise<DattoJob> {
		return await this.getJson(jobSchema, `/api/v2/job/${encodeURIComponent(required(jobUid, 'job UID'))}`);
	}

	/**
	 * A job's result on one device (`GET /v2/job/{jobUid}/results/{deviceUid}`); with `withOutput`, the component
	 * stdout and stderr (`…/stdout`, `…/stderr`, arrays of `{ componentUid, componentName, stdData }`) are joined in.
	 */
	async getJobResults(jobUid: string, deviceUid: string, options: { withOutput?: boolean } = {}): Promise<DattoJobResults> {
		const base = `/api/v2/job/${encodeURIComponent(required(jobUid, 'job UID'))}/results/${encodeURIComponent(required(deviceUid, 'device UID'))}`;
		const raw = await this.getJson(jobResultsSchema, base);
		const results: DattoJobResults = { ...raw, jobUid: raw.jobUid ?? jobUid, deviceUid: raw.deviceUid ?? deviceUid, componentResults: raw.componentResults ?? [] };
		if (!options.withOutput) return results;
		const finished = isFinishedDeployment(raw.jobDeploymentStatus);
		const wants = (flag: 'hasStdOut' | 'hasStdErr') => finished && (results.componentResults ?? []).some((c) => c[flag] !== false);
		results.stdout = wants('hasStdOut') ? await this.getJobOutput(jobUid, deviceUid, 'stdout') : '';
		results.stderr = wants('hasStdErr') ? await this.getJobOutput(jobUid, deviceUid, 'stderr') : '';
		return results;
	}

	/** A job's stdout or stderr on a device, the components' `stdData` joined by newlines. */
	async getJobOutput(jobUid: string, deviceUid: string, stream: 'stdout' | 'stderr'): Promise<string> {
		const path = `/api/v2/job/${encodeURIComponent(required(jobUid, 'job UID'))}/results/${encodeURIComponent(required(deviceUid, 'device UID'))}/${stream}`;
		const data = (await this.getJson(jobStdDataSchema, path)) ?? [];
		return data.map((d) => d.stdData ?? '').filter((text) => text !== '').join('\n');
	}

	// ---------------------------------------------------------------- sites

	async getSite(siteUid: string): Promise<DattoSite> {
		return normaliseSite(await this.getJson(siteSchema, `/api/v2/site/${encodeURIComponent(required(siteUid, 'siteUid'))}`));
	}

	async listSites(options: DattoSiteListOptions = {}): Promise<DattoListResult<DattoSite>> {
		const result = await this.paginate({
			path: '/api/v2/account/sites',
			key: 'sites',
			item: siteSchema,
			query: { siteName: options.name?.trim() || undefined },
			returnAll: options.returnAll,
			limit: options.limit,
			pageSize: options.pageSize,
			filter: options.includeDeletedDevicesSite ? undefined : (site) => !isDeletedDevicesSite(site),
		});
		return { ...result, items: result.items.map(normaliseSite) };
	}

	// ---------------------------------------------------------------- devices

	async getDevice(deviceUid: string): Promise<DattoDevice> {
		return normaliseDevice(
			await this.getJson(deviceSchema, `/api/v2/device/${encodeURIComponent(required(deviceUid, 'deviceUid'))}`),
		);
	}

	async getDeviceById(deviceId: number | string): Promise<DattoDevice> {
		return normaliseDevice(
			await this.getJson(deviceSchema, `/api/v2/device/id/${encodeURIComponent(required(String(deviceId), 'deviceId'))}`),
		);
	}

	async listDevices(options: DattoDeviceListOptions = {}): Promise<DattoListResult<DattoDevice>> {
		const result = await this.paginate({
			path: '/api/v2/account/devices',
			key: 'devices',
			item: deviceSchema,
			query: {
				hostname: options.hostname,
				siteName: options.siteName,
				deviceType: options.deviceType,
				operatingSystem: options.operatingSystem,
				filterId: options.filterId,
			},
			returnAll: options.returnAll,
			limit: options.limit,
			pageSize: options.pageSize,
		});
		return { ...result, items: result.items.map(normaliseDevice) };
	}

	async listSiteDevices(siteUid: string, options: DattoListOptions & { filterId?: number } = {}): Promise<DattoListResult<DattoDevice>> {
		const result = await this.paginate({
			path: `/api/v2/site/${encodeURIComponent(required(siteUid, 'siteUid'))}/devices`,
			key: 'devices',
			item: deviceSchema,
			query: { filterId: options.filterId },
			returnAll: options.returnAll,
			limit: options.limit,
			pageSize: options.pageSize,
		});
		return { ...result, items: result.items.map(normaliseDevice) };
	}

	/**
	 * Devices whose hostname matches (Datto's `hostname` filter is a LIKE match). With `exact`, only devices whose
	 * hostname equals the given one (case-insensitive) are returned.
	 */
	async findDevicesByHostname(hostname: string, options: DattoListOptions & { exact?: boolean } = {}): Promise<DattoDevice[]> {
		const wanted = required(hostname, 'hostname').trim();
		const result = await this.listDevices({ hostname: wanted, returnAll: options.returnAll ?? true, limit: options.limit, pageSize: options.pageSize });
		return options.exact
			? result.items.filter((device) => (device.hostname ?? '').toLowerCase() === wanted.toLowerCase())
			: result.items;
	}
}

function required(value: string | undefined | null, name: string): string {
	if (value === undefined || value === null || String(value).trim() === '') throw new Error(`A ${name} is required`);
	return String(value).trim();
}
