/*
 * Real-n8n runtime harness: library (imported by test/e2e, bench and the demo) and CLI (node dist/scripts/n8n-harness.js).
 *
 * It installs this package into a fresh n8n user folder the way n8n's community-package installer does (npm pack,
 * extract, strip dev/peer/optional deps, `npm install --ignore-scripts --install-strategy=shallow`), checks with
 * `n8n export:nodes` that every node type of the package loads, imports credentials and workflows, publishes them,
 * starts n8n on its own port (and task-broker port), waits for readiness AND for a probe webhook, and can create the
 * owner and a public-API key. n8n itself runs on the Node.js that scripts/n8n-env.sh selects (Node 24 for n8n 2.x,
 * from the cache that scripts/n8n-install.sh fills; the system Node 20/22 for n8n 1.x); this module runs on any
 * Node >= 20 (jest runs it on Node 20). Both maintained lines (2.41.1, 1.123.81) are supported; where they differ
 * (activation CLI, environment, the owner-setup race) the harness handles it, see README.md#supported-n8n-versions.
 *
 * Environment: N8N_VERSION (default 2.41.1), HALO_DATTO_CACHE (cache folder), E2E_KEEP=1 keeps user folders,
 * HALO_DATTO_PREPARED_PACKAGE (a folder made by preparePackage(), reused instead of packing again).
 */
import { ChildProcess, execFile, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { sleep } from '../harness/wait';
import { portFree } from '../harness/ports';

export const DEFAULT_N8N_VERSION = '2.41.1';
export const PROBE_WORKFLOW_ID = 'HarnessProbe0001';
export const PROBE_PATH = 'harness-probe';
const BROWSER_ID = 'n8n-harness';
export const OWNER = {
	email: 'owner@example.com',
	firstName: 'Test',
	lastName: 'Owner',
	password: 'TestPassw0rd!',
};

/** The checkout this file belongs to (works from scripts/ under ts-jest and from dist/scripts/ when compiled). */
export function repoRoot(): string {
	let dir = __dirname;
	for (;;) {
		if (fs.existsSync(path.join(dir, 'scripts', 'n8n-env.sh')) && fs.existsSync(path.join(dir, 'package.json'))) {
			return dir;
		}
		const parent = path.dirname(dir);
		if (parent === dir) throw new Error(`n8n-harness: no checkout with scripts/n8n-env.sh above ${__dirname}`);
		dir = parent;
	}
}

/**
 * The package under test: this checkout, or E2E_PACKAGE_DIR (used to prove the harness on a fixture package).
 */
export function packageDir(): string {
	return process.env.E2E_PACKAGE_DIR ? path.resolve(process.env.E2E_PACKAGE_DIR) : repoRoot();
}

export function n8nVersion(): string {
	return process.env.N8N_VERSION || DEFAULT_N8N_VERSION;
}

/**
 * Versions the harness supports (README.md#supported-n8n-versions): 2.x on Node 24 from the cache, 1.x (1.123.x) on the system
 * Node 20/22. scripts/e2e.sh runs the e2e project once per version (N8N_VERSIONS).
 */
export const SUPPORTED_N8N_VERSIONS = ['2.41.1', '1.123.81'] as const;

/** Major version of an n8n version string (1 for '1.123.81'). */
export function n8nMajor(version = n8nVersion()): number {
	return Number(version.split('.')[0]);
}

export function cacheDir(): string {
	return process.env.HALO_DATTO_CACHE || path.join(os.homedir(), '.cache', 'n8n-nodes-halo-datto');
}

function log(message: string): void {
	if (process.env.N8N_HARNESS_QUIET !== '1') process.stderr.write(`[n8n-harness] ${message}\n`);
}

// ---------------------------------------------------------------------------------------------------------------
// Environment

/** Variables that `npm test` / `npm run` put into the environment and that must not leak into n8n or nested npm runs. */
function cleanParentEnv(): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {};
	for (const [key, value] of Object.entries(process.env)) {
		if (value === undefined) continue;
		if (/^npm_(package|lifecycle)_/.test(key)) continue;
		if (['npm_config_local_prefix', 'npm_config_ignore_scripts', 'npm_command', 'INIT_CWD'].includes(key)) continue;
		// jest sets NODE_ENV=test, which switches n8n into its own unit-test behaviour.
		if (key === 'NODE_ENV' || key === 'JEST_WORKER_ID') continue;
		if (key.startsWith('N8N_') && key !== 'N8N_VERSION' && key !== 'N8N_HARNESS_QUIET') continue;
		env[key] = value;
	}
	return env;
}

const envCache = new Map<string, NodeJS.ProcessEnv>();

/**
 * The environment of scripts/n8n-env.sh for a user folder and port (one source of truth for the shell scripts and
 * this module). Throws when n8n is not installed.
 */
export function n8nEnv(userFolder: string, port: number, version = n8nVersion()): NodeJS.ProcessEnv {
	const key = `${version}\0${userFolder}\0${port}`;
	const cached = envCache.get(key);
	if (cached) return { ...cached };
	const script = path.join(repoRoot(), 'scripts', 'n8n-env.sh');
	const base = cleanParentEnv();
	const result = spawnSync(
		'bash',
		['-c', 'source "$0" "$1" "$2" >&2 || exit 3; env -0', script, userFolder, String(port)],
		{ env: { ...base, N8N_VERSION: version, HALO_DATTO_CACHE: cacheDir() }, encoding: 'buffer' },
	);
	if (result.status !== 0) {
		throw new Error(
			`n8n-env.sh failed (${result.status}): ${result.stderr.toString().trim()}\n` +
				`Install n8n first: bash scripts/n8n-install.sh ${version}`,
		);
	}
	const env: NodeJS.ProcessEnv = {};
	for (const entry of result.stdout.toString('utf8').split('\0')) {
		const eq = entry.indexOf('=');
		if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
	}
	delete env.SHLVL;
	delete env._;
	envCache.set(key, env);
	return { ...env };
}

