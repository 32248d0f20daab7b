/*
 * One real n8n with this package: a user folder (fresh temp folder or persistent), the package installed the way n8n's
 * installer does, credentials and workflows imported and published, n8n started on its own port (and task-broker
 * port) under harness/watchdog.sh in its own process group, waits for readiness AND for a probe webhook, the owner and
 * a public-API key, REST / public-API / webhook calls, executions, queue-mode workers, and stop (the whole process
 * group). Both maintained lines (2.41.1, 1.123.81) are supported; where they differ (activation CLI, environment, the
 * owner-setup race) the instance handles it, see docs/n8n-versions.md.
 *
 * Environment: E2E_KEEP=1 keeps user folders, HALO_DATTO_PREPARED_PACKAGE (see ./package.ts).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { httpRequest, whileDatabaseNotReady, type HttpResponse } from '../http';
import { log } from '../log';
import { findFreePortBlock, releasePortBlock } from '../ports';
import {
	OWNER_FILE,
	exitedWithin,
	groupGone,
	keepOnExit,
	removeOnExit,
	run,
	signalGroup,
	spawnGroup,
	sweepDeadRuns,
	untrackGroup,
	type GroupProcess,
	type RunResult,
} from '../processes';
import { fixturePath } from '../repo';
import { sleep } from '../wait';
import { n8nEnv, n8nMajor, n8nVersion } from './env';
import { installPackage, preparePackage } from './package';
import { runSqliteScript } from './sqlite';
import { loadJsonArray, type JsonSource } from './templates';
import { startN8nWorker, type N8nWorker, type WorkerOptions } from './worker';

export const PROBE_WORKFLOW_ID = 'HarnessProbe0001';
export const PROBE_PATH = 'harness-probe';
const BROWSER_ID = 'n8n-harness';
export const OWNER = {
	email: 'owner@example.com',
	firstName: 'Test',
	lastName: 'Owner',
	password: 'TestPassw0rd!',
};

export interface N8nInstanceOptions {
	/** HTTP port; PORT+1 is the task broker. Default: a free reserved block. */
	port?: number;
	/** n8n user folder (n8n keeps .n8n/ inside). Default: a fresh temp dir, removed by stop(). */
	userFolder?: string;
	version?: string;
	/** Extra environment for n8n (e.g. N8N_EXPRESSION_ENGINE, EXECUTIONS_DATA_SAVE_ON_SUCCESS). */
	env?: Record<string, string>;
	/** Keep the user folder after stop() (also E2E_KEEP=1). */
	keep?: boolean;
}

export interface ProvisionOptions {
	/** Prepared package folder (preparePackage()); default: HALO_DATTO_PREPARED_PACKAGE or pack now. `false`: none. */
	preparedPackage?: string | false;
	/** Credentials: JSON files (templates with {{VARS}}), directories of them, or objects. */
	credentials?: JsonSource[];
	/** Workflows: JSON files, directories of them, or objects. */
	workflows?: JsonSource[];
	/** Workflow ids to publish before start (see publishWorkflows); 'all' = every imported workflow. Default 'all'. */
	publish?: string[] | 'all';
	/** Placeholder values for templates. */
	vars?: Record<string, string | number>;
	/** Import and publish the probe workflow (Webhook -> Respond to Webhook at /webhook/harness-probe). Default true. */
	probe?: boolean;
}

export interface StartOptions {
	/** Wait for the probe webhook (default: when provision() imported it). */
	probe?: boolean;
	/** Also wait for these webhook paths to answer non-404 (each successful poll runs that workflow once). */
	waitForWebhooks?: Array<string | { path: string; method?: string; body?: unknown }>;
	timeoutMs?: number;
}

export interface Timings {
	[step: string]: number;
}

