/*
 * The one-command demo (`npm start` = scripts/demo.sh, which builds and installs n8n first, then runs this file as
 * dist/scripts/demo.js). See README.md#demo.
 *
 * Simulator mode (default): starts the HaloPSA and Datto RMM simulators, starts n8n with the packed package, the
 * credentials (pointing at the simulators) and the shipped all-in-one workflow (workflows/datto-halo-sync.json)
 * published, in a persistent user folder under the cache (provisioned only when absent; --reset starts fresh), creates
 * the owner, seeds the site → client mapping through the workflow's Mapping Store "Import" operation, then fires
 * sample alerts through the Datto simulator's webhooks and prints what happened in both systems. Stays up until
 * Ctrl-C; DEMO_EXIT_AFTER_SAMPLES=1 exits instead (0 only when every expected ticket opened and closed).
 *
 * Real mode: with HALO_* and/or DATTO_* tenant variables set, that side's credentials point at the real system and
 * its simulator is not started; no sample alerts are fired, and the workflow is published only with DEMO_PUBLISH=1.
 */
import { execFile } from 'child_process';
import { createHash, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

import { httpRequest } from '../harness/http';
import { cacheDir } from '../harness/n8n/env';
import { N8nInstance, OWNER } from '../harness/n8n/instance';
import { packPackage, preparePackage, readPackageJson } from '../harness/n8n/package';
import { sqliteStatement, sqliteValue } from '../harness/n8n/sqlite';
import { startService, type ServiceProcess } from '../harness/processes';
import { repoRoot } from '../harness/repo';
import { sleep } from '../harness/wait';
import { portFree } from '../harness/ports';

// ---------------------------------------------------------------------------------------------------------------
// Output

const t0 = Date.now();
const useColor = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: string) => (s: string) => (useColor ? `\x1b[${code}m${s}\x1b[0m` : s);
const bold = paint('1');
const dim = paint('2');
const green = paint('32');
const red = paint('31');
const yellow = paint('33');
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1).padStart(5)} s`;

function say(message: string): void {
	process.stdout.write(`${dim(`[demo ${elapsed()}]`)} ${message}\n`);
}
function warn(message: string): void {
	process.stdout.write(`${dim(`[demo ${elapsed()}]`)} ${yellow('warning:')} ${message}\n`);
}

class DemoError extends Error {}

// ---------------------------------------------------------------------------------------------------------------
// Configuration

const HELP = `Usage: npm start [-- --reset]        (bash scripts/demo.sh [--reset] [--help])

Starts the HaloPSA and Datto RMM simulators and n8n with this package, its credentials and the shipped workflow,
prints the editor URL and login, and fires sample alerts so tickets open and close. Ctrl-C stops everything.

  --reset          delete the demo's n8n user folder first (owner, workflows, executions) and provision again

Environment (see README.md#demo):
  DEMO_N8N_PORT (5678; +1 is n8n's task broker), DEMO_HALO_PORT (5601), DEMO_DATTO_PORT (5602)
  DEMO_HOME (\${HALO_DATTO_CACHE:-~/.cache/n8n-nodes-halo-datto}/demo)   DEMO_WORKFLOW (workflows/datto-halo-sync.json)
  DEMO_EXIT_AFTER_SAMPLES=1  run the samples, check them, stop everything, exit 0/1
  DEMO_SAMPLES=0             no sample alerts (simulator mode)
  DEMO_SAMPLE_TIMEOUT_MS     how long each sample step may take (default 90000)
  DEMO_SITE_MAPPING=FILE     CSV or JSON (key,value) imported into the "sites" collection instead of the demo mapping
  Real tenants: HALO_INSTANCE_URL HALO_CLIENT_ID HALO_CLIENT_SECRET [HALO_TENANT HALO_HOSTING HALO_AUTH_URL
    HALO_RESOURCE_URL HALO_SCOPE HALO_WEBHOOK_USER HALO_WEBHOOK_PASSWORD]; DATTO_API_KEY DATTO_API_SECRET
    DATTO_PLATFORM|DATTO_API_URL [DATTO_WEBHOOK_SECRET]; DEMO_PUBLISH=1 DEMO_PUBLIC_URL DEMO_LISTEN_ADDRESS
`;

const HALO_REAL_VARS = [
	'HALO_INSTANCE_URL',
	'HALO_CLIENT_ID',
	'HALO_CLIENT_SECRET',
	'HALO_TENANT',
	'HALO_HOSTING',
	'HALO_AUTH_URL',
	'HALO_RESOURCE_URL',
	'HALO_SCOPE',
];
const DATTO_REAL_VARS = ['DATTO_API_KEY', 'DATTO_API_SECRET', 'DATTO_PLATFORM', 'DATTO_API_URL'];
const DATTO_PLATFORMS = ['pinotage', 'merlot', 'concord', 'vidal', 'zinfandel', 'syrah'];

/** Simulator credentials (the simulators are started with exactly these). */
const SIM = {
	haloClientId: 'halo-demo-client',
	haloClientSecret: 'halo-demo-secret-0123456789abcdef',
	haloTenant: 'default',
	dattoApiKey: 'datto-demo-key',
	dattoApiSecret: 'datto-demo-secret',
	dattoWebhookSecret: 'demo-datto-webhook-secret',
	haloWebhookUser: 'halo-webhook',
	haloWebhookPassword: 'demo-halo-webhook-password',
};

interface Config {
	reset: boolean;
	exitAfterSamples: boolean;
	samples: boolean;
	n8nPort: number;
	haloPort: number;
	dattoPort: number;
	home: string;
	workflowFile: string;
	siteMappingFile?: string;
	haloReal: boolean;
	dattoReal: boolean;
	publish: boolean;
	env: Record<string, string>;
}

function envPort(name: string, fallback: number): number {
	const raw = process.env[name];
	if (!raw) return fallback;
	const n = Number(raw);
	if (!Number.isInteger(n) || n < 1 || n > 65534) throw new DemoError(`${name}=${raw} is not a port number`);
	return n;
}

function readConfig(argv: string[]): Config | undefined {
	let reset = false;
	for (const arg of argv) {
		if (arg === '--reset') reset = true;
		else if (arg === '--help' || arg === '-h') {
			process.stdout.write(HELP);
			return undefined;
		} else throw new DemoError(`unknown argument ${arg} (try --help)`);
	}
	const set = (name: string) => Boolean(process.env[name]?.trim());
	const haloReal = HALO_REAL_VARS.some(set);
	const dattoReal = DATTO_REAL_VARS.some(set);
	const missing: string[] = [];
	if (haloReal) {
		for (const name of ['HALO_INSTANCE_URL', 'HALO_CLIENT_ID', 'HALO_CLIENT_SECRET'])
			if (!set(name)) missing.push(name);
		const hosting = process.env.HALO_HOSTING;
		if (hosting && hosting !== 'cloud' && hosting !== 'onPremise') {
			throw new DemoError(`HALO_HOSTING must be "cloud" or "onPremise", not "${hosting}"`);
		}
	}
	if (dattoReal) {
		for (const name of ['DATTO_API_KEY', 'DATTO_API_SECRET']) if (!set(name)) missing.push(name);
		if (!set('DATTO_PLATFORM') && !set('DATTO_API_URL')) missing.push('DATTO_PLATFORM or DATTO_API_URL');
		const platform = process.env.DATTO_PLATFORM;
		if (platform && !DATTO_PLATFORMS.includes(platform.toLowerCase())) {
			throw new DemoError(
				`DATTO_PLATFORM must be one of ${DATTO_PLATFORMS.join(', ')} (or set DATTO_API_URL)`,
			);
		}
	}
	if (missing.length > 0) {
		throw new DemoError(
			`real-tenant mode needs ${missing.join(', ')} (set ${haloReal ? 'HALO_*' : ''}${haloReal && dattoReal ? ' and ' : ''}` +
				`${dattoReal ? 'DATTO_*' : ''} completely, or unset them to use the simulators; see README.md#demo)`,
		);
	}
	const exitAfterSamples = process.env.DEMO_EXIT_AFTER_SAMPLES === '1';
	const real = haloReal || dattoReal;
	if (exitAfterSamples && real) {
		throw new DemoError(
			'DEMO_EXIT_AFTER_SAMPLES=1 runs the sample alerts, which are never sent to real tenants',
		);
	}
	const home = path.resolve(process.env.DEMO_HOME || path.join(cacheDir(), 'demo'));
	const env: Record<string, string> = {};
	if (process.env.DEMO_PUBLIC_URL) env.WEBHOOK_URL = process.env.DEMO_PUBLIC_URL.replace(/\/?$/, '/');
	if (process.env.DEMO_LISTEN_ADDRESS) env.N8N_LISTEN_ADDRESS = process.env.DEMO_LISTEN_ADDRESS;
	return {
		reset,
		exitAfterSamples,
		samples: !real && process.env.DEMO_SAMPLES !== '0',
		n8nPort: envPort('DEMO_N8N_PORT', 5678),
		haloPort: envPort('DEMO_HALO_PORT', 5601),
		dattoPort: envPort('DEMO_DATTO_PORT', 5602),
		home,
		workflowFile: path.resolve(
			process.env.DEMO_WORKFLOW || path.join(repoRoot(), 'workflows', 'datto-halo-sync.json'),
		),
		siteMappingFile: process.env.DEMO_SITE_MAPPING ? path.resolve(process.env.DEMO_SITE_MAPPING) : undefined,
		haloReal,
		dattoReal,
		publish: !real || process.env.DEMO_PUBLISH === '1',
		env,
	};
}

