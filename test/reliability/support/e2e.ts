/*
 * Shared setup of the reliability end-to-end tests (test/e2e/faults*.test.ts, badInput*.test.ts, queueMode*.test.ts,
 * secrets*.test.ts): the Halo and Datto simulators in this process (harness/simulators.ts), one n8n with the shipped workflows
 * (static all-in-one and/or the four Postgres workflows, with the documented import-time transforms of harness/workflowImport.ts, listed in
 * test/e2e/fixtures/sync.ts), and the checks every fault scenario ends with: every alert has exactly one Halo ticket,
 * and every resolved alert a closed one.
 */
import { execFileSync } from 'child_process';
import * as path from 'path';
import { Client } from 'pg';

import { executionsAfter, type ExecutionSummary } from '../../../harness/executions';
import { BENCH_SITES, startBenchSims, ticketsByAlert, type BenchSims } from '../../../harness/simulators';
import { sleep, waitFor } from '../../../harness/wait';
import { httpRequest, type HttpResponse } from '../../../harness/http';
import { N8nInstance } from '../../../harness/n8n/instance';
import { NODES, WORKFLOW_IDS, type WorkflowJson } from '../../../scripts/workflows/definition';
import { openRecordStore, closeAllPools } from '../../../nodes/shared/store';
import {
	CREDENTIALS_FIXTURE,
	DATTO_WEBHOOK_SECRET,
	HALO_WEBHOOK_AUTH,
	readWorkflow,
	transformWorkflow,
	webhookPath,
	type Transform,
} from '../../../harness/workflowImport';
import { connectionFor, pgConfigFor, type TestPostgres } from '../../helpers/postgres';

export { executionsAfter, ticketsByAlert, type BenchSims, type ExecutionSummary };
export { lastExecutionId } from '../../../harness/executions';
export { sleep, waitFor };
export { DATTO_WEBHOOK_SECRET, HALO_WEBHOOK_AUTH };

export const PG_FILES = [
	'workflows/postgres/1-alert-lifecycle.json',
	'workflows/postgres/2-halo-ticket-closed.json',
	'workflows/postgres/3-daily-cleanup.json',
	'workflows/postgres/4-reconciliation.json',
];

export type Variant = 'static' | 'postgres';

export interface SuiteOptions {
	variants: Variant[];
	/** Where the simulators' webhooks go (default: the first variant). */
	subscribe?: Variant | false;
	/** Postgres for the mapping store (postgres variant) and the table. */
	pg?: TestPostgres;
	table?: string;
	transform?: Transform;
	/** Workflow ids to publish at start (default all). */
	publish?: string[] | 'all';
	/** Extra n8n environment. */
	env?: Record<string, string>;
	/** Halo simulator: rate limit (default 300 / 300 s), Retry-After (default true), token lifetime. */
	haloRateLimit?: { limit: number; windowMs: number } | false;
	haloRetryAfter?: boolean;
	haloTokenLifetimeSeconds?: number;
	/** Datto devices per bench site (default 4; 5 sites). */
	devicesPerSite?: number;
	/** Extra credential template values (e.g. HALO_REQUESTS_PER_WINDOW). */
	vars?: Record<string, string | number>;
	/** Seed the Postgres `sites` table directly (faster than n8n execute). */
	seedPostgresSites?: boolean;
	/** Make an existing instance (e.g. queue mode, created by the caller) instead of a fresh one. */
	instance?: N8nInstance;
	/** Do not start n8n (the caller starts main and workers). */
	noStart?: boolean;
}

export interface Suite {
	sims: BenchSims;
	n8n: N8nInstance;
	workflows: WorkflowJson[];
	paths: Partial<Record<Variant, { datto: string; halo: string; lifecycleId: string; closedId: string }>>;
	options: SuiteOptions;
	/** Subscribes the simulators' webhooks to a variant's triggers (Datto: recommended bodies, secret in the query). */
	subscribe(variant: Variant): void;
	stop(): Promise<void>;
}

