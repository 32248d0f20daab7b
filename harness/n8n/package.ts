/*
 * The package under test as n8n sees it: `npm pack`, installed the way n8n's community-package installer does
 * (extract, strip dev/peer/optional dependencies, `npm install --ignore-scripts --install-strategy=shallow`), copied
 * into a user folder, and the node and credential types n8n must then list.
 *
 * Environment: HALO_DATTO_PREPARED_PACKAGE (a folder made by preparePackage(), reused instead of packing again; read
 * by the instance and the CLI), E2E_PACKAGE_DIR (another built package, see harness/repo.ts).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { log } from '../log';
import { cleanParentEnv, run } from '../processes';
import { packageDir } from '../repo';
import { n8nEnv } from './env';

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

/** What `n8n export:nodes` listed of the package against what it must list. */
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