// ---------------------------------------------------------------------------------------------------------------
// Workflow JSON

interface NodeJson {
	id: string;
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id?: string; name: string }>;
	webhookId?: string;
	[key: string]: unknown;
}

interface WorkflowJson {
	id: string;
	name: string;
	nodes: NodeJson[];
	connections: Record<string, { main?: Array<Array<{ node: string; type: string; index: number }> | null> }>;
	[key: string]: unknown;
}

const PKG = readPackageJson(repoRoot()).name;
const TYPE = {
	dattoTrigger: `${PKG}.dattoRmmTrigger`,
	haloTrigger: `${PKG}.haloPsaTrigger`,
	mappingStore: `${PKG}.mappingStore`,
	haloPsa: `${PKG}.haloPsa`,
	manualTrigger: 'n8n-nodes-base.manualTrigger',
};

/** Production webhook path of a webhook node (n8n: `<webhookId>/<path>`, else `<workflowId>/<node name>/<path>`). */
function webhookPath(workflow: WorkflowJson, node: NodeJson, suffix: string): string {
	if (node.webhookId) return `${node.webhookId}/${suffix}`;
	return `${workflow.id}/${encodeURIComponent(node.name.toLowerCase())}/${suffix}`;
}

/** Names of the nodes reachable from `start` over main connections (including start). */
function downstream(workflow: WorkflowJson, start: string): Set<string> {
	const seen = new Set<string>([start]);
	const queue = [start];
	while (queue.length > 0) {
		const name = queue.shift() as string;
		for (const outputs of workflow.connections[name]?.main ?? []) {
			for (const c of outputs ?? []) {
				if (!seen.has(c.node)) {
					seen.add(c.node);
					queue.push(c.node);
				}
			}
		}
	}
	return seen;
}

function uuid(): string {
	const b = randomBytes(16);
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	const h = b.toString('hex');
	return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

interface MappingSeeder {
	/** Name of the Manual Trigger that starts the import branch (`n8n execute` starts at the first one). */
	triggerName: string;
	importNodeName: string;
	added: boolean;
}

/**
 * The Mapping Store "Import" branch that seeds the `sites` collection of the workflow's own store (the static-data
 * store is per workflow, so the import must run inside the sync workflow). Uses the workflow's own branch when it has
 * one (Manual Trigger → … → Mapping Store Import on "sites"), else adds a labelled one to the demo's copy. The Manual
 * Trigger is moved to the front of the node list: `n8n execute` starts at the first manual trigger.
 */
function prepareMappingSeeder(workflow: WorkflowJson, rowsJson: string): MappingSeeder {
	const isSitesImport = (n: NodeJson) =>
		n.type === TYPE.mappingStore &&
		n.parameters.operation === 'import' &&
		String(n.parameters.collection ?? 'alerts') === 'sites';
	let seeder: MappingSeeder | undefined;
	for (const trigger of workflow.nodes.filter((n) => n.type === TYPE.manualTrigger)) {
		const reach = downstream(workflow, trigger.name);
		const importNode = workflow.nodes.find((n) => reach.has(n.name) && isSitesImport(n));
		if (importNode) {
			importNode.parameters = { ...importNode.parameters, format: 'json', json: rowsJson };
			seeder = { triggerName: trigger.name, importNodeName: importNode.name, added: false };
			break;
		}
	}
	if (!seeder) {
		const template = workflow.nodes.find((n) => n.type === TYPE.mappingStore);
		const backendParams: Record<string, unknown> = {};
		if (template) {
			for (const key of ['backend', 'table']) {
				if (template.parameters[key] !== undefined) backendParams[key] = template.parameters[key];
			}
		}
		const minY = Math.min(0, ...workflow.nodes.map((n) => n.position?.[1] ?? 0));
		const trigger: NodeJson = {
			id: uuid(),
			name: 'Demo: seed site mapping',
			type: TYPE.manualTrigger,
			typeVersion: 1,
			position: [0, minY - 400],
			parameters: {},
		};
		const importNode: NodeJson = {
			id: uuid(),
			name: 'Demo: import sites',
			type: TYPE.mappingStore,
			typeVersion: template?.typeVersion ?? 1,
			position: [240, minY - 400],
			parameters: {
				...backendParams,
				resource: 'record',
				operation: 'import',
				collection: 'sites',
				format: 'json',
				json: rowsJson,
			},
		};
		if (template?.credentials) importNode.credentials = template.credentials;
		const note: NodeJson = {
			id: uuid(),
			name: 'Demo note: site mapping',
			type: 'n8n-nodes-base.stickyNote',
			typeVersion: 1,
			position: [-60, minY - 560],
			parameters: {
				content:
					'## Added by the demo (npm start)\nSeeds the site → Halo client mapping (collection "sites") of this ' +
					"workflow's store: Datto site UID → `{ clientId, siteId, name }`. Edit the JSON and run it again to change it.",
				height: 320,
				width: 520,
			},
		};
		workflow.nodes.push(note, importNode);
		workflow.connections[trigger.name] = { main: [[{ node: importNode.name, type: 'main', index: 0 }]] };
		workflow.nodes.unshift(trigger);
		seeder = { triggerName: trigger.name, importNodeName: importNode.name, added: true };
	} else {
		const index = workflow.nodes.findIndex((n) => n.name === seeder!.triggerName);
		workflow.nodes.unshift(...workflow.nodes.splice(index, 1));
	}
	if (workflow.nodes.some((n) => n.type === 'n8n-nodes-base.executeWorkflowTrigger')) {
		throw new DemoError(
			`${workflow.name} has an Execute Workflow Trigger, where \`n8n execute\` would start instead of "${seeder.triggerName}"`,
		);
	}
	return seeder;
}

/** Value keys the workflow reads from a site mapping record (from the HaloPSA node's Client/Site ID Field paths). */
function mappingValueKeys(workflow: WorkflowJson): { clientKey: string; siteKey: string } {
	const create = workflow.nodes.find((n) => n.type === TYPE.haloPsa && n.parameters.clientIdField);
	const last = (p: unknown, fallback: string) => {
		const parts = String(p ?? '')
			.split('.')
			.filter(Boolean);
		return parts.length > 1 && parts.includes('value') ? parts[parts.length - 1] : fallback;
	};
	return {
		clientKey: last(create?.parameters.clientIdField, 'clientId'),
		siteKey: last(create?.parameters.siteIdField, 'siteId'),
	};
}

// ---------------------------------------------------------------------------------------------------------------
// Demo data (simulator mode): Datto sites/devices and the Halo clients/sites of the simulator's default profile

interface DemoSite {
	uid: string;
	name: string;
	/** Halo client/site of the simulator's default profile; undefined = unmapped (the catch-all fallback). */
	halo?: { clientId: number; siteId: number; clientName: string };
}

const DEMO_SITES: DemoSite[] = [
	{
		uid: 'demo-site-contoso-ho',
		name: 'Contoso Ltd',
		halo: { clientId: 12, siteId: 34, clientName: 'Contoso Ltd' },
	},
	{
		uid: 'demo-site-fabrikam-ho',
		name: 'Fabrikam Inc',
		halo: { clientId: 13, siteId: 36, clientName: 'Fabrikam Inc' },
	},
	{
		uid: 'demo-site-northwind',
		name: 'Northwind Traders',
		halo: { clientId: 14, siteId: 38, clientName: 'Northwind Traders' },
	},
	{ uid: 'demo-site-tailspin', name: 'Tailspin Toys' },
];

interface Sample {
	key: string;
	hostname: string;
	siteUid: string;
	priority: string;
	contextClass: string;
	context?: Record<string, unknown>;
	/** What the demo does with it after the ticket opened. */
	plan: 'resolve-in-datto' | 'close-in-halo' | 'stay-open';
	duplicates?: number;
}

const DEMO_DEVICES = [
	{ hostname: 'CONTOSO-SRV01', siteUid: 'demo-site-contoso-ho' },
	{ hostname: 'FABRIKAM-SQL01', siteUid: 'demo-site-fabrikam-ho' },
	{ hostname: 'NORTHWIND-FS01', siteUid: 'demo-site-northwind' },
	{ hostname: 'TAILSPIN-LT03', siteUid: 'demo-site-tailspin' },
];

const SAMPLES: Sample[] = [
	{
		key: 'A',
		hostname: 'CONTOSO-SRV01',
		siteUid: 'demo-site-contoso-ho',
		priority: 'Critical',
		contextClass: 'perf_disk_usage_ctx',
		context: {
			diskName: 'C:',
			diskNameDesignation: 'C:',
			freeSpace: 4.2,
			totalVolume: 237.9,
			unitOfMeasure: 'GB',
		},
		plan: 'resolve-in-datto',
		duplicates: 3,
	},
	{
		key: 'B',
		hostname: 'FABRIKAM-SQL01',
		siteUid: 'demo-site-fabrikam-ho',
		priority: 'High',
		contextClass: 'srvc_status_ctx',
		context: { serviceName: 'MSSQLSERVER', status: 'STOPPED' },
		plan: 'resolve-in-datto',
	},
	{
		key: 'C',
		hostname: 'NORTHWIND-FS01',
		siteUid: 'demo-site-northwind',
		priority: 'Moderate',
		contextClass: 'online_offline_status_ctx',
		context: { status: 'OFFLINE' },
		plan: 'close-in-halo',
	},
	{
		key: 'D',
		hostname: 'TAILSPIN-LT03',
		siteUid: 'demo-site-tailspin',
		priority: 'Low',
		contextClass: 'patch_ctx',
		plan: 'stay-open',
	},
];

// ---------------------------------------------------------------------------------------------------------------
// Processes and ports

/**
 * A simulator CLI under harness/watchdog.sh in its own process group: it is stopped when this process is gone, even
 * after a SIGKILL of the demo (no exit hook runs then), so no simulator is left holding its port.
 */
async function startSimulator(script: string, args: string[], ready: RegExp): Promise<ServiceProcess> {
	return await startService({ args: [script, ...args], ready, timeoutMs: 30_000, watchdog: true });
}

interface Json {
	[key: string]: unknown;
}

async function call(method: string, url: string, body?: unknown, expect = [200, 201]): Promise<unknown> {
	const res = await httpRequest(method, url, { json: body });
	if (!expect.includes(res.status)) {
		throw new DemoError(
			`${method} ${url.replace(/secret=[^&]*/, 'secret=***')}: ${res.status} ${res.text.slice(0, 300)}`,
		);
	}
	return res.json;
}

async function waitUntil<T>(
	what: string,
	timeoutMs: number,
	probe: () => Promise<T | undefined>,
): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await probe();
		if (value !== undefined) return value;
		if (Date.now() > deadline)
			throw new DemoError(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
		await sleep(250);
	}
}

