/**
 * Datto RMM API v2 simulator (docs/api/datto-rmm.md#10-simulator-checklist).
 *
 * - `POST /auth/oauth/token`: Basic public-client:public, form grant_type=password, username=API key,
 *   password=API secret; 401 otherwise; tokens expire after `tokenLifetimeSeconds` (admin: expire all).
 * - `/api/v2/...` requires `Authorization: Bearer`; 401 bodies echo the token as Spring OAuth does (clients must redact).
 * - Paging: 0-based `page`, `max` capped by `maxPageSize` (250), absolute `nextPageUrl` on the simulator's own origin
 *   (from the Host header, or `publicBaseUrl`), null at the end (or "" with `emptyNextPageUrlAtEnd`), query params
 *   dropped from nextPageUrl with `dropNextPageParams`, `totalCount` omitted on open-alert lists.
 * - Rate limits per sliding window: reads, writes (aggregate) and the `alert-resolve` write bucket; 429 with or without
 *   Retry-After; `blockAfter429s` consecutive limited requests → 403 IP block for `blockMs`; above `nearLimitRatio` of the
 *   read quota each response is delayed by `nearLimitDelayMs` (Datto adds 1 s).
 * - Documented choices where the real behaviour is unknown: unknown alert uid → 404 "Alert was not found.";
 *   resolving an already resolved alert → 200 and nothing changes (`alreadyResolved: 'error'` → 400 instead);
 *   4xx bodies are Spring-style JSON; the IP-block 403 is an HTML page; token requests are not rate limited.
 * - Webhooks: alerts created or resolved through the admin API (and, by default, alerts resolved through the API)
 *   are POSTed to the subscribed URL by DattoWebhookEmitter.
 */
import { randomBytes, randomUUID } from 'crypto';
import { json, SimRequest, SimResponse, SimServer, text } from '../common/server';
import { SlidingWindowCounter } from '../common/slidingWindow';
import {
	AlertInput,
	generateSeedData,
	JsonObject,
	makeAlert,
	makeDevice,
	makeSite,
	SeedOptions,
	SimAlertRecord,
	SimData,
	SimDevice,
	SimSite,
} from './data';
import { DattoWebhookEmitter, WebhookDelivery, WebhookSubscription, WebhookVariables } from './webhookEmitter';
import { DEFAULT_JOB_TIMINGS, JobTimings, SimComponentBehaviour, SimComponentInput, SimJob, SimJobs } from './jobs';
import type { DattoWebhookEvent } from '../../nodes/shared/domain/dattoWebhookTemplates';
import { sleep } from '../../nodes/shared/transport/http/retry';

export const PUBLIC_CLIENT_BASIC = `Basic ${Buffer.from('public-client:public').toString('base64')}`;

export interface DattoSimulatorConfig {
	/** API key / secret pairs accepted by the token endpoint (first one: apiKey/apiSecret). */
	apiKey: string;
	apiSecret: string;
	extraUsers: Array<{ apiKey: string; apiSecret: string; username?: string }>;
	/** Platform name used in portal URLs and the [platform] webhook variable. */
	platform: string;
	/** expires_in of issued tokens (Datto: 100 h = 360000 s). */
	tokenLifetimeSeconds: number;
	/** Maximum page size (`max`); Datto: 250. Small values let tests page with little data. */
	maxPageSize: number;
	/** nextPageUrl keeps only `page` (drops max, muted, filters), as Datto sometimes does. */
	dropNextPageParams: boolean;
	/** nextPageUrl is "" instead of null on the last page. */
	emptyNextPageUrlAtEnd: boolean;
	/** Origin used in nextPageUrl/prevPageUrl (default: from the request's Host header). */
	publicBaseUrl?: string;
	/** Sliding window for all counters (Datto: 60 s). */
	windowMs: number;
	readLimit: number;
	writeLimit: number;
	/** Per-operation write buckets, e.g. { 'alert-resolve': 100 }. */
	operationLimits: Record<string, number>;
	/** Legacy single-bucket accounts: reads and writes share the read counter. */
	singleBucket: boolean;
	/** 'always' sends Retry-After on 429s, 'never' omits it, 'alternate' every other 429. */
	retryAfter: 'always' | 'never' | 'alternate';
	/** Consecutive rate-limited requests after which the IP is blocked (403); 0 disables blocking. */
	blockAfter429s: number;
	/** Length of the IP block (Datto: ~5 min). */
	blockMs: number;
	/** Fraction of the read quota above which responses are delayed. */
	nearLimitRatio: number;
	/** Delay added above nearLimitRatio (Datto: 1000 ms; 0 disables). */
	nearLimitDelayMs: number;
	/** Response to resolving an already resolved alert. */
	alreadyResolved: 'ok' | 'error';
	/** Fire the resolved webhook when an alert is resolved through the API (default true; Datto's behaviour is unknown). */
	webhookOnApiResolve: boolean;
	/** Name recorded as resolvedBy for API resolves. */
	apiUsername: string;
	/** Quick-job lifecycle: scheduled → running after startDelayMs, → success/failure after runMs. */
	jobTimings: JobTimings;
}

export interface DattoSimulatorOptions extends Partial<DattoSimulatorConfig> {
	/** Seed data (deterministic); `false` starts empty apart from the "Deleted Devices" site. */
	seed?: SeedOptions | false;
	/** Subscribe a webhook receiver at start. */
	webhook?: WebhookSubscription;
}

