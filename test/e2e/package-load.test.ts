/*
 * Acceptance (issues 2 and 9): the packed tarball installs into real n8n the way n8n's community-package installer
 * does, and `n8n export:nodes` lists every node type of the package (`<package>.<description.name>`, plus
 * `<name>Tool` for usableAsTool nodes) and nothing else. Runs once per n8n line (scripts/e2e.sh: N8N_VERSIONS, default
 * 2.41.1 and 1.123.81): it also checks that the n8n under test is the requested version on the Node its line needs,
 * that every node of the shipped workflows has a type and typeVersion that version knows, and that the line's own
 * activation CLI (publish:workflow on 2.x, update:workflow --active=true on 1.x) stores what the harness's SQL
 * shortcut stores. No server is started here.
 */
import * as fs from 'fs';
import * as path from 'path';
import { n8nMajor, n8nRuntime, n8nVersion } from '../../harness/n8n/env';
import { N8nInstance, PROBE_WORKFLOW_ID } from '../../harness/n8n/instance';
import { checkNodeTypes, expectedCredentialTypes, expectedNodeTypes, readPackageJson } from '../../harness/n8n/package';
import { fixturePath, packageDir, repoRoot } from '../../harness/repo';

const root = packageDir();
const pkg = readPackageJson(root);
const version = n8nVersion();

/** Every workflow JSON the package ships (workflows/**) and the e2e fixtures import. */
function workflowFiles(): string[] {
	const out: string[] = [];
	const walk = (dir: string) => {
		if (!fs.existsSync(dir)) return;
		for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
			const full = path.join(dir, entry.name);
			if (entry.isDirectory()) walk(full);
			else if (entry.name.endsWith('.json')) out.push(full);
		}
	};
	walk(path.join(repoRoot(), 'workflows'));
	walk(path.join(repoRoot(), 'test', 'e2e', 'fixtures'));
	return out.sort();
}

