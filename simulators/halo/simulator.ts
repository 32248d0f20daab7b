/**
 * HaloPSA API simulator, faithful to docs/api/halopsa.md#12-simulator-checklist: client-credentials tokens
 * checked against the tenant and expiring, bearer auth on every /api route, case-insensitive paths, unknown query
 * parameters ignored, array POST bodies (create without id, merge with id; one element answers with the object),
 * integer ids only, `pageinate`/`page_size`/`page_no` paging (page_size capped at 100) with `record_count` and plural
 * keys, the outcome rule on actions, tenant-specific ids (profiles), Halo dates without time zone and
 * `1900-01-01T00:00:00` for "no date", a per-tenant rolling-window rate limit answering 429 with Halo's plain-text
 * message, 504 after a delay on demand, and outbound webhooks on ticket events.
 *
 * Start from code: `const sim = new HaloSimulator({ profile: 'acme' }); await sim.listen(0);` — or see ./cli.ts.
 * Admin API (no auth, not logged, not rate limited) under /_sim: see ./README.md.
 */
import { randomBytes } from 'crypto';
import { SimRequest, SimResponse, SimServer, json, text } from '../common/server';
import { SlidingWindowCounter } from '../common/slidingWindow';
import { ApplicationSeed, TenantProfile, tenantProfile } from './profiles';
import { TicketEventContext, WebhookEmitter, WebhookSubscriptionInput } from './webhookEmitter';
import { HaloWebhookRegistry, RegistryError, WebhookRegistrySettings } from './webhookRegistry';

export type HaloRecord = Record<string, unknown>;

export const HALO_NO_DATE = '1900-01-01T00:00:00';

export interface HaloRateLimitSettings {
	limit: number;
	windowMs: number;
}

export interface HaloSimulatorOptions {
	/** Tenant profile name (`default`, `acme`) or a whole profile. Default `default`. */
	profile?: string | TenantProfile;
	/** Tenant name expected in `?tenant=` and returned by /api/authinfo. Default: the profile name. */
	tenant?: string;
	/** On-premise: the token endpoint does not need `?tenant=`. */
	onPremise?: boolean;
	/** Path of the authorisation server (token endpoint is `{authPath}/token`). Default `/auth`. */
	authPath?: string;
	/** Serve the unauthenticated `GET /api/authinfo` (default true). */
	authInfo?: boolean;
	/** Client id/secret of the default API application (logs in as the profile's API agent). */
	clientId?: string;
	clientSecret?: string;
	/** Further API applications (each logs in as its own agent). */
	applications?: ApplicationSeed[];
	/** Token lifetime reported in `expires_in` and enforced (default 3600 s). */
	tokenLifetimeSeconds?: number;
	/** Rolling-window limit per tenant (all tokens together); `false` disables. Default 300 per 300 s. */
	rateLimit?: HaloRateLimitSettings | false;
	/** Send Retry-After with 429s (default false: whether Halo sends it is UNCERTAIN). */
	retryAfter?: boolean;
	/** Single-element POSTs answer with the object (default) or a one-element array. */
	writeResponse?: 'object' | 'array';
	/** Tickets created at start (and on reset). Default 0. */
	seedTickets?: number;
	/** Webhooks managed through the API: permission, payload type, status-only "Ticket Status Changed" payloads. */
	webhookRegistry?: Partial<WebhookRegistrySettings>;
}

export interface GatewayTimeoutSettings {
	/** Number of matching requests to answer with 504. */
	count: number;
	/** Delay before the 504 (real Halo: about 60 s). Default 100 ms. */
	delayMs?: number;
	/** Only paths matching this regular expression (case-insensitive). */
	pathPattern?: string;
	/** Only this method. */
	method?: string;
	/** Process the request before answering 504 (the write happens; the caller cannot tell). Default false. */
	applyWrite?: boolean;
}

export interface HaloSimCounts {
	tokenRequests: number;
	apiRequests: number;
	authInfoRequests: number;
	rateLimited: number;
	unauthorized: number;
	byRoute: Record<string, number>;
}

interface TokenRecord {
	agentId: number;
	clientId: string;
	expiresAt: number;
	scope: string;
}

class HttpError extends Error {
	constructor(readonly response: SimResponse) {
		super(typeof response.body === 'string' ? response.body : JSON.stringify(response.body));
	}
}

const ok = (data: unknown): SimResponse => json(200, data);
const found = (data: unknown, entity: string): SimResponse =>
	data ? json(200, data) : json(404, { message: `${entity} not found` });

const TRUE_VALUES = new Set(['true', '1', 'yes']);
const isTrue = (value: string | undefined): boolean => value !== undefined && TRUE_VALUES.has(value.toLowerCase());

/** Halo's date format: UTC without time zone designator and without milliseconds. */
export function haloDate(date = new Date()): string {
	return date.toISOString().slice(0, 19);
}

/** ASP.NET-style model validation failure (the envelope Halo's 400s most likely use; UNCERTAIN). */
function validationError(field: string, message: string): HttpError {
	return new HttpError(
		json(400, {
			type: 'https://tools.ietf.org/html/rfc7231#section-6.5.1',
			title: 'One or more validation errors occurred.',
			status: 400,
			errors: { [field]: [message] },
		}),
	);
}

/** A Halo business-rule failure: plain text, as for the missing-outcome rule. */
const ruleError = (message: string, status = 400): HttpError => new HttpError(text(status, message));

function intValue(value: unknown, field: string): number | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	if (typeof value === 'number' && Number.isInteger(value)) return value;
	if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number(value.trim());
	throw validationError(
		field,
		`The JSON value could not be converted to System.Int32. Path: ${field} | LineNumber: 0 | BytePositionInLine: 0.`,
	);
}

const ID_FIELDS = [
	'id',
	'client_id',
	'site_id',
	'status_id',
	'tickettype_id',
	'priority_id',
	'agent_id',
	'team_id',
	'user_id',
	'sla_id',
	'ticket_id',
	'outcome_id',
	'new_status',
	'third_party_id',
];

function normaliseIds(input: HaloRecord, index: number): HaloRecord {
	const out: HaloRecord = { ...input };
	for (const field of ID_FIELDS) {
		if (field in out) {
			const value = intValue(out[field], `$[${index}].${field}`);
			if (value === undefined) delete out[field];
			else out[field] = value;
		}
	}
	return out;
}

function pathId(raw: string): number {
	if (!/^-?\d+$/.test(raw)) {
		throw validationError('id', `The value '${raw}' is not valid.`);
	}
	return Number(raw);
}

export class HaloSimulator extends SimServer {
	readonly webhooks: WebhookEmitter;
	/** Webhooks and notifications managed through /api/Webhook and /api/Notification. */
	readonly registeredWebhooks: HaloWebhookRegistry;
	profile!: TenantProfile;
	tenant!: string;
	private readonly options: HaloSimulatorOptions;
	private readonly applications: ApplicationSeed[];
	private tokens = new Map<string, TokenRecord>();
	private lastToken?: string;
	private rateCounter?: SlidingWindowCounter;
	private gateway?: GatewayTimeoutSettings;
	/** Delay before every authenticated API answer (a slow tenant), 0 by default. */
	apiLatencyMs = 0;
	private apiInFlight = 0;
	private apiPeakInFlight = 0;
	writeResponse: 'object' | 'array';
	retryAfter: boolean;
	tokenLifetimeSeconds: number;
	readonly authPath: string;