export class N8nInstance {
	readonly port: number;
	readonly userFolder: string;
	readonly version: string;
	readonly baseUrl: string;
	readonly timings: Timings = {};
	apiKey?: string;
	private cookie?: string;
	/** The n8n main process of the last start() (with its watchdog), until stop(). */
	private group?: GroupProcess;
	private readonly ownsFolder: boolean;
	private readonly ownsPort: boolean;
	private readonly keep: boolean;
	private readonly extraEnv: Record<string, string>;
	private probeProvisioned = false;
	private ownedPrepared?: string;
	private lastPid?: number;
	private readonly workflowIds: string[] = [];
	private readonly workers: N8nWorker[] = [];
	/** Worker numbers handed out so far (taken synchronously, so workers started together get their own log files). */
	private workersStarted = 0;

	private constructor(port: number, userFolder: string, options: N8nInstanceOptions, ownsPort: boolean) {
		this.port = port;
		this.userFolder = userFolder;
		this.version = options.version ?? n8nVersion();
		this.baseUrl = `http://127.0.0.1:${port}`;
		this.ownsFolder = !options.userFolder;
		this.ownsPort = ownsPort;
		this.keep = Boolean(options.keep) || process.env.E2E_KEEP === '1';
		this.extraEnv = options.env ?? {};
	}

	static async create(options: N8nInstanceOptions = {}): Promise<N8nInstance> {
		const port = options.port ?? (await findFreePortBlock(2));
		let userFolder = options.userFolder;
		if (!userFolder) {
			const base = path.join(os.tmpdir(), 'n8n-e2e');
			fs.mkdirSync(base, { recursive: true });
			sweepDeadRuns(base);
			userFolder = fs.mkdtempSync(path.join(base, `uf-${port}-`));
			fs.writeFileSync(path.join(userFolder, OWNER_FILE), String(process.pid));
			removeOnExit(userFolder);
		}
		fs.mkdirSync(userFolder, { recursive: true });
		return new N8nInstance(port, userFolder, options, options.port === undefined);
	}

	get env(): NodeJS.ProcessEnv {
		return { ...n8nEnv(this.userFolder, this.port, this.version), ...this.extraEnv };
	}

	get logFile(): string {
		return path.join(this.userFolder, 'n8n.log');
	}

	/** n8n major version of this instance (1 or 2): for the few places where the lines differ (docs/n8n-versions.md). */
	get major(): number {
		return n8nMajor(this.version);
	}

	get hasDatabase(): boolean {
		return fs.existsSync(path.join(this.userFolder, '.n8n', 'database.sqlite'));
	}

	/** Process id (= process group id) of the n8n main process of the last start(). */
	get pid(): number | undefined {
		return this.lastPid;
	}

	get running(): boolean {
		return this.group !== undefined && this.group.exitCode === undefined;
	}

	private async timed<T>(step: string, fn: () => Promise<T>): Promise<T> {
		const started = Date.now();
		try {
			return await fn();
		} finally {
			this.timings[step] = (this.timings[step] ?? 0) + (Date.now() - started);
		}
	}

	/** Run an n8n CLI command against this user folder (n8n must be stopped for import/publish to apply). */
	async cli(args: string[], timeoutMs = 180_000): Promise<RunResult> {
		const env = this.env;
		return run(env.N8N_BIN as string, args, { cwd: this.userFolder, env, timeoutMs });
	}

	installPackage(preparedDir: string): string {
		return installPackage(this.userFolder, preparedDir);
	}

	/** `n8n export:nodes`: every node type this n8n would load (no server needed). */
	async exportNodes(): Promise<Array<{ name: string; displayName: string; version: number | number[] }>> {
		const out = path.join(this.userFolder, 'nodes.json');
		await this.timed('exportNodes', () => this.cli(['export:nodes', `--output=${out}`]));
		return JSON.parse(fs.readFileSync(out, 'utf8')) as Array<{
			name: string;
			displayName: string;
			version: number | number[];
		}>;
	}