/**
 * What actually runs for a version: `n8n --version`, the Node.js n8n runs on, and the expression engine n8n-env.sh
 * selected ('default' = n8n's own default; 1.x on a Node without isolated-vm gets 'legacy', README.md#supported-n8n-versions).
 */
export async function n8nRuntime(version = n8nVersion()): Promise<{ n8n: string; node: string; expressionEngine: string }> {
	const env = n8nEnv('', 0, version);
	const n8n = (await run(env.N8N_BIN as string, ['--version'], { cwd: os.tmpdir(), env })).stdout.trim().split('\n').pop() ?? '';
	const node = (await run('node', ['-v'], { cwd: os.tmpdir(), env })).stdout.trim();
	return { n8n, node, expressionEngine: env.N8N_EXPRESSION_ENGINE || 'default' };
}

export function isN8nInstalled(version = n8nVersion()): boolean {
	return fs.existsSync(path.join(cacheDir(), `n8n-${version}`, '.installed'));
}

// ---------------------------------------------------------------------------------------------------------------
// Processes

interface RunResult {
	stdout: string;
	stderr: string;
}

function run(
	file: string,
	args: string[],
	options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<RunResult> {
	return new Promise((resolve, reject) => {
		execFile(
			file,
			args,
			{ cwd: options.cwd, env: options.env, timeout: options.timeoutMs ?? 300_000, maxBuffer: 64 * 1024 * 1024 },
			(error, stdout, stderr) => {
				if (error) {
					const tail = `${stdout}\n${stderr}`.trim().split('\n').slice(-40).join('\n');
					const shown = args.map((a) => (a.length > 80 ? `${a.slice(0, 77)}...` : a)).join(' ');
					reject(new Error(`${path.basename(file)} ${shown} failed (${error.code ?? error.signal}):\n${tail}`));
				} else {
					resolve({ stdout, stderr });
				}
			},
		);
	});
}

// Every n8n started by this process is killed (process group, SIGKILL) when the process exits, even if a test failed
// before its afterAll ran or jest tore the worker down.
const liveGroups = new Set<number>();
/** Temp folders and port locks to remove on exit when stop() never ran (a crashed or killed test run). */
const exitCleanup = new Set<string>();
let exitHookInstalled = false;
function installExitHook(): void {
	if (exitHookInstalled) return;
	exitHookInstalled = true;
	// SIGINT/SIGTERM (Ctrl-C, jest stopping its workers) skip 'exit' handlers unless handled: clean up, then exit.
	for (const signal of ['SIGINT', 'SIGTERM'] as const) {
		if (process.listenerCount(signal) === 0) {
			process.once(signal, () => process.exit(signal === 'SIGINT' ? 130 : 143));
		}
	}
	process.on('exit', () => {
		for (const group of liveGroups) {
			try {
				process.kill(-group, 'SIGKILL');
			} catch {
				// already gone
			}
		}
		if (process.env.E2E_KEEP === '1') return;
		for (const p of exitCleanup) {
			try {
				fs.rmSync(p, { recursive: true, force: true });
			} catch {
				// best effort
			}
		}
	});
}
function trackGroup(pid: number): void {
	liveGroups.add(pid);
	installExitHook();
}

function pidAlive(pid: number): boolean {
	if (!(pid > 0)) return false;
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

const OWNER_FILE = '.harness-owner';

/**
 * Remove what runs killed with SIGKILL left behind (no exit hook ran): temp user folders and prepared packages whose
 * owning process is gone. Folders kept on purpose (E2E_KEEP) have no owner file and stay.
 */
export function sweepDeadRuns(dir: string): void {
	let entries: string[] = [];
	try {
		entries = fs.readdirSync(dir);
	} catch {
		return;
	}
	for (const entry of entries) {
		const full = path.join(dir, entry);
		let owner = 0;
		const ownerFile = path.join(full, OWNER_FILE);
		if (fs.existsSync(ownerFile)) owner = Number(fs.readFileSync(ownerFile, 'utf8')) || 0;
		else if (/^package-(\d+)$/.test(entry)) owner = Number(entry.slice('package-'.length));
		else continue;
		if (!pidAlive(owner)) fs.rmSync(full, { recursive: true, force: true });
	}
}

async function groupGone(pgid: number, timeoutMs: number): Promise<boolean> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		try {
			process.kill(-pgid, 0);
		} catch {
			return true;
		}
		if (Date.now() > deadline) return false;
		await sleep(50);
	}
}

const N8N_WATCHDOG = `
"$1" start & child=$!
trap 'kill -TERM "$child" 2>/dev/null' TERM INT
while kill -0 "$child" 2>/dev/null; do
	if ! kill -0 "$2" 2>/dev/null; then kill -TERM "$child" 2>/dev/null; fi
	sleep 1
done
wait "$child"
`;

/** Like N8N_WATCHDOG, for a queue-mode worker: `n8n worker --concurrency=$3`. */
const N8N_WORKER_WATCHDOG = `
"$1" worker --concurrency="$3" & child=$!
trap 'kill -TERM "$child" 2>/dev/null' TERM INT
while kill -0 "$child" 2>/dev/null; do
	if ! kill -0 "$2" 2>/dev/null; then kill -TERM "$child" 2>/dev/null; fi
	sleep 1
done
wait "$child"
`;