/** Runs `n8n execute` (n8n stopped) and returns its output whatever the exit status. */
function n8nExecute(
	instance: N8nInstance,
	workflowId: string,
): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
	const env = instance.env;
	return new Promise((resolve) => {
		execFile(
			env.N8N_BIN as string,
			['execute', `--id=${workflowId}`, '--rawOutput'],
			{ cwd: instance.userFolder, env, timeout: 180_000, maxBuffer: 64 * 1024 * 1024 },
			(error, stdout, stderr) => {
				const e = error as (Error & { code?: number | string; signal?: string }) | null;
				resolve({
					code: e ? (typeof e.code === 'number' ? e.code : null) : 0,
					signal: e?.signal ?? null,
					stdout: String(stdout),
					stderr: String(stderr),
				});
			},
		);
	});
}

/**
 * Seeds the `sites` collection by running the workflow's Manual Trigger → Mapping Store Import branch with
 * `n8n execute` while n8n is stopped (the import must run inside the sync workflow: its static-data store is per
 * workflow; a CLI execution saves the workflow's static data when it ends). n8n 2.41.1's CLI sometimes dies with
 * SIGSEGV while shutting down AFTER the execution finished and was saved (about 1 in 3 runs here), so a finished,
 * successful run in the output counts, and the stored static data is checked for every key.
 */
async function seedMapping(
	instance: N8nInstance,
	workflow: WorkflowJson,
	seeder: MappingSeeder,
	mapping: { json: string; count: number },
): Promise<void> {
	const keys = (JSON.parse(mapping.json) as Array<{ key: unknown }>).map((r) => String(r.key));
	let lastProblem = '';
	for (let attempt = 1; attempt <= 3; attempt++) {
		const res = await n8nExecute(instance, workflow.id);
		const start = res.stdout.search(/^\{$/m);
		let out: Json | undefined;
		let status: unknown;
		if (start >= 0) {
			try {
				// The run is printed as indented JSON from a line "{" to a line "}"; log lines may follow.
				const rest = res.stdout.slice(start);
				const end = rest.search(/^\}$/m);
				const run = JSON.parse(end >= 0 ? rest.slice(0, end + 1) : rest) as {
					status?: string;
					data?: {
						resultData?: {
							runData?: Record<string, Array<{ data?: { main?: Array<Array<{ json: Json }>> } }>>;
						};
					};
				};
				status = run.status;
				out = run.data?.resultData?.runData?.[seeder.importNodeName]?.[0]?.data?.main?.[0]?.[0]?.json;
			} catch {
				// incomplete output
			}
		}
		// Output "Result Only" gives { count, … }; "Input Item With Result in a Field" nests it under that field.
		const result = (
			out && typeof out.count === 'number'
				? out
				: Object.values(out ?? {}).find((v) => typeof (v as Json)?.count === 'number')
		) as Json | undefined;
		if (status === 'success' && result && Number(result.count) === mapping.count) {
			const stored = await sqliteValue(instance, 'SELECT staticData FROM workflow_entity WHERE id = ?', [
				workflow.id,
			]);
			const missing = keys.filter((k) => !String(stored ?? '').includes(JSON.stringify(k)));
			if (missing.length === 0) {
				if (res.code !== 0)
					say(
						dim(
							`(n8n execute ended with ${res.signal ?? `exit ${res.code}`} after the run was saved: ignored)`,
						),
					);
				return;
			}
			lastProblem = `the run succeeded but the stored static data lacks ${missing.join(', ')}`;
		} else {
			lastProblem =
				`n8n execute: ${res.signal ?? `exit ${res.code}`}, status ${String(status)}, import output ${JSON.stringify(result ?? out)}\n` +
				`${(res.stdout + res.stderr).split('\n').slice(-30).join('\n')}`;
		}
		if (attempt < 3) say(yellow(`seeding the site mapping failed (attempt ${attempt}); retrying`));
	}
	throw new DemoError(lastProblem);
}

// ---------------------------------------------------------------------------------------------------------------
// Credentials