export const DEFAULT_DATTO_SIM_CONFIG: DattoSimulatorConfig = {
	apiKey: 'sim-api-key',
	apiSecret: 'sim-api-secret',
	extraUsers: [],
	platform: 'merlot',
	tokenLifetimeSeconds: 360_000,
	maxPageSize: 250,
	dropNextPageParams: false,
	emptyNextPageUrlAtEnd: false,
	windowMs: 60_000,
	readLimit: 600,
	writeLimit: 600,
	operationLimits: { 'alert-resolve': 100, 'device-job-create': 100 },
	singleBucket: false,
	retryAfter: 'always',
	blockAfter429s: 20,
	blockMs: 5 * 60_000,
	nearLimitRatio: 0.9,
	nearLimitDelayMs: 1000,
	alreadyResolved: 'ok',
	webhookOnApiResolve: true,
	apiUsername: 'API User',
	jobTimings: DEFAULT_JOB_TIMINGS,
};

interface IssuedToken {
	apiKey: string;
	expiresAt: number;
	issuedAt: number;
}

type Operation = { kind: 'read' } | { kind: 'write'; bucket?: string };

export interface CreateAlertInput extends AlertInput {
	deviceUid?: string;
	hostname?: string;
	/** Fire the triggered webhook (default true when subscribed). */
	webhook?: boolean;
	/** Per-call webhook overrides (e.g. { escape: 'none' }). */
	webhookOptions?: Partial<WebhookSubscription>;
}

export interface ResolveInDattoInput {
	resolvedBy?: string;
	webhook?: boolean;
	webhookOptions?: Partial<WebhookSubscription>;
}

function intParam(value: string | undefined): number | undefined {
	if (value === undefined || value.trim() === '') return undefined;
	const n = Number(value);
	return Number.isInteger(n) ? n : Number.NaN;
}

/** SQL LIKE semantics, case-insensitive: % and _ are wildcards; without wildcards, a substring match. */
function like(value: string | null | undefined, pattern: string): boolean {
	const subject = (value ?? '').toLowerCase();
	const p = pattern.toLowerCase();
	if (!/[%_]/.test(p)) return subject.includes(p);
	const regex = new RegExp(`^${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.')}$`);
	return regex.test(subject);
}

export class DattoSimulator {
	readonly server = new SimServer({ name: 'datto-rmm' });
	readonly webhooks = new DattoWebhookEmitter();
	/** Components and quick jobs (simulators/datto/jobs.ts). */
	readonly jobs = new SimJobs();
	config: DattoSimulatorConfig;
	data: SimData;
	private readonly tokens = new Map<string, IssuedToken>();
	private readonly readCounter: SlidingWindowCounter;
	private readonly writeCounter: SlidingWindowCounter;
	private readonly opCounters = new Map<string, SlidingWindowCounter>();
	private limitedStreak = 0;
	private retryAfterToggle = false;
	private blockedUntil = 0;
	private alertSeq = 0;
	private nextSiteId = 300000;
	private nextDeviceId = 800000;
	private readonly seedOptions: SeedOptions | false;
	/** Counters for assertions. */
	readonly counters = { tokensIssued: 0, tokenRejections: 0, rateLimited: 0, blocked: 0, resolves: 0, jobsCreated: 0 };

	constructor(options: DattoSimulatorOptions = {}) {
		const { seed, webhook, ...config } = options;
		this.config = { ...DEFAULT_DATTO_SIM_CONFIG, ...config, operationLimits: { ...DEFAULT_DATTO_SIM_CONFIG.operationLimits, ...(config.operationLimits ?? {}) } };
		this.seedOptions = seed ?? {};
		this.data = this.generate();
		this.readCounter = new SlidingWindowCounter(this.config.readLimit, this.config.windowMs);
		this.writeCounter = new SlidingWindowCounter(this.config.writeLimit, this.config.windowMs);
		this.applyLimits();
		this.jobs.onFinished = async (job, phase) => (phase === 'success' ? await this.fixAlerts(job) : []);
		if (webhook) this.webhooks.subscribe(webhook);
		this.server.faults.rateLimitResponse = (retryAfter) =>
			json(429, { error: 'too_many_requests', message: 'Rate limit exceeded. Please retry later.' }, retryAfter !== undefined ? { 'retry-after': String(retryAfter) } : undefined);
		this.server.faults.errorResponse = (status) =>
			status === 409
				? json(409, this.errorBody(409, 'Request aborted due to concurrent write access to this record', ''))
				: status === 504
					? text(504, '<html><body><h1>504 Gateway Time-out</h1></body></html>', { 'content-type': 'text/html' })
					: json(status, this.errorBody(status, `Injected fault ${status}`, ''));
		this.registerApi();
		this.registerAdmin();
	}

	// ---------------------------------------------------------------- lifecycle

	async listen(port = 0, host = '127.0.0.1'): Promise<string> {
		return await this.server.listen(port, host);
	}

	async close(): Promise<void> {
		this.jobs.stop();
		await this.webhooks.idle();
		await this.server.close();
	}

	get baseUrl(): string {
		return this.server.baseUrl;
	}

	get log() {
		return this.server.log;
	}

	get faults() {
		return this.server.faults;
	}

	/** Changes configuration at run time (limits apply at once). */
	configure(changes: Partial<DattoSimulatorConfig>): DattoSimulatorConfig {
		this.config = {
			...this.config,
			...changes,
			operationLimits: { ...this.config.operationLimits, ...(changes.operationLimits ?? {}) },
		};
		this.applyLimits();
		return this.config;
	}

	private applyLimits(): void {
		this.jobs.timings = { ...DEFAULT_JOB_TIMINGS, ...(this.config.jobTimings ?? {}) };
		this.readCounter.limit = this.config.readLimit;
		this.readCounter.windowMs = this.config.windowMs;
		this.writeCounter.limit = this.config.writeLimit;
		this.writeCounter.windowMs = this.config.windowMs;
		for (const [name, limit] of Object.entries(this.config.operationLimits)) {
			const counter = this.opCounters.get(name) ?? new SlidingWindowCounter(limit, this.config.windowMs);
			counter.limit = limit;
			counter.windowMs = this.config.windowMs;
			this.opCounters.set(name, counter);
		}
	}