/** A queue-mode worker started by N8nInstance.startWorker(). */
export interface N8nWorker {
	index: number;
	pid: number;
	/** Port of the worker's /healthz endpoints (QUEUE_HEALTH_CHECK_PORT). */
	healthPort: number;
	logFile: string;
	readonly running: boolean;
	stop(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------------
// Ports

const reservedPorts = new Map<number, string>();

/**
 * A free block of `span` consecutive ports (n8n uses PORT and PORT+1 for the task broker), reserved with a lock file
 * in the OS temp dir so that parallel jest workers never pick the same block.
 */
export async function findFreePortBlock(span = 2): Promise<number> {
	const lockDir = path.join(os.tmpdir(), 'n8n-harness-ports');
	fs.mkdirSync(lockDir, { recursive: true });
	for (const entry of fs.readdirSync(lockDir)) {
		// Locks of runs that died without releasing them.
		try {
			const owner = fs.readFileSync(path.join(lockDir, entry), 'utf8'); // empty: being written right now
			if (owner !== '' && !pidAlive(Number(owner))) fs.rmSync(path.join(lockDir, entry));
		} catch {
			// raced with its owner
		}
	}
	for (let attempt = 0; attempt < 200; attempt++) {
		const base = 20000 + Math.floor(Math.random() * 2000) * 20;
		const lock = path.join(lockDir, String(base));
		if (fs.existsSync(lock)) {
			// A lock whose process is gone (or older than 2 hours) belongs to a run that died.
			let owner = 0;
			try {
				owner = Number(fs.readFileSync(lock, 'utf8')) || 0;
			} catch {
				// unreadable: treat as stale when old
			}
			const alive = owner === 0 || pidAlive(owner); // 0: unreadable or being written: leave it
			const old = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? 0) > 2 * 3600_000;
			if (alive && !old) continue;
			fs.rmSync(lock, { force: true });
		}
		let fd: number;
		try {
			fd = fs.openSync(lock, 'wx');
		} catch {
			continue;
		}
		fs.writeSync(fd, String(process.pid));
		fs.closeSync(fd);
		let ok = true;
		for (let p = base; p < base + span && ok; p++) ok = await portFree(p);
		if (ok) {
			reservedPorts.set(base, lock);
			exitCleanup.add(lock);
			installExitHook();
			return base;
		}
		fs.rmSync(lock, { force: true });
	}
	throw new Error('n8n-harness: no free port block found');
}

export function releasePortBlock(base: number): void {
	const lock = reservedPorts.get(base);
	if (lock) {
		fs.rmSync(lock, { force: true });
		exitCleanup.delete(lock);
	}
	reservedPorts.delete(base);
}

// ---------------------------------------------------------------------------------------------------------------
// Package: pack, install the way n8n does, expected node types

export interface PackageJson {
	name: string;
	version: string;
	n8n?: { nodes?: string[]; credentials?: string[] };
	dependencies?: Record<string, string>;
	[key: string]: unknown;
}

export function readPackageJson(pkgDir = packageDir()): PackageJson {
	return JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as PackageJson;
}

/** `npm pack` into destDir; returns the tarball path. The package must be built (dist/). */
export async function packPackage(pkgDir = packageDir(), destDir?: string): Promise<string> {
	const dest = destDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-pack-'));
	fs.mkdirSync(dest, { recursive: true });
	const pkg = readPackageJson(pkgDir);
	for (const file of [...(pkg.n8n?.nodes ?? []), ...(pkg.n8n?.credentials ?? [])]) {
		if (!fs.existsSync(path.join(pkgDir, file))) {
			throw new Error(`${file} (package.json n8n section) does not exist: run npm run build first`);
		}
	}
	const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', dest], {
		cwd: pkgDir,
		env: cleanParentEnv(),
	});
	const info = JSON.parse(stdout.slice(stdout.indexOf('['))) as Array<{ filename: string }>;
	return path.join(dest, info[0].filename);
}

/**
 * Pack the package and install it into `<dir>/node_modules/<name>` exactly as n8n's installer would (extract, strip
 * dev/peer/optional dependencies, `npm install --ignore-scripts --install-strategy=shallow --package-lock=false` with
 * n8n's Node). The result is copied into each user folder by installPackage(); reuse it across instances.
 */