	private tickets = new Map<number, HaloRecord>();
	private actions = new Map<number, HaloRecord>();
	private clients = new Map<number, HaloRecord>();
	private sites = new Map<number, HaloRecord>();
	private assets = new Map<number, HaloRecord>();
	private nextTicketId = 1001;
	private nextActionId = 1;
	private customFieldIds = new Map<string, number>();

	constructor(options: HaloSimulatorOptions = {}) {
		super({ name: 'halo' });
		this.options = { ...options };
		this.authPath = `/${(options.authPath ?? '/auth').replace(/^\/+|\/+$/g, '')}`;
		this.writeResponse = options.writeResponse ?? 'object';
		this.retryAfter = options.retryAfter ?? false;
		this.tokenLifetimeSeconds = options.tokenLifetimeSeconds ?? 3600;
		this.setRateLimit(options.rateLimit === undefined ? { limit: 300, windowMs: 300_000 } : options.rateLimit);
		this.webhooks = new WebhookEmitter(() => haloDate());
		this.registeredWebhooks = new HaloWebhookRegistry(this.webhooks);
		if (options.webhookRegistry) this.registeredWebhooks.configure(options.webhookRegistry);
		this.loadProfile(options.profile ?? 'default', options.tenant);
		const defaultApp: ApplicationSeed = {
			clientId: options.clientId ?? 'halo-sim-client',
			clientSecret: options.clientSecret ?? 'halo-sim-secret-0000000000000000',
			agentId: -1, // resolved to the profile's API agent at login time
		};
		this.applications = [defaultApp, ...(options.applications ?? [])];
		// Halo's 429 is plain text; injected 429 bursts must look the same.
		this.faults.rateLimitResponse = (retryAfter) => this.rateLimitResponse(retryAfter);
		this.registerAuthRoutes();
		this.registerApiRoutes();
		this.registerAdminRoutes();
	}

	// ---------------------------------------------------------------------------------------------------------------
	// Configuration and state

	/** Replaces all data with a profile's seed (tokens stay valid). */
	loadProfile(profile: string | TenantProfile, tenant?: string): void {
		this.profile = typeof profile === 'string' ? tenantProfile(profile) : (JSON.parse(JSON.stringify(profile)) as TenantProfile);
		this.tenant = tenant ?? this.options.tenant ?? this.profile.name;
		this.resetData();
	}

	/** Clears tickets and actions and reloads clients and sites from the profile. */
	resetData(seedTickets = this.options.seedTickets ?? 0): void {
		this.tickets.clear();
		this.actions.clear();
		this.clients = new Map(this.profile.clients.map((c) => [c.id, { ...c }]));
		this.sites = new Map(this.profile.sites.map((s) => [s.id, { ...s }]));
		this.assets = new Map((this.profile.assets ?? []).map((a) => [a.id, { ...a }]));
		this.nextTicketId = 1001;
		this.nextActionId = 1;
		this.customFieldIds.clear();
		for (let i = 0; i < seedTickets; i++) this.createTicketDirect({ summary: `Seed ticket ${i + 1}` });
	}

	/** Full reset: data, tokens, log, faults, webhooks, gateway timeouts, rate-limit window. */
	reset(profile?: string | TenantProfile): void {
		if (profile) this.loadProfile(profile);
		else this.resetData();
		this.tokens.clear();
		this.log.clear();
		this.faults.clear();
		this.gateway = undefined;
		this.apiLatencyMs = 0;
		this.apiPeakInFlight = 0;
		this.rateCounter?.reset();
		this.webhooks.clearSubscriptions();
		this.webhooks.clearDeliveries();
		this.registeredWebhooks.reset();
		if (this.options.webhookRegistry) this.registeredWebhooks.configure(this.options.webhookRegistry);
	}

	setRateLimit(settings: HaloRateLimitSettings | false | null): void {
		this.rateCounter = settings ? new SlidingWindowCounter(settings.limit, settings.windowMs) : undefined;
	}

	get rateLimit(): HaloRateLimitSettings | undefined {
		return this.rateCounter ? { limit: this.rateCounter.limit, windowMs: this.rateCounter.windowMs } : undefined;
	}

	/** Expires every issued token now (the next API call answers 401). */
	expireTokens(): number {
		const n = this.tokens.size;
		for (const record of this.tokens.values()) record.expiresAt = 0;
		return n;
	}

	/** The most recently issued access token (for tests that check redaction). */
	lastIssuedToken(): string | undefined {
		return this.lastToken;
	}

	/** Answer the next matching requests with 504 after a delay. */
	setGatewayTimeout(settings: GatewayTimeoutSettings | undefined): void {
		this.gateway = settings && settings.count > 0 ? { ...settings } : undefined;
	}

	/** Most authenticated API requests in progress at once since the last reset (with apiLatencyMs, how callers fan out). */
	peakConcurrentApiRequests(): number {
		return this.apiPeakInFlight;
	}

	counts(): HaloSimCounts {
		const entries = this.log.entries();
		const tokenRoute = `POST ${this.authPath}/token`.toLowerCase();
		let tokenRequests = 0;
		let apiRequests = 0;
		let authInfoRequests = 0;
		let rateLimited = 0;
		let unauthorized = 0;
		for (const e of entries) {
			const route = e.route.toLowerCase();
			if (route === tokenRoute) tokenRequests++;
			else if (route === 'get /api/authinfo') authInfoRequests++;
			else if (e.path.toLowerCase().startsWith('/api/')) apiRequests++;
			if (e.status === 429) rateLimited++;
			if (e.status === 401) unauthorized++;
		}
		return { tokenRequests, apiRequests, authInfoRequests, rateLimited, unauthorized, byRoute: this.log.counts() };
	}

	/** The largest number of API requests (excluding token and authinfo) that arrived within any `windowMs`. */
	maxApiRequestsInWindow(windowMs: number): number {
		const stamps = this.log
			.entries()
			.filter((e) => e.path.toLowerCase().startsWith('/api/') && e.route.toLowerCase() !== 'get /api/authinfo')
			.map((e) => e.at)
			.sort((a, b) => a - b);
		let max = 0;
		let start = 0;
		for (let end = 0; end < stamps.length; end++) {
			while (stamps[end] - stamps[start] >= windowMs) start++;
			max = Math.max(max, end - start + 1);
		}
		return max;
	}

	ticket(id: number): HaloRecord | undefined {
		const t = this.tickets.get(id);
		return t ? this.ticketView(t) : undefined;
	}

	allTickets(): HaloRecord[] {
		return [...this.tickets.values()].map((t) => this.ticketView(t));
	}

	allActions(ticketId?: number): HaloRecord[] {
		return [...this.actions.values()].filter((a) => ticketId === undefined || a.ticket_id === ticketId).map((a) => ({ ...a }));
	}

	/** Adds or replaces an asset (as Halo's Datto RMM sync would); returns the stored record. */
	upsertAsset(asset: HaloRecord): HaloRecord {
		const record = normaliseIds(asset, 0);
		const id = typeof record.id === 'number' ? record.id : Math.max(900, ...this.assets.keys()) + 1;
		if (record.client_id !== undefined && !this.clients.has(record.client_id as number)) throw ruleError(`Client ${record.client_id} does not exist`);
		const stored = { ...(this.assets.get(id) ?? {}), ...record, id };
		this.assets.set(id, stored);
		return { ...stored };
	}