	private generate(): SimData {
		if (this.seedOptions === false) {
			const data = generateSeedData({ sites: 0, devices: 0, openAlerts: 0, resolvedAlerts: 0, platform: this.config.platform });
			this.alertSeq = 0;
			return data;
		}
		const data = generateSeedData({ platform: this.config.platform, ...this.seedOptions });
		this.alertSeq = data.alerts.length;
		return data;
	}

	/** Regenerates the seed data and clears tokens' rate counters, the block and the webhook log (tokens stay valid). */
	reset(): void {
		this.jobs.reset();
		this.data = this.generate();
		this.resetRate();
		this.webhooks.clearDeliveries();
		this.server.log.clear();
	}

	resetRate(): void {
		this.readCounter.reset();
		this.writeCounter.reset();
		for (const counter of this.opCounters.values()) counter.reset();
		this.limitedStreak = 0;
		this.blockedUntil = 0;
	}

	/** Makes every issued token expired (next API call: 401, then the client re-authenticates). */
	expireTokens(): number {
		for (const token of this.tokens.values()) token.expiresAt = 0;
		return this.tokens.size;
	}

	blockIp(ms = this.config.blockMs): void {
		this.blockedUntil = Date.now() + ms;
	}

	unblockIp(): void {
		this.blockedUntil = 0;
		this.limitedStreak = 0;
	}

	get ipBlockedUntil(): number {
		return this.blockedUntil > Date.now() ? this.blockedUntil : 0;
	}

	/** Token requests answered (any status), counted from the request log. */
	tokenRequestCount(): number {
		return this.server.log.count('POST /auth/oauth/token');
	}

	requestRate(): JsonObject {
		const operationWriteStatus: Record<string, { limit: number; count: number }> = {};
		for (const [name, counter] of this.opCounters) operationWriteStatus[name] = { limit: counter.limit, count: counter.count() };
		return {
			slidingTimeWindowSizeSeconds: Math.round(this.config.windowMs / 1000),
			accountUid: this.data.account.uid,
			accountCount: this.readCounter.count(),
			accountRateLimit: this.config.readLimit,
			accountCutOffRatio: this.config.nearLimitRatio,
			accountWriteRateLimit: this.config.writeLimit,
			accountWriteCount: this.writeCounter.count(),
			operationWriteStatus,
		};
	}

	// ---------------------------------------------------------------- data helpers

	private site(uid: string): SimSite | undefined {
		return this.data.sites.find((s) => s.uid.toLowerCase() === uid.toLowerCase());
	}

	private device(uid: string): SimDevice | undefined {
		return this.data.devices.find((d) => d.uid.toLowerCase() === uid.toLowerCase());
	}

	private alertRecord(uid: string): SimAlertRecord | undefined {
		return this.data.alerts.find((a) => a.alert.alertUid.toLowerCase() === uid.toLowerCase());
	}

	private siteView(site: SimSite): JsonObject {
		const devices = this.data.devices.filter((d) => d.siteUid === site.uid);
		const online = devices.filter((d) => d.online).length;
		return {
			...site,
			devicesStatus: { numberOfDevices: devices.length, numberOfOnlineDevices: online, numberOfOfflineDevices: devices.length - online },
		};
	}

	/** Alerts of a state, newest first (stable order for paging). */
	private alertsIn(state: 'open' | 'resolved', filter: (record: SimAlertRecord) => boolean = () => true): SimAlertRecord[] {
		return this.data.alerts
			.filter((r) => r.alert.resolved === (state === 'resolved') && filter(r))
			.sort((a, b) => b.alert.timestamp - a.alert.timestamp || b.seq - a.seq);
	}

	/** Webhook variables for an alert, as Datto would fill them. */
	variablesFor(record: SimAlertRecord, timestampFormat: 'iso' | 'epochMs' = 'iso'): WebhookVariables {
		const { alert } = record;
		const device = this.device(alert.alertSourceInfo.deviceUid);
		const site = this.site(alert.alertSourceInfo.siteUid);
		const cls = String(alert.alertContext['@class']);
		return {
			alert_uid: alert.alertUid,
			alertuid: alert.alertUid,
			alert_message: record.message,
			alert_message_en: record.message,
			alert: record.message,
			alert_priority: alert.priority,
			alert_type: cls.replace(/_ctx$/, '').replace(/_/g, ' '),
			alert_category: cls.split('_')[0],
			platform: this.config.platform,
			sitename: alert.alertSourceInfo.siteName,
			site_name: alert.alertSourceInfo.siteName,
			site_uid: alert.alertSourceInfo.siteUid,
			site_id: site?.id,
			device_uid: alert.alertSourceInfo.deviceUid,
			device_id: device?.id,
			device_hostname: alert.alertSourceInfo.deviceName,
			device_description: (device?.description as string | null | undefined) ?? '',
			device_os: (device?.operatingSystem as string | undefined) ?? '',
			device_ip: (device?.intIpAddress as string | undefined) ?? '',
			ipaddress: (device?.intIpAddress as string | undefined) ?? '',
			last_user: (device?.lastLoggedInUser as string | null | undefined) ?? '',
			timestamp: timestampFormat === 'epochMs' ? alert.timestamp : new Date(alert.timestamp).toISOString(),
		};
	}

