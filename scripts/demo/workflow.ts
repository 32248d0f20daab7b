/*
 * The shipped workflow as the demo uses it: node types, webhook paths, the site → client mapping rows and their import
 * through the workflow's own Mapping Store "Import" node with `n8n execute` (the seeder).
 */
import { execFile } from 'child_process';
import { createHash, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

import { N8nInstance } from '../../harness/n8n/instance';
import { readPackageJson } from '../../harness/n8n/package';
import { sqliteValue } from '../../harness/n8n/sqlite';
import { repoRoot } from '../../harness/repo';
import { Json } from './api';
import { Config, STATUS_PAGE } from './config';
import { DEMO_REMEDIATION_RULE, DEMO_SITES } from './data';
import { DemoError, dim, say, yellow } from './output';

export interface NodeJson {
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

export interface WorkflowJson {
	id: string;
	name: string;
	nodes: NodeJson[];
	connections: Record<string, { main?: Array<Array<{ node: string; type: string; index: number }> | null> }>;
	[key: string]: unknown;
}

export const PKG = readPackageJson(repoRoot()).name;
export const TYPE = {
	dattoTrigger: `${PKG}.dattoRmmTrigger`,
	haloTrigger: `${PKG}.haloPsaTrigger`,
	mappingStore: `${PKG}.mappingStore`,
	haloPsa: `${PKG}.haloPsa`,
	manualTrigger: 'n8n-nodes-base.manualTrigger',
};

/** Production webhook path of a webhook node (n8n: `<webhookId>/<path>`, else `<workflowId>/<node name>/<path>`). */
export function webhookPath(workflow: WorkflowJson, node: NodeJson, suffix: string): string {
	if (node.webhookId) return `${node.webhookId}/${suffix}`;
	return `${workflow.id}/${encodeURIComponent(node.name.toLowerCase())}/${suffix}`;
}

/**
 * The sync status page inside the demo's copy of a static-data workflow, as docs/setup.md tells users: the three
 * nodes of workflows/setup/status-page.json (Webhook GET → Sync Policy Status Page → Respond to Webhook) with the
 * store switched to Workflow Static Data (the store lives inside this workflow). Returns false when the workflow
 * already answers a status page, or uses the Postgres store (then import status-page.json itself).
 */
export function addStatusPage(workflow: WorkflowJson, haloTicketUrl: string): boolean {
	if (workflow.nodes.some((n) => n.parameters.operation === 'statusPage')) return false;
	if (workflow.nodes.some((n) => n.parameters.backend === 'postgres')) return false;
	const shipped = JSON.parse(fs.readFileSync(path.join(repoRoot(), 'workflows', 'setup', 'status-page.json'), 'utf8')) as WorkflowJson;
	const chain = ['Status request', 'Status', 'Send page'];
	const bottom = Math.max(...workflow.nodes.map((n) => n.position[1])) + 400;
	const uuid = (text: string) => {
		const h = createHash('sha1').update(`${workflow.id}/${text}`).digest('hex');
		return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
	};
	for (const [i, name] of chain.entries()) {
		const source = shipped.nodes.find((n) => n.name === name);
		if (!source) throw new DemoError(`workflows/setup/status-page.json has no node "${name}"`);
		const node: NodeJson = { ...JSON.parse(JSON.stringify(source)), id: uuid(`status/${name}`), name: `${name} (status page)`, position: [i * 260, bottom] };
		if (node.webhookId) {
			node.webhookId = uuid('status/webhook');
			node.credentials = { httpBasicAuth: { ...STATUS_PAGE.credential } };
		}
		if (node.parameters.operation === 'statusPage') {
			node.parameters = { ...node.parameters, backend: 'staticData', haloTicketUrl };
			delete node.parameters.table;
			delete node.credentials?.mappingStorePostgresApi;
		}
		workflow.nodes.push(node);
	}
	for (let i = 0; i + 1 < chain.length; i++) {
		workflow.connections[`${chain[i]} (status page)`] = { main: [[{ node: `${chain[i + 1]} (status page)`, type: 'main', index: 0 }]] };
	}
	return true;
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

export interface MappingSeeder {
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
export function prepareMappingSeeder(workflow: WorkflowJson, rowsJson: string): MappingSeeder {
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
export function mappingValueKeys(workflow: WorkflowJson): { clientKey: string; siteKey: string } {
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

/**
 * Self-healing workflows (a Remediation → Start node and a Mapping Store Import of `remediationRules`): the demo's copy
 * imports DEMO_REMEDIATION_RULE right after the site mapping (the same `n8n execute`). False for other workflows.
 */
export function prepareRemediationRules(workflow: WorkflowJson, seeder: MappingSeeder): boolean {
	const start = workflow.nodes.find((n) => n.parameters.resource === 'remediation' && n.parameters.operation === 'start');
	const rules = workflow.nodes.find(
		(n) => n.type === TYPE.mappingStore && n.parameters.operation === 'import' && n.parameters.collection === 'remediationRules',
	);
	if (!start || !rules) return false;
	rules.parameters = { ...rules.parameters, format: 'json', json: JSON.stringify([{ key: DEMO_REMEDIATION_RULE.id, value: DEMO_REMEDIATION_RULE }], null, 2) };
	const outputs = (workflow.connections[seeder.importNodeName] ??= { main: [[]] });
	outputs.main ??= [[]];
	outputs.main[0] = [...(outputs.main[0] ?? []).filter((c) => c.node !== rules.name), { node: rules.name, type: 'main', index: 0 }];
	return true;
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
export async function seedMapping(
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

export function siteMappingRows(
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
