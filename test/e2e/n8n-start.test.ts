/*
 * The runtime harness against real n8n: a fresh user folder with the packed package, the credentials fixture and the
 * probe workflow (Webhook -> Respond to Webhook), published by CLI, n8n started on its own ports; the probe webhook
 * answers 200, the running n8n knows every node and credential type of the package and serves their icons, the
 * public API (owner + API key) lists the probe execution, and stop() leaves no process and no port behind.
 */
import * as fs from 'fs';
import { httpRequest } from '../../harness/http';
import { N8nInstance, PROBE_PATH, PROBE_WORKFLOW_ID } from '../../harness/n8n/instance';
import { expectedCredentialTypes, expectedNodeTypes, readPackageJson } from '../../harness/n8n/package';
import { fixturePath, packageDir } from '../../harness/repo';
import { portAnswers } from '../../harness/ports';

const root = packageDir();
const pkg = readPackageJson(root);
const credentialsFixture = process.env.E2E_CREDENTIALS_FIXTURE || fixturePath('credentials.template.json');

describe('n8n with the package, started by the harness', () => {
	let n8n: N8nInstance;

	beforeAll(async () => {
		n8n = await N8nInstance.create();
		await n8n.provision({
			credentials: [credentialsFixture],
			// Nothing listens there: these tests only check that the credentials import and are typed correctly.
			vars: { HALO_URL: 'http://127.0.0.1:9', DATTO_URL: 'http://127.0.0.1:9' },
		});
		await n8n.start();
		await n8n.createApiKey();
	}, 300_000);

	afterAll(async () => {
		await n8n?.stop();
	});

	test('the probe webhook answers 200 with the Respond to Webhook body', async () => {
		const res = await n8n.webhook(PROBE_PATH, { hello: 'world' });
		expect(res.status).toBe(200);
		expect(res.json).toEqual({ probe: 'ok' });
		// An unknown production webhook is a 404: the 200 above is the published probe, not a catch-all.
		expect((await n8n.webhook('no-such-hook-for-the-harness')).status).toBe(404);
	});

	test('the public API (owner + API key) lists the probe executions as successful webhook runs', async () => {
		const workflow = await n8n.api('GET', `/workflows/${PROBE_WORKFLOW_ID}`);
		expect(workflow.status).toBe(200);
		expect((workflow.json as { active: boolean }).active).toBe(true);
		const executions = await n8n.waitForExecutions({ workflowId: PROBE_WORKFLOW_ID, count: 1, timeoutMs: 20_000 });
		expect(executions.length).toBeGreaterThan(0);
		expect(executions.every((e) => e.mode === 'webhook' && e.status === 'success')).toBe(true);
		const denied = await httpRequest('GET', `${n8n.baseUrl}/api/v1/executions`, { headers: { 'X-N8N-API-KEY': 'wrong' } });
		expect(denied.status).toBe(401);
	});

	test('the running n8n knows every node type and credential type of the package', async () => {
		await n8n.setupOwner();
		const nodes = await n8n.asOwner('GET', '/types/nodes.json');
		expect(nodes.status).toBe(200);
		const nodeNames = new Set((nodes.json as Array<{ name: string }>).map((n) => n.name));
		const expected = expectedNodeTypes(root);
		expect(expected.length).toBeGreaterThan(0);
		expect(expected.map((t) => t.type).filter((t) => !nodeNames.has(t))).toEqual([]);

		const creds = await n8n.asOwner('GET', '/types/credentials.json');
		expect(creds.status).toBe(200);
		const credNames = new Set((creds.json as Array<{ name: string }>).map((c) => c.name));
		const expectedCreds = expectedCredentialTypes(root).map((c) => c.name);
		expect(expectedCreds.length).toBeGreaterThan(0);
		expect(expectedCreds.filter((c) => !credNames.has(c))).toEqual([]);
	});

	test('the imported fixture credentials exist with types of this package', async () => {
		const fixture = JSON.parse(fs.readFileSync(credentialsFixture, 'utf8')) as Array<{ id: string; type: string }>;
		const res = await n8n.rest('GET', '/credentials');
		expect(res.status).toBe(200);
		const stored = (res.json as { data: Array<{ id: string; type: string }> }).data;
		const known = new Set(expectedCredentialTypes(root).map((c) => c.name));
		for (const cred of fixture) {
			expect(known.has(cred.type)).toBe(true);
			expect(stored.find((s) => s.id === cred.id)?.type).toBe(cred.type);
		}
	});

	test('n8n serves every node icon of the package', async () => {
		for (const t of expectedNodeTypes(root)) {
			for (const icon of t.icons) {
				const res = await httpRequest('GET', `${n8n.baseUrl}/icons/${pkg.name}/${icon}`);
				expect({ icon, status: res.status }).toEqual({ icon, status: 200 });
				expect(res.text).toContain('<svg');
			}
		}
	});

	test('stop() ends n8n and its task runner and frees both ports', async () => {
		const { port, pid } = n8n;
		const folder = n8n.userFolder;
		expect(pid).toBeDefined();
		await n8n.stop();
		expect(n8n.running).toBe(false);
		// No process left in n8n's process group (main process and task runner).
		expect(() => process.kill(-(pid as number), 0)).toThrow(/ESRCH/);
		expect(await portAnswers(port)).toBe(false);
		expect(await portAnswers(port + 1)).toBe(false);
		expect(fs.existsSync(folder)).toBe(process.env.E2E_KEEP === '1');
	});
});
