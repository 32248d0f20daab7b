/*
 * Which n8n runs and with what environment: the supported versions, the cache that scripts/n8n-install.sh fills, and
 * the environment of scripts/n8n-env.sh (Node 24 for n8n 2.x from the cache; the system Node 20/22 for n8n 1.x), the
 * one source of truth for the shell scripts and the harness. The harness itself runs on any Node >= 20 (jest runs it
 * on Node 20). Where the lines differ, see docs/n8n-versions.md.
 *
 * Environment: N8N_VERSION (default 2.41.1), HALO_DATTO_CACHE (cache folder).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { cleanParentEnv, run } from '../processes';
import { repoRoot } from '../repo';

export const DEFAULT_N8N_VERSION = '2.41.1';

/**
 * Versions the harness supports (docs/n8n-versions.md): 2.x on Node 24 from the cache, 1.x (1.123.x) on the system
 * Node 20/22. scripts/e2e.sh runs the e2e project once per version (N8N_VERSIONS).
 */
export const SUPPORTED_N8N_VERSIONS = ['2.41.1', '1.123.81'] as const;

export function n8nVersion(): string {
	return process.env.N8N_VERSION || DEFAULT_N8N_VERSION;
}

/** Major version of an n8n version string (1 for '1.123.81'). */
export function n8nMajor(version = n8nVersion()): number {
	return Number(version.split('.')[0]);
}

export function cacheDir(): string {
	return process.env.HALO_DATTO_CACHE || path.join(os.homedir(), '.cache', 'n8n-nodes-halo-datto');
}

export function isN8nInstalled(version = n8nVersion()): boolean {
	return fs.existsSync(path.join(cacheDir(), `n8n-${version}`, '.installed'));
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
 * selected ('default' = n8n's own default; 1.x on a Node without isolated-vm gets 'legacy', docs/n8n-versions.md).
 */
export async function n8nRuntime(version = n8nVersion()): Promise<{ n8n: string; node: string; expressionEngine: string }> {
	const env = n8nEnv('', 0, version);
	const n8n = (await run(env.N8N_BIN as string, ['--version'], { cwd: os.tmpdir(), env })).stdout.trim().split('\n').pop() ?? '';
	const node = (await run('node', ['-v'], { cwd: os.tmpdir(), env })).stdout.trim();
	return { n8n, node, expressionEngine: env.N8N_EXPRESSION_ENGINE || 'default' };
}
