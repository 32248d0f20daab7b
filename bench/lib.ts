/*
 * Shared machinery of the real-n8n benchmarks (bench/*.bench.ts, run by bench/run.sh): the Halo and Datto simulators
 * in this process, one n8n (harness/n8n/instance.ts) with the shipped workflows, a keep-alive load generator, paging
 * through n8n's executions API, and the results files (bench/results/<name>.json).
 *
 * Everything a figure depends on is recorded next to it: n8n version and mode, Node, expression engine, execution
 * save settings, machine (cores, load average before and after), simulator limits and credential budgets.
 */
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';

import { buildWebhookBody } from '../simulators/datto/webhookEmitter';
import { n8nRuntime, n8nVersion } from '../harness/n8n/env';
import { N8nInstance } from '../harness/n8n/instance';
import { repoRoot } from '../harness/repo';
import { NODES, stableUuid, type WorkflowJson } from '../scripts/workflows/definition';
import { executionsAfter, type ExecutionSummary } from '../harness/executions';
import { benchSeedCsv, type BenchSims } from '../harness/simulators';
import { sleep } from '../harness/wait';
import {
	CREDENTIALS_FIXTURE,
	DATTO_WEBHOOK_SECRET,
	HALO_WEBHOOK_AUTH,
	readWorkflow,
	runSeedStep,
	transformWorkflow,
	webhookPath,
} from '../harness/workflowImport';

// The shared pieces live in the harness (harness/); re-exported for the benchmarks that import them from here.
export { sleep } from '../harness/wait';
export { executionsAfter, lastExecutionId, type ExecutionSummary } from '../harness/executions';
export {
	BENCH_SITES,
	benchSeedCsv,
	dattoApiEntries,
	dattoTokenEntries,
	haloApiEntries,
	haloTokenEntries,
	logMark,
	startBenchSims,
	ticketsByAlert,
	type BenchSims,
} from '../harness/simulators';

export function envNumber(name: string, fallback: number): number {
	const raw = process.env[name];
	if (raw === undefined || raw.trim() === '') return fallback;
	const n = Number(raw);
	if (!Number.isFinite(n)) throw new Error(`${name} must be a number, got ${raw}`);
	return n;
}