function credentialData(
	type: string,
	cfg: Config,
	urls: { halo: string; datto: string },
	secrets: Secrets,
): Json | undefined {
	const env = process.env;
	switch (type) {
		case 'haloPsaApi':
			return cfg.haloReal
				? {
						hosting: env.HALO_HOSTING || 'cloud',
						instanceUrl: (env.HALO_INSTANCE_URL as string).replace(/\/+$/, ''),
						authUrl: env.HALO_AUTH_URL || '',
						resourceUrl: env.HALO_RESOURCE_URL || '',
						tenant: env.HALO_TENANT || '',
						clientId: env.HALO_CLIENT_ID,
						clientSecret: env.HALO_CLIENT_SECRET,
						scope: env.HALO_SCOPE || 'all',
						requestsPerWindow: 300,
						windowSeconds: 300,
					}
				: {
						hosting: 'cloud',
						instanceUrl: urls.halo,
						authUrl: '',
						resourceUrl: '',
						tenant: SIM.haloTenant,
						clientId: SIM.haloClientId,
						clientSecret: SIM.haloClientSecret,
						scope: 'all',
						requestsPerWindow: 300,
						windowSeconds: 300,
					};
		case 'dattoRmmApi':
			if (!cfg.dattoReal) {
				return {
					platform: 'custom',
					customUrl: urls.datto,
					apiKey: SIM.dattoApiKey,
					apiSecret: SIM.dattoApiSecret,
				};
			}
			return env.DATTO_API_URL
				? {
						platform: 'custom',
						customUrl: env.DATTO_API_URL.replace(/\/+$/, ''),
						apiKey: env.DATTO_API_KEY,
						apiSecret: env.DATTO_API_SECRET,
					}
				: {
						platform: (env.DATTO_PLATFORM as string).toLowerCase(),
						customUrl: '',
						apiKey: env.DATTO_API_KEY,
						apiSecret: env.DATTO_API_SECRET,
					};
		case 'dattoRmmWebhookApi':
			return { secret: secrets.dattoWebhookSecret, queryParameter: 'secret', headerName: 'x-webhook-secret' };
		case 'haloPsaWebhookApi':
			return {
				authMethod: 'basic',
				username: secrets.haloWebhookUser,
				password: secrets.haloWebhookPassword,
				token: '',
				headerName: 'x-halo-webhook-secret',
				headerValue: '',
			};
		case 'mappingStorePostgresApi':
			return {
				host: env.PGHOST || '127.0.0.1',
				port: Number(env.PGPORT || 5432),
				database: env.PGDATABASE || 'postgres',
				user: env.PGUSER || 'postgres',
				password: env.PGPASSWORD || '',
				maxConnections: 5,
				ssl: 'disable',
				ignoreSslIssues: false,
			};
		default:
			return undefined;
	}
}

const DEFAULT_CREDENTIALS: Record<string, { id: string; name: string }> = {
	haloPsaApi: { id: 'DemoHaloApi00001', name: 'HaloPSA' },
	dattoRmmApi: { id: 'DemoDattoApi0001', name: 'Datto RMM' },
	dattoRmmWebhookApi: { id: 'DemoDattoHook001', name: 'Datto RMM webhook secret' },
	haloPsaWebhookApi: { id: 'DemoHaloHook0001', name: 'HaloPSA webhook auth' },
};

/**
 * The credentials the workflow references (by id and name, so the import matches them), filled for the simulators or
 * the real tenants. References without an id get one, written back into the demo's copy of the workflow.
 */
function buildCredentials(
	workflow: WorkflowJson | undefined,
	cfg: Config,
	urls: { halo: string; datto: string },
	secrets: Secrets,
): Json[] {
	const refs = new Map<string, { id: string; name: string }>();
	for (const node of workflow?.nodes ?? []) {
		for (const [type, ref] of Object.entries(node.credentials ?? {})) {
			const known = refs.get(type);
			if (!ref.id)
				ref.id =
					known?.id ??
					DEFAULT_CREDENTIALS[type]?.id ??
					`Demo${createHash('sha1').update(type).digest('hex').slice(0, 12)}`;
			if (!known) refs.set(type, { id: ref.id, name: ref.name });
		}
	}
	for (const [type, ref] of Object.entries(DEFAULT_CREDENTIALS))
		if (![...refs.keys()].includes(type)) refs.set(type, ref);
	const out: Json[] = [];
	for (const [type, ref] of refs) {
		const data = credentialData(type, cfg, urls, secrets);
		if (!data) {
			warn(
				`the workflow uses a credential of type ${type}, which the demo does not fill; set it up in the editor`,
			);
			continue;
		}
		out.push({ id: ref.id, name: ref.name, type, data });
	}
	return out;
}

interface Secrets {
	dattoWebhookSecret: string;
	haloWebhookUser: string;
	haloWebhookPassword: string;
}

/** Webhook secrets: the env's, else the simulators' fixed ones, else (real mode) random ones kept in the demo home. */
function loadSecrets(cfg: Config, folder: string): Secrets {
	if (!cfg.haloReal && !cfg.dattoReal) {
		return {
			dattoWebhookSecret: process.env.DATTO_WEBHOOK_SECRET || SIM.dattoWebhookSecret,
			haloWebhookUser: process.env.HALO_WEBHOOK_USER || SIM.haloWebhookUser,
			haloWebhookPassword: process.env.HALO_WEBHOOK_PASSWORD || SIM.haloWebhookPassword,
		};
	}
	const file = path.join(folder, 'demo-webhook-secrets.json');
	let saved: Partial<Secrets> = {};
	try {
		saved = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<Secrets>;
	} catch {
		// first run
	}
	const secrets: Secrets = {
		dattoWebhookSecret:
			process.env.DATTO_WEBHOOK_SECRET || saved.dattoWebhookSecret || randomBytes(24).toString('base64url'),
		haloWebhookUser: process.env.HALO_WEBHOOK_USER || saved.haloWebhookUser || 'halo-webhook',
		haloWebhookPassword:
			process.env.HALO_WEBHOOK_PASSWORD || saved.haloWebhookPassword || randomBytes(24).toString('base64url'),
	};
	fs.mkdirSync(folder, { recursive: true });
	fs.writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
	return secrets;
}

// ---------------------------------------------------------------------------------------------------------------
// Site mapping rows

function siteMappingRows(
	cfg: Config,
	keys: { clientKey: string; siteKey: string },
): { json: string; count: number } | undefined {
	if (cfg.siteMappingFile) {
		const text = fs.readFileSync(cfg.siteMappingFile, 'utf8');
		let rows: unknown[];
		if (/\.json$/i.test(cfg.siteMappingFile)) {
			rows = JSON.parse(text) as unknown[];
		} else {
			// CSV (key,value[,status]): parsed by the package's own importer so the rules match the node's CSV mode.
			// eslint-disable-next-line @typescript-eslint/no-require-imports
			const store = require('../nodes/shared/store') as { parseImportCsv: (csv: string) => unknown[] };
			rows = store.parseImportCsv(text);
		}
		if (!Array.isArray(rows))
			throw new DemoError(`${cfg.siteMappingFile}: expected an array of {key, value}`);
		return { json: JSON.stringify(rows, null, 2), count: rows.length };
	}
	if (cfg.haloReal || cfg.dattoReal) return undefined; // the demo mapping only fits the simulators
	const rows = DEMO_SITES.filter((s) => s.halo).map((s) => ({
		key: s.uid,
		value: { [keys.clientKey]: s.halo!.clientId, [keys.siteKey]: s.halo!.siteId, name: s.name },
	}));
	return { json: JSON.stringify(rows, null, 2), count: rows.length };
}

// ---------------------------------------------------------------------------------------------------------------
// Main

interface Running {
	n8n?: N8nInstance;
	services: Array<{ name: string; service: ServiceProcess }>;
}

const running: Running = { services: [] };
let stopping: Promise<void> | undefined;

function stopAll(): Promise<void> {
	stopping ??= (async () => {
		const started = Date.now();
		await Promise.all([
			running.n8n?.stop({ keepFolder: true }),
			...running.services.map(({ service }) => service.stop()),
		]);
		say(`stopped n8n and the simulators (${((Date.now() - started) / 1000).toFixed(1)} s)`);
	})();
	return stopping;
}

function acquireLock(home: string): void {
	fs.mkdirSync(home, { recursive: true });
	const lock = path.join(home, 'demo.pid');
	try {
		const pid = Number(fs.readFileSync(lock, 'utf8'));
		if (pid > 0 && pid !== process.pid) {
			process.kill(pid, 0);
			throw new DemoError(
				`another demo (pid ${pid}) is running with ${home}; stop it (Ctrl-C) or set DEMO_HOME`,
			);
		}
	} catch (error) {
		if (error instanceof DemoError) throw error;
		// no lock, or its process is gone
	}
	fs.writeFileSync(lock, String(process.pid));
	process.on('exit', () => {
		try {
			if (Number(fs.readFileSync(lock, 'utf8')) === process.pid) fs.rmSync(lock, { force: true });
		} catch {
			// gone
		}
	});
}

