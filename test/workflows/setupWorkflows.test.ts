/**
 * The setup workflows (workflows/setup/*.json): the committed files are what scripts/workflows/setup.ts builds, and
 * every node uses an operation / parameter the package's nodes know.
 */
import * as fs from 'fs';
import * as path from 'path';

import { serialiseWorkflow } from '../../scripts/workflows/definition';
import { buildSetupWorkflows, STATUS_PAGE_PATH } from '../../scripts/workflows/setup';
import { SyncPolicy } from '../../nodes/SyncPolicy/SyncPolicy.node';

const root = path.resolve(__dirname, '../..');

describe('setup workflows', () => {
	const built = buildSetupWorkflows();

	test.each(built.map((b) => [b.file, b]))('%s is what scripts/workflows/setup.ts builds', (file, b) => {
		const text = fs.readFileSync(path.join(root, file), 'utf8');
		expect(text).toBe(serialiseWorkflow(b.workflow));
	});

	test('workflows/setup holds exactly the built files', () => {
		const files = fs.readdirSync(path.join(root, 'workflows', 'setup')).map((f) => `workflows/setup/${f}`).sort();
		expect(files).toEqual(built.map((b) => b.file).sort());
	});

	test('the Sync Policy nodes use operations the node offers; the status page answers GET with Basic auth', () => {
		const operations = (new SyncPolicy().description.properties.find((p) => p.name === 'operation')?.options ?? []).map((o) => (o as { value: string }).value);
		const nodes = built.flatMap((b) => b.workflow.nodes);
		for (const n of nodes.filter((x) => x.type.endsWith('.syncPolicy'))) expect(operations).toContain(n.parameters.operation);
		const hook = nodes.find((n) => n.type === 'n8n-nodes-base.webhook');
		expect(hook?.parameters).toMatchObject({ httpMethod: 'GET', path: STATUS_PAGE_PATH, authentication: 'basicAuth', responseMode: 'responseNode' });
		for (const b of built) {
			const names = new Set(b.workflow.nodes.map((n) => n.name));
			for (const [from, { main }] of Object.entries(b.workflow.connections)) {
				expect(names.has(from)).toBe(true);
				for (const c of main.flat()) expect(names.has(c.node)).toBe(true);
			}
		}
	});
});
