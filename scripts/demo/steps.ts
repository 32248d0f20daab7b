/*
 * The steps of the demo (scripts/demo.ts runs them in order): folder and lock, ports, workflow, simulators, package,
 * provisioning, mapping, n8n, login, real-tenant hints, simulator webhooks; and stopping everything.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

import { N8nInstance, OWNER } from '../../harness/n8n/instance';
import { packPackage, preparePackage } from '../../harness/n8n/package';
import { sqliteStatement } from '../../harness/n8n/sqlite';
import { httpRequest } from '../../harness/http';
import { portFree } from '../../harness/ports';
import { type ServiceProcess } from '../../harness/processes';
import { repoRoot } from '../../harness/repo';
import { sleep } from '../../harness/wait';
import { Json, call, startSimulator } from './api';
import { Config, SIM, STATUS_PAGE } from './config';
import { Secrets } from './credentials';
import { DEMO_DEVICES, DEMO_SITES } from './data';
import { DemoError, bold, green, say, timed, warn } from './output';
import { MappingSeeder, NodeJson, PKG, TYPE, WorkflowJson, addStatusPage, seedMapping } from './workflow';

/** What the demo started: stopAll() stops it. */
interface Running {
	n8n?: N8nInstance;
	services: Array<{ name: string; service: ServiceProcess }>;
}

export const running: Running = { services: [] };
let stopping: Promise<void> | undefined;

/** The stop in progress or done (stopAll()), if any. */
export function whenStopped(): Promise<void> | undefined {
	return stopping;
}