export async function preparePackage(
	options: { pkgDir?: string; dir?: string; version?: string } = {},
): Promise<string> {
	const pkgDir = options.pkgDir ?? packageDir();
	const dir = options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-pkg-'));
	const started = Date.now();
	const tarball = await packPackage(pkgDir, dir);
	const pkg = readPackageJson(pkgDir);
	const dest = path.join(dir, 'node_modules', pkg.name);
	fs.rmSync(dest, { recursive: true, force: true });
	fs.mkdirSync(dest, { recursive: true });
	await run('tar', ['-xzf', tarball, '-C', dest, '--strip-components=1'], { cwd: dir, env: cleanParentEnv() });
	const installed = readPackageJson(dest);
	delete installed.devDependencies;
	delete installed.peerDependencies;
	delete installed.optionalDependencies;
	fs.writeFileSync(path.join(dest, 'package.json'), JSON.stringify(installed, null, 2));
	if (installed.dependencies && Object.keys(installed.dependencies).length > 0) {
		const env = n8nEnv(path.join(dir, 'uf'), 5678, options.version);
		await run(
			'npm',
			['install', '--ignore-scripts', '--install-strategy=shallow', '--package-lock=false', '--no-audit', '--no-fund'],
			{ cwd: dest, env, timeoutMs: 600_000 },
		);
	}
	fs.writeFileSync(path.join(dir, 'prepared.json'), JSON.stringify({ name: pkg.name, tarball, dest }, null, 2));
	log(`packed and installed ${path.basename(tarball)} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
	return dir;
}

/** Copy a prepared package into `<userFolder>/.n8n/nodes/node_modules/<name>` (where n8n scans for packages). */
export function installPackage(userFolder: string, preparedDir: string): string {
	const { name, dest } = JSON.parse(fs.readFileSync(path.join(preparedDir, 'prepared.json'), 'utf8')) as {
		name: string;
		dest: string;
	};
	const target = path.join(userFolder, '.n8n', 'nodes', 'node_modules', name);
	fs.rmSync(target, { recursive: true, force: true });
	fs.mkdirSync(path.dirname(target), { recursive: true });
	fs.cpSync(dest, target, { recursive: true, verbatimSymlinks: true });
	// n8n's own installer keeps a package.json listing the installed community packages.
	const nodesPkg = path.join(userFolder, '.n8n', 'nodes', 'package.json');
	if (!fs.existsSync(nodesPkg)) {
		fs.writeFileSync(nodesPkg, JSON.stringify({ name: 'installed-nodes', private: true, dependencies: {} }, null, 2));
	}
	const nodes = JSON.parse(fs.readFileSync(nodesPkg, 'utf8')) as { dependencies: Record<string, string> };
	nodes.dependencies[name] = readPackageJson(target).version;
	fs.writeFileSync(nodesPkg, JSON.stringify(nodes, null, 2));
	return target;
}

export interface ExpectedType {
	/** Full node type as n8n registers it: `<package>.<description.name>`. */
	type: string;
	name: string;
	displayName: string;
	file: string;
	usableAsTool: boolean;
	icons: string[];
}

function instantiate(pkgDir: string, file: string): Record<string, unknown> {
	const full = path.resolve(pkgDir, file);
	const className = path.parse(full).name.split('.')[0];
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const mod = require(full) as Record<string, new () => Record<string, unknown>>;
	if (typeof mod[className] !== 'function') {
		throw new Error(`${file} does not export class ${className} (n8n requires class name = file prefix)`);
	}
	return new mod[className]();
}

function iconFiles(icon: unknown): string[] {
	const out: string[] = [];
	const add = (value: unknown) => {
		if (typeof value === 'string' && value.startsWith('file:')) out.push(value.slice(5));
	};
	if (typeof icon === 'string') add(icon);
	else if (icon && typeof icon === 'object') Object.values(icon as Record<string, unknown>).forEach(add);
	return out;
}

/** Node types n8n must list for the package: from the built files in package.json's n8n.nodes. */
export function expectedNodeTypes(pkgDir = packageDir()): ExpectedType[] {
	const pkg = readPackageJson(pkgDir);
	const types: ExpectedType[] = [];
	for (const file of pkg.n8n?.nodes ?? []) {
		const node = instantiate(pkgDir, file);
		const description = (node.description ?? {}) as Record<string, unknown>;
		let usableAsTool = Boolean(description.usableAsTool);
		const versions = node.nodeVersions as Record<string, { description?: Record<string, unknown> }> | undefined;
		if (versions) {
			usableAsTool ||= Object.values(versions).some((v) => Boolean(v.description?.usableAsTool));
		}
		const name = String(description.name);
		types.push({
			type: `${pkg.name}.${name}`,
			name,
			displayName: String(description.displayName),
			file,
			usableAsTool,
			icons: iconFiles(description.icon).map((icon) => path.join(path.dirname(file), icon)),
		});
	}
	return types;
}

/** Credential type names (`name` of each credential class) listed in package.json's n8n.credentials. */
export function expectedCredentialTypes(pkgDir = packageDir()): Array<{ name: string; file: string; icons: string[] }> {
	const pkg = readPackageJson(pkgDir);
	return (pkg.n8n?.credentials ?? []).map((file) => {
		const cred = instantiate(pkgDir, file);
		return {
			name: String(cred.name),
			file,
			icons: iconFiles(cred.icon).map((icon) => path.join(path.dirname(file), icon)),
		};
	});
}

// ---------------------------------------------------------------------------------------------------------------
// Fixtures

/**
 * Fill a JSON template: `"{{NAME}}"` / `"{{NAME:default}}"` inside JSON strings become vars[NAME] (JSON-escaped), and a
 * whole string `"{{#NAME}}"` / `"{{#NAME:5432}}"` becomes a bare number. A placeholder with neither a value nor a
 * default is an error. PG* and REDIS_* placeholders also read the environment (.ci/run exports them).
 */
export function renderTemplate(text: string, vars: Record<string, string | number>): string {
	const value = (name: string, fallback: string | undefined): string => {
		if (name in vars) return String(vars[name]);
		// Only service locations come from the environment (.ci/run exports PG*/REDIS_*): HALO_*/DATTO_* variables
		// describe real tenants for the demo and must not leak into tests against the simulators.
		if (/^(PG|REDIS_)/.test(name) && process.env[name]) return process.env[name] as string;
		if (fallback !== undefined) return fallback;
		throw new Error(`template placeholder {{${name}}} has no value`);
	};
	return text
		.replace(/"\{\{#([A-Z0-9_]+)(?::([^}]*))?\}\}"/g, (_m, name: string, fallback?: string) => {
			const v = value(name, fallback);
			if (!/^-?\d+(\.\d+)?$/.test(v)) throw new Error(`template placeholder {{#${name}}} is not a number: ${v}`);
			return v;
		})
		.replace(/\{\{([A-Z0-9_]+)(?::([^}]*))?\}\}/g, (_m, name: string, fallback?: string) =>
			JSON.stringify(value(name, fallback)).slice(1, -1),
		);
}

/** Read a JSON template file (see renderTemplate) into objects, e.g. to tweak credentials before provision(). */
export function loadTemplate<T = Record<string, unknown>>(file: string, vars: Record<string, string | number> = {}): T[] {
	return loadJsonArray(file, vars) as T[];
}

export function fixturePath(...parts: string[]): string {
	return path.join(repoRoot(), 'test', 'e2e', 'fixtures', ...parts);
}

type JsonSource = string | object | object[];

function loadJsonArray(source: JsonSource, vars: Record<string, string | number>): object[] {
	if (typeof source !== 'string') return Array.isArray(source) ? source : [source];
	const stat = fs.statSync(source);
	if (stat.isDirectory()) {
		return fs
			.readdirSync(source)
			.filter((f) => f.endsWith('.json'))
			.sort()
			.flatMap((f) => loadJsonArray(path.join(source, f), vars));
	}
	const parsed = JSON.parse(renderTemplate(fs.readFileSync(source, 'utf8'), vars)) as object | object[];
	return Array.isArray(parsed) ? parsed : [parsed];
}