describe(`${pkg.name} installed into real n8n ${version}`, () => {
	let instance: N8nInstance;
	let installed: string;
	let exported: Array<{ name: string; displayName: string; version: number | number[] }>;

	beforeAll(async () => {
		instance = await N8nInstance.create();
		installed = instance.installPackage(process.env.HALO_DATTO_PREPARED_PACKAGE as string);
		exported = await instance.exportNodes();
	}, 300_000);

	test(`the n8n under test is ${version}, on the Node.js its line needs`, async () => {
		const runtime = await n8nRuntime(version);
		expect(runtime.n8n).toBe(version);
		const nodeMajor = Number(runtime.node.replace(/^v/, '').split('.')[0]);
		if (n8nMajor(version) >= 2) {
			expect(nodeMajor).toBeGreaterThanOrEqual(24); // n8n 2.x refuses older Node
		} else {
			expect([20, 22, 24]).toContain(nodeMajor); // 1.123.x: node >= 20.19 <= 24.x
			// Without an isolated-vm build for this Node (Node 20), n8n 1.123 cannot start its default "vm" expression
			// engine; n8n-env.sh then selects "legacy" (README.md#supported-n8n-versions).
			if (nodeMajor === 20) expect(runtime.expressionEngine).toBe('legacy');
		}
	});

	test('every node of the shipped workflows and e2e fixtures has a type and typeVersion this n8n knows', () => {
		const known = new Map<string, Set<number>>();
		for (const n of exported) {
			const versions = Array.isArray(n.version) ? n.version : [n.version];
			const set = known.get(n.name) ?? new Set<number>();
			versions.forEach((v) => set.add(v));
			known.set(n.name, set);
		}
		const files = workflowFiles();
		let checked = 0;
		const unknown: string[] = [];
		for (const file of files) {
			const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
			for (const wf of Array.isArray(parsed) ? parsed : [parsed]) {
				const nodes = (wf as { nodes?: Array<{ name: string; type: string; typeVersion: number }> }).nodes;
				if (!Array.isArray(nodes)) continue;
				for (const n of nodes) {
					checked++;
					if (!known.get(n.type)?.has(n.typeVersion)) {
						const have = [...(known.get(n.type) ?? [])].sort((a, b) => a - b).join(', ') || 'unknown type';
						unknown.push(`${path.relative(repoRoot(), file)}: "${n.name}" ${n.type}@${n.typeVersion} (${version} has ${have})`);
					}
				}
			}
		}
		expect(files.some((f) => f.includes(`${path.sep}workflows${path.sep}`))).toBe(true);
		expect(checked).toBeGreaterThan(0);
		expect(unknown).toEqual([]);
	});

	test(`activation by the ${n8nMajor(version) >= 2 ? 'publish:workflow' : 'update:workflow --active=true'} CLI stores what the SQL shortcut stores`, async () => {
		const [id] = await instance.importWorkflows([fixturePath('probe.workflow.json')]);
		expect(id).toBe(PROBE_WORKFLOW_ID);
		const before = await instance.workflowActivation([id]);
		expect(before).toEqual([expect.objectContaining({ id, active: false, activeVersionId: null })]);
		await instance.publishWorkflows([id], { via: 'cli' });
		const cli = await instance.workflowActivation([id]);
		expect(cli[0].active).toBe(true);
		expect(cli[0].versionId).toBeTruthy();
		expect(cli[0].activeVersionId).toBe(cli[0].versionId);
	}, 120_000);

	afterAll(async () => {
		await instance?.stop();
	});

	test('package.json lists nodes and credentials, each built in dist/ with its icons', () => {
		const nodes = expectedNodeTypes(root);
		const credentials = expectedCredentialTypes(root);
		expect(nodes.length).toBeGreaterThan(0);
		expect(credentials.length).toBeGreaterThan(0);
		for (const file of [...(pkg.n8n?.nodes ?? []), ...(pkg.n8n?.credentials ?? [])]) {
			expect(file).toMatch(/^dist\//);
		}
		const icons = [...nodes, ...credentials].flatMap((t) => t.icons);
		for (const icon of icons) {
			expect({ icon, built: fs.existsSync(path.join(root, icon)) }).toEqual({ icon, built: true });
		}
	});

	test('the installed copy is what npm pack ships: built files, icons, runtime deps, no dev/peer deps', () => {
		const manifest = JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8'));
		expect(manifest.name).toBe(pkg.name);
		expect(manifest.devDependencies).toBeUndefined();
		expect(manifest.peerDependencies).toBeUndefined();
		for (const file of [...(pkg.n8n?.nodes ?? []), ...(pkg.n8n?.credentials ?? [])]) {
			expect({ file, shipped: fs.existsSync(path.join(installed, file)) }).toEqual({ file, shipped: true });
		}
		for (const t of [...expectedNodeTypes(root), ...expectedCredentialTypes(root)]) {
			for (const icon of t.icons) {
				expect({ icon, shipped: fs.existsSync(path.join(installed, icon)) }).toEqual({ icon, shipped: true });
			}
		}
		for (const dep of Object.keys(pkg.dependencies ?? {})) {
			expect({ dep, installed: fs.existsSync(path.join(installed, 'node_modules', dep, 'package.json')) }).toEqual({
				dep,
				installed: true,
			});
		}
		// Nothing but the declared files: no TypeScript sources, tests or simulators in the tarball.
		expect(fs.existsSync(path.join(installed, 'test'))).toBe(false);
		expect(fs.existsSync(path.join(installed, 'nodes'))).toBe(false);
		expect(fs.existsSync(path.join(installed, 'dist', 'simulators'))).toBe(false);
	});

	test('n8n export:nodes lists every node type of the package, and nothing else', () => {
		const check = checkNodeTypes(exported, root);
		expect(check.expected.length).toBeGreaterThan(0);
		expect(check.missing).toEqual([]);
		expect(check.unexpected).toEqual([]);
		expect(check.found).toEqual(check.expected);
		// n8n's own nodes loaded too (the export is of a working installation, not an empty list).
		expect(exported.some((n) => n.name === 'n8n-nodes-base.webhook')).toBe(true);
	});

	test('exported descriptions match the built classes (display names)', () => {
		for (const t of expectedNodeTypes(root)) {
			const found = exported.find((n) => n.name === t.type);
			expect(found?.displayName).toBe(t.displayName);
		}
	});
});