	private async fireWebhook(
		event: DattoWebhookEvent,
		record: SimAlertRecord,
		overrides: Partial<WebhookSubscription> = {},
	): Promise<WebhookDelivery[]> {
		if (!this.webhooks.subscribed && !overrides.url) return [];
		const format = overrides.timestampFormat ?? this.webhooks.describe()?.timestampFormat;
		const deliveries = await this.webhooks.emit(event, this.variablesFor(record, format), overrides);
		for (const delivery of deliveries) {
			const ok = delivery.status !== undefined && delivery.status >= 200 && delivery.status < 300;
			record.alert.responseActions ??= [];
			record.alert.responseActions.push({
				actionTime: Date.now(),
				actionType: ok ? 'WEBHOOK_EXECUTED' : 'WEBHOOK_EXECUTION_ERROR',
				description: ok ? `Webhook (${event}) executed` : `Webhook (${event}) failed: ${delivery.error ?? `HTTP ${delivery.status}`}`,
				actionReference: null,
				actionReferenceInt: null,
			});
		}
		return deliveries;
	}

	// ---------------------------------------------------------------- programmatic admin

	addSite(input: Partial<SimSite> & { name: string }): SimSite {
		const site = makeSite(input, { id: input.id ?? this.nextSiteId++, accountUid: this.data.account.uid, platform: this.config.platform });
		this.data.sites.push(site);
		return site;
	}

	addDevice(input: Partial<SimDevice> & { hostname: string; siteUid?: string }): SimDevice {
		const site = input.siteUid ? this.site(input.siteUid) : this.data.sites.find((s) => s.name !== 'Deleted Devices');
		if (!site) throw new Error(input.siteUid ? `Site ${input.siteUid} was not found` : 'No site to add the device to');
		const device = makeDevice({ ...input, siteUid: site.uid }, site, { id: input.id ?? this.nextDeviceId++, platform: this.config.platform, epochMs: Date.now() });
		this.data.devices.push(device);
		return device;
	}

	/** Raises an alert "in Datto" (fresh alertUid) and fires the triggered webhook. */
	async createAlert(input: CreateAlertInput = {}): Promise<{ alert: SimAlertRecord['alert']; message: string; deliveries: WebhookDelivery[] }> {
		const device = input.deviceUid
			? this.device(input.deviceUid)
			: input.hostname
				? this.data.devices.find((d) => d.hostname.toLowerCase() === input.hostname!.toLowerCase())
				: this.data.devices.find((d) => !d.deleted);
		if (!device) throw new Error(input.deviceUid || input.hostname ? 'Device was not found.' : 'The simulator has no devices');
		const record = makeAlert({ ...input, alertUid: input.alertUid ?? randomUUID() }, device, { now: input.timestamp ?? Date.now(), seq: ++this.alertSeq });
		this.data.alerts.push(record);
		const deliveries = input.webhook === false ? [] : await this.fireWebhook('triggered', record, input.webhookOptions);
		return { alert: record.alert, message: record.message, deliveries };
	}

	/** Resolves an alert "in Datto" (UI / auto-resolve) and fires the resolved webhook. */
	async resolveAlertInDatto(alertUid: string, input: ResolveInDattoInput = {}): Promise<{ alert: SimAlertRecord['alert']; deliveries: WebhookDelivery[] }> {
		const record = this.alertRecord(alertUid);
		if (!record) throw new Error('Alert was not found.');
		if (!record.alert.resolved) {
			record.alert.resolved = true;
			record.alert.resolvedOn = Date.now();
			record.alert.resolvedBy = input.resolvedBy ?? 'sim.technician';
		}
		const deliveries = input.webhook === false ? [] : await this.fireWebhook('resolved', record, input.webhookOptions);
		return { alert: record.alert, deliveries };
	}

	/**
	 * A flapping monitor: `times` cycles of raise (new alertUid, same device and condition) and, unless
	 * `resolve` is false, resolve.
	 */
	async flap(input: CreateAlertInput & { times?: number; resolve?: boolean }): Promise<{ alertUids: string[]; deliveries: WebhookDelivery[] }> {
		const times = Math.max(1, Math.floor(input.times ?? 3));
		const first = await this.createAlert({ ...input, alertUid: undefined });
		const context = first.alert.alertContext;
		const alertUids = [first.alert.alertUid];
		const deliveries = [...first.deliveries];
		for (let i = 0; i < times; i++) {
			if (i > 0) {
				const next = await this.createAlert({ ...input, alertUid: undefined, deviceUid: first.alert.alertSourceInfo.deviceUid, context, priority: first.alert.priority });
				alertUids.push(next.alert.alertUid);
				deliveries.push(...next.deliveries);
			}
			if (input.resolve !== false) {
				const resolved = await this.resolveAlertInDatto(alertUids[i], { webhook: input.webhook, webhookOptions: input.webhookOptions });
				deliveries.push(...resolved.deliveries);
			}
		}
		return { alertUids, deliveries };
	}

	/** Sends a webhook for an existing alert without changing it (e.g. a replay or a malformed variant). */
	async sendWebhook(alertUid: string, event: DattoWebhookEvent, overrides: Partial<WebhookSubscription> & { message?: string } = {}): Promise<WebhookDelivery[]> {
		const record = this.alertRecord(alertUid);
		if (!record) throw new Error('Alert was not found.');
		const { message, ...rest } = overrides;
		return await this.fireWebhook(event, message === undefined ? record : { ...record, message }, rest);
	}

	// ---------------------------------------------------------------- HTTP: guards

