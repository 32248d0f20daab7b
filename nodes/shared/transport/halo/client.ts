/**
 * HaloPSA API client: one per credential, cached per process (see registry.ts). Built on ApiClientBase:
 * request budget → client-credentials token (cached, single-flight, renewed before expiry and once on 401) →
 * request → backoff on 429/5xx/network errors → ApiRequestError with Halo's message and no secret in it.
 *
 * Halo specifics (docs/api/halopsa.md): authorisation server discovered through /api/authinfo,
 * `?tenant=` on hosted token URLs, POST bodies as arrays with object-or-array answers, `pageinate` paging,
 * plain-text 429s whose "N Requests per rolling M minute window" adapts the budget, integer ids only, and
 * unknown query parameters silently ignored by Halo (so list filters are re-checked client-side).
 */
import { installationMarker } from '../../domain/haloMarker';
import { z } from 'zod';
import {
	ApiClientBase,
	ApiRequest,
	ApiRequestError,
	ApiResponse,
	ClientTuning,
	QueryValue,
	RetryDecision,
	RetryPolicy,
	backoffDelayMs,
	parseRetryAfterMs,
	budgetFor,
	TokenCache,
	TokenGrant,
} from '../http';
import type { ApiName, RequestBudget } from '../http';
import { HaloConnectionConfig, ResolvedHaloConfig, defaultHaloAuthUrl, haloTokenUrl, parseHaloRateLimit, resolveHaloConfig } from './config';
import { haloClientKey } from './key';
import { haloErrorMessage } from './messages';
import {
	HaloAction,
	HaloActionInput,
	HaloActionSchema,
	HaloAgent,
	HaloAgentSchema,
	HaloAsset,
	HaloAssetSchema,
	HaloAuthInfoSchema,
	HaloClientRecord,
	HaloClientSchema,
	HaloOutcome,
	HaloOutcomeSchema,
	HaloPriority,
	HaloPrioritySchema,
	HaloSite,
	HaloSiteSchema,
	HaloStatus,
	HaloStatusSchema,
	HaloTeam,
	HaloTeamSchema,
	HaloTicket,
	HaloTicketFields,
	HaloTicketFilters,
	HaloTicketSchema,
	HaloTicketType,
	HaloTicketTypeSchema,
	HaloUser,
	HaloUserSchema,
} from './schemas';

export interface HaloTuning extends ClientTuning {
	/** First wait after a 429 without Retry-After (doubles per attempt, capped by retry.maxDelayMs). */
	rateLimitBaseDelayMs: number;
	/** Renew the token this long before it expires. */
	tokenRefreshBeforeExpiryMs: number;
}

export interface HaloClientOptions {
	/** Overrides of the production tuning (tests use ms-scale waits). */
	tuning?: Partial<Omit<HaloTuning, 'retry'>> & { retry?: Partial<RetryPolicy> };
	/** A budget to use instead of the process-wide one for this credential (e.g. one shared across workers). */
	budget?: RequestBudget;
}

export interface HaloListOptions {
	/** Fetch every page (bounded by maxPages). */
	returnAll?: boolean;
	/** Maximum number of records to return (ignored with returnAll). */
	limit?: number;
	/** Page size, at most 100 (Halo's cap). */
	pageSize?: number;
	/** Safety cap on pages fetched. */
	maxPages?: number;
}

export interface ListAllOptions<T> {
	limit?: number;
	pageSize?: number;
	maxPages?: number;
	/** Validates and types each record. */
	schema?: z.ZodType<T, z.ZodTypeDef, unknown>;
	/** Keeps only matching records (client-side check of filters Halo may ignore). */
	filter?: (record: T) => boolean;
}

export interface WriteOptions<T> {
	/**
	 * Called after an ambiguous failure (500, 504, timeout, reset) of this non-idempotent write: return the record
	 * if the write did happen (e.g. found by a marker), or undefined to let the client repeat it.
	 */
	recover?: () => Promise<T | undefined>;
	/** Repeat after ambiguous failures even without `recover` (a duplicate is acceptable). */
	retryAmbiguous?: boolean;
}

