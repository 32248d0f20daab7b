/* The demo's configuration: command line, DEMO_* ports and folders, real-tenant variables (HALO_*, DATTO_*), the simulators' credentials. */
import * as path from 'path';

import { cacheDir } from '../../harness/n8n/env';
import { repoRoot } from '../../harness/repo';
import { DemoError } from './output';

const HELP = `Usage: npm start [-- --reset]        (bash scripts/demo.sh [--reset] [--help])

Starts the HaloPSA and Datto RMM simulators and n8n with this package, its credentials and the shipped workflow,
prints the editor URL and login, and fires sample alerts so tickets open and close. Ctrl-C stops everything.

  --reset          delete the demo's n8n user folder first (owner, workflows, executions) and provision again

Environment (see README.md#demo):
  DEMO_N8N_PORT (5678; +1 is n8n's task broker), DEMO_HALO_PORT (5601), DEMO_DATTO_PORT (5602)
  DEMO_HOME (\${HALO_DATTO_CACHE:-~/.cache/n8n-nodes-halo-datto}/demo)   DEMO_WORKFLOW (workflows/datto-halo-self-healing.json)
  DEMO_EXIT_AFTER_SAMPLES=1  run the samples, check them, stop everything, exit 0/1
  DEMO_SAMPLES=0             no sample alerts (simulator mode)
  DEMO_SAMPLE_TIMEOUT_MS     how long each sample step may take (default 90000)
  DEMO_SITE_MAPPING=FILE     CSV or JSON (key,value) imported into the "sites" collection instead of the demo mapping
  Real tenants: HALO_INSTANCE_URL HALO_CLIENT_ID HALO_CLIENT_SECRET [HALO_TENANT HALO_HOSTING HALO_AUTH_URL
    HALO_RESOURCE_URL HALO_SCOPE HALO_WEBHOOK_USER HALO_WEBHOOK_PASSWORD]; DATTO_API_KEY DATTO_API_SECRET
    DATTO_PLATFORM|DATTO_API_URL [DATTO_WEBHOOK_SECRET]; DEMO_PUBLISH=1 DEMO_PUBLIC_URL DEMO_LISTEN_ADDRESS
`;

const HALO_REAL_VARS = [
	'HALO_INSTANCE_URL',
	'HALO_CLIENT_ID',
	'HALO_CLIENT_SECRET',
	'HALO_TENANT',
	'HALO_HOSTING',
	'HALO_AUTH_URL',
	'HALO_RESOURCE_URL',
	'HALO_SCOPE',
];
const DATTO_REAL_VARS = ['DATTO_API_KEY', 'DATTO_API_SECRET', 'DATTO_PLATFORM', 'DATTO_API_URL'];
const DATTO_PLATFORMS = ['pinotage', 'merlot', 'concord', 'vidal', 'zinfandel', 'syrah'];

/** Simulator credentials (the simulators are started with exactly these). */
export const SIM = {
	haloClientId: 'halo-demo-client',
	haloClientSecret: 'halo-demo-secret-0123456789abcdef',
	haloTenant: 'default',
	dattoApiKey: 'datto-demo-key',
	dattoApiSecret: 'datto-demo-secret',
	dattoWebhookSecret: 'demo-datto-webhook-secret',
	haloWebhookUser: 'halo-webhook',
	haloWebhookPassword: 'demo-halo-webhook-password',
	remediationToken: 'demo-remediation-token-0123456789',
	statusPagePassword: 'demo-status-page-password',
};

/** The status page's path under /webhook/ (workflows/setup/status-page.json) and its login user. */
export const STATUS_PAGE = { path: 'halo-datto-status', user: 'status', credential: { id: 'DemoStatusPage01', name: 'Status page login' } };

export interface Config {
	reset: boolean;
	exitAfterSamples: boolean;
	samples: boolean;
	n8nPort: number;
	haloPort: number;
	dattoPort: number;
	home: string;
	workflowFile: string;
	siteMappingFile?: string;
	haloReal: boolean;
	dattoReal: boolean;
	publish: boolean;
	env: Record<string, string>;
}