/** Ctrl-C / SIGTERM: stop everything (process groups), then exit. Registered before the harness's own hooks. */
function stopOnSignals(): void {
	let interrupted = false;
	const onSignal = (signal: NodeJS.Signals) => {
		if (interrupted) return;
		interrupted = true;
		process.stdout.write('\n');
		say(`${signal}: stopping`);
		void stopAll().then(() => process.exit(signal === 'SIGINT' ? 0 : 143));
	};
	process.on('SIGINT', onSignal);
	process.on('SIGTERM', onSignal);
}

/** The demo's n8n user folder (one for simulator mode, one for real tenants); --reset deletes it first. */
function demoFolder(cfg: Config, real: boolean): string {
	acquireLock(cfg.home);
	const folder = path.join(cfg.home, real ? 'n8n-real' : 'n8n');
	if (cfg.reset && fs.existsSync(folder)) {
		fs.rmSync(folder, { recursive: true, force: true });
		say(`--reset: deleted ${folder}`);
	}
	return folder;
}

function announce(cfg: Config, real: boolean): void {
	say(
		`${bold('n8n-nodes-halo-datto demo')}: ` +
			(real
				? `real tenants (${[cfg.haloReal ? 'HaloPSA' : '', cfg.dattoReal ? 'Datto RMM' : ''].filter(Boolean).join(' + ')})` +
					`${cfg.haloReal && cfg.dattoReal ? '' : `, simulator for ${cfg.haloReal ? 'Datto RMM' : 'HaloPSA'}`}`
				: 'HaloPSA and Datto RMM simulators'),
	);
}

/** Ports first: a clear message instead of a half-started demo. */
async function checkPortsFree(cfg: Config): Promise<void> {
	const ports: Array<[string, number]> = [
		['n8n', cfg.n8nPort],
		['n8n task broker', cfg.n8nPort + 1],
	];
	if (!cfg.haloReal) ports.push(['HaloPSA simulator', cfg.haloPort]);
	if (!cfg.dattoReal) ports.push(['Datto RMM simulator', cfg.dattoPort]);
	for (const [what, port] of ports) {
		if (!(await portFree(port))) {
			throw new DemoError(
				`port ${port} (${what}) is in use: another demo or n8n running? Stop it, or choose other ports with ` +
					'DEMO_N8N_PORT / DEMO_HALO_PORT / DEMO_DATTO_PORT',
			);
		}
	}
}

/** The shipped workflow and its triggers (the demo imports a copy: credential ids filled in, the mapping import branch prepared). */
interface DemoWorkflow {
	workflow?: WorkflowJson;
	dattoTrigger?: NodeJson;
	haloTrigger?: NodeJson;
}

function loadWorkflow(cfg: Config): DemoWorkflow {
	let workflow: WorkflowJson | undefined;
	if (fs.existsSync(cfg.workflowFile)) {
		workflow = JSON.parse(fs.readFileSync(cfg.workflowFile, 'utf8')) as WorkflowJson;
		if (!workflow.id) throw new DemoError(`${cfg.workflowFile} has no "id"`);
	} else {
		warn(
			`${path.relative(process.cwd(), cfg.workflowFile)} does not exist yet: starting n8n with the probe workflow only`,
		);
		if (cfg.exitAfterSamples)
			throw new DemoError(`no workflow at ${cfg.workflowFile}: nothing to demonstrate`);
	}
	const dattoTrigger = workflow?.nodes.find((n) => n.type === TYPE.dattoTrigger && !n.disabled);
	const haloTrigger = workflow?.nodes.find((n) => n.type === TYPE.haloTrigger && !n.disabled);
	if (workflow && !dattoTrigger) throw new DemoError(`${workflow.name} has no Datto RMM Trigger`);
	return { workflow, dattoTrigger, haloTrigger };
}

interface Urls {
	halo: string;
	datto: string;
}

interface HaloInfo {
	closedStatusId: number;
	apiAgentId: number;
}

/** The simulators of the sides without a real tenant, started together; the Halo simulator prints its status ids. */
async function startSimulators(cfg: Config): Promise<{ urls: Urls; haloInfo: HaloInfo }> {
	const urls = { halo: `http://127.0.0.1:${cfg.haloPort}`, datto: `http://127.0.0.1:${cfg.dattoPort}` };
	let haloInfo: HaloInfo = { closedStatusId: 9, apiAgentId: 42 };
	const simStarts: Array<Promise<void>> = [];
	if (!cfg.haloReal) {
		simStarts.push(
			(async () => {
				const halo = await startSimulator(
					path.join(repoRoot(), 'dist', 'simulators', 'halo', 'cli.js'),
					[
						'--port',
						String(cfg.haloPort),
						'--tenant',
						SIM.haloTenant,
						'--client-id',
						SIM.haloClientId,
						'--client-secret',
						SIM.haloClientSecret,
					],
					/"closedStatusId"[^\n]*\n/,
				);
				running.services.push({ name: 'halo', service: halo });
				const line = halo
					.output()
					.split('\n')
					.find((l) => l.startsWith('{'));
				if (line) haloInfo = JSON.parse(line) as HaloInfo;
			})(),
		);
	}
	if (!cfg.dattoReal) {
		simStarts.push(
			(async () => {
				const datto = await startSimulator(
					path.join(repoRoot(), 'dist', 'simulators', 'datto', 'cli.js'),
					[
						'--port',
						String(cfg.dattoPort),
						'--api-key',
						SIM.dattoApiKey,
						'--api-secret',
						SIM.dattoApiSecret,
						'--empty',
					],
					/listening on/,
				);
				running.services.push({ name: 'datto', service: datto });
			})(),
		);
	}
	await Promise.all(simStarts);
	if (!cfg.haloReal) say(`HaloPSA simulator on ${urls.halo}  (admin API ${urls.halo}/_sim/tickets)`);
	if (!cfg.dattoReal) say(`Datto RMM simulator on ${urls.datto}  (admin API ${urls.datto}/_sim/alerts)`);
	return { urls, haloInfo };
}

/** What the demo remembers in its user folder between runs (demo-state.json). */
interface DemoState {
	workflowHash?: string;
	apiKey?: string;
	packageSha?: string;
}

class StateFile {
	readonly file: string;
	readonly state: DemoState;

	constructor(folder: string) {
		this.file = path.join(folder, 'demo-state.json');
		let state: DemoState = {};
		try {
			state = JSON.parse(fs.readFileSync(this.file, 'utf8')) as DemoState;
		} catch {
			// first run
		}
		this.state = state;
	}

	save(): void {
		fs.writeFileSync(this.file, JSON.stringify(this.state, null, 2), { mode: 0o600 });
	}
}

/**
 * The package: packed every start (npm pack is reproducible), installed again only when the tarball changed.
 * Returns the prepared folder (HALO_DATTO_PREPARED_PACKAGE, or one made now: `own`), or undefined when the installed
 * package is current.
 */
async function packageToInstall(
	cfg: Config,
	folder: string,
	firstRun: boolean,
	state: DemoState,
): Promise<{ prepared?: string; own: boolean }> {
	const given = process.env.HALO_DATTO_PREPARED_PACKAGE;
	if (given) return { prepared: given, own: false };
	const installedDir = path.join(folder, '.n8n', 'nodes', 'node_modules', PKG);
	const packDir = fs.mkdtempSync(path.join(cfg.home, 'pack-'));
	try {
		const tgz = await packPackage(repoRoot(), packDir);
		const sha = createHash('sha256').update(fs.readFileSync(tgz)).digest('hex');
		if (firstRun || sha !== state.packageSha || !fs.existsSync(installedDir)) {
			const prepared = await timed('packed the package and installed its dependencies', () => preparePackage());
			state.packageSha = sha;
			return { prepared, own: true };
		}
		return { own: false };
	} finally {
		fs.rmSync(packDir, { recursive: true, force: true });
	}
}

/**
 * A new user folder: package, credentials, workflow (published unless real tenants without DEMO_PUBLISH=1). A reused
 * one: the current package and credentials, and the workflow again when the demo's copy changed (simulator mode only;
 * with real tenants that would drop its links). Returns false when the stored workflow is not the current one.
 */