	allAssets(): HaloRecord[] {
		return [...this.assets.values()].map((a) => ({ ...a }));
	}

	isClosedStatus(statusId: unknown): boolean {
		return this.profile.statuses.some((s) => s.id === statusId && s.closed === true);
	}

	// ---------------------------------------------------------------------------------------------------------------
	// Direct manipulation (admin API and tests): acts as a technician, fires webhooks when asked

	createTicketDirect(fields: HaloRecord, opts: { actorAgentId?: number; events?: boolean } = {}): HaloRecord {
		const ticket = this.createTicket(normaliseIds(fields, 0));
		if (opts.events) this.emit('New Ticket Logged', ticket, opts.actorAgentId ?? this.profile.technicianAgentId);
		return this.ticketView(ticket);
	}

	/** A technician closes a ticket in the Halo UI: a closing action with the close outcome and the closed status. */
	closeAsTechnician(
		ticketId: number,
		opts: { agentId?: number; note?: string; statusId?: number; outcomeId?: number } = {},
	): { ticket: HaloRecord; action: HaloRecord } {
		const statusId = opts.statusId ?? this.profile.closedStatusId;
		const action = this.addActions(
			[
				{
					ticket_id: ticketId,
					outcome_id: opts.outcomeId ?? this.profile.closeOutcomeId,
					note: opts.note ?? 'Closed by technician',
					new_status: statusId,
					hiddenfromuser: false,
				},
			],
			opts.agentId ?? this.profile.technicianAgentId,
		)[0];
		return { ticket: this.ticket(ticketId)!, action };
	}

	/** A technician changes a ticket's status (with an optional note). */
	setStatusAsTechnician(ticketId: number, statusId: number, opts: { agentId?: number; note?: string } = {}): HaloRecord {
		this.addActions(
			[{ ticket_id: ticketId, outcome_id: this.profile.outcomes[0].id, note: opts.note ?? 'Status changed', new_status: statusId }],
			opts.agentId ?? this.profile.technicianAgentId,
		);
		return this.ticket(ticketId)!;
	}

	// ---------------------------------------------------------------------------------------------------------------
	// Auth

	private rateLimitResponse(retryAfterSeconds?: number): SimResponse {
		const settings = this.rateLimit ?? { limit: 300, windowMs: 300_000 };
		const windowText =
			settings.windowMs % 60_000 === 0
				? `${settings.windowMs / 60_000} minute`
				: `${Math.round((settings.windowMs / 1000) * 1000) / 1000} second`;
		return text(
			429,
			`Rate Limit Reached - ${settings.limit} Requests per rolling ${windowText} window`,
			retryAfterSeconds !== undefined ? { 'retry-after': String(retryAfterSeconds) } : undefined,
		);
	}

	private registerAuthRoutes(): void {
		this.route('POST', `${this.authPath}/token`, (req) => {
			const form = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, string>;
			const secret = form.client_secret;
			// The request log keeps this body: never keep the secret there.
			if (typeof secret === 'string') form.client_secret = '***';
			if (!String(req.headers['content-type'] ?? '').toLowerCase().includes('application/x-www-form-urlencoded')) {
				return json(400, { error: 'invalid_request', error_description: 'The token request must be form encoded' });
			}
			if (form.grant_type !== 'client_credentials') {
				return json(400, { error: 'unsupported_grant_type' });
			}
			if (!this.options.onPremise && (req.query.tenant ?? '').toLowerCase() !== this.tenant.toLowerCase()) {
				return json(401, { error: 'invalid_client', error_description: 'Unknown tenant' });
			}
			const app = this.applications.find((a) => a.clientId === form.client_id && a.clientSecret === secret);
			if (!app) return json(401, { error: 'invalid_client' });
			const token = randomBytes(32).toString('base64url');
			const scope = form.scope || 'all';
			this.tokens.set(token, {
				agentId: app.agentId > 0 ? app.agentId : this.profile.apiAgentId,
				clientId: app.clientId,
				expiresAt: Date.now() + this.tokenLifetimeSeconds * 1000,
				scope,
			});
			this.lastToken = token;
			return json(200, { access_token: token, token_type: 'Bearer', expires_in: this.tokenLifetimeSeconds, scope });
		});
	}

	/** Authenticated API route: rate limit (per tenant) → bearer check → on-demand 504 → handler. */
	private api(method: string, pattern: string, handler: (req: SimRequest, agentId: number) => SimResponse): void {
		this.route(method, pattern, async (req) => {
			if (this.rateCounter && !this.rateCounter.tryTake()) {
				return this.rateLimitResponse(this.retryAfter ? this.rateCounter.retryAfterSeconds() : undefined);
			}
			const header = String(req.headers.authorization ?? '');
			const match = /^Bearer\s+(.+)$/i.exec(header);
			const record = match ? this.tokens.get(match[1].trim()) : undefined;
			if (!record || record.expiresAt <= Date.now()) {
				return { status: 401, headers: { 'www-authenticate': 'Bearer error="invalid_token"' } };
			}
			if (this.apiLatencyMs > 0) {
				this.apiInFlight++;
				this.apiPeakInFlight = Math.max(this.apiPeakInFlight, this.apiInFlight);
				try {
					await new Promise((r) => setTimeout(r, this.apiLatencyMs));
				} finally {
					this.apiInFlight--;
				}
			}
			const gateway = this.gatewayFor(req);
			if (gateway && !gateway.applyWrite) {
				await new Promise((r) => setTimeout(r, gateway.delayMs ?? 100));
				return text(504, 'Gateway Timeout');
			}
			let response: SimResponse;
			try {
				response = handler(req, record.agentId);
			} catch (error) {
				if (error instanceof HttpError) response = error.response;
				else throw error;
			}
			if (gateway) {
				await new Promise((r) => setTimeout(r, gateway.delayMs ?? 100));
				return text(504, 'Gateway Timeout');
			}
			return response;
		});
	}

	private gatewayFor(req: SimRequest): GatewayTimeoutSettings | undefined {
		const g = this.gateway;
		if (!g || g.count <= 0) return undefined;
		if (g.method && g.method.toUpperCase() !== req.method) return undefined;
		if (g.pathPattern && !new RegExp(g.pathPattern, 'i').test(req.path)) return undefined;
		g.count--;
		const hit = { ...g };
		if (g.count <= 0) this.gateway = undefined;
		return hit;
	}

	// ---------------------------------------------------------------------------------------------------------------
	// Views, lists, paging

	private listEnvelope(all: HaloRecord[], pluralKey: string, query: Record<string, string>): HaloRecord {
		if (isTrue(query.pageinate)) {
			const pageSize = Math.min(100, Math.max(1, Number.parseInt(query.page_size ?? '', 10) || 50));
			const pageNo = Math.max(1, Number.parseInt(query.page_no ?? '', 10) || 1);
			return {
				page_no: pageNo,
				page_size: pageSize,
				record_count: all.length,
				[pluralKey]: all.slice((pageNo - 1) * pageSize, pageNo * pageSize),
			};
		}
		const count = Number.parseInt(query.count ?? '', 10);
		return { record_count: all.length, [pluralKey]: count > 0 ? all.slice(0, count) : all };
	}