export interface HaloRequestCounts {
	/** Token requests made by this client (single-flight: concurrent callers share one). */
	tokenRequests: number;
	/** API request attempts (retries included, token and discovery requests excluded). */
	apiRequests: number;
	/** GET /api/authinfo discovery requests. */
	discoveryRequests: number;
	/** 429 answers seen. */
	rateLimited: number;
}

/**
 * The budget window used for a nominal Halo window: a safety margin (2 %, at least 250 ms, at most 5 s) absorbs
 * latency differences between n8n's count (when a request starts) and Halo's (when it arrives), e.g. a burst that
 * first has to open connections. For Halo's 5-minute window that is 5 s.
 */
export function haloBudgetWindowMs(windowMs: number): number {
	return windowMs + Math.min(5000, Math.max(250, Math.round(windowMs * 0.02)));
}

export const HALO_PRODUCTION_TUNING: HaloTuning = {
	retry: {
		maxAttempts: 8,
		// A 429 was not processed, so repeating it is always safe: bounded by the total wait, not by 8 attempts (a
		// burst of short Retry-After answers, or one after a 5xx outage, must not fail an execution after 8).
		maxRateLimitedAttempts: 40,
		baseDelayMs: 1000,
		// Halo's window is rolling over 5 minutes: single waits up to 2 min, about 5 min in total (reference §4).
		maxDelayMs: 120_000,
		maxTotalWaitMs: 300_000,
	},
	// Halo's gateway answers 504 after about 60 s.
	timeoutMs: 75_000,
	rateLimitBaseDelayMs: 30_000,
	tokenRefreshBeforeExpiryMs: 5 * 60_000,
};

const MAX_PAGE_SIZE = 100;
const DEFAULT_MAX_PAGES = 500;
const DEFAULT_LIMIT = 50;

/** The single record of a write response: Halo answers an object, or an array for some builds and many items. */
export function firstRecord(data: unknown): unknown {
	if (Array.isArray(data)) return data[0];
	return data;
}

/** Records and record_count of a list response: a plain array, or `{ record_count, <pluralKey>: [...] }`. */
export function listRecords(data: unknown, pluralKey: string): { records: unknown[]; recordCount?: number } {
	if (Array.isArray(data)) return { records: data };
	if (!data || typeof data !== 'object') return { records: [] };
	const o = data as Record<string, unknown>;
	const countValue = Number(o.record_count);
	const recordCount = Number.isFinite(countValue) && o.record_count !== null && o.record_count !== undefined ? countValue : undefined;
	const key = Object.keys(o).find((k) => k.toLowerCase() === pluralKey.toLowerCase());
	if (key && Array.isArray(o[key])) return { records: o[key] as unknown[], recordCount };
	const anyArray = Object.values(o).find((v) => Array.isArray(v));
	return { records: (anyArray as unknown[]) ?? [], recordCount };
}

/** Halo ids are integers: "95.0" is rejected by Halo, so numeric values are converted and others refused. */
export function toHaloId(value: unknown, field = 'id'): number {
	const n = typeof value === 'string' && value.trim() !== '' ? Number(value.trim()) : value;
	if (typeof n === 'number' && Number.isFinite(n) && Number.isInteger(n)) return n;
	throw new TypeError(`HaloPSA ${field} must be a whole number, got ${JSON.stringify(value)} (Halo accepts integer ids only)`);
}

const ID_FIELD = /^(id|.*_id|new_status|new_agent|outcome_id)$/;

/** Converts integer-valued id fields (e.g. "12" or 12.0) to numbers; leaves anything else alone. */
function normaliseIdFields<T extends Record<string, unknown>>(fields: T): T {
	const out: Record<string, unknown> = { ...fields };
	for (const [key, value] of Object.entries(out)) {
		if (!ID_FIELD.test(key) || value === undefined || value === null || value === '') continue;
		if (typeof value === 'number' || (typeof value === 'string' && /^\s*-?\d+(\.0+)?\s*$/.test(value))) {
			out[key] = toHaloId(typeof value === 'string' ? Number(value) : value, key);
		}
	}
	return out as T;
}

