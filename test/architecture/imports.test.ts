/**
 * The layering of docs/design.md#layers stays true: the rules of importRules.ts hold on the repository, and each rule
 * is shown to bite on a fixture that breaks it.
 */
import * as path from 'path';

import { describeViolations, findImportViolations, parseImports } from './importRules';
import { tempTree } from '../../harness/tempTree';

const repo = path.resolve(__dirname, '..', '..');

describe('import direction', () => {
	it('the repository breaks no rule', () => {
		const violations = findImportViolations(repo);
		expect(describeViolations(violations)).toBe('');
	});

	it('a node folder importing another node folder is reported', () => {
		const root = tempTree('import-rules-', {
			'nodes/SyncPolicy/actions/x.ts': "import { findAlertTicket } from '../../HaloPsa/actions/ticket/find';\n",
			'nodes/HaloPsa/actions/ticket/find.ts': 'export const findAlertTicket = 1;\n',
		});
		expect(findImportViolations(root)).toEqual([
			{ file: 'nodes/SyncPolicy/actions/x.ts', imports: 'nodes/HaloPsa/actions/ticket/find.ts', rule: 'node-to-node' },
		]);
	});

	it('nodes/shared importing a node folder is reported', () => {
		const root = tempTree('import-rules-', {
			'nodes/shared/halo/a.ts': "export { x } from '../../MappingStore/b';\n",
			'nodes/MappingStore/b.ts': 'export const x = 1;\n',
		});
		expect(findImportViolations(root).map((v) => v.rule)).toEqual(['shared-to-node']);
	});

	it('a pure layer loading n8n-workflow through another shared file is reported with the chain', () => {
		const root = tempTree('import-rules-', {
			'nodes/shared/policy/runtime/runner.ts': "import { y } from '../../n8n/glue';\nimport type { INode } from 'n8n-workflow';\n",
			'nodes/shared/n8n/glue.ts': "import { NodeApiError } from 'n8n-workflow';\nexport const y = NodeApiError;\n",
		});
		const violations = findImportViolations(root);
		expect(violations).toEqual([
			{
				file: 'nodes/shared/policy/runtime/runner.ts',
				imports: 'n8n-workflow',
				rule: 'pure-layer-loads-n8n',
				via: ['nodes/shared/policy/runtime/runner.ts', 'nodes/shared/n8n/glue.ts'],
			},
		]);
	});

	it('the policy layer loading axios is reported; type-only imports are not', () => {
		const root = tempTree('import-rules-', {
			'nodes/shared/policy/a.ts': "import axios from 'axios';\nimport { type HaloClient } from '../transport/halo';\n",
			'nodes/shared/transport/halo/index.ts': "import axios from 'axios';\nexport type HaloClient = typeof axios;\n",
		});
		expect(findImportViolations(root).map((v) => `${v.rule} ${v.imports}`)).toEqual(['policy-loads-http axios']);
	});

	it('parses import forms', () => {
		expect(
			parseImports(
				"import a from 'a';\nimport type { B } from 'b';\nimport { type C, type D } from 'c';\nexport * from './e';\nimport 'side';\nconst f = require('f');\n// import x from 'commented';\n",
			),
		).toEqual([
			{ specifier: 'a', typeOnly: false },
			{ specifier: 'b', typeOnly: true },
			{ specifier: 'c', typeOnly: true },
			{ specifier: './e', typeOnly: false },
			{ specifier: 'side', typeOnly: false },
			{ specifier: 'f', typeOnly: false },
		]);
	});
});
