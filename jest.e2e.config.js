/**
 * End-to-end tests against real n8n (see README.md#running-the-tests). Run through `npm run test:e2e` (scripts/e2e.sh), which
 * installs n8n into the cache when missing and builds first. Jest runs on the system Node; n8n runs on the Node that
 * scripts/n8n-env.sh selects. Each test file starts at most one n8n (beforeAll) on its own ports and user folder.
 * E2E_WORKERS sets how many test files (n8n instances) run in parallel (default 1 on 2-core machines, else 2).
 * N8N_VERSION selects the n8n line under test (default 2.41.1); scripts/e2e.sh runs this project once per version
 * (N8N_VERSIONS, default "2.41.1 1.123.81"), and the version shows in jest's output ("e2e n8n 1.123.81").
 */
const os = require('os');

/** @type {import('jest').Config} */
module.exports = {
	displayName: `e2e n8n ${process.env.N8N_VERSION || '2.41.1'}`,
	testEnvironment: 'node',
	roots: ['<rootDir>/test/e2e'],
	testMatch: ['**/*.test.ts'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }],
	},
	globalSetup: '<rootDir>/test/e2e/setup/globalSetup.ts',
	globalTeardown: '<rootDir>/test/e2e/setup/globalTeardown.ts',
	testTimeout: 180000,
	maxWorkers: Number(process.env.E2E_WORKERS) || (os.cpus().length > 2 ? 2 : 1),
};