	async importCredentials(sources: JsonSource[], vars: Record<string, string | number> = {}): Promise<void> {
		const all = sources.flatMap((s) => loadJsonArray(s, vars));
		if (all.length === 0) return;
		const file = path.join(this.userFolder, 'import-credentials.json');
		fs.writeFileSync(file, JSON.stringify(all, null, 2), { mode: 0o600 });
		await this.timed('importCredentials', () => this.cli(['import:credentials', `--input=${file}`]));
	}

	/** Imports workflows (one CLI call for all); returns their ids. Workflows need an `id` (<= 21 characters). */
	async importWorkflows(sources: JsonSource[], vars: Record<string, string | number> = {}): Promise<string[]> {
		const all = sources.flatMap((s) => loadJsonArray(s, vars)) as Array<{ id?: string; name?: string }>;
		if (all.length === 0) return [];
		const dir = path.join(this.userFolder, 'import-workflows');
		fs.rmSync(dir, { recursive: true, force: true });
		fs.mkdirSync(dir, { recursive: true });
		all.forEach((wf, i) => {
			if (!wf.id) throw new Error(`workflow ${wf.name ?? i} has no id`);
			fs.writeFileSync(path.join(dir, `${String(i).padStart(3, '0')}.json`), JSON.stringify(wf));
		});
		await this.timed('importWorkflows', () => this.cli(['import:workflow', '--separate', `--input=${dir}`]));
		const ids = all.map((wf) => wf.id as string);
		this.workflowIds.push(...ids.filter((id) => !this.workflowIds.includes(id)));
		return ids;
	}

	/**
	 * Publish workflows while n8n is stopped (applies at the next start). `n8n publish:workflow` takes one id and
	 * ~2.5 s per call, so on SQLite the harness runs the statement that command runs (WorkflowRepository.publishVersion
	 * in 2.x: active = true, activeVersionId = the current versionId, which must exist in workflow_history; archived
	 * workflows are refused) for all ids at once, with n8n's own sqlite3 module; 1.123's update:workflow --active=true
	 * writes the same columns (checked per version by package-load.test.ts). Falls back to the CLI elsewhere
	 * (Postgres, an older schema without activeVersionId) or with via: 'cli'. Via SQLite it also drops the workflow's rows in
	 * workflow_published_version, workflow_publication_trigger_status and workflow_publication_outbox, so that a
	 * workflow that was published and started before, then imported again, runs its NEW version after the next start
	 * (the CLI command does not do that: import:workflow queues the previous version in the outbox, and n8n 2.41.1
	 * publishes that one at start and serves it until its reconciler notices the skew).
	 */
	async publishWorkflows(ids: string[], options: { via?: 'auto' | 'cli' | 'sql' } = {}): Promise<void> {
		if (ids.length === 0) return;
		const via = options.via ?? 'auto';
		if (via !== 'cli' && (this.env.DB_TYPE ?? 'sqlite') === 'sqlite') {
			const published = await this.timed('publish', () => this.publishViaSqlite(ids));
			if (published) return;
			if (via === 'sql') throw new Error('publishing via SQLite is not possible with this n8n schema');
		}
		// n8n 1.x has no publish:workflow; activation there is update:workflow --active=true.
		const legacy = this.major < 2;
		for (const id of ids) {
			const args = legacy ? ['update:workflow', `--id=${id}`, '--active=true'] : ['publish:workflow', `--id=${id}`];
			const { stdout, stderr } = await this.timed('publish', () => this.cli(args));
			if (/error/i.test(`${stdout}\n${stderr}`) && !/(Publishing|Activating) workflow/i.test(stdout)) {
				throw new Error(`n8n ${args.join(' ')} failed:\n${stdout}\n${stderr}`);
			}
		}
	}