export function log(message: string): void {
	process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

export function round(value: number, digits = 3): number {
	const f = 10 ** digits;
	return Math.round(value * f) / f;
}

// ---------------------------------------------------------------------------------------------------------------
// Machine and settings

export interface MachineInfo {
	cpus: number;
	cpuModel: string;
	memoryGb: number;
	loadAverage: [number, number, number];
	node: string;
	date: string;
}

export function machineInfo(): MachineInfo {
	const cpus = os.cpus();
	const load = os.loadavg().map((v) => round(v, 2)) as [number, number, number];
	return {
		cpus: cpus.length,
		cpuModel: cpus[0]?.model?.trim() ?? 'unknown',
		memoryGb: round(os.totalmem() / 1024 ** 3, 1),
		loadAverage: load,
		node: process.version,
		date: new Date().toISOString(),
	};
}

/** The n8n settings a figure depends on, as the instance runs them (n8n's defaults unless set). */
export async function n8nSettings(n8n: N8nInstance): Promise<Record<string, string>> {
	const env = n8n.env;
	const runtime = await n8nRuntime(n8n.version);
	const value = (name: string, fallback: string) => (env[name] !== undefined && env[name] !== '' ? String(env[name]) : fallback);
	return {
		n8n: runtime.n8n,
		n8nNode: runtime.node,
		database: value('DB_TYPE', 'sqlite'),
		executionsMode: value('EXECUTIONS_MODE', 'regular'),
		expressionEngine: value('N8N_EXPRESSION_ENGINE', n8n.major >= 2 ? 'default (vm)' : 'default'),
		saveOnSuccess: value('EXECUTIONS_DATA_SAVE_ON_SUCCESS', 'default (all)'),
		saveOnError: value('EXECUTIONS_DATA_SAVE_ON_ERROR', 'default (all)'),
		saveOnProgress: value('EXECUTIONS_DATA_SAVE_ON_PROGRESS', 'default (false)'),
		concurrencyProductionLimit: value('N8N_CONCURRENCY_PRODUCTION_LIMIT', 'default (-1, unlimited)'),
		logLevel: value('N8N_LOG_LEVEL', 'info'),
	};
}

// ---------------------------------------------------------------------------------------------------------------
// Simulators

// ---------------------------------------------------------------------------------------------------------------
// n8n

/** A bare Webhook → Respond to Webhook workflow (the same node versions as the harness probe). */
export function bareWorkflow(id = 'BenchBareWebhook', webhookPathName = 'bench-bare'): WorkflowJson {
	return {
		id,
		name: 'Bench: Webhook -> Respond to Webhook',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{
				id: '6c1d7f1f-4f6f-4d2f-8b6a-7a2e8f4a1b01',
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2.1,
				position: [0, 0],
				webhookId: '7e2f9b3a-6d1c-4e6f-9b2a-3c4d5e6f7a01',
				parameters: { httpMethod: 'POST', path: webhookPathName, responseMode: 'responseNode', options: {} },
			},
			{
				id: '6c1d7f1f-4f6f-4d2f-8b6a-7a2e8f4a1b02',
				name: 'Respond to Webhook',
				type: 'n8n-nodes-base.respondToWebhook',
				typeVersion: 1.5,
				position: [220, 0],
				parameters: { respondWith: 'json', responseBody: '{"ok":true}', options: {} },
			},
		],
		connections: { Webhook: { main: [[{ node: 'Respond to Webhook', type: 'main', index: 0 }]] } },
		pinData: {},
	} as unknown as WorkflowJson;
}

/**
 * Diagnostic: Webhook → N × Set (one expression each, `{{ $json.body.alertUid }}`) → Respond to Webhook: what n8n
 * itself costs for a path as long as the alert workflow's, with expressions, and no package node.
 */
export function setChainWorkflow(id: string, webhookPathName: string, steps: number): WorkflowJson {
	const nodes: Array<Record<string, unknown>> = [
		{
			id: stableUuid(`${id}/webhook`),
			name: 'Webhook',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2.1,
			position: [0, 0],
			webhookId: stableUuid(`${id}/webhookId`),
			parameters: { httpMethod: 'POST', path: webhookPathName, responseMode: 'responseNode', options: {} },
		},
	];
	const connections: Record<string, unknown> = {};
	let previous = 'Webhook';
	for (let i = 1; i <= steps; i++) {
		const name = `Set ${i}`;
		nodes.push({
			id: stableUuid(`${id}/${name}`),
			name,
			type: 'n8n-nodes-base.set',
			typeVersion: 3.4,
			position: [220 * i, 0],
			parameters: {
				mode: 'manual',
				assignments: { assignments: [{ id: stableUuid(`${id}/${name}/a`), name: `step${i}`, value: '={{ $json.body.alertUid }}', type: 'string' }] },
				includeOtherFields: true,
				options: {},
			},
		});
		connections[previous] = { main: [[{ node: name, type: 'main', index: 0 }]] };
		previous = name;
	}
	nodes.push({
		id: stableUuid(`${id}/respond`),
		name: 'Respond to Webhook',
		type: 'n8n-nodes-base.respondToWebhook',
		typeVersion: 1.5,
		position: [220 * (steps + 1), 0],
		parameters: { respondWith: 'json', responseBody: '{"ok":true}', options: {} },
	});
	connections[previous] = { main: [[{ node: 'Respond to Webhook', type: 'main', index: 0 }]] };
	return { id, name: `Bench diagnostic: Webhook -> ${steps} x Set -> Respond`, active: false, settings: { executionOrder: 'v1' }, nodes, connections, pinData: {} } as unknown as WorkflowJson;
}