function mergeTuning(options: HaloClientOptions['tuning']): HaloTuning {
	return {
		...HALO_PRODUCTION_TUNING,
		...(options ?? {}),
		retry: { ...HALO_PRODUCTION_TUNING.retry, ...(options?.retry ?? {}) },
	};
}

export class HaloClient extends ApiClientBase {
	protected readonly api: ApiName;
	/** Registry key: hash of URLs, tenant, client id and a hash of the secret. */
	readonly key: string;
	readonly config: ResolvedHaloConfig;
	/** The request budget shared by every user of this credential in the process. */
	readonly budget: RequestBudget;
	private readonly haloTuning: HaloTuning;
	private discovered?: { authUrl: string; tenant?: string };
	private discovering?: Promise<{ authUrl: string; tenant?: string }>;
	private readonly recentTokens: string[];
	private configuredBudget: { limit: number; windowMs: number };
	/** The budget as Halo states it (without the safety margin). */
	private nominalBudget: { limit: number; windowMs: number };
	private counters: { apiRequests: number; discoveryRequests: number; rateLimited: number };
	private installationMarker?: string;

	constructor(config: HaloConnectionConfig, options: HaloClientOptions = {}) {
		const resolved = resolveHaloConfig(config);
		const tuning = mergeTuning(options.tuning);
		const holder: { client?: HaloClient } = {};
		const tokens = new TokenCache(async (): Promise<TokenGrant> => await holder.client!.fetchToken(), {
			refreshBeforeExpiryMs: tuning.tokenRefreshBeforeExpiryMs,
		});
		super(resolved.resourceUrl, tokens, tuning);
		holder.client = this;
		this.api = 'HaloPSA';
		this.config = resolved;
		this.haloTuning = tuning;
		this.key = haloClientKey(resolved);
		this.recentTokens = [];
		this.counters = { apiRequests: 0, discoveryRequests: 0, rateLimited: 0 };
		this.configuredBudget = { limit: resolved.requestsPerWindow, windowMs: resolved.windowMs };
		this.budget =
			// In-process, or shared through Redis across queue-mode workers (http/crossProcessBudget.ts).
			options.budget ?? budgetFor(`halo:${this.key}`, resolved.requestsPerWindow, haloBudgetWindowMs(resolved.windowMs));
		this.nominalBudget = options.budget
			? { limit: options.budget.limit, windowMs: options.budget.windowMs }
			: { ...this.configuredBudget };
	}

	/**
	 * This installation's integration marker (domain/haloMarker.ts), derived from this credential: what every write
	 * of the package appends, and what the trigger and the Sync Policy recognise as "written by us".
	 */
	get marker(): string {
		this.installationMarker ??= installationMarker(this.config);
		return this.installationMarker;
	}

	// -------------------------------------------------------------------------------------------------------------
	// Pipeline hooks

	protected secrets(): Array<string | undefined> {
		return [this.config.clientSecret, ...this.recentTokens];
	}

	protected budgetsFor(_request: ApiRequest): RequestBudget[] {
		this.counters.apiRequests++;
		return [this.budget];
	}

	protected messageFrom(status: number, body: unknown): string {
		return haloErrorMessage(status, body);
	}

	/**
	 * 429: honour Retry-After when present; otherwise back off exponentially from rateLimitBaseDelayMs. Halo's text
	 * ("300 Requests per rolling 5 minute window") adapts the budget, and the whole budget pauses for the wait so
	 * that concurrent executions do not keep hitting the limit.
	 */
	protected onRateLimited(response: ApiResponse, attempt: number): RetryDecision {
		this.counters.rateLimited++;
		const stated = parseHaloRateLimit(typeof response.data === 'string' ? response.data : haloErrorMessage(429, response.data));
		if (stated) this.adaptBudget(stated);
		const retryAfter = parseRetryAfterMs(response.headers['retry-after']);
		const backoff = backoffDelayMs(
			attempt,
			{ ...this.haloTuning.retry, baseDelayMs: this.haloTuning.rateLimitBaseDelayMs },
			this.tuning.random ?? Math.random,
		);
		const delayMs = Math.min(retryAfter ?? backoff, this.haloTuning.retry.maxDelayMs);
		this.budget.pauseUntil(Date.now() + delayMs);
		return { retry: true, delayMs };
	}

