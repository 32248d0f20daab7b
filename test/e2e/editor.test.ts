/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/*
 * Headless-Chromium check of the n8n editor (Debian's chromium at /usr/bin/chromium, driven by playwright-core;
 * scripts/install-chromium.sh installs it when missing). n8n starts with the packed package, the credentials fixture
 * and EVERY shipped workflow (all JSON files under workflows/, including workflows/postgres/), plus a control workflow
 * that holds an unknown node type and an unknown typeVersion of a known type. The test signs in as the owner through
 * the editor's sign-in form, opens each workflow on the canvas and checks that every node is a known, installed node:
 *
 *   - no `[data-test-id="node-not-installed"]` status icon (n8n 2.41.1 shows it, with a "?" icon and the NDV text
 *     "This node is not currently installed…", for node types it does not know);
 *   - no "?" icon placeholder, and every node icon image actually loaded (an unknown typeVersion of a known type gets
 *     no warning at all: only a broken icon image and no connection handles);
 *   - every node has its connection handles (unknown nodes have none);
 *   - the canvas shows exactly the workflow's nodes (names and types);
 *
 * and cross-checks through the REST API (owner cookie) that /types/nodes.json lists every node type at the version the
 * workflows use. The control workflow must fail both checks (so they can fail). A screenshot of each workflow goes to
 * test-results/editor/<workflow>.png.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

import { N8nInstance, OWNER } from '../../harness/n8n/instance';
import { fixturePath, repoRoot } from '../../harness/repo';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
/** The flags that work on these machines' closed network (see the machine notes), plus a fresh user-data dir. */
const CHROMIUM_FLAGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
];
/** The shipped workflows (E2E_WORKFLOWS_DIR: another folder of the same layout, to try out workflows being written). */
const WORKFLOWS_DIR = path.resolve(process.env.E2E_WORKFLOWS_DIR || path.join(repoRoot(), 'workflows'));
const SCREENSHOTS = path.join(repoRoot(), 'test-results', 'editor');
const PKG = 'n8n-nodes-halo-datto';

interface WorkflowNode {
	name: string;
	type: string;
	typeVersion: number;
}
interface WorkflowFile {
	/** Screenshot name: the path under workflows/ without .json, "/" → "-". */
	label: string;
	file: string;
	id: string;
	name: string;
	nodes: WorkflowNode[];
}

function shippedWorkflows(dir = WORKFLOWS_DIR): WorkflowFile[] {
	if (!fs.existsSync(dir)) return [];
	const out: WorkflowFile[] = [];
	for (const entry of fs
		.readdirSync(dir, { withFileTypes: true })
		.sort((a, b) => a.name.localeCompare(b.name))) {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) out.push(...shippedWorkflows(full));
		else if (entry.name.endsWith('.json')) {
			const json = JSON.parse(fs.readFileSync(full, 'utf8')) as {
				id: string;
				name: string;
				nodes: WorkflowNode[];
			};
			const label = path
				.relative(WORKFLOWS_DIR, full)
				.replace(/\.json$/, '')
				.split(path.sep)
				.join('-');
			out.push({ label, file: full, id: json.id, name: json.name, nodes: json.nodes });
		}
	}
	return out;
}

/** A workflow that MUST be flagged: an unknown node type of this package and an unknown typeVersion of a known one. */
const CONTROL = {
	id: 'EditorControl001',
	name: 'Editor check control (unknown nodes)',
	active: false,
	settings: { executionOrder: 'v1' },
	connections: {},
	nodes: [
		{
			id: 'e0c0a001-0000-4000-8000-000000000001',
			name: 'Ghost node',
			type: `${PKG}.doesNotExist`,
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
		},
		{
			id: 'e0c0a001-0000-4000-8000-000000000002',
			name: 'Future HaloPSA',
			type: `${PKG}.haloPsa`,
			typeVersion: 99,
			position: [300, 0],
			parameters: {},
		},
		{
			id: 'e0c0a001-0000-4000-8000-000000000003',
			name: 'Known NoOp',
			type: 'n8n-nodes-base.noOp',
			typeVersion: 1,
			position: [600, 0],
			parameters: {},
		},
	],
};

const STICKY = 'n8n-nodes-base.stickyNote';

interface CanvasNode {
	name: string;
	type: string;
	notInstalled: boolean;
	placeholderIcon: boolean;
	icons: Array<{ src: string; loaded: boolean }>;
	handles: number;
}