export function suiteWorkflows(options: SuiteOptions): WorkflowJson[] {
	const out: WorkflowJson[] = [];
	for (const variant of options.variants) {
		const files = variant === 'static' ? ['workflows/datto-halo-sync.json'] : PG_FILES;
		for (const file of files) out.push(transformWorkflow(readWorkflow(file), { ...(options.transform ?? {}), table: options.table ?? options.transform?.table }));
	}
	return out;
}

export function credentialVarsFor(sims: BenchSims, pg?: TestPostgres, extra: Record<string, string | number> = {}): Record<string, string | number> {
	return {
		HALO_URL: sims.halo.baseUrl,
		DATTO_URL: sims.datto.baseUrl,
		...(pg ? { PGHOST: pg.host, PGPORT: pg.port, PGUSER: pg.user, PGPASSWORD: pg.password, PGDATABASE: pg.database } : {}),
		...extra,
	};
}

/** Site → client rows (the bench sites) written straight into the Postgres table. */
export async function seedPostgresSites(pg: TestPostgres, table: string): Promise<void> {
	const store = openRecordStore({ backend: 'postgres', connection: connectionFor(pg, 2), table });
	await store.importRecords(
		'sites',
		BENCH_SITES.filter((s) => s.mapped !== 'none').map((s) => ({
			key: s.mapped === 'uid' ? s.uid : s.name,
			value: { clientId: s.clientId, siteId: s.siteId, name: s.name },
		})),
		{ event: 'seeded' },
	);
	await closeAllPools();
}

export async function startSuite(options: SuiteOptions): Promise<Suite> {
	const sims = await startBenchSims({
		haloRateLimit: options.haloRateLimit === undefined ? { limit: 300, windowMs: 300_000 } : options.haloRateLimit,
		haloRetryAfter: options.haloRetryAfter ?? true,
		haloTokenLifetimeSeconds: options.haloTokenLifetimeSeconds,
		devicesPerSite: options.devicesPerSite ?? 4,
	});
	const workflows = suiteWorkflows(options);
	const n8n = options.instance ?? (await N8nInstance.create({ env: options.env }));
	try {
		await n8n.provision({
			credentials: [CREDENTIALS_FIXTURE],
			workflows,
			publish: options.publish ?? 'all',
			vars: credentialVarsFor(sims, options.pg, options.vars),
		});
		if (options.seedPostgresSites && options.pg && options.table) await seedPostgresSites(options.pg, options.table);
	} catch (error) {
		await n8n.stop();
		await sims.close();
		throw error;
	}
	const paths: Suite['paths'] = {};
	for (const variant of options.variants) {
		const [lifecycleId, closedId] = variant === 'static' ? [WORKFLOW_IDS.static, WORKFLOW_IDS.static] : [WORKFLOW_IDS.pgLifecycle, WORKFLOW_IDS.pgHaloClosed];
		const lifecycle = workflows.find((w) => w.id === lifecycleId)!;
		const closed = workflows.find((w) => w.id === closedId)!;
		paths[variant] = {
			datto: webhookPath(lifecycle, NODES.dattoTrigger, 'datto-alert'),
			halo: webhookPath(closed, NODES.haloTrigger, 'halo'),
			lifecycleId,
			closedId,
		};
	}
	const suite: Suite = {
		sims,
		n8n,
		workflows,
		paths,
		options,
		subscribe(variant: Variant) {
			const p = paths[variant]!;
			sims.datto.webhooks.subscribe({ url: `${n8n.baseUrl}/webhook/${p.datto}`, secret: DATTO_WEBHOOK_SECRET, template: 'recommended' });
			sims.halo.webhooks.clearSubscriptions();
			sims.halo.webhooks.subscribe({
				url: `${n8n.baseUrl}/webhook/${p.halo}`,
				name: 'n8n ticket events',
				events: ['Ticket Closed'],
				payload: 'full',
				auth: HALO_WEBHOOK_AUTH,
			});
		},
		async stop() {
			await n8n.stop();
			await sims.close();
			await closeAllPools();
		},
	};
	if (!options.noStart) {
		try {
			const hooks = options.variants.flatMap((v) => [paths[v]!.datto, paths[v]!.halo]);
			// Only published workflows answer; the probe polls a webhook and runs it once: harmless for these two
			// (an empty body is a 400 at the Datto trigger and at the Halo trigger without auth a 401).
			await n8n.start({ waitForWebhooks: hooks.filter((h) => publishedPath(suite, h)), timeoutMs: 180_000 });
			await n8n.createApiKey();
		} catch (error) {
			await suite.stop();
			throw error;
		}
		if (options.subscribe !== false) suite.subscribe(options.subscribe ?? options.variants[0]);
	}
	return suite;
}