	private statusView(id: unknown): HaloRecord | undefined {
		const s = this.profile.statuses.find((x) => x.id === id);
		if (!s) return undefined;
		// `closed` is the simulator's own knowledge; the API does not send it.
		const { closed: _closed, ...rest } = s;
		return { ...rest };
	}

	private agentView(id: unknown): HaloRecord | undefined {
		const a = this.profile.agents.find((x) => x.id === id);
		return a ? { ...a } : undefined;
	}

	private clientView(c: HaloRecord): HaloRecord {
		const site = this.sites.get(c.main_site_id as number);
		return { inactive: false, ...c, main_site_name: site?.name ?? '' };
	}

	private siteView(s: HaloRecord): HaloRecord {
		const client = this.clients.get(s.client_id as number);
		const clientName = (client?.name as string) ?? '';
		return { inactive: false, ...s, client_name: clientName, clientsite_name: `${clientName}/${s.name as string}` };
	}

	private ticketView(t: HaloRecord): HaloRecord {
		const client = this.clients.get(t.client_id as number);
		const site = this.sites.get(t.site_id as number);
		return {
			...t,
			client_name: (client?.name as string) ?? '',
			site_name: (site?.name as string) ?? '',
			customfields: ((t.customfields as HaloRecord[] | undefined) ?? []).map((c) => ({ ...c })),
			assets: ((t.assets as HaloRecord[] | undefined) ?? []).map((a) => ({ ...a })),
		};
	}

	/**
	 * An asset as the list returns it: a thin record (id, names, inventory number / key field, datto_id), not the
	 * whole object (whether real list items carry datto_id is UNCERTAIN; the full object does).
	 */
	private assetListView(a: HaloRecord): HaloRecord {
		const client = this.clients.get(a.client_id as number);
		const site = this.sites.get(a.site_id as number);
		return {
			id: a.id,
			inventory_number: a.inventory_number ?? '',
			key_field: a.key_field ?? '',
			client_id: a.client_id,
			client_name: (client?.name as string) ?? '',
			site_id: a.site_id,
			site_name: (site?.name as string) ?? '',
			assettype_name: a.assettype_name ?? '',
			inactive: a.inactive === true,
			datto_id: a.datto_id ?? '',
		};
	}

	private assetView(a: HaloRecord): HaloRecord {
		return {
			...this.assetListView(a),
			datto_site_uid: a.datto_site_uid ?? '',
			datto_alternate_id: a.datto_alternate_id ?? 0,
			datto_url: a.datto_url ?? '',
			fields: [],
			...a,
		};
	}

	/** A ticket with linked objects, as the `full` webhook payload and runbook variables see it. */
	expandTicket(t: HaloRecord): HaloRecord {
		const view = this.ticketView(t);
		const lastAction = [...this.actions.values()].filter((a) => a.ticket_id === t.id).pop();
		const client = this.clients.get(t.client_id as number);
		const site = this.sites.get(t.site_id as number);
		return {
			...view,
			status: this.statusView(t.status_id) ?? { id: t.status_id },
			client: client ? this.clientView(client) : undefined,
			site: site ? this.siteView(site) : undefined,
			agent: this.agentView(t.agent_id),
			tickettype: this.profile.ticketTypes.find((x) => x.id === t.tickettype_id),
			lastaction: lastAction ? { ...lastAction } : undefined,
		};
	}

	private respondWrite(results: HaloRecord[]): SimResponse {
		if (results.length === 1 && this.writeResponse === 'object') return json(201, results[0]);
		return json(201, results);
	}

	/** An array POST body; `normalise` checks integer ids (webhook ids are UUIDs). */
	private requireArray(body: unknown, entity: string, normalise = true): HaloRecord[] {
		if (!Array.isArray(body)) {
			throw validationError(
				'$',
				`The JSON value could not be converted to System.Collections.Generic.List\`1[Halo.Models.${entity}]. Path: $ | LineNumber: 0 | BytePositionInLine: 1.`,
			);
		}
		return body.map((item, i) => {
			if (!item || typeof item !== 'object' || Array.isArray(item)) {
				throw validationError(`$[${i}]`, `The JSON value could not be converted to Halo.Models.${entity}. Path: $[${i}]`);
			}
			return normalise ? normaliseIds(item as HaloRecord, i) : (item as HaloRecord);
		});
	}

	// ---------------------------------------------------------------------------------------------------------------
	// Tickets and actions

	private checkRefs(t: HaloRecord): void {
		if (t.client_id !== undefined && !this.clients.has(t.client_id as number)) throw ruleError(`Client ${t.client_id} does not exist`);
		if (t.site_id !== undefined && !this.sites.has(t.site_id as number)) throw ruleError(`Site ${t.site_id} does not exist`);
		if (t.status_id !== undefined && !this.profile.statuses.some((s) => s.id === t.status_id)) {
			throw ruleError(`Status ${t.status_id} does not exist`);
		}
		if (t.tickettype_id !== undefined && !this.profile.ticketTypes.some((s) => s.id === t.tickettype_id)) {
			throw ruleError(`Ticket Type ${t.tickettype_id} does not exist`);
		}
		if (t.agent_id !== undefined && t.agent_id !== 0 && !this.profile.agents.some((s) => s.id === t.agent_id)) {
			throw ruleError(`Agent ${t.agent_id} does not exist`);
		}
		if (t.assets !== undefined) this.ticketAssets(t.assets);
	}

	/** The `assets` of a ticket write: an array of `{ id }` naming existing assets (400 otherwise). */
	private ticketAssets(value: unknown): HaloRecord[] {
		if (value === null) return [];
		if (!Array.isArray(value)) throw validationError('$[0].assets', 'The JSON value could not be converted to System.Collections.Generic.List`1[Halo.Models.Device].');
		return value.map((raw, i) => {
			const id = intValue(raw && typeof raw === 'object' ? (raw as HaloRecord).id : undefined, `$[0].assets[${i}].id`);
			const asset = id === undefined ? undefined : this.assets.get(id);
			if (!asset) throw ruleError(`Asset ${id ?? '(no id)'} does not exist`);
			return { id, inventory_number: asset.inventory_number ?? '', key_field: asset.key_field ?? '' };
		});
	}

	private mergeCustomFields(existing: HaloRecord[] | undefined, incoming: unknown): HaloRecord[] {
		const out = (existing ?? []).map((c) => ({ ...c }));
		if (!Array.isArray(incoming)) return out;
		for (const raw of incoming as HaloRecord[]) {
			if (!raw || typeof raw !== 'object') continue;
			const name = typeof raw.name === 'string' ? raw.name : undefined;
			let id = typeof raw.id === 'number' ? raw.id : undefined;
			if (id === undefined && name) {
				id = this.customFieldIds.get(name.toLowerCase());
				if (id === undefined) {
					id = 150 + this.customFieldIds.size;
					this.customFieldIds.set(name.toLowerCase(), id);
				}
			}
			const fieldName = name ?? [...this.customFieldIds.entries()].find(([, v]) => v === id)?.[0] ?? `CF${id}`;
			const found = out.find((c) => c.id === id);
			const value = raw.value ?? null;
			if (found) {
				found.value = value;
				found.display = value === null ? '' : String(value);
			} else {
				out.push({ id, name: fieldName, label: fieldName.replace(/^CF/, ''), value, display: value === null ? '' : String(value) });
			}
		}
		return out;
	}