	protected onForbidden(): RetryDecision {
		return {
			retry: false,
			hint: "Halo refused the call: check the API application's scopes and the API agent's role (and whether the agent may use this outcome)",
		};
	}

	/** Adopts the window Halo states, never allowing more than the rate budgeted so far. */
	private adaptBudget(stated: { limit: number; windowMs: number }): void {
		const current = this.nominalBudget;
		const scaledCurrent = Math.floor((current.limit * stated.windowMs) / current.windowMs);
		const limit = Math.max(1, Math.min(stated.limit, scaledCurrent));
		if (limit === current.limit && stated.windowMs === current.windowMs) return;
		this.nominalBudget = { limit, windowMs: stated.windowMs };
		this.budget.setBudget(limit, haloBudgetWindowMs(stated.windowMs));
	}

	/**
	 * Applies a (possibly edited) credential budget. Called by the registry for every lookup; only a changed
	 * configuration resets the budget (a budget adapted after a 429 is kept otherwise).
	 */
	configureBudget(requestsPerWindow: number, windowMs: number): void {
		if (requestsPerWindow === this.configuredBudget.limit && windowMs === this.configuredBudget.windowMs) return;
		this.configuredBudget = { limit: requestsPerWindow, windowMs };
		this.nominalBudget = { ...this.configuredBudget };
		this.budget.setBudget(requestsPerWindow, haloBudgetWindowMs(windowMs));
	}

	// -------------------------------------------------------------------------------------------------------------
	// Token and discovery

	/** The authorisation server and tenant: configured, or discovered once via GET {instance}/api/authinfo. */
	async authEndpoint(): Promise<{ authUrl: string; tenant?: string }> {
		if (this.config.authUrl) return { authUrl: this.config.authUrl, tenant: this.config.tenant };
		if (this.discovered) return this.discovered;
		this.discovering ??= this.discover().finally(() => (this.discovering = undefined));
		return await this.discovering;
	}

	private async discover(): Promise<{ authUrl: string; tenant?: string }> {
		const fallback = { authUrl: defaultHaloAuthUrl(this.config.instanceUrl), tenant: this.config.tenant };
		this.counters.discoveryRequests++;
		try {
			const raw = await this.http.request({
				method: 'GET',
				url: `${this.config.instanceUrl}/api/authinfo`,
				headers: { Accept: 'application/json' },
			});
			let result = fallback;
			if (raw.status >= 200 && raw.status < 300) {
				const body: unknown = typeof raw.data === 'string' && raw.data.trim() ? JSON.parse(raw.data) : raw.data;
				const info = HaloAuthInfoSchema.safeParse(body);
				if (info.success && info.data.auth_url) {
					result = {
						authUrl: info.data.auth_url.trim().replace(/\/+$/, '').replace(/\/token$/i, ''),
						tenant: this.config.tenant ?? (info.data.tenant_id || undefined),
					};
				}
			}
			// A definite answer is kept for the life of the process; a transient one (429, 5xx) is asked again next time.
			if (raw.status !== 429 && raw.status < 500) this.discovered = result;
			return result;
		} catch {
			// Discovery is best effort (network error, older builds without /api/authinfo): fall back to {instance}/auth.
			return fallback;
		}
	}

	private async fetchToken(): Promise<TokenGrant> {
		const { authUrl, tenant } = await this.authEndpoint();
		const grant = await this.requestTokenGrant(haloTokenUrl(authUrl, this.config.hosting, tenant), {
			grant_type: 'client_credentials',
			client_id: this.config.clientId,
			client_secret: this.config.clientSecret,
			scope: this.config.scope,
		});
		this.recentTokens.unshift(grant.accessToken);
		this.recentTokens.length = Math.min(this.recentTokens.length, 5);
		return grant;
	}

