/**
 * The harness's place in the import graph (docs/testing.md#the-harness-harness): tests, benchmarks and scripts import
 * the harness; the harness imports neither tests nor benchmarks; the product (nodes/, credentials/) imports none of
 * them. Checked on the repository and shown to bite on a fixture.
 */
import * as fs from 'fs';
import * as path from 'path';

import { listTs, parseImports } from './importRules';
import { tempTree } from '../../harness/tempTree';

const repo = path.resolve(__dirname, '..', '..');

/** Folders whose TypeScript files may not import from the listed top-level folders. */
const FORBIDDEN: Array<{ from: string; to: string[] }> = [
	{ from: 'harness', to: ['test', 'bench'] },
	{ from: 'nodes', to: ['harness', 'test', 'bench', 'scripts', 'simulators'] },
	{ from: 'credentials', to: ['harness', 'test', 'bench', 'scripts', 'simulators'] },
];

/** `file → imported folder/file` for every relative import that crosses into a forbidden top-level folder. */
function harnessViolations(root: string): string[] {
	const out: string[] = [];
	for (const { from, to } of FORBIDDEN) {
		for (const file of listTs(path.join(root, from))) {
			for (const { specifier } of parseImports(fs.readFileSync(file, 'utf8'))) {
				if (!specifier.startsWith('.')) continue;
				const target = path.relative(root, path.resolve(path.dirname(file), specifier)).split(path.sep).join('/');
				if (to.includes(target.split('/')[0])) out.push(`${path.relative(root, file).split(path.sep).join('/')} → ${target}`);
			}
		}
	}
	return out.sort();
}

describe('harness import direction', () => {
	it('the repository breaks no rule', () => {
		expect(harnessViolations(repo)).toEqual([]);
	});

	it('the harness importing a test or benchmark file, and a node importing the harness, are reported', () => {
		const root = tempTree('harness-imports-', {
			'harness/n8n/instance.ts': "import { x } from '../../test/e2e/fixtures/sync';\nimport { y } from '../processes';\n",
			'harness/processes.ts': "import type { Z } from '../bench/lib';\n",
			'nodes/HaloPsa/a.ts': "import { sleep } from '../../harness/wait';\n",
			'test/e2e/x.test.ts': "import { N8nInstance } from '../../harness/n8n/instance';\n",
		});
		expect(harnessViolations(root)).toEqual([
			'harness/n8n/instance.ts → test/e2e/fixtures/sync',
			'harness/processes.ts → bench/lib',
			'nodes/HaloPsa/a.ts → harness/wait',
		]);
	});
});