export const BENCH_HEADER_AUTH = { name: 'x-webhook-secret', value: 'bench-header-secret-0123456789' };

/** n8n's own Header Auth credential for the diagnostic below. */
export function headerAuthCredential(): object {
	return { id: 'BenchHeaderAuth1', name: 'Bench header auth', type: 'httpHeaderAuth', data: { ...BENCH_HEADER_AUTH } };
}

/**
 * Diagnostic: n8n's own Webhook node with Header Auth (a credential read in the webhook phase, as the Datto trigger
 * reads its secret) → Respond to Webhook.
 */
export function headerAuthWebhookWorkflow(id = 'BenchHeaderAuthWh', webhookPathName = 'bench-header-auth'): WorkflowJson {
	const wf = bareWorkflow(id, webhookPathName) as unknown as { name: string; nodes: Array<Record<string, unknown>> };
	wf.name = 'Bench diagnostic: Webhook (Header Auth) -> Respond to Webhook';
	wf.nodes = wf.nodes.map((n) => ({ ...n, id: stableUuid(`${id}/${String(n.name)}`) }));
	const hook = wf.nodes[0];
	hook.webhookId = stableUuid(`${id}/webhookId`);
	hook.parameters = { ...(hook.parameters as object), authentication: 'headerAuth' };
	hook.credentials = { httpHeaderAuth: { id: 'BenchHeaderAuth1', name: 'Bench header auth' } };
	return wf as unknown as WorkflowJson;
}

/** Diagnostic: Datto RMM Trigger (as configured in the shipped workflow) → No Op: the trigger's own share. */
export function dattoTriggerOnlyWorkflow(shipped: WorkflowJson, id = 'BenchDattoNoOp01'): WorkflowJson {
	const trigger = JSON.parse(JSON.stringify(shipped.nodes.find((n) => n.name === NODES.dattoTrigger))) as Record<string, unknown>;
	trigger.id = stableUuid(`${id}/trigger`);
	trigger.webhookId = stableUuid(`${id}/webhookId`);
	trigger.position = [0, 0];
	return {
		id,
		name: 'Bench diagnostic: Datto RMM Trigger -> No Op',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			trigger,
			{ id: stableUuid(`${id}/noop`), name: 'No Op', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [220, 0], parameters: {} },
		],
		connections: { [NODES.dattoTrigger]: { main: [[{ node: 'No Op', type: 'main', index: 0 }]] } },
		pinData: {},
	} as unknown as WorkflowJson;
}

export interface BenchN8n {
	n8n: N8nInstance;
	workflow: WorkflowJson;
	dattoPath: string;
	haloPath: string;
	settings: Record<string, string>;
	setupMs: number;
}

/**
 * One n8n with the shipped all-in-one workflow (static data; optional test-time transforms) and extra workflows,
 * the site table seeded the documented way (n8n execute of the seed section while n8n is stopped), webhooks live,
 * owner + API key, and both simulators' webhooks pointed at it (Datto: recommended bodies, secret in the query;
 * Halo: Ticket Closed only, full payload, Basic auth, as README.md#shipped-workflows recommends).
 */