// ---------------------------------------------------------------------------------------------------------------
// n8n instance

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
	private child?: ChildProcess;
	private exited?: Promise<void>;
	private exitCode?: number | null;
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
			exitCleanup.add(userFolder);
			installExitHook();
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

	/** n8n major version of this instance (1 or 2): for the few places where the lines differ (README.md#supported-n8n-versions). */
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
		return this.child !== undefined && this.exitCode === undefined;
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
		const env = this.env;
		const script = `
const [dbFile, sqlitePath, idsJson] = process.argv.slice(1);
const ids = JSON.parse(idsJson);
const sqlite3 = require(sqlitePath);
const db = new sqlite3.Database(dbFile);
const done = (code, msg) => { if (msg) console.log(msg); db.close(() => process.exit(code)); };
db.all('PRAGMA table_info(workflow_entity)', (err, cols) => {
  if (err) return done(3, err.message);
  const names = cols.map((c) => c.name);
  if (!['active', 'activeVersionId', 'versionId', 'isArchived'].every((c) => names.includes(c))) return done(2, 'schema');
  const marks = ids.map(() => '?').join(',');
  db.run('UPDATE workflow_entity SET active = 1, activeVersionId = versionId WHERE id IN (' + marks + ') AND isArchived = 0 ' +
    'AND EXISTS (SELECT 1 FROM workflow_history h WHERE h.workflowId = workflow_entity.id AND h.versionId = workflow_entity.versionId)',
    ids, function (e) {
      if (e) return done(3, e.message);
      const changes = this.changes;
      // 2.x keeps the version the server runs in workflow_published_version (+ trigger statuses), written at start
      // from the publication outbox, and a re-import queues the PREVIOUS active version there: a workflow published
      // and started before would keep running its OLD version after a re-import. Dropping those rows gives the state
      // of a freshly imported workflow: the next start publishes the current version.
      db.all("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('workflow_published_version', 'workflow_publication_trigger_status', 'workflow_publication_outbox')", (e2, tables) => {
        if (e2) return done(3, e2.message);
        let pending = tables.length;
        if (pending === 0) return done(changes === ids.length ? 0 : 4, 'published ' + changes + ' of ' + ids.length);
        for (const t of tables) {
          db.run('DELETE FROM ' + t.name + ' WHERE workflowId IN (' + marks + ')', ids, (e3) => {
            if (e3) return done(3, e3.message);
            if (--pending === 0) done(changes === ids.length ? 0 : 4, 'published ' + changes + ' of ' + ids.length);
          });
        }
      });
    });
});`;
		const dbFile = path.join(this.userFolder, '.n8n', 'database.sqlite');
		const sqlitePath = path.join(env.N8N_INSTALL_DIR as string, 'node_modules', 'sqlite3');
		if (!fs.existsSync(dbFile) || !fs.existsSync(sqlitePath)) return false;
		try {
			await run('node', ['-e', script, dbFile, sqlitePath, JSON.stringify(ids)], { cwd: this.userFolder, env });
			return true;
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
			exitCleanup.add(prepared);
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
		const out = await this.sqlite(
			`const marks = args.map(() => '?').join(',');
db.all('SELECT id, active, versionId, activeVersionId FROM workflow_entity WHERE id IN (' + marks + ') ORDER BY id', args,
  (err, rows) => err ? done(3, err.message) : done(0, JSON.stringify(rows)));`,
			ids,
		);
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
		const out = await this.sqlite(
			`db.all("SELECT name FROM pragma_table_info('user')", (err, cols) => {
  if (err) return done(3, err.message);
  const names = cols.map((c) => c.name);
  if (!names.includes('settings') || !names.includes('roleSlug')) return done(0, 'skipped: schema');
  db.run("UPDATE user SET settings = json_set(COALESCE(settings, '{}'), '$.userActivated', json('true')) " +
    "WHERE roleSlug = 'global:owner'", function (e) {
      if (e) return done(3, e.message);
      done(0, 'owner rows ' + this.changes);
    });
});`,
			[],
		);
		return out !== undefined && /owner rows [1-9]/.test(out);
	}

	/**
	 * Run a small script against this user folder's SQLite database with n8n's own sqlite3 module (n8n stopped, or
	 * statements that tolerate a running n8n). The script sees `db`, `args` and `done(code, message)`. Returns its
	 * message, or undefined when there is no database yet.
	 */
	private async sqlite(body: string, args: string[]): Promise<string | undefined> {
		const env = this.env;
		const dbFile = path.join(this.userFolder, '.n8n', 'database.sqlite');
		const sqlitePath = path.join(env.N8N_INSTALL_DIR as string, 'node_modules', 'sqlite3');
		if (!fs.existsSync(dbFile) || !fs.existsSync(sqlitePath)) return undefined;
		const script = `
const [dbFile, sqlitePath, argsJson] = process.argv.slice(1);
const args = JSON.parse(argsJson);
const sqlite3 = require(sqlitePath);
const db = new sqlite3.Database(dbFile);
db.configure('busyTimeout', 10000);
const done = (code, msg) => { if (msg) console.log(msg); db.close(() => process.exit(code)); };
${body}`;
		const { stdout } = await run('node', ['-e', script, dbFile, sqlitePath, JSON.stringify(args)], {
			cwd: this.userFolder,
			env,
		});
		return stdout.trim();
	}

	/** Start n8n and wait for readiness and the webhooks (probe by default). */
	async start(options: StartOptions = {}): Promise<void> {
		if (this.running) return;
		const timeoutMs = options.timeoutMs ?? 120_000;
		const env = this.env;
		const logFd = fs.openSync(this.logFile, 'a');
		const started = Date.now();
		this.exitCode = undefined;
		// A small bash wrapper leads n8n's process group and stops n8n when this process is gone, even after a SIGKILL
		// of jest (no exit hook runs then); it exits with n8n's exit code.
		const child = spawn('bash', ['-c', N8N_WATCHDOG, 'n8n-watchdog', env.N8N_BIN as string, String(process.pid)], {
			cwd: this.userFolder,
			env,
			detached: true, // own process group: stop() kills n8n and its task runner together
			stdio: ['ignore', logFd, logFd],
		});
		fs.closeSync(logFd);
		this.child = child;
		this.lastPid = child.pid;
		trackGroup(child.pid as number);
		this.exited = new Promise((resolve) => {
			child.once('error', (error) => {
				log(`n8n failed to start: ${error.message}`);
				this.exitCode = -1;
				resolve();
			});
			child.once('exit', (code, signal) => {
				this.exitCode = code ?? (signal ? -1 : null);
				resolve();
			});
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
			if (this.exitCode !== undefined) throw new Error(`n8n exited (code ${this.exitCode}) while waiting for ${what}`);
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
	async startWorker(options: { concurrency?: number; timeoutMs?: number; env?: Record<string, string> } = {}): Promise<N8nWorker> {
		const index = ++this.workersStarted;
		const healthPort = await findFreePortBlock(2);
		const env: NodeJS.ProcessEnv = {
			...this.env,
			QUEUE_HEALTH_CHECK_ACTIVE: 'true',
			QUEUE_HEALTH_CHECK_PORT: String(healthPort),
			N8N_RUNNERS_BROKER_PORT: String(healthPort + 1),
			...(options.env ?? {}),
		};
		const logFile = path.join(this.userFolder, `worker-${index}.log`);
		const logFd = fs.openSync(logFile, 'a');
		const child = spawn(
			'bash',
			['-c', N8N_WORKER_WATCHDOG, 'n8n-worker-watchdog', env.N8N_BIN as string, String(process.pid), String(options.concurrency ?? 10)],
			{ cwd: this.userFolder, env, detached: true, stdio: ['ignore', logFd, logFd] },
		);
		fs.closeSync(logFd);
		trackGroup(child.pid as number);
		let exited = false;
		const exitPromise = new Promise<void>((resolve) => {
			child.once('exit', () => {
				exited = true;
				resolve();
			});
			child.once('error', () => {
				exited = true;
				resolve();
			});
		});
		const worker: N8nWorker = {
			index,
			pid: child.pid as number,
			healthPort,
			logFile,
			get running() {
				return !exited;
			},
			stop: async () => {
				if (!exited) {
					try {
						process.kill(-(child.pid as number), 'SIGTERM');
					} catch {
						// gone
					}
					let timer: NodeJS.Timeout | undefined;
					await Promise.race([exitPromise, new Promise<void>((r) => (timer = setTimeout(r, 15_000)))]);
					clearTimeout(timer);
				}
				try {
					process.kill(-(child.pid as number), 'SIGKILL');
				} catch {
					// gone
				}
				await groupGone(child.pid as number, 10_000);
				liveGroups.delete(child.pid as number);
				releasePortBlock(healthPort);
			},
		};
		this.workers.push(worker);
		const deadline = Date.now() + (options.timeoutMs ?? 120_000);
		for (;;) {
			if (exited) throw new Error(`n8n worker ${index} exited while starting:\n${fs.readFileSync(logFile, 'utf8').split('\n').slice(-40).join('\n')}`);
			try {
				const res = await httpRequest('GET', `http://127.0.0.1:${healthPort}/healthz/readiness`, { timeoutMs: 2000 });
				if (res.status === 200) break;
			} catch {
				// not listening yet
			}
			if (Date.now() > deadline) {
				await worker.stop();
				throw new Error(`n8n worker ${index} not ready after ${options.timeoutMs ?? 120_000} ms:\n${fs.readFileSync(logFile, 'utf8').split('\n').slice(-40).join('\n')}`);
			}
			await sleep(250);
		}
		log(`n8n worker ${index} ready (health port ${healthPort}, log ${logFile})`);
		return worker;
	}

	/** Workers started by startWorker(). */
	get workerProcesses(): readonly N8nWorker[] {
		return this.workers;
	}

	/** SIGTERM the process group, SIGKILL after a grace period; removes a temp user folder unless kept. */
	async stop(options: { keepFolder?: boolean } = {}): Promise<void> {
		for (const worker of this.workers.splice(0)) await worker.stop();
		const child = this.child;
		if (child && this.exitCode === undefined) {
			const started = Date.now();
			try {
				process.kill(-(child.pid as number), 'SIGTERM');
			} catch {
				// gone
			}
			let timer: NodeJS.Timeout | undefined;
			const killed = await Promise.race([
				this.exited!.then(() => true),
				new Promise<boolean>((resolve) => {
					timer = setTimeout(() => resolve(false), 15_000);
				}),
			]);
			clearTimeout(timer);
			if (!killed) log(`n8n on port ${this.port} ignored SIGTERM for 15 s; SIGKILL`);
			this.timings.stop = Date.now() - started;
		}
		if (child) {
			try {
				process.kill(-(child.pid as number), 'SIGKILL'); // task runner and anything else left in the group
			} catch {
				// gone
			}
			await this.exited;
			// Wait until the group is empty (the task runner is reparented and reaped shortly after n8n exits).
			if (!(await groupGone(child.pid as number, 10_000))) {
				log(`process group ${child.pid} of n8n on port ${this.port} still exists 10 s after SIGKILL`);
			}
			liveGroups.delete(child.pid as number);
		}
		this.child = undefined;
		this.cookie = undefined;
		if (child) {
			const t = Object.entries(this.timings).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`);
			log(`n8n on port ${this.port} stopped; timings: ${t.join(', ')}`);
		}
		if (this.ownsPort) releasePortBlock(this.port);
		if (this.ownedPrepared) {
			fs.rmSync(this.ownedPrepared, { recursive: true, force: true });
			exitCleanup.delete(this.ownedPrepared);
		}
		this.ownedPrepared = undefined;
		if (this.ownsFolder && !this.keep && !options.keepFolder) {
			fs.rmSync(this.userFolder, { recursive: true, force: true });
			exitCleanup.delete(this.userFolder);
		} else if (this.ownsFolder && child) {
			if (this.keep) {
				exitCleanup.delete(this.userFolder);
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

// ---------------------------------------------------------------------------------------------------------------
// Helper processes (e.g. the simulators' CLIs: node dist/simulators/<api>/cli.js --port N)

export interface ServiceProcess {
	pid: number;
	/** Everything the process printed so far (stdout + stderr). */
	output(): string;
	stop(): Promise<void>;
}

/**
 * Start a helper process in its own process group and wait until its output matches `ready` (killed on process
 * exit like n8n). Runs on the current Node unless `command` says otherwise.
 */
export async function startService(options: {
	command?: string;
	args: string[];
	ready: RegExp;
	cwd?: string;
	env?: Record<string, string>;
	timeoutMs?: number;
}): Promise<ServiceProcess> {
	const child = spawn(options.command ?? process.execPath, options.args, {
		cwd: options.cwd ?? repoRoot(),
		env: { ...cleanParentEnv(), ...(options.env ?? {}) },
		detached: true,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	trackGroup(child.pid as number);
	let text = '';
	let exited = false;
	const exitPromise = new Promise<void>((resolve) => {
		child.once('exit', () => {
			exited = true;
			resolve();
		});
		child.once('error', (error) => {
			text += `\n${error.message}`;
			exited = true;
			resolve();
		});
	});
	const stop = async () => {
		if (!exited) {
			try {
				process.kill(-(child.pid as number), 'SIGTERM');
			} catch {
				// gone
			}
			let timer: NodeJS.Timeout | undefined;
			await Promise.race([exitPromise, new Promise<void>((r) => (timer = setTimeout(r, 5000)))]);
			clearTimeout(timer);
		}
		try {
			process.kill(-(child.pid as number), 'SIGKILL');
		} catch {
			// gone
		}
		await groupGone(child.pid as number, 5000);
		liveGroups.delete(child.pid as number);
	};
	await new Promise<void>((resolve, reject) => {
		const timer = setTimeout(() => {
			void stop();
			reject(new Error(`${options.args.join(' ')}: not ready after ${options.timeoutMs ?? 30_000} ms:\n${text}`));
		}, options.timeoutMs ?? 30_000);
		const onData = (chunk: Buffer) => {
			text += chunk.toString('utf8');
			if (options.ready.test(text)) {
				clearTimeout(timer);
				resolve();
			}
		};
		child.stdout!.on('data', onData);
		child.stderr!.on('data', onData);
		void exitPromise.then(() => {
			clearTimeout(timer);
			reject(new Error(`${options.args.join(' ')} exited before it was ready:\n${text}`));
		});
	});
	return { pid: child.pid as number, output: () => text, stop };
}

// ---------------------------------------------------------------------------------------------------------------
// HTTP (node's http module: works the same under jest on Node 20 and in scripts)

export interface HttpResponse {
	status: number;
	headers: Record<string, string>;
	/** Set-Cookie headers, one per cookie. */
	cookies: string[];
	text: string;
	json?: unknown;
}

/**
 * Repeats a REST / public-API request while n8n answers 503 "Database is not ready!". n8n pings its database every
 * 2 s with a 5 s timeout and, when a ping times out (SQLite busy: seen on 1.123.81 right after start, with several
 * schedules firing), refuses every request in a middleware before any handler runs, until the next ping succeeds.
 * The request was therefore not processed and repeating it is safe, also for POSTs. Gives up after `limitMs`.
 */
export async function whileDatabaseNotReady(request: () => Promise<HttpResponse>, limitMs = 60_000): Promise<HttpResponse> {
	const deadline = Date.now() + limitMs;
	let attempt = 0;
	for (;;) {
		const res = await request();
		if (res.status !== 503 || !/Database is not ready/i.test(res.text) || Date.now() > deadline) return res;
		attempt++;
		if (attempt === 1 || attempt % 10 === 0) log(`n8n answered 503 (${res.text.slice(0, 80)}); retrying (attempt ${attempt})`);
		await sleep(500);
	}
}

export function httpRequest(
	method: string,
	url: string,
	options: { json?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<HttpResponse> {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const http = require('http') as typeof import('http');
	return new Promise((resolve, reject) => {
		const headers: Record<string, string> = { ...(options.headers ?? {}) };
		let payload: Buffer | undefined;
		if (options.json !== undefined) {
			payload = Buffer.from(JSON.stringify(options.json));
			headers['content-type'] ??= 'application/json';
			headers['content-length'] = String(payload.length);
		}
		// agent: false = no keep-alive sockets left open after a test (jest would wait for them).
		const req = http.request(url, { method, headers, agent: false, timeout: options.timeoutMs ?? 30_000 }, (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (c: Buffer) => chunks.push(c));
			res.on('end', () => {
				const text = Buffer.concat(chunks).toString('utf8');
				const flat: Record<string, string> = {};
				for (const [k, v] of Object.entries(res.headers)) {
					if (v !== undefined) flat[k] = Array.isArray(v) ? v.join(', ') : v;
				}
				let json: unknown;
				try {
					json = text ? JSON.parse(text) : undefined;
				} catch {
					json = undefined;
				}
				resolve({ status: res.statusCode ?? 0, headers: flat, cookies: res.headers['set-cookie'] ?? [], text, json });
			});
			res.on('error', reject);
		});
		req.on('timeout', () => req.destroy(new Error(`timeout: ${method} ${url}`)));
		req.on('error', reject);
		if (payload) req.write(payload);
		req.end();
	});
}

// ---------------------------------------------------------------------------------------------------------------
// Checks shared by the e2e tests and the CLI

export interface LoadCheck {
	expected: string[];
	found: string[];
	missing: string[];
	unexpected: string[];
}

/** Compare `n8n export:nodes` with the package's node files (+ `<name>Tool` for usableAsTool nodes). */
export function checkNodeTypes(
	exported: Array<{ name: string }>,
	pkgDir = packageDir(),
): LoadCheck {
	const pkg = readPackageJson(pkgDir);
	const expected = expectedNodeTypes(pkgDir).flatMap((t) => (t.usableAsTool ? [t.type, `${t.type}Tool`] : [t.type]));
	const found = exported.map((n) => n.name).filter((name) => name.startsWith(`${pkg.name}.`));
	return {
		expected: [...expected].sort(),
		found: [...new Set(found)].sort(),
		missing: expected.filter((t) => !found.includes(t)).sort(),
		unexpected: found.filter((t) => !expected.includes(t)).sort(),
	};
}

// ---------------------------------------------------------------------------------------------------------------
// CLI

function parseArgs(argv: string[]): { command: string; flags: Map<string, string[]> } {
	const [command = 'help', ...rest] = argv;
	const flags = new Map<string, string[]>();
	for (let i = 0; i < rest.length; i++) {
		const arg = rest[i];
		if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg}`);
		const eq = arg.indexOf('=');
		let key: string;
		let value: string;
		if (eq > 0) {
			key = arg.slice(2, eq);
			value = arg.slice(eq + 1);
		} else if (i + 1 < rest.length && !rest[i + 1].startsWith('--')) {
			key = arg.slice(2);
			value = rest[++i];
		} else {
			key = arg.slice(2);
			value = 'true';
		}
		flags.set(key, [...(flags.get(key) ?? []), value]);
	}
	return { command, flags };
}

const USAGE = `Usage: node dist/scripts/n8n-harness.js <command> [options]

  pack [--out DIR]                      npm pack + install as n8n would; prints the prepared folder
  verify [--keep]                       fresh user folder: install the package, n8n export:nodes, check every
                                        node type of package.json's n8n.nodes loads (exit 1 if not)
  start [options]                       provision and start n8n in the foreground until SIGINT/SIGTERM
      --port N                          HTTP port (N+1: task broker); default 5678 with --user-folder, else free
      --user-folder DIR                 persistent user folder: provisioned only when it has no database yet
      --credentials FILE|DIR            credentials JSON (templates with {{VARS}}), repeatable
      --workflows FILE|DIR              workflow JSON, repeatable
      --publish all|ID[,ID]             workflows to publish (default all)
      --var NAME=VALUE                  template value, repeatable
      --owner                           create the owner and an API key; printed in the JSON line
      --ready-file FILE                 write the JSON line there too
  Environment: N8N_VERSION (default ${DEFAULT_N8N_VERSION}; supported: ${SUPPORTED_N8N_VERSIONS.join(', ')}),
  HALO_DATTO_CACHE, E2E_KEEP=1.`;

async function main(argv: string[]): Promise<number> {
	const { command, flags } = parseArgs(argv);
	const one = (name: string) => flags.get(name)?.slice(-1)[0];
	const many = (name: string) => flags.get(name) ?? [];
	switch (command) {
		case 'pack': {
			const dir = await preparePackage({ dir: one('out') ? path.resolve(one('out') as string) : undefined });
			process.stdout.write(`${dir}\n`);
			return 0;
		}
		case 'verify': {
			const instance = await N8nInstance.create({ keep: one('keep') === 'true' });
			const prepared = process.env.HALO_DATTO_PREPARED_PACKAGE || (await preparePackage());
			try {
				instance.installPackage(prepared);
				const check = checkNodeTypes(await instance.exportNodes());
				process.stdout.write(`${JSON.stringify(check, null, 2)}\n`);
				return check.missing.length === 0 && check.unexpected.length === 0 && check.expected.length > 0 ? 0 : 1;
			} finally {
				await instance.stop();
				if (!process.env.HALO_DATTO_PREPARED_PACKAGE) fs.rmSync(prepared, { recursive: true, force: true });
			}
		}
		case 'start': {
			const userFolder = one('user-folder') ? path.resolve(one('user-folder') as string) : undefined;
			// Graceful stop on Ctrl-C / SIGTERM (registered first, so the harness's own signal hook stays out of the way).
			// The handlers exist before the instance does: they read it through this holder.
			const started: { instance?: N8nInstance } = {};
			let stopping = false;
			const shutdown = async () => {
				if (stopping) return;
				stopping = true;
				await started.instance?.stop({ keepFolder: Boolean(userFolder) });
				process.exit(0);
			};
			process.on('SIGINT', () => void shutdown());
			process.on('SIGTERM', () => void shutdown());
			const port = one('port') ? Number(one('port')) : userFolder ? 5678 : undefined;
			const instance = await N8nInstance.create({ port, userFolder });
			started.instance = instance;
			const vars: Record<string, string> = {};
			for (const v of many('var')) {
				const eq = v.indexOf('=');
				vars[v.slice(0, eq)] = v.slice(eq + 1);
			}
			const publishFlag = one('publish') ?? 'all';
			if (!instance.hasDatabase) {
				await instance.provision({
					credentials: many('credentials').map((f) => path.resolve(f)),
					workflows: many('workflows').map((f) => path.resolve(f)),
					publish: publishFlag === 'all' ? 'all' : publishFlag.split(','),
					vars,
				});
			} else {
				log(`reusing provisioned user folder ${instance.userFolder}; reinstalling the package`);
				const prepared = process.env.HALO_DATTO_PREPARED_PACKAGE || (await preparePackage());
				instance.installPackage(prepared);
				if (!process.env.HALO_DATTO_PREPARED_PACKAGE) fs.rmSync(prepared, { recursive: true, force: true });
			}
			await instance.start({ probe: true });
			const info: Record<string, unknown> = {
				url: instance.baseUrl,
				port: instance.port,
				userFolder: instance.userFolder,
				pid: process.pid,
				log: instance.logFile,
				timings: instance.timings,
			};
			if (one('owner') === 'true') {
				info.apiKey = await instance.createApiKey();
				info.owner = { email: OWNER.email, password: OWNER.password };
			}
			const line = JSON.stringify(info);
			process.stdout.write(`${line}\n`);
			if (one('ready-file')) fs.writeFileSync(one('ready-file') as string, `${line}\n`);
			await new Promise(() => undefined); // until a signal
			return 0;
		}
		default:
			process.stdout.write(`${USAGE}\n`);
			return command === 'help' || command === '--help' ? 0 : 2;
	}
}

if (require.main === module) {
	main(process.argv.slice(2)).then(
		(code) => process.exit(code),
		(error: Error) => {
			process.stderr.write(`[n8n-harness] ${error.stack ?? error.message}\n`);
			process.exit(1);
		},
	);
}