	/** Counters for tests and benchmarks. */
	requestCounts(): HaloRequestCounts {
		return { tokenRequests: this.tokens.fetchCount, ...this.counters };
	}

	get tokenRequests(): number {
		return this.tokens.fetchCount;
	}

	/** Drops the cached token (the next call fetches a new one). */
	invalidateToken(): void {
		this.tokens.invalidate();
	}

	// -------------------------------------------------------------------------------------------------------------
	// Generic helpers

	private invalid(path: string, method: string, error: z.ZodError): ApiRequestError {
		const issues = error.issues
			.slice(0, 5)
			.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
			.join('; ');
		return new ApiRequestError({
			api: 'HaloPSA',
			status: 200,
			apiMessage: `Unexpected response shape: ${issues}`,
			method,
			path: this.pathForMessages(path),
		});
	}

	private parse<T>(schema: z.ZodType<T, z.ZodTypeDef, unknown>, value: unknown, method: string, path: string): T {
		const result = schema.safeParse(value);
		if (!result.success) throw this.invalid(path, method, result.error);
		return result.data;
	}

	/** GET returning one record. */
	async getOne<T>(path: string, schema: z.ZodType<T, z.ZodTypeDef, unknown>, query?: Record<string, QueryValue>): Promise<T> {
		const res = await this.request({ method: 'GET', path, query });
		return this.parse(schema, firstRecord(res.data), 'GET', path);
	}

	/** GET of an unpaged list (plain array or envelope). */
	async getList<T>(path: string, pluralKey: string, schema: z.ZodType<T, z.ZodTypeDef, unknown>, query?: Record<string, QueryValue>): Promise<T[]> {
		const res = await this.request({ method: 'GET', path, query });
		return listRecords(res.data, pluralKey).records.map((r) => this.parse(schema, r, 'GET', path));
	}

	/**
	 * POSTs records as an array (Halo's only write shape) and returns the first record of the answer, which may be
	 * an object or an array. Non-idempotent unless `idempotent` is set (updates with an id are).
	 */
	async postRecord<T>(
		path: string,
		record: Record<string, unknown>,
		schema: z.ZodType<T, z.ZodTypeDef, unknown>,
		options: WriteOptions<T> & { idempotent?: boolean } = {},
	): Promise<T> {
		const res = await this.request({
			method: 'POST',
			path,
			body: [record],
			idempotent: options.idempotent ?? false,
			recover: options.recover,
			retryAmbiguous: options.retryAmbiguous,
		});
		return this.parse(schema, firstRecord(res.data), 'POST', path);
	}

	/**
	 * Pages through a list with `pageinate=true&page_size&page_no` (1-based). Stops on a short page, when the records
	 * seen reach `record_count`, on an empty page, on a page that repeats what was seen (paging ignored) or at
	 * `maxPages`; returns at most `limit` records (after `filter`).
	 */
	async listAll<T = Record<string, unknown>>(
		path: string,
		pluralKey: string,
		query: Record<string, QueryValue> = {},
		options: ListAllOptions<T> = {},
	): Promise<T[]> {
		const pageSize = Math.max(1, Math.min(MAX_PAGE_SIZE, Math.floor(options.pageSize ?? MAX_PAGE_SIZE)));
		const maxPages = Math.max(1, options.maxPages ?? DEFAULT_MAX_PAGES);
		const limit = options.limit !== undefined && options.limit > 0 ? Math.floor(options.limit) : undefined;
		const out: T[] = [];
		const seen = new Set<unknown>();
		let collected = 0;
		for (let page = 1; page <= maxPages; page++) {
			const res = await this.request({ method: 'GET', path, query: { ...query, pageinate: true, page_size: pageSize, page_no: page } });
			const { records, recordCount } = listRecords(res.data, pluralKey);
			if (records.length === 0) break;
			let fresh = 0;
			for (const raw of records) {
				const id = raw && typeof raw === 'object' ? (raw as Record<string, unknown>).id : undefined;
				if (id !== undefined) {
					if (seen.has(id)) continue;
					seen.add(id);
				}
				fresh++;
				const record = options.schema ? this.parse(options.schema, raw, 'GET', path) : (raw as T);
				if (options.filter && !options.filter(record)) continue;
				out.push(record);
				if (limit !== undefined && out.length >= limit) return out;
			}
			collected += records.length;
			if (fresh === 0) break; // the endpoint ignores paging and repeats itself
			if (records.length < pageSize || records.length > pageSize) break; // short page, or paging ignored
			if (recordCount !== undefined && collected >= recordCount) break;
		}
		return out;
	}