	private async publishViaSqlite(ids: string[]): Promise<boolean> {
		try {
			return (await runSqliteScript(this, 'publish', ids)) !== undefined;
		} catch (error) {
			if (/\(2\)/.test((error as Error).message)) return false; // older schema: use the CLI
			throw new Error(`publishing ${ids.join(', ')} failed: ${(error as Error).message}`);
		}
	}

	/** Package, credentials, workflows and publish into a fresh user folder; n8n must be stopped. */
	async provision(options: ProvisionOptions = {}): Promise<void> {
		if (this.running) throw new Error('provision() needs n8n stopped');
		let prepared = options.preparedPackage;
		if (prepared === undefined && process.env.HALO_DATTO_PREPARED_PACKAGE) {
			prepared = process.env.HALO_DATTO_PREPARED_PACKAGE;
		} else if (prepared === undefined) {
			prepared = await this.timed('pack', () => preparePackage());
			this.ownedPrepared = prepared;
			removeOnExit(prepared);
		}
		if (prepared) this.timings.installPackage = timeSync(() => this.installPackage(prepared as string));
		const vars = { N8N_PORT: this.port, N8N_URL: this.baseUrl, ...(options.vars ?? {}) };
		await this.importCredentials(options.credentials ?? [], vars);
		const workflows = [...(options.workflows ?? [])];
		if (options.probe !== false) {
			workflows.unshift(fixturePath('probe.workflow.json'));
			this.probeProvisioned = true;
		}
		const ids = await this.importWorkflows(workflows, vars);
		const publish = options.publish ?? 'all';
		await this.publishWorkflows(publish === 'all' ? ids : [...new Set([PROBE_WORKFLOW_ID, ...publish])].filter((id) => ids.includes(id)));
		await this.timed('ownerActivated', () => this.markOwnerActivated());
	}

	/** Activation columns of workflows as stored (SQLite): what publish/activation wrote, for checks. */
	async workflowActivation(
		ids: string[],
	): Promise<Array<{ id: string; active: boolean; versionId: string | null; activeVersionId: string | null }>> {
		const out = await runSqliteScript(this, 'workflow-activation', ids);
		if (out === undefined) throw new Error('no SQLite database in this user folder yet');
		return (JSON.parse(out) as Array<{ id: string; active: number; versionId: string | null; activeVersionId: string | null }>).map(
			(r) => ({ ...r, active: Boolean(r.active) }),
		);
	}

	/**
	 * Works around a race in n8n (1.123 and 2.41): the first successful production execution of a workflow (the probe,
	 * a schedule) makes n8n record "user activated" in the owner's settings with a read-modify-write of the WHOLE user
	 * row (WorkflowStatisticsService -> UserService.updateSettings -> userRepository.save). When that overlaps
	 * POST /rest/owner/setup, it writes the shell owner's empty email and password back: the setup answered 200, but
	 * every later login and API-key request is a 401 (seen on 1.123.81 in most runs, on 2.41.1 rarely). With
	 * settings.userActivated already true n8n never does that write. SQLite only (the harness's default database);
	 * returns false when there is nothing to do (no database or no owner row yet).
	 */
	async markOwnerActivated(): Promise<boolean> {
		if ((this.env.DB_TYPE ?? 'sqlite') !== 'sqlite') return false;
		const out = await runSqliteScript(this, 'owner-activated', []);
		return out !== undefined && /owner rows [1-9]/.test(out);
	}