function envPort(name: string, fallback: number): number {
	const raw = process.env[name];
	if (!raw) return fallback;
	const n = Number(raw);
	if (!Number.isInteger(n) || n < 1 || n > 65534) throw new DemoError(`${name}=${raw} is not a port number`);
	return n;
}

export function readConfig(argv: string[]): Config | undefined {
	let reset = false;
	for (const arg of argv) {
		if (arg === '--reset') reset = true;
		else if (arg === '--help' || arg === '-h') {
			process.stdout.write(HELP);
			return undefined;
		} else throw new DemoError(`unknown argument ${arg} (try --help)`);
	}
	const set = (name: string) => Boolean(process.env[name]?.trim());
	const haloReal = HALO_REAL_VARS.some(set);
	const dattoReal = DATTO_REAL_VARS.some(set);
	const missing: string[] = [];
	if (haloReal) {
		for (const name of ['HALO_INSTANCE_URL', 'HALO_CLIENT_ID', 'HALO_CLIENT_SECRET'])
			if (!set(name)) missing.push(name);
		const hosting = process.env.HALO_HOSTING;
		if (hosting && hosting !== 'cloud' && hosting !== 'onPremise') {
			throw new DemoError(`HALO_HOSTING must be "cloud" or "onPremise", not "${hosting}"`);
		}
	}
	if (dattoReal) {
		for (const name of ['DATTO_API_KEY', 'DATTO_API_SECRET']) if (!set(name)) missing.push(name);
		if (!set('DATTO_PLATFORM') && !set('DATTO_API_URL')) missing.push('DATTO_PLATFORM or DATTO_API_URL');
		const platform = process.env.DATTO_PLATFORM;
		if (platform && !DATTO_PLATFORMS.includes(platform.toLowerCase())) {
			throw new DemoError(
				`DATTO_PLATFORM must be one of ${DATTO_PLATFORMS.join(', ')} (or set DATTO_API_URL)`,
			);
		}
	}
	if (missing.length > 0) {
		throw new DemoError(
			`real-tenant mode needs ${missing.join(', ')} (set ${haloReal ? 'HALO_*' : ''}${haloReal && dattoReal ? ' and ' : ''}` +
				`${dattoReal ? 'DATTO_*' : ''} completely, or unset them to use the simulators; see README.md#demo)`,
		);
	}
	const exitAfterSamples = process.env.DEMO_EXIT_AFTER_SAMPLES === '1';
	const real = haloReal || dattoReal;
	if (exitAfterSamples && real) {
		throw new DemoError(
			'DEMO_EXIT_AFTER_SAMPLES=1 runs the sample alerts, which are never sent to real tenants',
		);
	}
	const home = path.resolve(process.env.DEMO_HOME || path.join(cacheDir(), 'demo'));
	const env: Record<string, string> = {};
	if (process.env.DEMO_PUBLIC_URL) env.WEBHOOK_URL = process.env.DEMO_PUBLIC_URL.replace(/\/?$/, '/');
	if (process.env.DEMO_LISTEN_ADDRESS) env.N8N_LISTEN_ADDRESS = process.env.DEMO_LISTEN_ADDRESS;
	return {
		reset,
		exitAfterSamples,
		samples: !real && process.env.DEMO_SAMPLES !== '0',
		n8nPort: envPort('DEMO_N8N_PORT', 5678),
		haloPort: envPort('DEMO_HALO_PORT', 5601),
		dattoPort: envPort('DEMO_DATTO_PORT', 5602),
		home,
		workflowFile: path.resolve(
			process.env.DEMO_WORKFLOW || path.join(repoRoot(), 'workflows', 'datto-halo-self-healing.json'),
		),
		siteMappingFile: process.env.DEMO_SITE_MAPPING ? path.resolve(process.env.DEMO_SITE_MAPPING) : undefined,
		haloReal,
		dattoReal,
		publish: !real || process.env.DEMO_PUBLISH === '1',
		env,
	};
}