	// -------------------------------------------------------------------------------------------------------------
	// Tickets

	/** GET /Tickets/{id}. */
	async getTicket(
		id: number | string,
		options: { includeDetails?: boolean; includeLastAction?: boolean; query?: Record<string, QueryValue> } = {},
	): Promise<HaloTicket> {
		return await this.getOne(`/Tickets/${toHaloId(id, 'ticket id')}`, HaloTicketSchema, {
			...(options.includeDetails ? { includedetails: true } : {}),
			...(options.includeLastAction ? { includelastaction: true } : {}),
			...(options.query ?? {}),
		});
	}

	/**
	 * GET /Tickets with filters. Halo ignores unknown parameters and would return everything, so id filters are
	 * re-checked on the records. Default: the first 50; `returnAll` pages through everything.
	 */
	async listTickets(filters: HaloTicketFilters = {}, options: HaloListOptions = {}): Promise<HaloTicket[]> {
		const query: Record<string, QueryValue> = {
			client_id: filters.clientId,
			site_id: filters.siteId,
			status_id: filters.statusId,
			agent_id: filters.agentId,
			user_id: filters.userId,
			requesttype_id: filters.ticketTypeId,
			open_only: filters.openOnly ? true : undefined,
			closed_only: filters.closedOnly ? true : undefined,
			search: filters.search || undefined,
			ticketids: filters.ticketIds ? filters.ticketIds.join(',') : undefined,
			...(filters.query ?? {}),
		};
		const checks: Array<[keyof HaloTicket, number | undefined]> = [
			['client_id', filters.clientId],
			['site_id', filters.siteId],
			['status_id', filters.statusId],
			['agent_id', filters.agentId],
			['user_id', filters.userId],
			['tickettype_id', filters.ticketTypeId],
		];
		const active = checks.filter(([, v]) => v !== undefined) as Array<[keyof HaloTicket, number]>;
		// A tenant that ignored `ticketids` would answer with every ticket: only the asked-for ids are kept.
		const ids = filters.ticketIds ? new Set(filters.ticketIds) : undefined;
		return await this.listAll('/Tickets', 'tickets', query, {
			schema: HaloTicketSchema,
			limit: options.returnAll ? undefined : (options.limit ?? DEFAULT_LIMIT),
			pageSize: options.pageSize,
			maxPages: options.maxPages,
			filter:
				active.length || ids
					? (t) =>
							(!ids || ids.has(Number(t.id))) &&
							active.every(([field, value]) => t[field] === undefined || t[field] === null || Number(t[field]) === value)
					: undefined,
		});
	}

	/** POST /Tickets (create). Not idempotent: pass `recover` to look for the ticket after an ambiguous failure. */
	async createTicket(fields: HaloTicketFields, options: WriteOptions<HaloTicket> = {}): Promise<HaloTicket> {
		if (fields.id !== undefined && fields.id !== null) {
			throw new TypeError('createTicket got an id: use updateTicket to change an existing ticket');
		}
		return await this.postRecord('/Tickets', normaliseIdFields(fields), HaloTicketSchema, options);
	}