	/** Start n8n and wait for readiness and the webhooks (probe by default). */
	async start(options: StartOptions = {}): Promise<void> {
		if (this.running) return;
		const timeoutMs = options.timeoutMs ?? 120_000;
		const env = this.env;
		const logFd = fs.openSync(this.logFile, 'a');
		const started = Date.now();
		// harness/watchdog.sh leads n8n's process group (stop() kills n8n and its task runner together) and stops n8n
		// when this process is gone, even after a SIGKILL of jest (no exit hook runs then); it exits with n8n's exit code.
		const group = spawnGroup(env.N8N_BIN as string, ['start'], {
			cwd: this.userFolder,
			env,
			stdio: ['ignore', logFd, logFd],
			watchdog: true,
		});
		fs.closeSync(logFd);
		this.group = group;
		this.lastPid = group.pid;
		void group.exited.then(() => {
			if (group.error) log(`n8n failed to start: ${group.error.message}`);
		});
		const deadline = started + timeoutMs;
		try {
			await this.waitFor('readiness', deadline, async () => {
				const res = await httpRequest('GET', `${this.baseUrl}/healthz/readiness`);
				return res.status === 200;
			});
			this.timings.readiness = Date.now() - started;
			const hooks = [...(options.waitForWebhooks ?? [])];
			if (options.probe ?? this.probeProvisioned) hooks.unshift(PROBE_PATH);
			for (const hook of hooks) {
				const spec = typeof hook === 'string' ? { path: hook } : hook;
				await this.waitForWebhook(spec.path, { method: spec.method, body: spec.body, deadline });
			}
			this.timings.webhooksLive = Date.now() - started;
			log(
				`n8n ${this.version} on ${this.baseUrl}: ready after ${(this.timings.readiness / 1000).toFixed(1)} s, ` +
					`webhooks after ${(this.timings.webhooksLive / 1000).toFixed(1)} s (user folder ${this.userFolder})`,
			);
		} catch (error) {
			await this.stop({ keepFolder: true });
			throw new Error(`${(error as Error).message}\n--- ${this.logFile} (tail) ---\n${this.logTail(60)}`);
		}
	}

	logTail(lines = 60): string {
		try {
			return fs.readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n');
		} catch {
			return '(no log)';
		}
	}