	private stripControlFlags(input: HaloRecord): HaloRecord {
		const out: HaloRecord = {};
		for (const [k, v] of Object.entries(input)) if (!k.startsWith('_')) out[k] = v;
		return out;
	}

	private createTicket(input: HaloRecord): HaloRecord {
		const fields = this.stripControlFlags(input);
		delete fields.id;
		this.checkRefs(fields);
		const now = haloDate();
		const clientId = (fields.client_id as number | undefined) ?? this.profile.defaultClientId;
		const client = this.clients.get(clientId);
		const typeId = (fields.tickettype_id as number | undefined) ?? this.profile.defaultTicketTypeId;
		const type = this.profile.ticketTypes.find((t) => t.id === typeId);
		const statusId = (fields.status_id as number | undefined) ?? type?.default_status ?? this.profile.newStatusId;
		const closed = this.isClosedStatus(statusId);
		const team = this.profile.teams.find((t) => t.id === fields.team_id);
		const ticket: HaloRecord = {
			summary: '',
			details: '',
			user_id: 0,
			user_name: '',
			agent_id: 0,
			team: team?.name ?? '',
			third_party_id: 0,
			...fields,
			id: this.nextTicketId++,
			tickettype_id: typeId,
			status_id: statusId,
			priority_id: (fields.priority_id as number | undefined) ?? this.profile.defaultPriorityId,
			sla_id: (fields.sla_id as number | undefined) ?? type?.sla_id ?? 0,
			client_id: clientId,
			site_id: (fields.site_id as number | undefined) ?? (client?.main_site_id as number | undefined) ?? 0,
			dateoccurred: typeof fields.dateoccurred === 'string' ? fields.dateoccurred : now,
			datecreated: now,
			last_update: now,
			lastactiondate: HALO_NO_DATE,
			dateclosed: closed ? now : HALO_NO_DATE,
			hasbeenclosed: closed,
			customfields: this.mergeCustomFields([], fields.customfields),
			assets: fields.assets === undefined ? [] : this.ticketAssets(fields.assets),
		};
		if (typeof ticket.details_html === 'string' && !fields.details) {
			ticket.details = (ticket.details_html as string).replace(/<[^>]*>/g, '');
		}
		this.tickets.set(ticket.id as number, ticket);
		return ticket;
	}

	/** Applies a status change; returns the events it causes. */
	private applyStatus(ticket: HaloRecord, newStatus: number, actorAgentId: number): string[] {
		const old = ticket.status_id;
		if (old === newStatus) return [];
		const wasClosed = this.isClosedStatus(old);
		const nowClosed = this.isClosedStatus(newStatus);
		ticket.status_id = newStatus;
		const now = haloDate();
		if (!wasClosed && nowClosed) {
			ticket.dateclosed = now;
			ticket.hasbeenclosed = true;
			ticket.closure_agent_id = actorAgentId;
			ticket.closure_time = now;
		} else if (wasClosed && !nowClosed) {
			ticket.dateclosed = HALO_NO_DATE;
			ticket.hasbeenclosed = false;
		}
		return nowClosed && !wasClosed ? ['Ticket Status Changed', 'Ticket Closed'] : ['Ticket Status Changed'];
	}

	private emit(event: string, ticket: HaloRecord, actorAgentId: number, extra: Partial<TicketEventContext> = {}): void {
		if (!this.webhooks.list().length) return;
		this.webhooks.notify({ event, ticket: this.expandTicket(ticket), actorAgentId, ...extra });
	}

	private postTickets(items: HaloRecord[], agentId: number): HaloRecord[] {
		// Validate everything first so a failing element leaves no partial writes.
		for (const item of items) {
			if (item.id !== undefined && !this.tickets.has(item.id as number)) throw ruleError(`Ticket ${item.id} does not exist`, 404);
			this.checkRefs(item);
		}
		const results: HaloRecord[] = [];
		for (const item of items) {
			if (item.id === undefined) {
				const ticket = this.createTicket(item);
				results.push(this.ticketView(ticket));
				this.emit('New Ticket Logged', ticket, agentId);
				continue;
			}
			const ticket = this.tickets.get(item.id as number)!;
			const fields = this.stripControlFlags(item);
			const { status_id: newStatus, customfields, id: _id, assets, ...rest } = fields;
			const oldStatusId = ticket.status_id as number;
			const oldAgent = ticket.agent_id;
			Object.assign(ticket, rest);
			if (assets !== undefined) ticket.assets = this.ticketAssets(assets);
			if (customfields !== undefined) ticket.customfields = this.mergeCustomFields(ticket.customfields as HaloRecord[], customfields);
			if (rest.team_id !== undefined) ticket.team = this.profile.teams.find((t) => t.id === rest.team_id)?.name ?? '';
			const events = newStatus !== undefined ? this.applyStatus(ticket, newStatus as number, agentId) : [];
			ticket.last_update = haloDate();
			results.push(this.ticketView(ticket));
			if (rest.agent_id !== undefined && rest.agent_id !== oldAgent) events.push('Ticket Reassigned');
			if (!events.length) events.push('Ticket Updated');
			for (const event of events) this.emit(event, ticket, agentId, { oldStatusId });
		}
		return results;
	}

	private addActions(items: HaloRecord[], agentId: number): HaloRecord[] {
		const prepared = items.map((raw) => {
			const item = normaliseIds(this.stripControlFlags(raw), 0);
			if (item.id !== undefined) {
				const existing = this.actions.get(item.id as number);
				if (!existing) throw ruleError(`Action ${item.id} does not exist`, 404);
				return { item, existing, ticket: this.tickets.get(existing.ticket_id as number)! };
			}
			if (item.ticket_id === undefined) throw ruleError('A ticket_id must be entered for this Action');
			const ticket = this.tickets.get(item.ticket_id as number);
			if (!ticket) throw ruleError(`Ticket ${item.ticket_id} does not exist`, 404);
			const outcomeName = typeof item.outcome === 'string' ? item.outcome.trim() : '';
			if (!outcomeName && !item.outcome_id) throw ruleError('An Outcome must be entered for this Action');
			const outcome = item.outcome_id
				? this.profile.outcomes.find((o) => o.id === item.outcome_id)
				: this.profile.outcomes.find((o) => o.outcome.toLowerCase() === outcomeName.toLowerCase() || o.buttonname?.toLowerCase() === outcomeName.toLowerCase());
			if (item.outcome_id && !outcome) throw ruleError(`Outcome ${item.outcome_id} does not exist`);
			const newStatus = (item.new_status as number | undefined) || (outcome?.newstatus ? outcome.newstatus : undefined);
			if (newStatus !== undefined && !this.profile.statuses.some((s) => s.id === newStatus)) {
				throw ruleError(`Status ${newStatus} does not exist`);
			}
			return { item, ticket, outcome, outcomeName, newStatus };
		});

		const agent = this.agentView(agentId);
		const results: HaloRecord[] = [];
		for (const p of prepared) {
			if ('existing' in p && p.existing) {
				Object.assign(p.existing, p.item, { ticket_id: p.existing.ticket_id });
				results.push({ ...p.existing });
				continue;
			}
			const { item, ticket, outcome, outcomeName, newStatus } = p as Exclude<typeof p, { existing: HaloRecord }>;
			const now = haloDate();
			const oldStatus = ticket.status_id as number;
			const noteHtml = typeof item.note_html === 'string' ? item.note_html : undefined;
			const action: HaloRecord = {
				...item,
				id: this.nextActionId++,
				ticket_id: ticket.id,
				outcome: outcome?.outcome ?? outcomeName,
				outcome_id: outcome?.id ?? 0,
				who: agent?.name ?? 'API',
				who_type: 1,
				who_agentid: agentId,
				datetime: now,
				note: typeof item.note === 'string' ? item.note : noteHtml ? noteHtml.replace(/<[^>]*>/g, '') : '',
				note_html: noteHtml ?? (typeof item.note === 'string' ? item.note : ''),
				hiddenfromuser: item.hiddenfromuser ?? outcome?.hiddenfromuser ?? false,
				sendemail: item.sendemail ?? false,
				new_status: newStatus ?? 0,
				old_status: oldStatus,
				actionby_agent_id: agentId,
			};
			this.actions.set(action.id as number, action);
			const events = newStatus !== undefined ? this.applyStatus(ticket, newStatus, agentId) : [];
			ticket.lastactiondate = now;
			ticket.last_update = now;
			if (typeof item.new_agent === 'number') ticket.agent_id = item.new_agent;
			results.push({ ...action });
			if (!events.length) events.push('Action Added');
			for (const event of events) this.emit(event, ticket, agentId, { action: { ...action }, oldStatusId: oldStatus });
		}
		return results;
	}