	private errorBody(status: number, message: string, path: string): JsonObject {
		const reason: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 429: 'Too Many Requests', 500: 'Internal Server Error' };
		return { timestamp: Date.now(), status, error: reason[status] ?? 'Error', message, path };
	}

	private blockedResponse(): SimResponse {
		this.counters.blocked++;
		return text(403, '<html><head><title>403 Forbidden</title></head><body><h1>403 Forbidden</h1></body></html>', {
			'content-type': 'text/html',
		});
	}

	private authenticate(req: SimRequest): SimResponse | undefined {
		const header = typeof req.headers.authorization === 'string' ? req.headers.authorization : '';
		const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
		if (!match) {
			return json(401, { error: 'unauthorized', error_description: 'Full authentication is required to access this resource' }, {
				'www-authenticate': 'Bearer realm="oauth2-resource", error="unauthorized"',
			});
		}
		const token = this.tokens.get(match[1]);
		if (!token) return json(401, { error: 'invalid_token', error_description: `Invalid access token: ${match[1]}` });
		if (token.expiresAt <= Date.now()) return json(401, { error: 'invalid_token', error_description: `Access token expired: ${match[1]}` });
		return undefined;
	}

	private rateLimited(counter: SlidingWindowCounter): SimResponse {
		this.counters.rateLimited++;
		this.limitedStreak++;
		if (this.config.blockAfter429s > 0 && this.limitedStreak > this.config.blockAfter429s) {
			this.blockIp();
			return this.blockedResponse();
		}
		let sendRetryAfter = this.config.retryAfter === 'always';
		if (this.config.retryAfter === 'alternate') {
			this.retryAfterToggle = !this.retryAfterToggle;
			sendRetryAfter = this.retryAfterToggle;
		}
		return json(
			429,
			{ error: 'too_many_requests', message: 'Rate limit exceeded. Please retry later.' },
			sendRetryAfter ? { 'retry-after': String(counter.retryAfterSeconds()) } : undefined,
		);
	}

	/** Counts the request against its quotas; a 429 (or the IP block) when over. */
	private admit(operation: Operation): SimResponse | undefined {
		const now = Date.now();
		const counters: SlidingWindowCounter[] = [];
		if (operation.kind === 'read' || this.config.singleBucket) counters.push(this.readCounter);
		else {
			counters.push(this.writeCounter);
			const bucket = operation.bucket ? this.opCounters.get(operation.bucket) : undefined;
			if (bucket) counters.push(bucket);
		}
		const full = counters.find((c) => c.count(now) >= c.limit);
		if (full) return this.rateLimited(full);
		for (const counter of counters) counter.tryTake(now);
		this.limitedStreak = 0;
		return undefined;
	}

	/** Wraps an /api/v2 handler: IP block → bearer auth → rate limit → near-limit delay → handler. */
	private api(operation: Operation, handler: (req: SimRequest) => SimResponse | Promise<SimResponse>) {
		return async (req: SimRequest): Promise<SimResponse> => {
			if (this.ipBlockedUntil) return this.blockedResponse();
			const denied = this.authenticate(req);
			if (denied) return denied;
			const limited = this.admit(operation);
			if (limited) return limited;
			if (this.config.nearLimitDelayMs > 0 && this.readCounter.count() >= this.config.readLimit * this.config.nearLimitRatio) {
				await sleep(this.config.nearLimitDelayMs);
			}
			return await handler(req);
		};
	}

	// ---------------------------------------------------------------- HTTP: paging

	private originFor(req: SimRequest): string {
		if (this.config.publicBaseUrl) return this.config.publicBaseUrl.replace(/\/+$/, '');
		const host = typeof req.headers.host === 'string' && req.headers.host ? req.headers.host : new URL(this.baseUrl).host;
		return `${new URL(this.baseUrl).protocol}//${host}`;
	}

	private page(req: SimRequest, key: 'alerts' | 'sites' | 'devices' | 'components' | 'jobComponents', all: JsonObject[], withTotal: boolean): SimResponse {
		const page = intParam(req.query.page) ?? 0;
		const requestedMax = intParam(req.query.max);
		if (Number.isNaN(page) || page < 0) return json(400, this.errorBody(400, 'Invalid page parameter', req.path));
		if (Number.isNaN(requestedMax as number)) return json(400, this.errorBody(400, 'Invalid max parameter', req.path));
		const max = Math.min(this.config.maxPageSize, requestedMax && requestedMax > 0 ? requestedMax : this.config.maxPageSize);
		const items = all.slice(page * max, page * max + max);
		const link = (target: number): string => {
			const params = new URLSearchParams();
			if (!this.config.dropNextPageParams) {
				for (const [name, value] of Object.entries(req.query)) if (name !== 'page') params.set(name, value);
			}
			params.set('page', String(target));
			if (!this.config.dropNextPageParams && !params.has('max')) params.set('max', String(max));
			return `${this.originFor(req)}${req.path}?${params.toString()}`;
		};
		const hasNext = (page + 1) * max < all.length;
		return json(200, {
			pageDetails: {
				count: items.length,
				...(withTotal ? { totalCount: all.length } : {}),
				prevPageUrl: page > 0 ? link(page - 1) : null,
				nextPageUrl: hasNext ? link(page + 1) : this.config.emptyNextPageUrlAtEnd ? '' : null,
			},
			[key]: items,
		});
	}

	private mutedFilter(req: SimRequest): (r: SimAlertRecord) => boolean {
		const muted = req.query.muted?.toLowerCase();
		if (muted === 'true') return (r) => r.alert.muted;
		if (muted === 'false') return (r) => !r.alert.muted;
		return () => true;
	}

	// ---------------------------------------------------------------- HTTP: routes

	private registerApi(): void {
		const s = this.server;
		const read: Operation = { kind: 'read' };

		s.route('POST', '/auth/oauth/token', (req) => this.token(req));

		s.route('GET', '/api/v2/account', this.api(read, () => {
			const devices = this.data.devices;
			const online = devices.filter((d) => d.online).length;
			return json(200, {
				...this.data.account,
				devicesStatus: { numberOfDevices: devices.length, numberOfOnlineDevices: online, numberOfOfflineDevices: devices.length - online },
			});
		}));
		s.route('GET', '/api/v2/system/status', this.api(read, () => json(200, { version: '14.9.0', status: 'OK', started: Date.now() - 86_400_000 })));
		s.route('GET', '/api/v2/system/pagination', this.api(read, () => json(200, { max: this.config.maxPageSize })));
		s.route('GET', '/api/v2/system/request_rate', this.api(read, () => json(200, this.requestRate())));

		for (const state of ['open', 'resolved'] as const) {
			const withTotal = state === 'resolved';
			s.route('GET', `/api/v2/account/alerts/${state}`, this.api(read, (req) =>
				this.page(req, 'alerts', this.alertsIn(state, this.mutedFilter(req)).map((r) => r.alert), withTotal),
			));
			s.route('GET', `/api/v2/site/:siteUid/alerts/${state}`, this.api(read, (req) => {
				const site = this.site(req.params.siteUid);
				if (!site) return json(404, this.errorBody(404, 'Site was not found.', req.path));
				const muted = this.mutedFilter(req);
				return this.page(req, 'alerts', this.alertsIn(state, (r) => r.alert.alertSourceInfo.siteUid === site.uid && muted(r)).map((r) => r.alert), withTotal);
			}));
			s.route('GET', `/api/v2/device/:deviceUid/alerts/${state}`, this.api(read, (req) => {
				const device = this.device(req.params.deviceUid);
				if (!device) return json(404, this.errorBody(404, 'Device was not found.', req.path));
				const muted = this.mutedFilter(req);
				return this.page(req, 'alerts', this.alertsIn(state, (r) => r.alert.alertSourceInfo.deviceUid === device.uid && muted(r)).map((r) => r.alert), withTotal);
			}));
		}

		s.route('GET', '/api/v2/alert/:alertUid', this.api(read, (req) => {
			const record = this.alertRecord(req.params.alertUid);
			return record ? json(200, record.alert) : json(404, this.errorBody(404, 'Alert was not found.', req.path));
		}));
		s.route('POST', '/api/v2/alert/:alertUid/resolve', this.api({ kind: 'write', bucket: 'alert-resolve' }, async (req) => {
			const record = this.alertRecord(req.params.alertUid);
			if (!record) return json(404, this.errorBody(404, 'Alert was not found.', req.path));
			if (record.alert.resolved) {
				return this.config.alreadyResolved === 'error'
					? json(400, this.errorBody(400, 'Alert is already resolved.', req.path))
					: { status: 200 };
			}
			record.alert.resolved = true;
			record.alert.resolvedOn = Date.now();
			record.alert.resolvedBy = this.config.apiUsername;
			this.counters.resolves++;
			if (this.config.webhookOnApiResolve) void this.fireWebhook('resolved', record).catch(() => undefined);
			return { status: 200 };
		}));

		s.route('GET', '/api/v2/account/sites', this.api(read, (req) => {
			const name = req.query.siteName;
			const sites = this.data.sites.filter((site) => !name || like(site.name, name)).map((site) => this.siteView(site));
			return this.page(req, 'sites', sites, true);
		}));
		s.route('GET', '/api/v2/site/:siteUid', this.api(read, (req) => {
			const site = this.site(req.params.siteUid);
			return site ? json(200, this.siteView(site)) : json(404, this.errorBody(404, 'Site was not found.', req.path));
		}));
		s.route('GET', '/api/v2/site/:siteUid/devices', this.api(read, (req) => {
			const site = this.site(req.params.siteUid);
			if (!site) return json(404, this.errorBody(404, 'Site was not found.', req.path));
			return this.page(req, 'devices', this.data.devices.filter((d) => d.siteUid === site.uid), true);
		}));
		s.route('GET', '/api/v2/account/devices', this.api(read, (req) => {
			const q = req.query;
			const devices = this.data.devices.filter(
				(d) =>
					(!q.hostname || like(d.hostname, q.hostname)) &&
					(!q.siteName || like(d.siteName, q.siteName)) &&
					(!q.operatingSystem || like(d.operatingSystem as string, q.operatingSystem)) &&
					(!q.deviceType || like((d.deviceType as { category?: string } | undefined)?.category, q.deviceType)),
			);
			return this.page(req, 'devices', devices, true);
		}));
		this.registerJobApi();

		s.route('GET', '/api/v2/device/id/:deviceId', this.api(read, (req) => {
			const device = this.data.devices.find((d) => String(d.id) === req.params.deviceId);
			return device ? json(200, device) : json(404, this.errorBody(404, 'Device was not found.', req.path));
		}));
		s.route('GET', '/api/v2/device/:deviceUid', this.api(read, (req) => {
			const device = this.device(req.params.deviceUid);
			return device ? json(200, device) : json(404, this.errorBody(404, 'Device was not found.', req.path));
		}));
	}

	/** Components and quick jobs (paths and shapes: datto-rmm-api@0.1.0 dist/generated/types.d.ts). */
	private registerJobApi(): void {
		const s = this.server;
		const read: Operation = { kind: 'read' };
		s.route('GET', '/api/v2/account/components', this.api(read, (req) => this.page(req, 'components', this.jobs.components, true)));
		s.route('PUT', '/api/v2/device/:deviceUid/quickjob', this.api({ kind: 'write', bucket: 'device-job-create' }, (req) => {
			const device = this.device(req.params.deviceUid);
			if (!device) return json(404, this.errorBody(404, 'Device was not found.', req.path));
			const body = req.body && typeof req.body === 'object' && !Array.isArray(req.body) ? (req.body as Record<string, unknown>) : {};
			const jobName = typeof body.jobName === 'string' ? body.jobName.trim() : '';
			const jobComponent = (body.jobComponent ?? {}) as { componentUid?: unknown; variables?: unknown };
			if (!jobName) return json(400, this.errorBody(400, 'Request data is invalid: jobName is required.', req.path));
			const component = typeof jobComponent.componentUid === 'string' ? this.jobs.component(jobComponent.componentUid) : undefined;
			if (!component) return json(400, this.errorBody(400, 'Request data is invalid: component was not found.', req.path));
			const given = Array.isArray(jobComponent.variables) ? (jobComponent.variables as Array<{ name?: unknown; value?: unknown }>) : [];
			const variables: Array<{ name: string; value: string }> = [];
			for (const v of given) {
				const name = typeof v?.name === 'string' ? v.name : '';
				if (!component.variables.some((cv) => cv.name === name)) {
					return json(400, this.errorBody(400, `Request data is invalid: variable "${name}" is not a variable of the component.`, req.path));
				}
				variables.push({ name, value: v.value === undefined || v.value === null ? '' : String(v.value) });
			}
			for (const cv of component.variables) {
				if (!variables.some((v) => v.name === cv.name)) variables.push({ name: cv.name, value: cv.defaultVal });
			}
			const job = this.jobs.create({ deviceUid: device.uid, componentUid: component.uid, name: jobName, variables });
			this.counters.jobsCreated++;
			return json(200, { job: this.jobs.jobView(job), jobComponents: this.jobs.jobComponentsView(job) });
		}));
		const withJob = (handler: (job: SimJob, req: SimRequest) => SimResponse) => (req: SimRequest): SimResponse => {
			const job = this.jobs.job(req.params.jobUid);
			if (!job) return json(404, this.errorBody(404, 'Job was not found.', req.path));
			if (req.params.deviceUid !== undefined && req.params.deviceUid.toLowerCase() !== job.deviceUid.toLowerCase()) {
				return json(404, this.errorBody(404, 'Job or device was not found.', req.path));
			}
			return handler(job, req);
		};
		s.route('GET', '/api/v2/job/:jobUid', this.api(read, withJob((job) => json(200, this.jobs.jobView(job)))));
		s.route('GET', '/api/v2/job/:jobUid/components', this.api(read, withJob((job, req) =>
			this.page(req, 'jobComponents', this.jobs.jobComponentsView(job), true),
		)));
		s.route('GET', '/api/v2/job/:jobUid/results/:deviceUid', this.api(read, withJob((job) => json(200, this.jobs.resultsView(job)))));
		for (const stream of ['stdout', 'stderr'] as const) {
			s.route('GET', `/api/v2/job/:jobUid/results/:deviceUid/${stream}`, this.api(read, withJob((job) => json(200, this.jobs.stdView(job, stream)))));
		}
	}

	/** A successful job of a component that "fixes" alerts resolves the device's matching open alerts in Datto. */
	private async fixAlerts(job: SimJob): Promise<string[]> {
		const fixes = this.jobs.behaviours.get(job.componentUid)?.fixes;
		if (!fixes) return [];
		const pattern = fixes === '*' ? undefined : new RegExp(fixes, 'i');
		const records = this.alertsIn('open', (r) =>
			r.alert.alertSourceInfo.deviceUid.toLowerCase() === job.deviceUid.toLowerCase() &&
			(!pattern || pattern.test(r.message) || pattern.test(String(r.alert.alertContext['@class']))),
		);
		const component = this.jobs.component(job.componentUid);
		for (const record of records) {
			record.alert.responseActions ??= [];
			record.alert.responseActions.push({
				actionTime: Date.now(),
				actionType: 'COMPONENT',
				description: `Component ${component?.name ?? job.componentUid} ran (job ${job.uid})`,
				actionReference: job.uid,
				actionReferenceInt: null,
			});
			await this.resolveAlertInDatto(record.alert.alertUid, { resolvedBy: `Component: ${component?.name ?? job.componentUid}` });
		}
		return records.map((r) => r.alert.alertUid);
	}

	private token(req: SimRequest): SimResponse {
		if (this.ipBlockedUntil) return this.blockedResponse();
		const reject = (status: number, error: string, description: string): SimResponse => {
			this.counters.tokenRejections++;
			return json(status, { error, error_description: description });
		};
		const authorization = typeof req.headers.authorization === 'string' ? req.headers.authorization.trim() : '';
		if (authorization.replace(/\s+/, ' ') !== PUBLIC_CLIENT_BASIC) {
			return reject(401, 'unauthorized', 'Full authentication is required to access this resource');
		}
		const contentType = String(req.headers['content-type'] ?? '').toLowerCase();
		const form: Record<string, string> = contentType.includes('application/x-www-form-urlencoded')
			? Object.fromEntries(new URLSearchParams(req.rawBody))
			: {};
		const param = (name: string) => form[name] ?? req.query[name];
		const grantType = param('grant_type');
		if (!grantType) return reject(400, 'invalid_request', 'Missing grant type');
		if (grantType !== 'password') return reject(400, 'unsupported_grant_type', `Unsupported grant type: ${grantType}`);
		const username = param('username') ?? '';
		const password = param('password') ?? '';
		const users = [{ apiKey: this.config.apiKey, apiSecret: this.config.apiSecret }, ...this.config.extraUsers];
		const user = users.find((u) => u.apiKey === username && u.apiSecret === password);
		if (!user) return reject(401, 'invalid_grant', 'Bad credentials');
		const accessToken = randomBytes(24).toString('base64url');
		const now = Date.now();
		this.tokens.set(accessToken, { apiKey: user.apiKey, issuedAt: now, expiresAt: now + this.config.tokenLifetimeSeconds * 1000 });
		this.counters.tokensIssued++;
		return json(200, {
			access_token: accessToken,
			token_type: 'bearer',
			refresh_token: randomBytes(24).toString('base64url'),
			expires_in: this.config.tokenLifetimeSeconds,
			scope: 'default',
			jti: randomUUID(),
		});
	}

	// ---------------------------------------------------------------- HTTP: admin (/_sim)

	private registerAdmin(): void {
		const s = this.server;
		const body = (req: SimRequest): Record<string, unknown> =>
			req.body && typeof req.body === 'object' && !Array.isArray(req.body) ? (req.body as Record<string, unknown>) : {};
		const guarded = (fn: (req: SimRequest) => Promise<SimResponse> | SimResponse) => async (req: SimRequest) => {
			try {
				return await fn(req);
			} catch (error) {
				return json(400, { message: (error as Error).message });
			}
		};

		s.admin('GET', '/_sim/state', () =>
			json(200, {
				config: { ...this.config, apiSecret: '***', extraUsers: this.config.extraUsers.map((u) => ({ ...u, apiSecret: '***' })) },
				counters: this.counters,
				tokens: this.tokens.size,
				ipBlockedUntil: this.ipBlockedUntil || null,
				requestRate: this.requestRate(),
				data: {
					sites: this.data.sites.length,
					devices: this.data.devices.length,
					openAlerts: this.alertsIn('open').length,
					resolvedAlerts: this.alertsIn('resolved').length,
				},
				webhook: this.webhooks.describe() ?? null,
			}),
		);
		s.admin('POST', '/_sim/config', guarded((req) => {
			const config = this.configure(body(req) as Partial<DattoSimulatorConfig>);
			return json(200, { ...config, apiSecret: '***', extraUsers: config.extraUsers.map((u) => ({ ...u, apiSecret: '***' })) });
		}));
		s.admin('POST', '/_sim/reset', () => {
			this.reset();
			return json(200, { ok: true });
		});
		s.admin('POST', '/_sim/rate/reset', () => {
			this.resetRate();
			return json(200, { ok: true });
		});
		s.admin('POST', '/_sim/tokens/expire', () => json(200, { expired: this.expireTokens() }));
		s.admin('POST', '/_sim/block', (req) => {
			const ms = Number(body(req).ms ?? this.config.blockMs);
			this.blockIp(ms);
			return json(200, { blockedUntil: this.blockedUntil });
		});
		s.admin('POST', '/_sim/unblock', () => {
			this.unblockIp();
			return json(200, { ok: true });
		});

		s.admin('GET', '/_sim/alerts', (req) => {
			const state = req.query.state ?? 'all';
			const records = this.data.alerts.filter((r) => state === 'all' || (state === 'resolved') === r.alert.resolved);
			return json(200, records.map((r) => ({ ...r.alert, message: r.message })));
		});
		s.admin('GET', '/_sim/alerts/:alertUid', (req) => {
			const record = this.alertRecord(req.params.alertUid);
			return record ? json(200, { ...record.alert, message: record.message }) : json(404, { message: 'Alert was not found.' });
		});
		s.admin('POST', '/_sim/alerts', guarded(async (req) => json(201, await this.createAlert(body(req) as CreateAlertInput))));
		s.admin('POST', '/_sim/alerts/flap', guarded(async (req) => json(201, await this.flap(body(req) as CreateAlertInput & { times?: number }))));
		s.admin('POST', '/_sim/alerts/:alertUid/resolve', guarded(async (req) =>
			json(200, await this.resolveAlertInDatto(req.params.alertUid, body(req) as ResolveInDattoInput)),
		));
		s.admin('POST', '/_sim/alerts/:alertUid/webhook', guarded(async (req) => {
			const { event, ...overrides } = body(req) as { event?: DattoWebhookEvent } & Partial<WebhookSubscription> & { message?: string };
			return json(200, { deliveries: await this.sendWebhook(req.params.alertUid, event === 'resolved' ? 'resolved' : 'triggered', overrides) });
		}));

		s.admin('GET', '/_sim/components', () =>
			json(200, this.jobs.components.map((c) => ({ ...c, behaviour: this.jobs.behaviours.get(c.uid) ?? {} }))),
		);
		s.admin('POST', '/_sim/components', guarded((req) => json(201, this.jobs.addComponent(body(req) as unknown as SimComponentInput))));
		s.admin('POST', '/_sim/components/:componentUid/behaviour', guarded((req) =>
			json(200, this.jobs.setBehaviour(req.params.componentUid, body(req) as SimComponentBehaviour)),
		));
		s.admin('GET', '/_sim/jobs', () =>
			json(200, [...this.jobs.jobs.values()].map((job) => ({ ...job, phase: this.jobs.phaseOf(job) }))),
		);
		s.admin('GET', '/_sim/jobs/:jobUid', (req) => {
			const job = this.jobs.job(req.params.jobUid);
			return job ? json(200, { ...job, phase: this.jobs.phaseOf(job) }) : json(404, { message: 'Job was not found.' });
		});

		s.admin('GET', '/_sim/sites', () => json(200, this.data.sites.map((site) => this.siteView(site))));
		s.admin('POST', '/_sim/sites', guarded((req) => json(201, this.addSite(body(req) as Partial<SimSite> & { name: string }))));
		s.admin('GET', '/_sim/devices', () => json(200, this.data.devices));
		s.admin('POST', '/_sim/devices', guarded((req) => json(201, this.addDevice(body(req) as Partial<SimDevice> & { hostname: string }))));

		s.admin('POST', '/_sim/webhooks/subscribe', guarded((req) => {
			this.webhooks.subscribe(body(req) as unknown as WebhookSubscription);
			return json(200, this.webhooks.describe());
		}));
		s.admin('POST', '/_sim/webhooks/unsubscribe', () => {
			this.webhooks.unsubscribe();
			return json(200, { ok: true });
		});
		s.admin('GET', '/_sim/webhooks', () => json(200, this.webhooks.describe() ?? null));
		s.admin('GET', '/_sim/webhooks/deliveries', (req) => json(200, this.webhooks.deliveries(Number(req.query.since ?? 0))));
		s.admin('POST', '/_sim/webhooks/deliveries/clear', () => {
			this.webhooks.clearDeliveries();
			return json(200, { ok: true });
		});
	}
}