async function provisionOrUpdate(
	n8n: N8nInstance,
	demo: { cfg: Config; real: boolean; folder: string; workflow?: WorkflowJson; firstRun: boolean },
	state: DemoState,
	credentials: Json[],
	prepared: string | undefined,
): Promise<boolean> {
	const { cfg, workflow } = demo;
	// The demo's copy of the workflow (credential ids, mapping rows) decides whether the stored one is current.
	const workflowHash = workflow ? createHash('sha256').update(JSON.stringify(workflow)).digest('hex') : 'probe';
	if (demo.firstRun) {
		await timed(`provisioned a new n8n user folder ${demo.folder}`, () =>
			n8n.provision({
				preparedPackage: prepared as string,
				credentials: credentials as object[],
				workflows: workflow ? [workflow] : [],
				probe: !workflow,
				publish: cfg.publish ? 'all' : [],
			}),
		);
		state.workflowHash = workflowHash;
		return true;
	}
	say(`reusing the n8n user folder ${demo.folder} (npm start -- --reset starts fresh)`);
	if (prepared) {
		n8n.installPackage(prepared);
		say('installed the current build of the package');
	}
	await timed('updated the credentials', () => n8n.importCredentials(credentials as object[]));
	if (!workflow || state.workflowHash === workflowHash) return true;
	if (demo.real) {
		warn(
			`${path.basename(cfg.workflowFile)} (or DEMO_SITE_MAPPING) changed since this folder was provisioned; not ` +
				're-imported with real tenants (its links would be lost): use --reset, or import it in the editor',
		);
		return false;
	}
	await timed(`${path.basename(cfg.workflowFile)} changed since the last run: imported it again`, async () => {
		await n8n.importWorkflows([workflow]);
		if (cfg.publish) await n8n.publishWorkflows([workflow.id]);
	});
	state.workflowHash = workflowHash;
	return true;
}

/**
 * The site mapping, before the server starts. Simulator mode: the simulators start empty, so the links of earlier
 * runs are dropped first (the workflow's static data). Then the rows are imported through the workflow's own Mapping
 * Store "Import" (n8n execute).
 */
async function prepareMapping(
	n8n: N8nInstance,
	demo: { cfg: Config; real: boolean; workflow?: WorkflowJson; firstRun: boolean; workflowCurrent: boolean },
	mapping: { json: string; count: number } | undefined,
	seeder: MappingSeeder | undefined,
): Promise<void> {
	const { workflow, real } = demo;
	if (workflow && !real && !demo.firstRun) {
		await sqliteStatement(n8n, 'UPDATE workflow_entity SET staticData = NULL WHERE id = ?', [workflow.id]);
		say('cleared the mapping store of the last run (the simulators start empty)');
	}
	if (workflow && mapping && seeder && demo.workflowCurrent) {
		await timed(
			`imported ${mapping.count} site → client mappings (node "${seeder.importNodeName}", n8n execute)`,
			() => seedMapping(n8n, workflow, seeder, mapping),
		);
	} else if (workflow && real && !mapping) {
		say(
			'no site mapping imported (real tenants: set DEMO_SITE_MAPPING=file.csv, or use the Mapping Store node in the editor)',
		);
	}
}

/**
 * Start n8n and wait until the Datto trigger's webhook is registered (a POST without the secret answers 401 and runs
 * nothing); then the owner's session and a public-API key (kept in the state file, made anew when it stopped working).
 */
async function startN8n(
	n8n: N8nInstance,
	cfg: Config,
	workflow: WorkflowJson | undefined,
	dattoHook: string | undefined,
	stateFile: StateFile,
): Promise<void> {
	await timed('n8n started', () =>
		n8n.start({
			probe: !workflow,
			waitForWebhooks: cfg.publish && dattoHook ? [dattoHook] : [],
			timeoutMs: 180_000,
		}),
	);
	const state = stateFile.state;
	if (state.apiKey) n8n.apiKey = state.apiKey;
	if (!state.apiKey || (await n8n.api('GET', '/workflows?limit=1')).status !== 200) {
		n8n.apiKey = undefined;
		state.apiKey = await n8n.createApiKey();
		stateFile.save();
	}
	await n8n.setupOwner();
}

/** The editor URL, the login and the simulators' admin pages. */
function printLogin(n8n: N8nInstance, cfg: Config, workflow: WorkflowJson | undefined, urls: Urls): void {
	process.stdout.write(
		`\n  ${bold('n8n editor')}   ${green(`${n8n.baseUrl}/`)}${workflow ? `workflow/${workflow.id}` : ''}\n` +
			`  ${bold('login')}        ${OWNER.email}  /  ${OWNER.password}\n`,
	);
	if (!cfg.haloReal) process.stdout.write(`  ${bold('HaloPSA sim')}  ${urls.halo}/_sim/tickets\n`);
	if (!cfg.dattoReal) process.stdout.write(`  ${bold('Datto sim')}    ${urls.datto}/_sim/alerts\n`);
	process.stdout.write('\n');
}

/** Real tenants: the webhook URLs to paste into Datto / Halo, where the secrets are, and what is not published. */
function printRealTenantHints(
	n8n: N8nInstance,
	cfg: Config,
	folder: string,
	secrets: Secrets,
	hooks: { datto?: string; halo?: string },
): void {
	const publicBase = cfg.env.WEBHOOK_URL ?? `${n8n.baseUrl}/`;
	if (hooks.datto && cfg.dattoReal) {
		const where = process.env.DATTO_WEBHOOK_SECRET
			? 'DATTO_WEBHOOK_SECRET'
			: 'dattoWebhookSecret in demo-webhook-secrets.json';
		say(
			`Datto RMM webhook URL (paste into Datto, see docs/nodes.md#setup-in-datto-rmm): ${publicBase}webhook/${hooks.datto}?secret=<${where}>`,
		);
	}
	if (hooks.halo && cfg.haloReal) {
		const where = process.env.HALO_WEBHOOK_PASSWORD
			? 'HALO_WEBHOOK_PASSWORD'
			: 'haloWebhookPassword in demo-webhook-secrets.json';
		say(
			`HaloPSA webhook URL (event Ticket Closed, full payload, Basic auth ${secrets.haloWebhookUser} / <${where}>): ${publicBase}webhook/${hooks.halo}`,
		);
	}
	if (cfg.env.WEBHOOK_URL === undefined) {
		say(
			'n8n listens on 127.0.0.1 only: real Datto/Halo webhooks need DEMO_PUBLIC_URL (a tunnel or proxy) and DEMO_LISTEN_ADDRESS',
		);
	}
	if (!process.env.DATTO_WEBHOOK_SECRET || !process.env.HALO_WEBHOOK_PASSWORD)
		say(`generated webhook secrets are in ${path.join(folder, 'demo-webhook-secrets.json')}`);
	if (!cfg.publish) {
		warn(
			'the workflow is imported but NOT published: its reconciliation would open tickets for every open Datto alert. ' +
				'Review it in the editor and publish it there, or start with DEMO_PUBLISH=1.',
		);
	}
}

/** Simulator side only: the simulators' webhooks point at n8n, and the Datto simulator gets the demo's sites and devices. */
async function wireSimulators(
	n8n: N8nInstance,
	cfg: Config,
	workflow: WorkflowJson | undefined,
	urls: Urls,
	secrets: Secrets,
	hooks: { datto?: string; halo?: string },
): Promise<void> {
	if (workflow && !cfg.dattoReal && hooks.datto) {
		await call('POST', `${urls.datto}/_sim/webhooks/subscribe`, {
			url: `${n8n.baseUrl}/webhook/${hooks.datto}`,
			secret: secrets.dattoWebhookSecret,
			template: 'recommended',
		});
	}
	if (workflow && !cfg.haloReal && hooks.halo) {
		await call('POST', `${urls.halo}/_sim/webhooks/subscriptions`, {
			name: 'n8n (demo)',
			url: `${n8n.baseUrl}/webhook/${hooks.halo}`,
			events: ['Ticket Closed'],
			payload: 'full',
			auth: { type: 'basic', username: secrets.haloWebhookUser, password: secrets.haloWebhookPassword },
		});
	}
	if (!cfg.dattoReal) {
		for (const site of DEMO_SITES)
			await call('POST', `${urls.datto}/_sim/sites`, { uid: site.uid, name: site.name });
		for (const device of DEMO_DEVICES) await call('POST', `${urls.datto}/_sim/devices`, device);
	}
}

