/*
 * Child processes of the harness, the demo and the benchmarks: run a command to completion (`run`), start long-running
 * ones in their own process group (`spawnGroup`, optionally under harness/watchdog.sh) and stop the whole group
 * (`stopGroup`), helper services that print a ready line (`startService`), and the exit hook that kills every group
 * still alive and removes temp folders and port locks when this process exits (also when a test failed before its
 * afterAll ran, or jest tore the worker down).
 */
import { ChildProcess, StdioOptions, execFile, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

import { harnessFile, repoRoot } from './repo';
import { sleep } from './wait';

/** Variables that `npm test` / `npm run` put into the environment and that must not leak into n8n or nested npm runs. */
export function cleanParentEnv(): NodeJS.ProcessEnv {
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

export interface RunResult {
	stdout: string;
	stderr: string;
}

/** Runs a command to completion; rejects with its exit code or signal and the tail of its output. */
export function run(
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

// ---------------------------------------------------------------------------------------------------------------
// Exit hook: process groups and temp paths of this process

const liveGroups = new Set<number>();
/** Temp folders and port locks to remove on exit when their owner never cleaned up (a crashed or killed test run). */
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

/** Kill this process group (SIGKILL) when this process exits. */
export function trackGroup(pid: number): void {
	liveGroups.add(pid);
	installExitHook();
}

export function untrackGroup(pid: number): void {
	liveGroups.delete(pid);
}

/** Remove this file or folder when this process exits (unless E2E_KEEP=1), if nothing removed it before. */
export function removeOnExit(file: string): void {
	exitCleanup.add(file);
	installExitHook();
}

/** Take a path off the exit cleanup (removed already, or kept on purpose). */
export function keepOnExit(file: string): void {
	exitCleanup.delete(file);
}

export function pidAlive(pid: number): boolean {
	if (!(pid > 0)) return false;
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

/** File in a temp folder naming the pid that owns it (sweepDeadRuns removes the folder once that process is gone). */
export const OWNER_FILE = '.harness-owner';

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

// ---------------------------------------------------------------------------------------------------------------
// Process groups

/** A process started by spawnGroup(): it leads its own process group. */
export interface GroupProcess {
	child: ChildProcess;
	pid: number;
	/** Resolves when the process exited or could not be started. */
	exited: Promise<void>;
	/** undefined while running; the exit code, -1 after a signal or a failed start (then `error` is set). */
	readonly exitCode: number | null | undefined;
	readonly error: Error | undefined;
}

/**
 * Start a command in its own process group (so that stopGroup() stops it together with its children), killed when
 * this process exits. With `watchdog`, harness/watchdog.sh leads the group and stops the command when this process is
 * gone, even after a SIGKILL (no exit hook runs then).
 */
export function spawnGroup(
	command: string,
	args: string[],
	options: { cwd: string; env: NodeJS.ProcessEnv; stdio: StdioOptions; watchdog?: boolean },
): GroupProcess {
	const [file, argv] = options.watchdog
		? ['bash', [harnessFile('watchdog.sh'), String(process.pid), command, ...args]]
		: [command, args];
	const child = spawn(file, argv, { cwd: options.cwd, env: options.env, detached: true, stdio: options.stdio });
	trackGroup(child.pid as number);
	let exitCode: number | null | undefined;
	let error: Error | undefined;
	const exited = new Promise<void>((resolve) => {
		child.once('error', (e) => {
			error = e;
			exitCode = -1;
			resolve();
		});
		child.once('exit', (code, signal) => {
			exitCode = code ?? (signal ? -1 : null);
			resolve();
		});
	});
	return {
		child,
		pid: child.pid as number,
		exited,
		get exitCode() {
			return exitCode;
		},
		get error() {
			return error;
		},
	};
}

/** Send a signal to a whole process group; a group that is gone already is fine. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
	try {
		process.kill(-pgid, signal);
	} catch {
		// gone
	}
}

/** True when `exited` resolved within `ms`. */
export async function exitedWithin(exited: Promise<void>, ms: number): Promise<boolean> {
	let timer: NodeJS.Timeout | undefined;
	const result = await Promise.race([
		exited.then(() => true),
		new Promise<boolean>((resolve) => {
			timer = setTimeout(() => resolve(false), ms);
		}),
	]);
	clearTimeout(timer);
	return result;
}

/** Waits until no process of the group is left; false after `timeoutMs`. */
export async function groupGone(pgid: number, timeoutMs: number): Promise<boolean> {
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

/**
 * Stop a group started by spawnGroup(): SIGTERM (when still running) and up to `graceMs` for it to exit, then SIGKILL
 * for whatever is left of the group and up to `goneMs` until it is empty. Returns false when it was not.
 */
export async function stopGroup(group: GroupProcess, graceMs: number, goneMs: number): Promise<boolean> {
	if (group.exitCode === undefined) {
		signalGroup(group.pid, 'SIGTERM');
		await exitedWithin(group.exited, graceMs);
	}
	signalGroup(group.pid, 'SIGKILL');
	const gone = await groupGone(group.pid, goneMs);
	untrackGroup(group.pid);
	return gone;
}

// ---------------------------------------------------------------------------------------------------------------
// Helper services (e.g. the simulators' CLIs: node dist/simulators/<api>/cli.js --port N)

export interface ServiceProcess {
	pid: number;
	/** Everything the process printed so far (stdout + stderr). */
	output(): string;
	stop(): Promise<void>;
}

/**
 * Start a helper process in its own process group and wait until its output matches `ready` (killed on process
 * exit like n8n; with `watchdog` also when this process is SIGKILLed). Runs on the current Node unless `command` says
 * otherwise.
 */
export async function startService(options: {
	command?: string;
	args: string[];
	ready: RegExp;
	cwd?: string;
	env?: Record<string, string>;
	timeoutMs?: number;
	watchdog?: boolean;
}): Promise<ServiceProcess> {
	const group = spawnGroup(options.command ?? process.execPath, options.args, {
		cwd: options.cwd ?? repoRoot(),
		env: { ...cleanParentEnv(), ...(options.env ?? {}) },
		stdio: ['ignore', 'pipe', 'pipe'],
		watchdog: options.watchdog,
	});
	let text = '';
	const exited = group.exited.then(() => {
		if (group.error) text += `\n${group.error.message}`;
	});
	const stop = async () => {
		await stopGroup(group, 5000, 5000);
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
		group.child.stdout!.on('data', onData);
		group.child.stderr!.on('data', onData);
		void exited.then(() => {
			clearTimeout(timer);
			reject(new Error(`${options.args.join(' ')} exited before it was ready:\n${text}`));
		});
	});
	return { pid: group.pid, output: () => text, stop };
}