	private async waitFor(what: string, deadline: number, probe: () => Promise<boolean>): Promise<void> {
		for (;;) {
			const exitCode = this.group?.exitCode;
			if (exitCode !== undefined) throw new Error(`n8n exited (code ${exitCode}) while waiting for ${what}`);
			try {
				if (await probe()) return;
			} catch {
				// not listening yet
			}
			if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} on ${this.baseUrl}`);
			await sleep(200);
		}
	}

	/**
	 * Poll a production webhook until it answers something other than 404 (registered). Each successful poll runs
	 * the workflow once, so poll side-effect-free workflows (the probe) when that matters.
	 */
	async waitForWebhook(
		webhookPath: string,
		options: { method?: string; body?: unknown; deadline?: number; timeoutMs?: number } = {},
	): Promise<HttpResponse> {
		const deadline = options.deadline ?? Date.now() + (options.timeoutMs ?? 60_000);
		let last: HttpResponse | undefined;
		await this.waitFor(`webhook /webhook/${webhookPath}`, deadline, async () => {
			last = await httpRequest(options.method ?? 'POST', `${this.baseUrl}/webhook/${webhookPath}`, {
				json: options.body ?? {},
			});
			return last.status !== 404;
		});
		return last as HttpResponse;
	}

	/** POST (by default) to a production webhook. */
	webhook(
		webhookPath: string,
		body?: unknown,
		options: { method?: string; headers?: Record<string, string> } = {},
	): Promise<HttpResponse> {
		return httpRequest(options.method ?? 'POST', `${this.baseUrl}/webhook/${webhookPath}`, {
			json: body ?? {},
			headers: options.headers,
		});
	}

	/** Owner account (first call on a fresh instance) and a session cookie for /rest. */
	async setupOwner(): Promise<void> {
		if (this.cookie) return;
		const headers = { 'browser-id': BROWSER_ID };
		let res = await whileDatabaseNotReady(() => httpRequest('POST', `${this.baseUrl}/rest/owner/setup`, { json: OWNER, headers }));
		if (res.status !== 200) {
			// Already set up (persistent user folder): log in instead.
			res = await whileDatabaseNotReady(() =>
				httpRequest('POST', `${this.baseUrl}/rest/login`, {
					json: { emailOrLdapLoginId: OWNER.email, password: OWNER.password },
					headers,
				}),
			);
		}
		if (res.status !== 200 || res.cookies.length === 0) {
			throw new Error(`owner setup/login failed: ${res.status} ${res.text.slice(0, 300)}`);
		}
		this.cookie = res.cookies.map((c) => c.split(';')[0].trim()).join('; ');
	}

	/** REST call (/rest...) with the owner's session (setupOwner() first). */
	rest(method: string, restPath: string, body?: unknown): Promise<HttpResponse> {
		return this.asOwner(method, `/rest${restPath}`, body);
	}

	/** Any path with the owner's session, e.g. GET /types/nodes.json (setupOwner() first). */
	asOwner(method: string, urlPath: string, body?: unknown, timeoutMs = 60_000): Promise<HttpResponse> {
		if (!this.cookie) throw new Error('call setupOwner() first');
		const cookie = this.cookie;
		return whileDatabaseNotReady(() =>
			httpRequest(method, `${this.baseUrl}${urlPath}`, {
				json: body,
				headers: { cookie, 'browser-id': BROWSER_ID },
				timeoutMs,
			}),
		);
	}

	/** Owner + public-API key (workflows, credentials, executions). */
	async createApiKey(): Promise<string> {
		if (this.apiKey) return this.apiKey;
		await this.setupOwner();
		const body = {
			label: `harness-${Date.now()}`,
			expiresAt: null,
			scopes: [
				'workflow:read',
				'workflow:list',
				'workflow:activate',
				'workflow:deactivate',
				'workflow:create',
				'workflow:update',
				'credential:create',
				'execution:read',
				'execution:list',
			],
		};
		let res = await this.rest('POST', '/api-keys', body);
		for (let attempt = 1; res.status === 401 && attempt <= 3; attempt++) {
			// Seen once under heavy load: a 401 right after owner setup. Log in again (fresh session cookie) and retry.
			log(`POST /rest/api-keys answered 401 (attempt ${attempt}); logging in again`);
			await sleep(500 * attempt);
			this.cookie = undefined;
			await this.setupOwner();
			res = await this.rest('POST', '/api-keys', body);
		}
		const key = (res.json as { data?: { rawApiKey?: string } } | undefined)?.data?.rawApiKey;
		if (res.status !== 200 || !key) {
			const authLines = this.logTail(400)
				.split('\n')
				.filter((l) => /auth|browserId|owner|unauthori[sz]ed/i.test(l))
				.slice(-10)
				.join('\n');
			throw new Error(`API key creation failed: ${res.status} ${res.text.slice(0, 300)}\n${authLines}`);
		}
		this.apiKey = key;
		return key;
	}

	/** Public API call (/api/v1...) with the API key (createApiKey() first). */
	api(method: string, apiPath: string, body?: unknown): Promise<HttpResponse> {
		if (!this.apiKey) throw new Error('call createApiKey() first');
		const apiKey = this.apiKey;
		return whileDatabaseNotReady(() =>
			httpRequest(method, `${this.baseUrl}/api/v1${apiPath}`, {
				json: body,
				headers: { 'X-N8N-API-KEY': apiKey },
			}),
		);
	}

	/** Executions of a workflow (newest first), with their data when includeData. */
	async executions(
		query: { workflowId?: string; status?: string; limit?: number; includeData?: boolean } = {},
	): Promise<Array<Record<string, unknown>>> {
		const params = new URLSearchParams();
		if (query.workflowId) params.set('workflowId', query.workflowId);
		if (query.status) params.set('status', query.status);
		params.set('limit', String(query.limit ?? 100));
		if (query.includeData) params.set('includeData', 'true');
		const res = await this.api('GET', `/executions?${params.toString()}`);
		if (res.status !== 200) throw new Error(`GET /executions: ${res.status} ${res.text.slice(0, 300)}`);
		return ((res.json as { data?: Array<Record<string, unknown>> }).data ?? []) as Array<Record<string, unknown>>;
	}

	/** Poll the public API until a workflow has at least `count` finished executions (any status unless given). */
	async waitForExecutions(query: {
		workflowId: string;
		count?: number;
		status?: 'success' | 'error' | 'canceled' | 'crashed' | 'waiting';
		timeoutMs?: number;
		includeData?: boolean;
	}): Promise<Array<Record<string, unknown>>> {
		const deadline = Date.now() + (query.timeoutMs ?? 60_000);
		const want = query.count ?? 1;
		for (;;) {
			const list = (
				await this.executions({ workflowId: query.workflowId, status: query.status, includeData: query.includeData })
			).filter((e) => e.finished === true || (e.status !== 'running' && e.status !== 'new'));
			if (list.length >= want) return list;
			if (Date.now() > deadline) {
				throw new Error(`workflow ${query.workflowId}: ${list.length} of ${want} executions after the timeout`);
			}
			await sleep(250);
		}
	}

	/**
	 * Queue mode (EXECUTIONS_MODE=queue in the instance's env, with a Postgres DB_TYPE and QUEUE_BULL_* settings): starts
	 * one `n8n worker` with the instance's environment, its own health-check and task-broker ports (a fresh port block)
	 * and log file (`worker-<n>.log` in the user folder), and waits for its /healthz/readiness. stop() of the instance
	 * stops its workers first.
	 */
	async startWorker(options: WorkerOptions = {}): Promise<N8nWorker> {
		return startN8nWorker(this, ++this.workersStarted, options, (worker) => this.workers.push(worker));
	}

	/** Workers started by startWorker(). */
	get workerProcesses(): readonly N8nWorker[] {
		return this.workers;
	}

	/** SIGTERM the process group, SIGKILL after a grace period; removes a temp user folder unless kept. */
	async stop(options: { keepFolder?: boolean } = {}): Promise<void> {
		for (const worker of this.workers.splice(0)) await worker.stop();
		const child = this.group;
		if (child && child.exitCode === undefined) {
			const started = Date.now();
			signalGroup(child.pid, 'SIGTERM');
			if (!(await exitedWithin(child.exited, 15_000))) log(`n8n on port ${this.port} ignored SIGTERM for 15 s; SIGKILL`);
			this.timings.stop = Date.now() - started;
		}
		if (child) {
			signalGroup(child.pid, 'SIGKILL'); // task runner and anything else left in the group
			await child.exited;
			// Wait until the group is empty (the task runner is reparented and reaped shortly after n8n exits).
			if (!(await groupGone(child.pid, 10_000))) {
				log(`process group ${child.pid} of n8n on port ${this.port} still exists 10 s after SIGKILL`);
			}
			untrackGroup(child.pid);
		}
		this.group = undefined;
		this.cookie = undefined;
		if (child) {
			const t = Object.entries(this.timings).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`);
			log(`n8n on port ${this.port} stopped; timings: ${t.join(', ')}`);
		}
		if (this.ownsPort) releasePortBlock(this.port);
		if (this.ownedPrepared) {
			fs.rmSync(this.ownedPrepared, { recursive: true, force: true });
			keepOnExit(this.ownedPrepared);
		}
		this.ownedPrepared = undefined;
		if (this.ownsFolder && !this.keep && !options.keepFolder) {
			fs.rmSync(this.userFolder, { recursive: true, force: true });
			keepOnExit(this.userFolder);
		} else if (this.ownsFolder && child) {
			if (this.keep) {
				keepOnExit(this.userFolder);
				fs.rmSync(path.join(this.userFolder, OWNER_FILE), { force: true }); // kept: never swept
			}
			log(`kept user folder ${this.userFolder}`);
		}
	}
}

function timeSync<T>(fn: () => T): number {
	const started = Date.now();
	fn();
	return Date.now() - started;
}