export async function startBenchN8n(
	sims: BenchSims,
	options: {
		extraWorkflows?: WorkflowJson[];
		/** Credentials to import besides test/e2e/fixtures/credentials.template.json. */
		extraCredentials?: object[];
		vars?: Record<string, string | number>;
		env?: Record<string, string>;
		everySeconds?: Record<string, number>;
		/** Nodes to import disabled (e.g. the schedules, so that only the measured webhooks run). */
		disableNodes?: string[];
		/** Last-minute change of the imported copy (experiments). */
		mutateWorkflow?: (workflow: WorkflowJson) => void;
		subscribeHalo?: boolean;
		subscribeDatto?: boolean;
		/** Extra workflows whose seed step (site → client table) runs too, e.g. the Postgres alert workflow. */
		seedWorkflowIds?: string[];
		/** Extra production webhook paths to wait for before the benchmark starts. */
		waitForWebhooks?: string[];
		/** Runs after provisioning and seeding, before n8n starts (e.g. to write a workflow's static data). */
		beforeStart?: (n8n: N8nInstance) => Promise<void>;
	} = {},
): Promise<BenchN8n> {
	const started = Date.now();
	const workflow = transformWorkflow(readWorkflow('workflows/datto-halo-sync.json'), {
		seedCsv: benchSeedCsv(),
		everySeconds: options.everySeconds,
	});
	for (const name of options.disableNodes ?? []) {
		const found = workflow.nodes.find((n) => n.name === name);
		if (!found) throw new Error(`no node "${name}" in ${workflow.id}`);
		(found as unknown as { disabled: boolean }).disabled = true;
	}
	options.mutateWorkflow?.(workflow);
	// BENCH_N8N_ENV='{"N8N_EXPRESSION_ENGINE":"legacy"}' adds n8n settings for experiments (recorded in the results).
	const extraEnv = process.env.BENCH_N8N_ENV ? (JSON.parse(process.env.BENCH_N8N_ENV) as Record<string, string>) : {};
	const n8n = await N8nInstance.create({ env: { ...(options.env ?? {}), ...extraEnv } });
	await n8n.provision({
		credentials: [CREDENTIALS_FIXTURE, ...(options.extraCredentials ?? [])],
		workflows: [workflow, ...(options.extraWorkflows ?? [])],
		vars: { HALO_URL: sims.halo.baseUrl, DATTO_URL: sims.datto.baseUrl, ...(options.vars ?? {}) },
	});
	await runSeedStep(n8n, workflow.id);
	for (const id of options.seedWorkflowIds ?? []) await runSeedStep(n8n, id);
	await options.beforeStart?.(n8n);
	const dattoPath = webhookPath(workflow, NODES.dattoTrigger, 'datto-alert');
	const haloPath = webhookPath(workflow, NODES.haloTrigger, 'halo');
	await n8n.start({ waitForWebhooks: [dattoPath, haloPath, ...(options.waitForWebhooks ?? [])], timeoutMs: 180_000 });
	await n8n.createApiKey();
	if (options.subscribeDatto !== false) {
		sims.datto.webhooks.subscribe({ url: `${n8n.baseUrl}/webhook/${dattoPath}`, secret: DATTO_WEBHOOK_SECRET, template: 'recommended' });
	}
	if (options.subscribeHalo !== false) {
		// The HaloPSA Trigger registered its own (small-payload) webhook on publish; the benchmarks deliver the full
		// payload through one subscription of their own instead, so each Halo event arrives once.
		sims.halo.webhooks.clearSubscriptions();
		sims.halo.webhooks.subscribe({
			url: `${n8n.baseUrl}/webhook/${haloPath}`,
			name: 'n8n ticket events',
			events: ['Ticket Closed'],
			payload: 'full',
			auth: HALO_WEBHOOK_AUTH,
		});
	}
	return { n8n, workflow, dattoPath, haloPath, settings: await n8nSettings(n8n), setupMs: Date.now() - started };
}

const UNFINISHED = new Set(['running', 'new', 'waiting', 'unknown']);

/** Waits until at least `count` executions after `sinceId` exist and none of them is still running. */
export async function waitForSettled(
	n8n: N8nInstance,
	sinceId: number,
	options: { workflowId?: string; count: number; mode?: string; timeoutMs: number; pollMs?: number },
): Promise<ExecutionSummary[]> {
	const deadline = Date.now() + options.timeoutMs;
	for (;;) {
		const list = (await executionsAfter(n8n, sinceId, options.workflowId)).filter((e) => !options.mode || e.mode === options.mode);
		const unfinished = list.filter((e) => UNFINISHED.has(e.status) || e.stoppedAt === null);
		if (list.length >= options.count && unfinished.length === 0) return list;
		if (Date.now() > deadline) {
			throw new Error(`${list.length} of ${options.count} executions after #${sinceId}, ${unfinished.length} unfinished, after ${options.timeoutMs} ms`);
		}
		await sleep(options.pollMs ?? 250);
	}
}