/** What the canvas shows, once every expected node is rendered and every icon image has finished loading. */
async function readCanvas(page: Page, expectedNodes: number, label: string): Promise<CanvasNode[]> {
	try {
		await page.waitForFunction(
			(count) => {
				const nodes = document.querySelectorAll('[data-test-id="canvas-node"]');
				if (nodes.length < count) return false;
				return [...document.querySelectorAll('[data-test-id="canvas-node"] .n8n-node-icon img')].every(
					(img) => (img as HTMLImageElement).complete,
				);
			},
			expectedNodes,
			{ timeout: 60_000, polling: 200 },
		);
	} catch (error) {
		const state = await page
			.evaluate(() => ({
				url: location.href,
				nodes: document.querySelectorAll('[data-test-id="canvas-node"]').length,
				pendingIcons: [...document.querySelectorAll('[data-test-id="canvas-node"] .n8n-node-icon img')]
					.filter((img) => !(img as HTMLImageElement).complete)
					.map((img) => img.getAttribute('src')),
				text: document.body.innerText.slice(0, 300),
			}))
			.catch((e: Error) => ({ error: e.message }));
		await page.screenshot({ path: path.join(SCREENSHOTS, `FAILED-${label}.png`) }).catch(() => undefined);
		throw new Error(
			`${(error as Error).message}\nexpected ${expectedNodes} canvas nodes; page: ${JSON.stringify(state)}`,
		);
	}
	await page.waitForTimeout(500); // status icons render right after the nodes
	return await page.$$eval('[data-test-id="canvas-node"]', (elements) =>
		elements.map((el) => ({
			name: el.getAttribute('data-node-name') ?? '',
			type: el.getAttribute('data-node-type') ?? '',
			notInstalled: el.querySelector('[data-test-id="node-not-installed"]') !== null,
			placeholderIcon: el.querySelector('[class*="nodeIconPlaceholder"]') !== null,
			icons: [...el.querySelectorAll('.n8n-node-icon img')].map((img) => ({
				src: (img as HTMLImageElement).getAttribute('src') ?? '',
				loaded: (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth > 0,
			})),
			handles: el.querySelectorAll(
				'[data-test-id="canvas-node-input-handle"], [data-test-id="canvas-node-output-handle"]',
			).length,
		})),
	);
}

/** Why a canvas node is not a known, installed node (empty when it is). */
function problems(node: CanvasNode): string[] {
	const out: string[] = [];
	if (node.notInstalled) out.push('marked "not installed"');
	if (node.placeholderIcon) out.push('"?" icon');
	for (const icon of node.icons.filter((i) => !i.loaded))
		out.push(`icon ${icon.src || '(no src)'} did not load`);
	if (node.icons.length === 0 && !node.placeholderIcon && node.type.startsWith(`${PKG}.`))
		out.push('no icon');
	if (node.handles === 0) out.push('no connection handles');
	return out;
}

async function openWorkflow(
	page: Page,
	baseUrl: string,
	id: string,
	expectedNodes: number,
	label: string,
): Promise<CanvasNode[]> {
	await page.goto(`${baseUrl}/workflow/${id}`);
	return await readCanvas(page, expectedNodes, label);
}

describe('n8n editor in headless Chromium: every shipped workflow opens with known nodes only', () => {
	const workflows = shippedWorkflows();
	let n8n: N8nInstance;
	let context: BrowserContext | undefined;
	let page: Page;
	let userDataDir: string | undefined;
	let knownTypes: Map<string, Set<number>>;

	beforeAll(async () => {
		if (!fs.existsSync(CHROMIUM)) {
			// scripts/e2e.sh runs it too; this covers running this file alone.
			execFileSync('bash', [path.join(repoRoot(), 'scripts', 'install-chromium.sh')], { stdio: 'inherit' });
		}
		if (workflows.length === 0) throw new Error(`no workflow JSON under ${WORKFLOWS_DIR}`);
		n8n = await N8nInstance.create();
		await n8n.provision({
			credentials: [fixturePath('credentials.template.json')],
			workflows: [...workflows.map((w) => w.file), CONTROL],
			publish: [],
			// Nothing listens there: the editor check never runs the workflows.
			vars: { HALO_URL: 'http://127.0.0.1:9', DATTO_URL: 'http://127.0.0.1:9' },
		});
		await n8n.start();
		await n8n.setupOwner(); // owner account (REST); the browser signs in through the form below

		const nodes = await n8n.asOwner('GET', '/types/nodes.json');
		expect(nodes.status).toBe(200);
		knownTypes = new Map();
		for (const t of nodes.json as Array<{ name: string; version: number | number[] }>) {
			const versions = knownTypes.get(t.name) ?? new Set<number>();
			for (const v of Array.isArray(t.version) ? t.version : [t.version]) versions.add(v);
			knownTypes.set(t.name, versions);
		}

		userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chromium-profile-'));
		context = await chromium.launchPersistentContext(userDataDir, {
			executablePath: CHROMIUM,
			headless: true,
			args: CHROMIUM_FLAGS,
			viewport: { width: 1920, height: 1200 },
		});
		page = context.pages()[0] ?? (await context.newPage());
		page.setDefaultTimeout(60_000);
		fs.rmSync(SCREENSHOTS, { recursive: true, force: true });
		fs.mkdirSync(SCREENSHOTS, { recursive: true });
	}, 300_000);

	afterAll(async () => {
		await context?.close().catch(() => undefined);
		if (userDataDir) fs.rmSync(userDataDir, { recursive: true, force: true });
		await n8n?.stop();
	});

	const unknownTypes = (nodes: WorkflowNode[]) =>
		nodes
			.filter((n) => !knownTypes.get(n.type)?.has(n.typeVersion))
			.map(
				(n) =>
					`${n.name}: ${n.type} v${n.typeVersion}${knownTypes.has(n.type) ? ` (n8n has v${[...knownTypes.get(n.type)!].join(', v')})` : ' (unknown type)'}`,
			);

	test('the REST API (owner cookie) lists every node type at the version the shipped workflows use', () => {
		expect(workflows.map((w) => w.label)).toContain('datto-halo-sync');
		for (const wf of workflows) {
			expect({ workflow: wf.label, unknown: unknownTypes(wf.nodes) }).toEqual({
				workflow: wf.label,
				unknown: [],
			});
		}
		// The package's own types are really checked (not only n8n's core types), and the control fails.
		expect(workflows.flatMap((w) => w.nodes).some((n) => n.type.startsWith(`${PKG}.`))).toBe(true);
		expect(unknownTypes(CONTROL.nodes as WorkflowNode[])).toEqual([
			`Ghost node: ${PKG}.doesNotExist v1 (unknown type)`,
			expect.stringMatching(new RegExp(`^Future HaloPSA: ${PKG}\\.haloPsa v99 \\(n8n has v1`)),
		]);
	});

	test('signs in as the owner through the editor sign-in form', async () => {
		await page.goto(`${n8n.baseUrl}/signin`);
		await page.locator('input[name="emailOrLdapLoginId"]').fill(OWNER.email);
		await page.locator('input[name="password"]').fill(OWNER.password);
		await page.locator('[data-test-id="form-submit-button"]').click();
		await page.waitForURL((url) => !url.pathname.startsWith('/signin'), { timeout: 60_000 });
		const cookies = await context!.cookies(n8n.baseUrl);
		expect(cookies.map((c) => c.name)).toContain('n8n-auth');
		// The editor's own session works for the REST API. n8n binds the session to the browser-id header the editor
		// sends (from localStorage); a request without it gets 401 AND clears the auth cookie.
		const me = await page.evaluate(async () => {
			const res = await fetch('/rest/login', {
				credentials: 'include',
				headers: { 'browser-id': localStorage.getItem('n8n-browserId') ?? '' },
			});
			return { status: res.status, email: ((await res.json()) as { data?: { email?: string } }).data?.email };
		});
		expect(me).toEqual({ status: 200, email: OWNER.email });
	});

	test('the control workflow is flagged: unknown type and unknown version', async () => {
		const canvas = await openWorkflow(page, n8n.baseUrl, CONTROL.id, CONTROL.nodes.length, '_control');
		const byName = Object.fromEntries(canvas.map((n) => [n.name, problems(n)]));
		expect(byName['Ghost node']).toEqual(
			expect.arrayContaining(['marked "not installed"', '"?" icon', 'no connection handles']),
		);
		expect(byName['Future HaloPSA'].length).toBeGreaterThan(0);
		expect(byName['Future HaloPSA']).toContain('no connection handles');
		expect(byName['Known NoOp']).toEqual([]);
		await page.screenshot({ path: path.join(SCREENSHOTS, '_control-unknown-nodes.png') });
	});

	for (const wf of shippedWorkflows()) {
		test(`opens workflows/${path.relative(WORKFLOWS_DIR, wf.file)} with every node known, and saves a screenshot`, async () => {
			const expected = wf.nodes.filter((n) => n.type !== STICKY);
			const canvas = await openWorkflow(page, n8n.baseUrl, wf.id, expected.length, wf.label);
			expect(canvas.map((n) => `${n.name} (${n.type})`).sort()).toEqual(
				expected.map((n) => `${n.name} (${n.type})`).sort(),
			);
			const bad = canvas
				.map((n) => ({ node: n.name, problems: problems(n) }))
				.filter((n) => n.problems.length > 0);
			expect(bad).toEqual([]);
			// Zoom to fit (the default on open) and capture the canvas.
			const file = path.join(SCREENSHOTS, `${wf.label}.png`);
			await page.screenshot({ path: file });
			expect(fs.statSync(file).size).toBeGreaterThan(10_000);
		});
	}
});