	/** POST /Tickets with the id (merge). Idempotent: repeating it sets the same values. */
	async updateTicket(id: number | string, fields: HaloTicketFields): Promise<HaloTicket> {
		return await this.postRecord('/Tickets', { ...normaliseIdFields(fields), id: toHaloId(id, 'ticket id') }, HaloTicketSchema, {
			idempotent: true,
		});
	}

	// -------------------------------------------------------------------------------------------------------------
	// Actions

	/**
	 * POST /Actions: a note (public or private), with `outcome` or `outcome_id` (Halo rejects actions without one)
	 * and optionally `new_status` (e.g. the tenant's closed status: close with a note in one call). `sendemail`
	 * defaults to false. Not idempotent (a repeat adds a second note).
	 */
	async addAction(action: HaloActionInput, options: WriteOptions<HaloAction> = {}): Promise<HaloAction> {
		const body = normaliseIdFields({ sendemail: false, ...action, ticket_id: toHaloId(action.ticket_id, 'ticket_id') });
		return await this.postRecord('/Actions', body, HaloActionSchema, options);
	}

	/** GET /Actions?ticket_id= (Actions has no paging, only `count`). Records of other tickets are dropped. */
	async listActions(
		ticketId: number | string,
		options: { limit?: number; excludeSystem?: boolean; excludePrivate?: boolean; query?: Record<string, QueryValue> } = {},
	): Promise<HaloAction[]> {
		const id = toHaloId(ticketId, 'ticket id');
		const actions = await this.getList('/Actions', 'actions', HaloActionSchema, {
			ticket_id: id,
			count: options.limit,
			excludesys: options.excludeSystem ? true : undefined,
			excludeprivate: options.excludePrivate ? true : undefined,
			...(options.query ?? {}),
		});
		const mine = actions.filter((a) => a.ticket_id === undefined || a.ticket_id === null || a.ticket_id === id);
		return options.limit ? mine.slice(0, options.limit) : mine;
	}

	// -------------------------------------------------------------------------------------------------------------
	// Lookups (tenant-specific ids: let the user pick)

	async listStatuses(): Promise<HaloStatus[]> {
		return await this.getList('/Status', 'statuses', HaloStatusSchema);
	}

	/** Priorities of all SLAs (or one, with slaId); use `priorityid` on tickets. */
	async listPriorities(slaId?: number): Promise<HaloPriority[]> {
		return await this.getList('/Priority', 'priorities', HaloPrioritySchema, { slaid: slaId });
	}

	async listTicketTypes(): Promise<HaloTicketType[]> {
		return await this.getList('/TicketType', 'tickettypes', HaloTicketTypeSchema);
	}

	async getTicketType(id: number | string): Promise<HaloTicketType> {
		return await this.getOne(`/TicketType/${toHaloId(id, 'ticket type id')}`, HaloTicketTypeSchema);
	}

	async listOutcomes(ticketTypeId?: number): Promise<HaloOutcome[]> {
		return await this.getList('/Outcome', 'outcomes', HaloOutcomeSchema, { tickettype_id: ticketTypeId });
	}

	async listTeams(): Promise<HaloTeam[]> {
		return await this.getList('/Team', 'teams', HaloTeamSchema);
	}

	async listAgents(options: { includeApiAgents?: boolean } = {}): Promise<HaloAgent[]> {
		return await this.getList('/Agent', 'agents', HaloAgentSchema, { includeapiagents: options.includeApiAgents ? true : undefined });
	}

	/** GET /Agent/me: the agent this credential logs in as (used for echo suppression and the credential test). */
	async me(): Promise<HaloAgent> {
		return await this.getOne('/Agent/me', HaloAgentSchema);
	}

	/** A cheap authenticated call proving that the token and the resource URL work. */
	async testConnection(): Promise<{ ok: true; agent: HaloAgent }> {
		return { ok: true, agent: await this.me() };
	}