// ---------------------------------------------------------------------------------------------------------------
// Load

export interface SentRequest {
	status: number;
	ms: number;
	error?: string;
}

/** POSTs every body with at most `concurrency` requests in flight over keep-alive connections. */
export async function postAll(
	url: (index: number) => string,
	bodies: Array<{ body: string; contentType: string }>,
	concurrency: number,
	headers: Record<string, string> = {},
): Promise<SentRequest[]> {
	const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
	const results: SentRequest[] = new Array(bodies.length);
	let next = 0;
	const worker = async () => {
		for (;;) {
			const index = next++;
			if (index >= bodies.length) return;
			const started = Date.now();
			try {
				const status = await post(url(index), bodies[index], agent, headers);
				results[index] = { status, ms: Date.now() - started };
			} catch (error) {
				results[index] = { status: 0, ms: Date.now() - started, error: (error as Error).message };
			}
		}
	};
	try {
		await Promise.all(Array.from({ length: concurrency }, worker));
	} finally {
		agent.destroy();
	}
	return results;
}

function post(url: string, payload: { body: string; contentType: string }, agent: http.Agent, headers: Record<string, string> = {}): Promise<number> {
	return new Promise((resolve, reject) => {
		const data = Buffer.from(payload.body);
		const req = http.request(
			url,
			{ method: 'POST', agent, headers: { ...headers, 'content-type': payload.contentType, 'content-length': String(data.length) }, timeout: 120_000 },
			(res) => {
				res.resume();
				res.on('end', () => resolve(res.statusCode ?? 0));
				res.on('error', reject);
			},
		);
		req.on('timeout', () => req.destroy(new Error('timeout')));
		req.on('error', reject);
		req.end(data);
	});
}

/**
 * Creates alerts in the Datto simulator without sending them and returns the bodies Datto would POST (recommended
 * triggered template), so a load generator can send them at its own pace.
 */
export async function prepareAlerts(
	sims: BenchSims,
	count: number,
	offset = 0,
	options: { keep?: boolean } = {},
): Promise<Array<{ alertUid: string; body: string; contentType: string }>> {
	const priorities = ['Critical', 'High', 'Moderate', 'Low', 'Information'];
	const out: Array<{ alertUid: string; body: string; contentType: string }> = [];
	for (let i = 0; i < count; i++) {
		const n = offset + i;
		const { alert } = await sims.datto.createAlert({
			deviceUid: sims.devices[n % sims.devices.length],
			priority: priorities[n % priorities.length],
			webhook: false,
		});
		const record = sims.datto.data.alerts.find((a) => a.alert.alertUid === alert.alertUid)!;
		const { body, contentType } = buildWebhookBody({ url: 'http://unused', template: 'recommended' }, 'triggered', sims.datto.variablesFor(record));
		out.push({ alertUid: alert.alertUid, body, contentType });
		// keep: false = only the body is wanted (e.g. for a workflow that does not touch Datto): forget the alert.
		if (options.keep === false) sims.datto.data.alerts.splice(sims.datto.data.alerts.indexOf(record), 1);
	}
	return out;
}

