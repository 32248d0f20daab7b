/*
 * The one-command demo (`npm start` = scripts/demo.sh, which builds and installs n8n first, then runs this file as
 * dist/scripts/demo.js). See README.md#demo.
 *
 * Simulator mode (default): starts the HaloPSA and Datto RMM simulators, starts n8n with the packed package, the
 * credentials (pointing at the simulators) and the shipped self-healing workflow (workflows/datto-halo-self-healing.json:
 * the all-in-one lifecycle plus self-healing) published, in a persistent user folder under the cache (provisioned only
 * when absent; --reset starts fresh), creates the owner, seeds the site → client mapping (and one remediation rule)
 * through the workflow's Mapping Store "Import" operation, then fires sample alerts through the Datto simulator's
 * webhooks and prints what happened in both systems (sample B is fixed by a Datto component). Stays up until
 * Ctrl-C; DEMO_EXIT_AFTER_SAMPLES=1 exits instead (0 only when every expected ticket opened and closed).
 *
 * Real mode: with HALO_* and/or DATTO_* tenant variables set, that side's credentials point at the real system and
 * its simulator is not started; no sample alerts are fired, and the workflow is published only with DEMO_PUBLISH=1.
 *
 * main() below runs the steps in order; they live in scripts/demo/: config.ts (command line and DEMO_* settings),
 * steps.ts (each step), credentials.ts, workflow.ts (the workflow copy and the mapping seeder), samples.ts (sample
 * alerts and the result table), data.ts (demo sites, devices, samples), api.ts (simulator calls), output.ts.
 */
import * as fs from 'fs';

import { N8nInstance } from '../harness/n8n/instance';
import { readConfig } from './demo/config';
import { buildCredentials, loadSecrets } from './demo/credentials';
import { DemoError, bold, dim, elapsed, green, red, say } from './demo/output';
import { checkStatusPage, runSamples } from './demo/samples';
import {
	StateFile,
	announce,
	checkPortsFree,
	demoFolder,
	loadWorkflow,
	packageToInstall,
	prepareMapping,
	printLogin,
	printRealTenantHints,
	provisionOrUpdate,
	running,
	startN8n,
	startSimulators,
	stopAll,
	stopOnSignals,
	whenStopped,
	wireSimulators,
} from './demo/steps';
import {
	mappingValueKeys,
	prepareMappingSeeder,
	prepareRemediationRules,
	siteMappingRows,
	webhookPath,
} from './demo/workflow';

async function main(argv: string[]): Promise<number> {
	const cfg = readConfig(argv);
	if (!cfg) return 0;
	const real = cfg.haloReal || cfg.dattoReal;
	if (process.env.DEMO_VERBOSE !== '1') process.env.N8N_HARNESS_QUIET = '1';
	stopOnSignals();
	const folder = demoFolder(cfg, real);
	announce(cfg, real);
	await checkPortsFree(cfg);
	const { workflow, dattoTrigger, haloTrigger, statusPage } = loadWorkflow(cfg);
	const { urls, haloInfo } = await startSimulators(cfg);

	// n8n: provision when the user folder has no database yet, else bring it up to date.
	const secrets = loadSecrets(cfg, folder);
	const n8n = await N8nInstance.create({ port: cfg.n8nPort, userFolder: folder, env: cfg.env });
	running.n8n = n8n;
	const credentials = buildCredentials(workflow, cfg, urls, secrets);
	const mappingKeys = workflow ? mappingValueKeys(workflow) : { clientKey: 'clientId', siteKey: 'siteId' };
	const mapping = workflow ? siteMappingRows(cfg, mappingKeys) : undefined;
	const seeder = workflow && mapping ? prepareMappingSeeder(workflow, mapping.json) : undefined;
	// Simulator mode: one remediation rule, so sample B shows self-healing (real tenants keep the shipped, empty table).
	const selfHealing = Boolean(workflow && seeder && !real && prepareRemediationRules(workflow, seeder));
	const stateFile = new StateFile(folder);
	const firstRun = !n8n.hasDatabase;
	const { prepared, own } = await packageToInstall(cfg, folder, firstRun, stateFile.state);
	const demo = { cfg, real, folder, workflow, firstRun };
	const workflowCurrent = await provisionOrUpdate(n8n, demo, stateFile.state, credentials, prepared);
	if (own && prepared) fs.rmSync(prepared, { recursive: true, force: true });
	stateFile.save();
	await prepareMapping(n8n, { ...demo, workflowCurrent }, mapping, seeder, selfHealing);

	const hooks = {
		datto: workflow && dattoTrigger ? webhookPath(workflow, dattoTrigger, 'datto-alert') : undefined,
		halo: workflow && haloTrigger ? webhookPath(workflow, haloTrigger, 'halo') : undefined,
	};
	await startN8n(n8n, cfg, workflow, hooks.datto, stateFile);
	const login = statusPage ? { password: secrets.statusPagePassword } : undefined;
	printLogin(n8n, cfg, workflow, urls, login);
	if (real) printRealTenantHints(n8n, cfg, folder, secrets, hooks);
	await wireSimulators(n8n, cfg, workflow, urls, secrets, hooks, haloTrigger);

	let ok = true;
	if (workflow && cfg.samples && cfg.publish) {
		ok = await runSamples(n8n, workflow, urls, haloInfo, Boolean(haloTrigger), !cfg.siteMappingFile, selfHealing);
		if (statusPage) ok = (await checkStatusPage(n8n, secrets.statusPagePassword)) && ok;
		if (!cfg.exitAfterSamples) printLogin(n8n, cfg, workflow, urls, login);
	} else if (cfg.exitAfterSamples) {
		say(red('DEMO_EXIT_AFTER_SAMPLES=1 but no samples ran (DEMO_SAMPLES=0?)'));
		ok = false;
	}
	if (cfg.exitAfterSamples) {
		await stopAll();
		say(ok ? green('all sample checks passed') : red('some sample checks FAILED'));
		return ok ? 0 : 1;
	}
	say(`${bold('running')}: n8n ${n8n.baseUrl}, logs in ${n8n.logFile}. ${bold('Ctrl-C stops everything.')}`);
	await new Promise(() => undefined); // until a signal
	return 0;
}

// ---------------------------------------------------------------------------------------------------------------

if (require.main === module) {
	main(process.argv.slice(2)).then(
		async (code) => {
			await whenStopped();
			process.exit(code);
		},
		async (error: Error) => {
			const message = error instanceof DemoError ? error.message : (error.stack ?? error.message);
			process.stdout.write(`${dim(`[demo ${elapsed()}]`)} ${red('error:')} ${message}\n`);
			if (running.n8n)
				process.stdout.write(`${dim(`[demo ${elapsed()}]`)} n8n log: ${running.n8n.logFile}\n`);
			await stopAll().catch(() => undefined);
			process.exit(1);
		},
	);
}