	private filterTickets(query: Record<string, string>): HaloRecord[] {
		let list = [...this.tickets.values()];
		const num = (key: string): number | undefined => {
			const v = query[key];
			return v === undefined || v === '' ? undefined : Number(v);
		};
		const eq = (field: string, key: string) => {
			const v = num(key);
			if (v !== undefined) list = list.filter((t) => t[field] === v);
		};
		eq('client_id', 'client_id');
		eq('site_id', 'site_id');
		eq('status_id', 'status_id');
		eq('agent_id', 'agent_id');
		eq('user_id', 'user_id');
		eq('tickettype_id', 'requesttype_id');
		eq('tickettype_id', 'requesttype');
		if (isTrue(query.open_only)) list = list.filter((t) => !this.isClosedStatus(t.status_id));
		if (isTrue(query.closed_only)) list = list.filter((t) => this.isClosedStatus(t.status_id));
		if (query.ticketids) {
			const ids = new Set(query.ticketids.split(',').map((x) => Number(x.trim())));
			list = list.filter((t) => ids.has(t.id as number));
		}
		const search = query.search ?? query.search_summary;
		if (search) {
			const needle = search.toLowerCase();
			list = list.filter((t) => String(t.summary ?? '').toLowerCase().includes(needle) || String(t.id) === search);
		}
		// Halo's search_details: the ticket's details (plain or HTML) contain the text.
		if (query.search_details) {
			const needle = query.search_details.toLowerCase();
			list = list.filter((t) => `${String(t.details ?? '')} ${String(t.details_html ?? '')}`.toLowerCase().includes(needle));
		}
		return list.sort((a, b) => (a.id as number) - (b.id as number)).map((t) => this.ticketView(t));
	}

	// ---------------------------------------------------------------------------------------------------------------
	// Routes