export function dattoWebhookUrl(n8n: N8nInstance, dattoPath: string): string {
	return `${n8n.baseUrl}/webhook/${dattoPath}?secret=${encodeURIComponent(DATTO_WEBHOOK_SECRET)}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Results

export function resultsDir(): string {
	const dir = process.env.BENCH_RESULTS_DIR ? path.resolve(process.env.BENCH_RESULTS_DIR) : path.join(repoRoot(), 'bench', 'results');
	fs.mkdirSync(dir, { recursive: true });
	return dir;
}

export function writeResult(name: string, data: Record<string, unknown>): string {
	const file = path.join(resultsDir(), `${name}.json`);
	fs.writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
	log(`wrote ${path.relative(repoRoot(), file)}`);
	return file;
}

/**
 * Runs one SQL statement on a stopped n8n's SQLite database with n8n's own sqlite3 module; `params` travel through a
 * file (a static data value can be megabytes, far above one argument's limit).
 */
export function sqliteRun(n8n: N8nInstance, sql: string, params: unknown[]): string {
	const env = n8n.env;
	const paramsFile = path.join(n8n.userFolder, `sql-params-${process.pid}.json`);
	fs.writeFileSync(paramsFile, JSON.stringify(params));
	const script = `
const fs = require('fs');
const [dbFile, sqlitePath, sql, paramsFile] = process.argv.slice(1);
const sqlite3 = require(sqlitePath);
const db = new sqlite3.Database(dbFile);
db.all(sql, JSON.parse(fs.readFileSync(paramsFile, 'utf8')), function (e, rows) {
  if (e) { console.error(e.message); process.exit(3); }
  process.stdout.write(JSON.stringify(rows ?? []));
  db.close(() => process.exit(0));
});`;
	try {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const { execFileSync } = require('child_process') as typeof import('child_process');
		return execFileSync(
			'node',
			['-e', script, path.join(n8n.userFolder, '.n8n', 'database.sqlite'), path.join(env.N8N_INSTALL_DIR as string, 'node_modules', 'sqlite3'), sql, paramsFile],
			{ env, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 },
		);
	} finally {
		fs.rmSync(paramsFile, { force: true });
	}
}

export function percentile(values: number[], q: number): number {
	if (values.length === 0) return NaN;
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)];
}

export { n8nVersion, N8nInstance };

/** Runs a benchmark's main(), exiting non-zero on failure (and after its own cleanup). */
export function runMain(name: string, main: () => Promise<void>): void {
	main().then(
		() => process.exit(0),
		(error: Error) => {
			process.stderr.write(`[bench] ${name} failed: ${error.stack ?? error.message}\n`);
			process.exit(1);
		},
	);
}

// ---------------------------------------------------------------------------------------------------------------
// CPU and isolates of the n8n process
//
// Throughput on a shared 2-core machine swings with the other load; the CPU time n8n itself spends per execution does
// not. utime + stime of /proc/<pid>/stat cover all threads of a process (V8's GC and compiler threads, isolated-vm's
// isolates, libuv's pool); the clock tick is 10 ms (CLK_TCK 100), so a round of a few hundred executions measures to
// well under 0.1 ms per execution.

const CLOCK_TICK_MS = 10;

interface ProcStat {
	pid: number;
	ppid: number;
	pgrp: number;
	cpuMs: number;
}

function readProcStat(pid: number): ProcStat | undefined {
	let text: string;
	try {
		text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
	} catch {
		return undefined;
	}
	// "pid (comm) state ppid pgrp … utime stime …": comm may hold spaces and parentheses, so split after the last ')'.
	const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
	return { pid, ppid: Number(rest[1]), pgrp: Number(rest[2]), cpuMs: (Number(rest[11]) + Number(rest[12])) * CLOCK_TICK_MS };
}

/** The n8n main process of an instance: the child of the harness's watchdog shell (whose pid is the group id). */
export function n8nMainPid(n8n: N8nInstance): number {
	const group = n8n.pid;
	if (!group) throw new Error('n8n is not running');
	for (const entry of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		const stat = readProcStat(Number(entry));
		if (stat && stat.ppid === group && stat.pgrp === group) {
			const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
			if (/n8n/.test(cmdline) && !/^sleep/.test(cmdline)) return stat.pid;
		}
	}
	throw new Error(`no n8n main process under the watchdog ${group}`);
}

/** CPU time (user + system, all threads) a process has used so far, in ms. */
export function processCpuMs(pid: number): number {
	const stat = readProcStat(pid);
	if (!stat) throw new Error(`process ${pid} is gone`);
	return stat.cpuMs;
}

/** A process's CPU use per second of wall time while nothing is sent to it (n8n 2.41.1 idles at 10–100 ms/s). */
export async function idleCpuRate(pid: number, ms = 5000): Promise<number> {
	const start = { at: Date.now(), cpu: processCpuMs(pid) };
	await sleep(ms);
	return ((processCpuMs(pid) - start.cpu) * 1000) / (Date.now() - start.at);
}

/**
 * Waits until a process has stopped working (its CPU use over `windowMs` no more than its idle rate plus a margin)
 * and returns its CPU time and the time at the start of that quiet window: the end of a round's work, before the
 * executions API polls that confirm it (their cost is not the subject's).
 */
export async function cpuWhenIdle(
	pid: number,
	options: { idleMsPerSecond: number; windowMs?: number; timeoutMs?: number },
): Promise<{ cpuMs: number; at: number }> {
	const windowMs = options.windowMs ?? 1000;
	const limit = options.idleMsPerSecond * 1.5 + 20;
	const deadline = Date.now() + (options.timeoutMs ?? 900_000);
	const samples: Array<{ at: number; cpu: number }> = [];
	for (;;) {
		const now = { at: Date.now(), cpu: processCpuMs(pid) };
		samples.push(now);
		while (samples.length > 1 && now.at - samples[1].at >= windowMs) samples.shift();
		const first = samples[0];
		if (now.at - first.at >= windowMs && ((now.cpu - first.cpu) * 1000) / (now.at - first.at) <= limit) return { cpuMs: first.cpu, at: first.at };
		if (Date.now() > deadline) return { cpuMs: now.cpu, at: now.at };
		await sleep(100);
	}
}

/**
 * A preload script (NODE_OPTIONS=--require) that counts isolated-vm isolates created by a process: it wraps
 * `require('isolated-vm').Isolate` and writes the count to `<dir>/isolates.<pid>` (checked every 100 ms). Only for
 * benchmarks: n8n's expression engine creates one isolate per expression-evaluating phase and disposes it after use.
 */
export function isolateCounterEnv(): { env: Record<string, string>; count: (pid: number) => number } {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-isolates-'));
	const script = path.join(dir, 'count-isolates.cjs');
	fs.writeFileSync(
		script,
		`'use strict';
const Module = require('module');
const fs = require('fs');
const file = ${JSON.stringify(dir)} + '/isolates.' + process.pid;
let count = 0;
let written = -1;
let wrapped;
const load = Module._load;
Module._load = function (request) {
	const loaded = load.apply(this, arguments);
	if (request !== 'isolated-vm' || !loaded || typeof loaded.Isolate !== 'function') return loaded;
	if (!wrapped) {
		// The module object is frozen: hand out a copy whose Isolate counts constructions.
		const Isolate = loaded.Isolate;
		const Counted = new Proxy(Isolate, { construct(target, args, newTarget) { count++; return Reflect.construct(target, args, newTarget === Counted ? target : newTarget); } });
		wrapped = Object.assign({}, loaded, { Isolate: Counted });
	}
	return wrapped;
};
setInterval(() => { if (count !== written) { written = count; try { fs.writeFileSync(file, String(count)); } catch {} } }, 100).unref();
`,
	);
	const existing = process.env.NODE_OPTIONS ?? '';
	return {
		env: { NODE_OPTIONS: `${existing} --require ${script}`.trim() },
		count: (pid: number) => {
			try {
				return Number(fs.readFileSync(path.join(dir, `isolates.${pid}`), 'utf8')) || 0;
			} catch {
				return 0;
			}
		},
	};
}
