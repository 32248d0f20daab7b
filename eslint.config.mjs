// ESLint over the whole repository (npm run lint = eslint .).
// - nodes/ and credentials/ (the product) and package.json: n8n's community-node rules in their non-cloud
//   configuration (this package has runtime dependencies — axios, zod, pg — and is meant for self-hosted n8n, so
//   package.json sets "n8n.strict": false).
// - everything else (test/, harness/, scripts/, bench/, simulators/, the repository's .js/.mjs files): the same
//   JavaScript + typescript-eslint recommended rules and import checks, without the rules that only make sense for
//   code running inside n8n (listed below with the reason).
import { configWithoutCloudSupport } from '@n8n/node-cli/eslint';
import js from '@eslint/js';
import globals from 'globals';

const PRODUCT = ['nodes/**/*.ts', 'credentials/**/*.ts'];
const COMMUNITY_PLUGIN = '@n8n/community-nodes';

// n8n's config applies every block to **/*.ts; the community-node rules (restricted globals such as setTimeout,
// require-node-api-error, no-http-request-with-manual-auth, ...) describe code that runs inside n8n, so they are scoped
// to the product folders. The JS/TS recommended rules and import checks stay on for every TypeScript file.
const n8nConfig = configWithoutCloudSupport.map((block) => {
	const isAllTs = Array.isArray(block.files) && block.files.length === 1 && block.files[0] === '**/*.ts';
	const isCommunity = block.plugins && COMMUNITY_PLUGIN in block.plugins;
	return isAllTs && isCommunity ? { ...block, files: PRODUCT } : block;
});

export default [
	{
		ignores: ['dist/**', '.e2e/**', 'node_modules/**', 'bench/results/**', 'workflows/**', 'docs/**'],
	},
	...n8nConfig,
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
	{
		// Tests, harness, benchmarks, simulators and CLIs are not loaded by n8n.
		files: ['test/**/*.ts', 'harness/**/*.ts', 'scripts/**/*.ts', 'bench/**/*.ts', 'simulators/**/*.ts'],
		rules: {
			// CLIs and benchmarks report on the console (n8n's no-console exists because n8n owns a node's logging).
			'no-console': 'off',
		},
	},
	{
		// Plain JavaScript of the repository (configs, gulpfile, index.js, harness scripts that n8n runs, benchmarks).
		files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
		...js.configs.recommended,
		languageOptions: { globals: { ...globals.node }, sourceType: 'commonjs' },
	},
	{
		files: ['**/*.mjs'],
		languageOptions: { sourceType: 'module' },
	},
];