	/** GET /Client (paged). Default: all matching clients; `search` matches names. */
	async listClients(
		filters: { search?: string; includeInactive?: boolean } = {},
		options: HaloListOptions = { returnAll: true },
	): Promise<HaloClientRecord[]> {
		return await this.listAll(
			'/Client',
			'clients',
			{ search: filters.search || undefined, includeinactive: filters.includeInactive ? true : undefined },
			{
				schema: HaloClientSchema,
				limit: options.returnAll ? undefined : (options.limit ?? DEFAULT_LIMIT),
				pageSize: options.pageSize,
				maxPages: options.maxPages,
			},
		);
	}

	async getClient(id: number | string): Promise<HaloClientRecord> {
		return await this.getOne(`/Client/${toHaloId(id, 'client id')}`, HaloClientSchema);
	}

	/** GET /Site (paged), optionally for one client (re-checked on the records). */
	async listSites(
		filters: { clientId?: number; search?: string; includeInactive?: boolean } = {},
		options: HaloListOptions = { returnAll: true },
	): Promise<HaloSite[]> {
		const clientId = filters.clientId === undefined ? undefined : toHaloId(filters.clientId, 'client id');
		return await this.listAll(
			'/Site',
			'sites',
			{ client_id: clientId, search: filters.search || undefined, includeinactive: filters.includeInactive ? true : undefined },
			{
				schema: HaloSiteSchema,
				limit: options.returnAll ? undefined : (options.limit ?? DEFAULT_LIMIT),
				pageSize: options.pageSize,
				maxPages: options.maxPages,
				filter: clientId === undefined ? undefined : (s) => s.client_id === undefined || s.client_id === null || s.client_id === clientId,
			},
		);
	}

	async getSite(id: number | string): Promise<HaloSite> {
		return await this.getOne(`/Site/${toHaloId(id, 'site id')}`, HaloSiteSchema);
	}

	/**
	 * GET /Asset (paged), optionally for one client or site (re-checked on the records). Halo has no `datto_id`
	 * filter (an unknown parameter returns everything): look devices up with the Halo service layer's asset index.
	 */
	async listAssets(
		filters: { clientId?: number; siteId?: number; search?: string; includeInactive?: boolean } = {},
		options: HaloListOptions = { returnAll: true },
	): Promise<HaloAsset[]> {
		const clientId = filters.clientId === undefined ? undefined : toHaloId(filters.clientId, 'client id');
		const siteId = filters.siteId === undefined ? undefined : toHaloId(filters.siteId, 'site id');
		const same = (value: unknown, wanted: number | undefined) => wanted === undefined || value === undefined || value === null || value === wanted;
		return await this.listAll(
			'/Asset',
			'assets',
			{ client_id: clientId, site_id: siteId, search: filters.search || undefined, includeinactive: filters.includeInactive ? true : undefined },
			{
				schema: HaloAssetSchema,
				limit: options.returnAll ? undefined : (options.limit ?? DEFAULT_LIMIT),
				pageSize: options.pageSize,
				maxPages: options.maxPages,
				filter: clientId === undefined && siteId === undefined ? undefined : (a) => same(a.client_id, clientId) && same(a.site_id, siteId),
			},
		);
	}

	async getAsset(id: number | string): Promise<HaloAsset> {
		return await this.getOne(`/Asset/${toHaloId(id, 'asset id')}`, HaloAssetSchema);
	}

	/** GET /Users (paged) of one client (re-checked on the records). */
	async listUsers(filters: { clientId?: number; search?: string } = {}, options: HaloListOptions = { returnAll: true }): Promise<HaloUser[]> {
		const clientId = filters.clientId === undefined ? undefined : toHaloId(filters.clientId, 'client id');
		return await this.listAll(
			'/Users',
			'users',
			{ client_id: clientId, search: filters.search || undefined },
			{
				schema: HaloUserSchema,
				limit: options.returnAll ? undefined : (options.limit ?? DEFAULT_LIMIT),
				pageSize: options.pageSize,
				maxPages: options.maxPages,
				filter: clientId === undefined ? undefined : (u) => u.client_id === undefined || u.client_id === null || u.client_id === clientId,
			},
		);
	}
}