function publishedPath(suite: Suite, hookPath: string): boolean {
	const publish = suite.options.publish ?? 'all';
	if (publish === 'all') return true;
	for (const p of Object.values(suite.paths)) {
		if (p?.datto === hookPath) return publish.includes(p.lifecycleId);
		if (p?.halo === hookPath) return publish.includes(p.closedId);
	}
	return false;
}

// ---------------------------------------------------------------------------------------------------------------
// Outcome checks

export interface Outcome {
	/** alertUid → number of tickets. */
	ticketCounts: Record<string, number>;
	lost: string[];
	duplicates: string[];
	/** Resolved alerts whose (single) ticket is not closed. */
	notClosed: string[];
}

export function outcome(sims: BenchSims, alerts: string[], resolved: string[]): Outcome {
	const tickets = ticketsByAlert(sims.halo);
	const ticketCounts: Record<string, number> = {};
	for (const uid of alerts) ticketCounts[uid] = (tickets.get(uid) ?? []).length;
	const closedId = sims.halo.profile.closedStatusId;
	return {
		ticketCounts,
		lost: alerts.filter((uid) => ticketCounts[uid] === 0),
		duplicates: alerts.filter((uid) => ticketCounts[uid] > 1),
		notClosed: resolved.filter((uid) => !(tickets.get(uid) ?? []).some((t) => t.status_id === closedId)),
	};
}

/**
 * Waits until every alert has a ticket and every resolved alert a closed one (reconciliation included), then returns
 * the outcome (the caller asserts no duplicates: they can only grow, so a wait would hide nothing).
 */
export async function settleOutcome(sims: BenchSims, alerts: string[], resolved: string[], timeoutMs: number): Promise<Outcome> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const o = outcome(sims, alerts, resolved);
		if ((o.lost.length === 0 && o.notClosed.length === 0) || Date.now() > deadline) return o;
		await sleep(500);
	}
}

/** Executions after an id that are not `success` (optionally of some workflows). */
export async function failedExecutions(n8n: N8nInstance, sinceId = 0, workflowIds?: string[]): Promise<ExecutionSummary[]> {
	const all = await executionsAfter(n8n, sinceId);
	return all.filter((e) => e.status !== 'success' && (!workflowIds || workflowIds.includes(e.workflowId)));
}

/**
 * Waits until at least `count` executions after `sinceId` exist and all of them have finished, and returns them.
 * With `mode`, only executions of that mode are counted, awaited and returned (schedule runs such as the
 * reconciliation neither count as webhook executions nor hold the wait). On timeout the error lists what was missing
 * or still unfinished.
 */
export async function settled(
	n8n: N8nInstance,
	sinceId: number,
	count = 0,
	timeoutMs = 120_000,
	mode?: string,
): Promise<ExecutionSummary[]> {
	const unfinished = (e: ExecutionSummary) => ['running', 'new', 'waiting', 'unknown'].includes(e.status) || e.stoppedAt === null;
	const ofMode = async () => (await executionsAfter(n8n, sinceId)).filter((e) => mode === undefined || e.mode === mode);
	try {
		return await waitFor(
			`executions after #${sinceId} to finish`,
			async () => {
				const list = await ofMode();
				return list.length >= count && !list.some(unfinished) ? list : undefined;
			},
			timeoutMs,
			400,
		);
	} catch (error) {
		// Say what was still missing or unfinished, so a timeout can be diagnosed from the CI log alone.
		const list = await ofMode().catch(() => [] as ExecutionSummary[]);
		const open = list.filter(unfinished).map((e) => ({ id: e.id, mode: e.mode, status: e.status, workflowId: e.workflowId, startedAt: new Date(e.startedAt).toISOString() }));
		throw new Error(
			`${(error as Error).message}; ${list.length} of ${count} expected executions${mode ? ` (mode ${mode})` : ''}; unfinished: ${JSON.stringify(open.slice(0, 10))}`,
		);
	}
}

