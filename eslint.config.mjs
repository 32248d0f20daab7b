// n8n community-node rules in their non-cloud configuration: this package has runtime dependencies
// (axios, zod, pg) and is meant for self-hosted n8n, so package.json sets "n8n.strict": false.
import { configWithoutCloudSupport } from '@n8n/node-cli/eslint';

export default [
	...configWithoutCloudSupport,
	{ ignores: ['dist/**', 'test/**', 'simulators/**', 'bench/**', 'scripts/**', '**/*.test.ts', 'gulpfile.js', 'index.js', 'jest.config.js', 'jest.e2e.config.js', '.e2e/**'] },
	{
		// configWithoutCloudSupport still forbids any "dependencies" (a rule written for n8n Cloud's verified packages).
		// Self-hosted n8n installs a community package's runtime dependencies (npm install --ignore-scripts, verified by
		// test/e2e/package-load.test.ts), and this package needs axios, zod and pg at runtime, so the rule is off.
		files: ['package.json'],
		rules: { '@n8n/community-nodes/no-runtime-dependencies': 'off' },
	},
	{
		// nodes/shared (transport, domain, mapping store) has no node context (no this.getNode()): by design it throws
		// ApiRequestError and its own typed errors, and nodes/shared/transport/n8n.ts plus each node's router turn those
		// into NodeApiError / NodeOperationError. The rule stays on for the node folders (nodes/<Node>/**).
		files: ['nodes/shared/**/*.ts'],
		rules: { '@n8n/community-nodes/require-node-api-error': 'off' },
	},
	{
		// Conventional escape hatch for deliberately unused parameters (interface-shaped callbacks): prefix with _.
		files: ['**/*.ts'],
		rules: {
			'@typescript-eslint/no-unused-vars': [
				'error',
				{ argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
			],
		},
	},
];