async function main(argv: string[]): Promise<number> {
	const cfg = readConfig(argv);
	if (!cfg) return 0;
	const real = cfg.haloReal || cfg.dattoReal;
	if (process.env.DEMO_VERBOSE !== '1') process.env.N8N_HARNESS_QUIET = '1';
	stopOnSignals();
	const folder = demoFolder(cfg, real);
	announce(cfg, real);
	await checkPortsFree(cfg);
	const { workflow, dattoTrigger, haloTrigger } = loadWorkflow(cfg);
	const { urls, haloInfo } = await startSimulators(cfg);

	// n8n: provision when the user folder has no database yet, else bring it up to date.
	const secrets = loadSecrets(cfg, folder);
	const n8n = await N8nInstance.create({ port: cfg.n8nPort, userFolder: folder, env: cfg.env });
	running.n8n = n8n;
	const credentials = buildCredentials(workflow, cfg, urls, secrets);
	const mappingKeys = workflow ? mappingValueKeys(workflow) : { clientKey: 'clientId', siteKey: 'siteId' };
	const mapping = workflow ? siteMappingRows(cfg, mappingKeys) : undefined;
	const seeder = workflow && mapping ? prepareMappingSeeder(workflow, mapping.json) : undefined;
	const stateFile = new StateFile(folder);
	const firstRun = !n8n.hasDatabase;
	const { prepared, own } = await packageToInstall(cfg, folder, firstRun, stateFile.state);
	const demo = { cfg, real, folder, workflow, firstRun };
	const workflowCurrent = await provisionOrUpdate(n8n, demo, stateFile.state, credentials, prepared);
	if (own && prepared) fs.rmSync(prepared, { recursive: true, force: true });
	stateFile.save();
	await prepareMapping(n8n, { ...demo, workflowCurrent }, mapping, seeder);

	const hooks = {
		datto: workflow && dattoTrigger ? webhookPath(workflow, dattoTrigger, 'datto-alert') : undefined,
		halo: workflow && haloTrigger ? webhookPath(workflow, haloTrigger, 'halo') : undefined,
	};
	await startN8n(n8n, cfg, workflow, hooks.datto, stateFile);
	printLogin(n8n, cfg, workflow, urls);
	if (real) printRealTenantHints(n8n, cfg, folder, secrets, hooks);
	await wireSimulators(n8n, cfg, workflow, urls, secrets, hooks);

	let ok = true;
	if (workflow && cfg.samples && cfg.publish) {
		ok = await runSamples(n8n, workflow, urls, haloInfo, Boolean(haloTrigger), !cfg.siteMappingFile);
		if (!cfg.exitAfterSamples) printLogin(n8n, cfg, workflow, urls);
	} else if (cfg.exitAfterSamples) {
		say(red('DEMO_EXIT_AFTER_SAMPLES=1 but no samples ran (DEMO_SAMPLES=0?)'));
		ok = false;
	}
	if (cfg.exitAfterSamples) {
		await stopAll();
		say(ok ? green('all sample checks passed') : red('some sample checks FAILED'));
		return ok ? 0 : 1;
	}
	say(`${bold('running')}: n8n ${n8n.baseUrl}, logs in ${n8n.logFile}. ${bold('Ctrl-C stops everything.')}`);
	await new Promise(() => undefined); // until a signal
	return 0;
}