// ---------------------------------------------------------------------------------------------------------------
// Postgres

/** Rows of a mapping-store table (collection → key → status). */
export async function tableRows(pg: TestPostgres, table: string): Promise<Array<{ collection: string; key: string; status: string }>> {
	const client = new Client(pgConfigFor(pg));
	await client.connect();
	try {
		const res = await client.query<{ collection: string; key: string; status: string }>(
			`SELECT collection, key, status FROM "${table}" ORDER BY collection, key COLLATE "C"`,
		);
		return res.rows;
	} catch (error) {
		if (/does not exist/.test((error as Error).message)) return [];
		throw error;
	} finally {
		await client.end();
	}
}

/**
 * Stops and starts a Postgres that test/helpers/postgres.ts startPostgres() started (never the machine's service):
 * `pg_ctl stop -m fast` (connections are cut), `downMs` of downtime, then start on the same port.
 */
export async function restartOwnPostgres(pg: TestPostgres, downMs: number): Promise<void> {
	if (pg.origin !== 'started' || !pg.directory) throw new Error('restartOwnPostgres: only for a server this test started');
	const bin = postgresBin();
	const asRoot = process.getuid?.() === 0;
	const run = (program: string, args: string[]) => {
		const [command, commandArgs] = asRoot ? ['runuser', ['-u', 'postgres', '--', path.join(bin, program), ...args]] : [path.join(bin, program), args];
		execFileSync(command, commandArgs, { stdio: 'pipe', timeout: 60_000 });
	};
	const data = path.join(pg.directory, 'data');
	run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
	await sleep(downMs);
	run('pg_ctl', [
		'-D',
		data,
		'-l',
		path.join(pg.directory, 'postgres.log'),
		'-o',
		`-p ${pg.port} -k ${pg.directory} -c listen_addresses=127.0.0.1`,
		'-w',
		'start',
	]);
}

function postgresBin(): string {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const fs = require('fs') as typeof import('fs');
	const root = '/usr/lib/postgresql';
	const versions = fs
		.readdirSync(root)
		.filter((v) => fs.existsSync(path.join(root, v, 'bin', 'pg_ctl')))
		.sort((a, b) => Number(b) - Number(a));
	return path.join(root, versions[0], 'bin');
}

/** Why executions failed: the last node run and the error message (public API with includeData). */
export async function describeExecutions(n8n: N8nInstance, executions: ExecutionSummary[]): Promise<Array<Record<string, unknown>>> {
	const out: Array<Record<string, unknown>> = [];
	for (const e of executions.slice(0, 30)) {
		const res = await n8n.api('GET', `/executions/${e.id}?includeData=true`);
		const data = (res.json as { data?: { resultData?: { error?: { message?: string; description?: string }; lastNodeExecuted?: string } } } | undefined)?.data;
		out.push({
			id: e.id,
			mode: e.mode,
			status: e.status,
			lastNode: data?.resultData?.lastNodeExecuted,
			error: data?.resultData?.error?.message,
			description: data?.resultData?.error?.description,
		});
	}
	return out;
}

/** What rawRequest() answers (harness/http.ts). */
export type RawResponse = HttpResponse;

/** An HTTP request with a raw body (any bytes, any or no Content-Type), for bad-input tests. */
export function rawRequest(
	method: string,
	url: string,
	options: { body?: string | Buffer; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<RawResponse> {
	return httpRequest(method, url, { body: options.body, headers: options.headers, timeoutMs: options.timeoutMs ?? 60_000 });
}

export function basicAuth(user: string, password: string): string {
	return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}