	private registerApiRoutes(): void {
		this.route('GET', '/api/authinfo', () => {
			if (this.options.authInfo === false) return json(404, { message: 'Not found' });
			return json(200, { auth_url: `${this.baseUrl}${this.authPath}`, tenant_id: this.tenant });
		});

		// Tickets
		this.api('GET', '/api/tickets', (req) => ok(this.listEnvelope(this.filterTickets(req.query), 'tickets', req.query)));
		this.api('GET', '/api/tickets/:id', (req) => {
			const t = this.tickets.get(pathId(req.params.id));
			if (!t) throw ruleError(`Ticket ${req.params.id} not found`, 404);
			const view = this.ticketView(t);
			if (isTrue(req.query.includelastaction)) {
				view.lastaction = [...this.actions.values()].filter((a) => a.ticket_id === t.id).pop() ?? null;
			}
			return ok(view);
		});
		this.api('POST', '/api/tickets', (req, agentId) => this.respondWrite(this.postTickets(this.requireArray(req.body, 'Faults'), agentId)));
		this.api('DELETE', '/api/tickets/:id', (req) => {
			const id = pathId(req.params.id);
			if (!this.tickets.delete(id)) throw ruleError(`Ticket ${id} not found`, 404);
			return json(200, { id });
		});

		// Actions
		this.api('GET', '/api/actions', (req) => {
			let list = [...this.actions.values()];
			const ticketId = req.query.ticket_id ? Number(req.query.ticket_id) : undefined;
			if (ticketId !== undefined) list = list.filter((a) => a.ticket_id === ticketId);
			if (isTrue(req.query.excludeprivate)) list = list.filter((a) => !a.hiddenfromuser);
			// The Actions list has no paging parameters (only count): pageinate/page_size are ignored like any unknown one.
			const count = Number.parseInt(req.query.count ?? '', 10);
			const sorted = list.sort((a, b) => (a.id as number) - (b.id as number)).map((a) => ({ ...a }));
			return ok({ record_count: sorted.length, actions: count > 0 ? sorted.slice(0, count) : sorted });
		});
		this.api('GET', '/api/actions/:id', (req) => {
			const a = this.actions.get(pathId(req.params.id));
			if (!a) throw ruleError(`Action ${req.params.id} not found`, 404);
			return ok({ ...a });
		});
		this.api('POST', '/api/actions', (req, agentId) => {
			const items = this.requireArray(req.body, 'Actions');
			return this.respondWrite(this.addActions(items, agentId));
		});

		// Lookups (plain arrays)
		this.api('GET', '/api/status', (req) => {
			let list = this.profile.statuses;
			if (isTrue(req.query.excludeclosed)) list = list.filter((s) => !s.closed);
			return ok(list.map((s) => this.statusView(s.id)!));
		});
		this.api('GET', '/api/status/:id', (req) => found(this.statusView(pathId(req.params.id)), 'Status'));
		this.api('GET', '/api/priority', (req) => {
			const slaid = req.query.slaid ? Number(req.query.slaid) : undefined;
			return ok(this.profile.priorities.filter((p) => slaid === undefined || p.slaid === slaid).map((p) => ({ ...p })));
		});
		this.api('GET', '/api/tickettype', () => ok(this.profile.ticketTypes.filter((t) => !t.inactive).map((t) => ({ ...t }))));
		this.api('GET', '/api/tickettype/:id', (req) => {
			const t = this.profile.ticketTypes.find((x) => x.id === pathId(req.params.id));
			return found(t && { ...t, default_sla_id: t.sla_id }, 'Ticket Type');
		});
		this.api('GET', '/api/outcome', () => ok(this.profile.outcomes.map((o) => ({ newstatus: 0, hiddenfromuser: false, ...o }))));
		this.api('GET', '/api/outcome/:id', (req) => {
			const o = this.profile.outcomes.find((x) => x.id === pathId(req.params.id));
			return found(o && { newstatus: 0, hiddenfromuser: false, ...o }, 'Outcome');
		});
		this.api('GET', '/api/team', () => ok(this.profile.teams.map((t) => ({ inactive: false, ...t }))));
		this.api('GET', '/api/team/:id', (req) => {
			const t = this.profile.teams.find((x) => x.id === pathId(req.params.id));
			return found(t && { inactive: false, ...t }, 'Team');
		});
		this.api('GET', '/api/agent', (req) => {
			const withApi = isTrue(req.query.includeapiagents);
			return ok(this.profile.agents.filter((a) => withApi || !a.is_api_agent).map((a) => ({ isdisabled: false, ...a })));
		});
		this.api('GET', '/api/agent/me', (_req, agentId) => found(this.agentView(agentId), 'Agent'));
		this.api('GET', '/api/agent/:id', (req) => found(this.agentView(pathId(req.params.id)), 'Agent'));

		// Clients and sites (envelopes with paging)
		this.api('GET', '/api/client', (req) => {
			const search = (req.query.search ?? '').toLowerCase();
			const includeInactive = isTrue(req.query.includeinactive);
			const list = [...this.clients.values()]
				.filter((c) => includeInactive || !c.inactive)
				.filter((c) => !search || String(c.name).toLowerCase().includes(search))
				.sort((a, b) => (a.id as number) - (b.id as number))
				.map((c) => this.clientView(c));
			return ok(this.listEnvelope(list, 'clients', req.query));
		});
		this.api('GET', '/api/client/:id', (req) => {
			const c = this.clients.get(pathId(req.params.id));
			return found(c && this.clientView(c), 'Client');
		});
		this.api('GET', '/api/site', (req) => {
			const clientId = req.query.client_id ? Number(req.query.client_id) : undefined;
			const search = (req.query.search ?? '').toLowerCase();
			const includeInactive = isTrue(req.query.includeinactive);
			const list = [...this.sites.values()]
				.filter((s) => clientId === undefined || s.client_id === clientId)
				.filter((s) => includeInactive || !s.inactive)
				.filter((s) => !search || String(s.name).toLowerCase().includes(search))
				.sort((a, b) => (a.id as number) - (b.id as number))
				.map((s) => this.siteView(s));
			return ok(this.listEnvelope(list, 'sites', req.query));
		});
		this.api('GET', '/api/site/:id', (req) => {
			const s = this.sites.get(pathId(req.params.id));
			return found(s && this.siteView(s), 'Site');
		});

		this.api('GET', '/api/users', (req) => {
			const clientId = req.query.client_id ? Number(req.query.client_id) : undefined;
			const search = (req.query.search ?? '').toLowerCase();
			const list = (this.profile.users ?? [])
				.filter((u) => clientId === undefined || u.client_id === clientId)
				.filter((u) => !u.inactive)
				.filter((u) => !search || `${u.name} ${u.emailaddress ?? ''}`.toLowerCase().includes(search))
				.map((u) => ({ inactive: false, ...u, client_name: (this.clients.get(u.client_id)?.name as string) ?? '' }));
			return ok(this.listEnvelope(list, 'users', req.query));
		});

		// Assets: paged, thin list items; no datto_id filter (an unknown parameter: ignored, the whole list comes back)
		this.api('GET', '/api/asset', (req) => {
			const num = (key: string) => (req.query[key] ? Number(req.query[key]) : undefined);
			const clientId = num('client_id');
			const siteId = num('site_id');
			const search = (req.query.search ?? '').toLowerCase();
			const includeInactive = isTrue(req.query.includeinactive);
			const list = [...this.assets.values()]
				.filter((a) => clientId === undefined || a.client_id === clientId)
				.filter((a) => siteId === undefined || a.site_id === siteId)
				.filter((a) => includeInactive || !a.inactive)
				.filter((a) => !search || `${String(a.inventory_number ?? '')} ${String(a.key_field ?? '')}`.toLowerCase().includes(search))
				.sort((a, b) => (a.id as number) - (b.id as number))
				.map((a) => this.assetListView(a));
			return ok(this.listEnvelope(list, 'assets', req.query));
		});
		this.api('GET', '/api/asset/:id', (req) => {
			const a = this.assets.get(pathId(req.params.id));
			return found(a && this.assetView(a), 'Asset');
		});

		// Outbound webhooks managed through the API (see ./webhookRegistry.ts).
		const registry = (fn: (req: SimRequest) => SimResponse) => (req: SimRequest) => {
			try {
				return fn(req);
			} catch (error) {
				if (error instanceof RegistryError) {
					return typeof error.body === 'string' ? text(error.status, error.body) : json(error.status, error.body);
				}
				throw error;
			}
		};
		this.api('GET', '/api/webhook', registry((req) => ok(this.registeredWebhooks.list(req.query))));
		this.api('GET', '/api/webhook/:id', registry((req) => ok(this.registeredWebhooks.get(req.params.id, isTrue(req.query.includedetails)))));
		this.api(
			'POST',
			'/api/webhook',
			registry((req) => this.respondWrite(this.registeredWebhooks.post(this.requireArray(req.body, 'Webhook', false)))),
		);
		this.api(
			'DELETE',
			'/api/webhook/:id',
			registry((req) => {
				this.registeredWebhooks.delete(req.params.id);
				return text(200, '');
			}),
		);
		this.api('GET', '/api/notification', registry(() => ok(this.registeredWebhooks.listNotifications())));
		this.api(
			'POST',
			'/api/notification',
			registry((req) => this.respondWrite(this.registeredWebhooks.postNotifications(this.requireArray(req.body, 'Notification')))),
		);
		this.api(
			'DELETE',
			'/api/notification/:id',
			registry((req) => {
				this.registeredWebhooks.deleteNotification(pathId(req.params.id));
				return text(200, '');
			}),
		);
	}