async function timed<T>(what: string, fn: () => Promise<T>): Promise<T> {
	const started = Date.now();
	const result = await fn();
	say(`${what} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
	return result;
}

// ---------------------------------------------------------------------------------------------------------------
// Samples

interface HaloTicket extends Json {
	id: number;
	status_id: number;
	client_id: number;
	client_name?: string;
	summary?: string;
	third_party_id_string?: string;
	details_html?: string;
	details?: string;
	hasbeenclosed?: boolean;
}

interface HaloAction extends Json {
	id: number;
	who_agentid?: number;
	new_status?: number;
	note?: string;
	note_html?: string;
}

interface DattoAlert extends Json {
	alertUid: string;
	resolved: boolean;
	resolvedBy?: string | null;
	priority: string;
}

interface Row {
	sample: Sample;
	alertUid: string;
	ticket?: HaloTicket;
	actions?: HaloAction[];
	alert?: DattoAlert;
	happened: string;
	/** The closing note n8n added (plain text, without the integration marker). */
	note?: string;
	checks: Array<{ ok: boolean; text: string }>;
}

function ticketMatches(t: HaloTicket, alertUid: string): boolean {
	if (t.third_party_id_string === alertUid) return true;
	if (String(t.details_html ?? '').includes(alertUid) || String(t.details ?? '').includes(alertUid))
		return true;
	const cfs = Array.isArray(t.customfields) ? (t.customfields as Array<{ value?: unknown }>) : [];
	return cfs.some((cf) => cf.value === alertUid);
}

async function runSamples(
	n8n: N8nInstance,
	workflow: WorkflowJson,
	urls: { halo: string; datto: string },
	halo: { closedStatusId: number; apiAgentId: number },
	hasHaloTrigger: boolean,
	/** The demo's own site mapping was imported (not DEMO_SITE_MAPPING): check each ticket's client. */
	checkClients: boolean,
): Promise<boolean> {
	const tickets = async () => (await call('GET', `${urls.halo}/_sim/tickets`)) as HaloTicket[];
	const ticket = async (id: number) =>
		(await call('GET', `${urls.halo}/_sim/tickets/${id}`)) as HaloTicket & { actions: HaloAction[] };
	const alert = async (uid: string) => (await call('GET', `${urls.datto}/_sim/alerts/${uid}`)) as DattoAlert;
	const isClosed = (t: HaloTicket) => t.status_id === halo.closedStatusId;
	const timeout = Number(process.env.DEMO_SAMPLE_TIMEOUT_MS) || 90_000;
	const rows: Row[] = [];
	const samplesStarted = Date.now();

	say(`${bold('samples')}: firing ${SAMPLES.length} alerts through the Datto simulator's webhooks`);
	for (const sample of SAMPLES) {
		const created = (await call('POST', `${urls.datto}/_sim/alerts`, {
			hostname: sample.hostname,
			priority: sample.priority,
			contextClass: sample.contextClass,
			context: sample.context ? { '@class': sample.contextClass, ...sample.context } : undefined,
			diagnostics: null,
		})) as { alert: DattoAlert; message: string; deliveries: Array<{ status?: number; error?: string }> };
		const delivery = created.deliveries[0];
		if (!delivery || delivery.status !== 200) {
			throw new DemoError(
				`the Datto webhook for ${sample.hostname} was not accepted: ${JSON.stringify(delivery)}`,
			);
		}
		rows.push({ sample, alertUid: created.alert.alertUid, happened: '', checks: [] });
		say(
			`  alert ${sample.key} ${sample.priority.padEnd(8)} ${sample.hostname.padEnd(15)} "${created.message}" → n8n 200`,
		);
	}

	// Every alert gets exactly one ticket.
	await Promise.all(
		rows.map(async (row) => {
			row.ticket = await waitUntil(`the ticket for alert ${row.sample.key}`, timeout, async () =>
				(await tickets()).find((t) => ticketMatches(t, row.alertUid)),
			);
		}),
	);
	for (const row of rows)
		say(
			`  alert ${row.sample.key} → Halo ticket #${row.ticket!.id} for ${row.ticket!.client_name ?? row.ticket!.client_id}`,
		);

	// Duplicate deliveries of one alert (Datto may deliver twice): still one ticket.
	for (const row of rows.filter((r) => r.sample.duplicates)) {
		const res = (await call('POST', `${urls.datto}/_sim/alerts/${row.alertUid}/webhook`, {
			event: 'triggered',
			duplicates: row.sample.duplicates,
		})) as { deliveries: Array<{ status?: number }> };
		say(
			`  alert ${row.sample.key}: the same webhook delivered ${res.deliveries.length} more times at once (${res.deliveries.map((d) => d.status).join(', ')})`,
		);
	}
	// Let those executions finish before counting.
	await waitForQuiet(n8n, workflow.id);

	// Resolve in Datto → ticket closed with a note.
	for (const row of rows.filter((r) => r.sample.plan === 'resolve-in-datto')) {
		await call('POST', `${urls.datto}/_sim/alerts/${row.alertUid}/resolve`, {});
		say(`  alert ${row.sample.key} resolved in Datto RMM`);
	}
	// A technician closes a ticket in Halo → the Datto alert is resolved.
	for (const row of rows.filter((r) => r.sample.plan === 'close-in-halo')) {
		await call('POST', `${urls.halo}/_sim/tickets/${row.ticket!.id}/close-as-technician`, {
			note: 'Server back online after a UPS swap. Closing.',
		});
		say(`  ticket #${row.ticket!.id} (alert ${row.sample.key}) closed by a technician in HaloPSA`);
	}

	for (const row of rows) {
		if (row.sample.plan === 'resolve-in-datto') {
			await waitUntil(`ticket #${row.ticket!.id} to close`, timeout, async () => {
				const t = await ticket(row.ticket!.id);
				return isClosed(t) ? t : undefined;
			}).catch(() => undefined);
		} else if (row.sample.plan === 'close-in-halo' && hasHaloTrigger) {
			await waitUntil(`Datto alert ${row.sample.key} to resolve`, timeout, async () => {
				const a = await alert(row.alertUid);
				return a.resolved ? a : undefined;
			}).catch(() => undefined);
		}
	}
	// Echoes (the resolved webhook Datto fires for an API resolve, Halo's close event for n8n's own close) settle.
	await waitForQuiet(n8n, workflow.id);

	// Read the final state and check it.
	const all = await tickets();
	for (const row of rows) {
		const mine = all.filter((t) => ticketMatches(t, row.alertUid));
		const full = await ticket(row.ticket!.id);
		row.ticket = full;
		row.actions = full.actions;
		row.alert = await alert(row.alertUid);
		const check = (ok: boolean, text: string) => row.checks.push({ ok, text });
		check(mine.length === 1, `exactly one ticket (found ${mine.length})`);
		const site = DEMO_SITES.find((s) => s.uid === row.sample.siteUid);
		if (site?.halo && checkClients)
			check(
				full.client_id === site.halo.clientId,
				`client ${site.halo.clientName} (${site.halo.clientId}), got ${full.client_id}`,
			);
		const apiCloses = (full.actions ?? []).filter(
			(a) => a.new_status === halo.closedStatusId && a.who_agentid === halo.apiAgentId,
		);
		const closeNote = apiCloses
			.map((a) =>
				String(a.note_html || a.note || '')
					.replace(/<[^>]+>/g, ' ')
					.replace('[n8n-halo-datto]', '')
					.trim(),
			)
			.find(Boolean);
		if (closeNote) row.note = closeNote;
		switch (row.sample.plan) {
			case 'resolve-in-datto':
				check(isClosed(full), 'ticket closed');
				check(Boolean(closeNote), 'closing note from n8n');
				check(apiCloses.length === 1, `one close by n8n (got ${apiCloses.length})`);
				row.happened = isClosed(full)
					? 'resolved in Datto → n8n closed the ticket with a note'
					: 'resolved in Datto → ticket NOT closed';
				break;
			case 'close-in-halo':
				check(isClosed(full), 'ticket closed');
				if (hasHaloTrigger) {
					check(row.alert.resolved, 'Datto alert resolved by n8n');
					check(apiCloses.length === 0, `no extra close by n8n (echo suppressed; got ${apiCloses.length})`);
				}
				row.happened = row.alert.resolved
					? 'closed by a technician in Halo → n8n resolved the alert'
					: 'closed by a technician in Halo → alert NOT resolved';
				break;
			case 'stay-open':
				check(!isClosed(full), 'ticket still open');
				check(!row.alert.resolved, 'alert still open');
				row.happened = site?.halo ? 'still open' : 'unmapped site → catch-all client, still open';
				break;
		}
		if (row.sample.duplicates)
			row.happened += `; ${row.sample.duplicates} duplicate deliveries → no 2nd ticket`;
	}
	const totalCreated = all.length;
	const expected = rows.length;

	printTable(rows, halo.closedStatusId);
	for (const row of rows.filter((r) => r.note))
		say(`closing note on #${row.ticket!.id}: "${truncate(row.note!, 100)}"`);
	const executions = (await n8n.executions({ workflowId: workflow.id, limit: 250 })).filter(
		(e) => Date.parse(String(e.startedAt ?? e.createdAt ?? 0)) >= samplesStarted - 1000,
	);
	const failed = executions.filter((e) => e.status === 'error' || e.status === 'crashed');
	say(
		`n8n ran ${executions.length} executions of "${workflow.name}" (${failed.length} failed); ` +
			`HaloPSA has ${totalCreated} tickets for ${expected} alerts`,
	);
	let ok = rows.every((r) => r.checks.every((c) => c.ok)) && totalCreated === expected && failed.length === 0;
	for (const row of rows) {
		for (const c of row.checks.filter((x) => !x.ok)) say(red(`  FAILED alert ${row.sample.key}: ${c.text}`));
	}
	if (totalCreated !== expected)
		say(red(`  FAILED: ${totalCreated} tickets in HaloPSA, expected ${expected}`));
	for (const e of failed.slice(0, 5)) {
		const detail = await n8n.api('GET', `/executions/${String(e.id)}?includeData=true`);
		const err = (
			detail.json as { data?: { resultData?: { error?: { message?: string; node?: { name?: string } } } } }
		)?.data?.resultData?.error;
		say(
			red(
				`  FAILED execution ${String(e.id)}: ${err?.node?.name ? `${err.node.name}: ` : ''}${err?.message ?? e.status}`,
			),
		);
		ok = false;
	}
	return ok;
}

/** Wait until no execution of the workflow is running and none started for a moment. */
async function waitForQuiet(
	n8n: N8nInstance,
	workflowId: string,
	quietMs = 1500,
	timeoutMs = 60_000,
): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	let lastCount = -1;
	let stableSince = Date.now();
	for (;;) {
		const list = await n8n.executions({ workflowId, limit: 250 });
		const busy = list.some(
			(e) =>
				e.status === 'running' ||
				e.status === 'new' ||
				e.status === 'waiting' ||
				(e.finished === false && !e.stoppedAt),
		);
		if (busy || list.length !== lastCount) {
			lastCount = list.length;
			stableSince = Date.now();
		} else if (Date.now() - stableSince >= quietMs) {
			return;
		}
		if (Date.now() > deadline) return;
		await sleep(250);
	}
}

function truncate(s: string, n: number): string {
	const one = s.replace(/\s+/g, ' ').trim();
	return one.length > n ? `${one.slice(0, n - 1)}…` : one;
}

function printTable(rows: Row[], closedStatusId: number): void {
	const header = [
		'',
		'Datto alert',
		'device',
		'priority',
		'Halo ticket',
		'client',
		'ticket',
		'alert',
		'what happened',
	];
	const body = rows.map((r) => [
		r.sample.key,
		`${r.alertUid.slice(0, 8)}…`,
		r.sample.hostname,
		r.sample.priority,
		r.ticket ? `#${r.ticket.id}` : '-',
		r.ticket ? String(r.ticket.client_name ?? r.ticket.client_id) : '-',
		r.ticket ? (r.ticket.status_id === closedStatusId ? 'closed' : 'open') : '-',
		r.alert ? (r.alert.resolved ? 'resolved' : 'open') : '-',
		r.happened,
	]);
	const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
	const line = (cells: string[]) =>
		`  ${cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ')}`;
	process.stdout.write(`\n${bold(line(header))}\n`);
	for (const [i, b] of body.entries()) {
		const ok = rows[i].checks.every((c) => c.ok);
		process.stdout.write(`${line(b)}${ok ? '' : `  ${red('✗')}`}\n`);
	}
	process.stdout.write('\n');
}

// ---------------------------------------------------------------------------------------------------------------

if (require.main === module) {
	main(process.argv.slice(2)).then(
		async (code) => {
			await stopping;
			process.exit(code);
		},
		async (error: Error) => {
			const message = error instanceof DemoError ? error.message : (error.stack ?? error.message);
			process.stdout.write(`${dim(`[demo ${elapsed()}]`)} ${red('error:')} ${message}\n`);
			if (running.n8n)
				process.stdout.write(`${dim(`[demo ${elapsed()}]`)} n8n log: ${running.n8n.logFile}\n`);
			await stopAll().catch(() => undefined);
			process.exit(1);
		},
	);
}