/** Stops n8n (keeping its user folder) and the simulators, once. */
export function stopAll(): Promise<void> {
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
export function stopOnSignals(): void {
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
export function demoFolder(cfg: Config, real: boolean): string {
	acquireLock(cfg.home);
	const folder = path.join(cfg.home, real ? 'n8n-real' : 'n8n');
	if (cfg.reset && fs.existsSync(folder)) {
		fs.rmSync(folder, { recursive: true, force: true });
		say(`--reset: deleted ${folder}`);
	}
	return folder;
}

export function announce(cfg: Config, real: boolean): void {
	say(
		`${bold('n8n-nodes-halo-datto demo')}: ` +
			(real
				? `real tenants (${[cfg.haloReal ? 'HaloPSA' : '', cfg.dattoReal ? 'Datto RMM' : ''].filter(Boolean).join(' + ')})` +
					`${cfg.haloReal && cfg.dattoReal ? '' : `, simulator for ${cfg.haloReal ? 'Datto RMM' : 'HaloPSA'}`}`
				: 'HaloPSA and Datto RMM simulators'),
	);
}

/** Ports first: a clear message instead of a half-started demo. */
export async function checkPortsFree(cfg: Config): Promise<void> {
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
	/** The demo's copy got the sync status page (addStatusPage). */
	statusPage: boolean;
}

export function loadWorkflow(cfg: Config): DemoWorkflow {
	let workflow: WorkflowJson | undefined;
	let statusPage = false;
	if (fs.existsSync(cfg.workflowFile)) {
		workflow = JSON.parse(fs.readFileSync(cfg.workflowFile, 'utf8')) as WorkflowJson;
		if (!workflow.id) throw new DemoError(`${cfg.workflowFile} has no "id"`);
		// The sync status page, in the workflow whose static data holds the store (docs/setup.md#sync-status-page).
		statusPage = addStatusPage(workflow, cfg.haloReal ? `${String(process.env.HALO_INSTANCE_URL ?? '').replace(/\/+$/, '')}/ticket?id={ticket}` : '');
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
	return { workflow, dattoTrigger, haloTrigger, statusPage };
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
export async function startSimulators(cfg: Config): Promise<{ urls: Urls; haloInfo: HaloInfo }> {
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

export class StateFile {
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
export async function packageToInstall(
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
export async function provisionOrUpdate(
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
export async function prepareMapping(
	n8n: N8nInstance,
	demo: { cfg: Config; real: boolean; workflow?: WorkflowJson; firstRun: boolean; workflowCurrent: boolean },
	mapping: { json: string; count: number } | undefined,
	seeder: MappingSeeder | undefined,
	/** The remediation rule is imported too (prepareRemediationRules). */
	selfHealing = false,
): Promise<void> {
	const { workflow, real } = demo;
	if (workflow && !real && !demo.firstRun) {
		await sqliteStatement(n8n, 'UPDATE workflow_entity SET staticData = NULL WHERE id = ?', [workflow.id]);
		say('cleared the mapping store of the last run (the simulators start empty)');
	}
	if (workflow && mapping && seeder && demo.workflowCurrent) {
		await timed(
			`imported ${mapping.count} site → client mappings${selfHealing ? ' and 1 remediation rule' : ''} (node "${seeder.importNodeName}", n8n execute)`,
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
export async function startN8n(
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

/** The editor URL, the login, the status page (when the demo added it) and the simulators' admin pages. */
export function printLogin(
	n8n: N8nInstance,
	cfg: Config,
	workflow: WorkflowJson | undefined,
	urls: Urls,
	statusPage?: { password: string },
): void {
	process.stdout.write(
		`\n  ${bold('n8n editor')}   ${green(`${n8n.baseUrl}/`)}${workflow ? `workflow/${workflow.id}` : ''}\n` +
			`  ${bold('login')}        ${OWNER.email}  /  ${OWNER.password}\n`,
	);
	if (statusPage) {
		process.stdout.write(
			`  ${bold('status page')}  ${green(`${n8n.baseUrl}/webhook/${STATUS_PAGE.path}`)}  (login ${STATUS_PAGE.user}  /  ${statusPage.password})\n`,
		);
	}
	if (!cfg.haloReal) process.stdout.write(`  ${bold('HaloPSA sim')}  ${urls.halo}/_sim/tickets\n`);
	if (!cfg.dattoReal) process.stdout.write(`  ${bold('Datto sim')}    ${urls.datto}/_sim/alerts\n`);
	process.stdout.write('\n');
}

/** Real tenants: the webhook URLs to paste into Datto / Halo, where the secrets are, and what is not published. */
export function printRealTenantHints(
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

/**
 * Simulator side only: the simulators' webhooks point at n8n, and the Datto simulator gets the demo's sites and devices.
 * A HaloPSA Trigger v2 (`haloTrigger`) registers its own webhook in the Halo simulator on publish.
 */
export async function wireSimulators(
	n8n: N8nInstance,
	cfg: Config,
	workflow: WorkflowJson | undefined,
	urls: Urls,
	secrets: Secrets,
	hooks: { datto?: string; halo?: string },
	haloTrigger?: NodeJson,
): Promise<void> {
	if (workflow && !cfg.dattoReal && hooks.datto) {
		await call('POST', `${urls.datto}/_sim/webhooks/subscribe`, {
			url: `${n8n.baseUrl}/webhook/${hooks.datto}`,
			secret: secrets.dattoWebhookSecret,
			template: 'recommended',
		});
	}
	// A HaloPSA Trigger v2 registered its own webhook in the Halo simulator on publish (/api/Webhook); only an older
	// trigger (or a registration that failed) needs the simulator-side subscription.
	const registered = async (): Promise<boolean> => {
		const res = await httpRequest('GET', `${urls.halo}/_sim/halo-webhooks`).catch(() => undefined);
		const list = (res?.json ?? []) as Array<{ url?: string }>;
		return list.some((w) => w.url === `${n8n.baseUrl}/webhook/${hooks.halo}`);
	};
	let haloRegistered = false;
	if (workflow && !cfg.haloReal && hooks.halo && cfg.publish && (haloTrigger?.typeVersion ?? 1) >= 2) {
		for (let i = 0; i < 40 && !(haloRegistered = await registered()); i++) await sleep(250);
		if (haloRegistered) say('the HaloPSA Trigger registered its webhook in the Halo simulator (POST /api/Webhook)');
	}
	if (workflow && !cfg.haloReal && hooks.halo && !haloRegistered) {
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