	private registerAdminRoutes(): void {
		const body = (req: SimRequest): HaloRecord => (req.body && typeof req.body === 'object' ? (req.body as HaloRecord) : {});
		const wrap = (fn: (req: SimRequest) => SimResponse | Promise<SimResponse>) => async (req: SimRequest) => {
			try {
				return await fn(req);
			} catch (error) {
				if (error instanceof HttpError) return error.response;
				return json(400, { message: (error as Error).message });
			}
		};

		this.admin('GET', '/_sim/state', () =>
			json(200, {
				tenant: this.tenant,
				profile: this.profile.name,
				onPremise: !!this.options.onPremise,
				tickets: this.tickets.size,
				actions: this.actions.size,
				tokens: this.tokens.size,
				rateLimit: this.rateLimit ? { ...this.rateLimit, used: this.rateCounter!.count() } : null,
				retryAfter: this.retryAfter,
				writeResponse: this.writeResponse,
				tokenLifetimeSeconds: this.tokenLifetimeSeconds,
				webhookSubscriptions: this.webhooks.list().length,
			}),
		);
		this.admin('GET', '/_sim/profile', () =>
			json(200, {
				name: this.profile.name,
				tenant: this.tenant,
				closedStatusId: this.profile.closedStatusId,
				newStatusId: this.profile.newStatusId,
				apiAgentId: this.profile.apiAgentId,
				technicianAgentId: this.profile.technicianAgentId,
				closeOutcomeId: this.profile.closeOutcomeId,
				statuses: this.profile.statuses,
				outcomes: this.profile.outcomes,
			}),
		);
		this.admin(
			'POST',
			'/_sim/profile',
			wrap((req) => {
				const b = body(req);
				this.loadProfile((b.profile as string) ?? 'default', b.tenant as string | undefined);
				return json(200, { profile: this.profile.name, tenant: this.tenant, closedStatusId: this.profile.closedStatusId });
			}),
		);
		this.admin(
			'POST',
			'/_sim/reset',
			wrap((req) => {
				const b = body(req);
				this.reset(b.profile as string | undefined);
				if (typeof b.seedTickets === 'number') this.resetData(b.seedTickets);
				return json(200, { ok: true, profile: this.profile.name, tenant: this.tenant });
			}),
		);
		this.admin(
			'POST',
			'/_sim/config',
			wrap((req) => {
				const b = body(req);
				if ('rateLimit' in b) this.setRateLimit(b.rateLimit as HaloRateLimitSettings | null);
				if (typeof b.retryAfter === 'boolean') this.retryAfter = b.retryAfter;
				if (b.writeResponse === 'object' || b.writeResponse === 'array') this.writeResponse = b.writeResponse;
				if (typeof b.tokenLifetimeSeconds === 'number') this.tokenLifetimeSeconds = b.tokenLifetimeSeconds;
				return json(200, { rateLimit: this.rateLimit ?? null, retryAfter: this.retryAfter, writeResponse: this.writeResponse, tokenLifetimeSeconds: this.tokenLifetimeSeconds });
			}),
		);
		this.admin('POST', '/_sim/tokens/expire', () => json(200, { expired: this.expireTokens() }));
		this.admin(
			'POST',
			'/_sim/gateway-timeout',
			wrap((req) => {
				this.setGatewayTimeout(body(req) as unknown as GatewayTimeoutSettings);
				return json(200, { gatewayTimeout: this.gateway ?? null });
			}),
		);
		this.admin('GET', '/_sim/counts', () => json(200, this.counts()));
		this.admin('GET', '/_sim/max-in-window', (req) => json(200, { max: this.maxApiRequestsInWindow(Number(req.query.windowMs) || 300_000) }));

		this.admin('GET', '/_sim/tickets', () => json(200, this.allTickets()));
		this.admin(
			'POST',
			'/_sim/tickets',
			wrap((req) => {
				const b = req.body;
				const events = isTrue(req.query.events);
				const created: HaloRecord[] = [];
				if (Array.isArray(b)) {
					b.forEach((t) => created.push(this.createTicketDirect(t as HaloRecord, { events })));
				} else {
					const rec = body(req);
					const count = typeof rec.count === 'number' ? rec.count : 1;
					const template = (rec.template as HaloRecord | undefined) ?? (typeof rec.count === 'number' ? {} : rec);
					for (let i = 0; i < count; i++) {
						created.push(this.createTicketDirect({ summary: `Ticket ${this.nextTicketId}`, ...template }, { events }));
					}
				}
				return json(201, created);
			}),
		);
		this.admin('GET', '/_sim/tickets/:id', (req) => {
			const t = this.ticket(Number(req.params.id));
			return t ? json(200, { ...t, actions: this.allActions(t.id as number) }) : json(404, { message: 'Ticket not found' });
		});
		this.admin(
			'POST',
			'/_sim/tickets/:id/close-as-technician',
			wrap((req) => {
				const b = body(req);
				return json(
					200,
					this.closeAsTechnician(Number(req.params.id), {
						agentId: b.agentId as number | undefined,
						note: b.note as string | undefined,
						statusId: b.statusId as number | undefined,
						outcomeId: b.outcomeId as number | undefined,
					}),
				);
			}),
		);
		this.admin(
			'POST',
			'/_sim/tickets/:id/status',
			wrap((req) => {
				const b = body(req);
				return json(
					200,
					this.setStatusAsTechnician(Number(req.params.id), Number(b.statusId), {
						agentId: b.agentId as number | undefined,
						note: b.note as string | undefined,
					}),
				);
			}),
		);
		this.admin('GET', '/_sim/assets', () => json(200, this.allAssets()));
		this.admin(
			'POST',
			'/_sim/assets',
			wrap((req) => json(201, (Array.isArray(req.body) ? (req.body as HaloRecord[]) : [body(req)]).map((a) => this.upsertAsset(a)))),
		);
		this.admin('GET', '/_sim/actions', (req) => json(200, this.allActions(req.query.ticket_id ? Number(req.query.ticket_id) : undefined)));

		// Webhooks
		this.admin('GET', '/_sim/webhooks/subscriptions', () => json(200, this.webhooks.list()));
		this.admin(
			'POST',
			'/_sim/webhooks/subscriptions',
			wrap((req) => json(201, this.webhooks.subscribe(body(req) as unknown as WebhookSubscriptionInput))),
		);
		this.admin('DELETE', '/_sim/webhooks/subscriptions/:id', (req) =>
			json(this.webhooks.unsubscribe(req.params.id) ? 200 : 404, { id: req.params.id }),
		);
		this.admin('POST', '/_sim/webhooks/subscriptions/clear', () => {
			this.webhooks.clearSubscriptions();
			return json(200, { ok: true });
		});
		this.admin(
			'POST',
			'/_sim/webhooks/send',
			wrap(async (req) => {
				const b = body(req);
				const target =
					typeof b.subscriptionId === 'string'
						? { subscriptionId: b.subscriptionId }
						: (b as unknown as WebhookSubscriptionInput);
				let ctx: TicketEventContext | undefined;
				if (b.ticketId !== undefined) {
					const t = this.tickets.get(Number(b.ticketId));
					if (!t) return json(404, { message: `Ticket ${b.ticketId} not found` });
					const lastAction = [...this.actions.values()].filter((a) => a.ticket_id === t.id).pop();
					ctx = {
						event: (b.event as string) ?? 'Ticket Updated',
						ticket: this.expandTicket(t),
						action: lastAction ? { ...lastAction } : undefined,
						actorAgentId: (b.actorAgentId as number | undefined) ?? (lastAction?.who_agentid as number | undefined),
					};
				}
				const deliveries = await this.webhooks.send(target, ctx, b.body);
				return json(200, { deliveries });
			}),
		);
		this.admin('GET', '/_sim/halo-webhooks', () => json(200, this.registeredWebhooks.all()));
		this.admin(
			'POST',
			'/_sim/halo-webhooks/config',
			wrap((req) => json(200, this.registeredWebhooks.configure(body(req) as Partial<WebhookRegistrySettings>))),
		);
		this.admin('GET', '/_sim/webhooks/deliveries', () => json(200, this.webhooks.deliveries()));
		this.admin('POST', '/_sim/webhooks/deliveries/clear', () => {
			this.webhooks.clearDeliveries();
			return json(200, { ok: true });
		});
		this.admin('POST', '/_sim/webhooks/flush', async () => {
			await this.webhooks.idle();
			return json(200, { deliveries: this.webhooks.deliveries().length });
		});
	}

	override async close(): Promise<void> {
		this.webhooks.close();
		await super.close();
	}
}
