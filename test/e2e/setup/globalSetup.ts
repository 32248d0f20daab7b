/*
 * Once per e2e run (one n8n version, N8N_VERSION): check that n8n is installed (and reports that version) and the
 * package is built, then pack the package and install it the way n8n does (npm pack, strip dev/peer deps, npm install
 * --ignore-scripts --install-strategy=shallow) into .e2e/package-<pid>/. Every test file copies that into its own
 * fresh n8n user folder (HALO_DATTO_PREPARED_PACKAGE), so the pack + npm install cost is paid once per version.
 */
import * as fs from 'fs';
import * as path from 'path';
import { isN8nInstalled, n8nRuntime, n8nVersion } from '../../../harness/n8n/env';
import { preparePackage, readPackageJson } from '../../../harness/n8n/package';
import { sweepDeadRuns } from '../../../harness/processes';
import { packageDir, repoRoot } from '../../../harness/repo';

export default async function globalSetup(): Promise<void> {
	const root = packageDir();
	if (!isN8nInstalled()) {
		throw new Error(
			`n8n ${n8nVersion()} is not installed in the cache. Run: bash scripts/n8n-install.sh ${n8nVersion()} ` +
				'(or npm run test:e2e, which does it).',
		);
	}
	const pkg = readPackageJson(root);
	const missing = [...(pkg.n8n?.nodes ?? []), ...(pkg.n8n?.credentials ?? [])].filter(
		(file) => !fs.existsSync(path.join(root, file)),
	);
	if (!fs.existsSync(path.join(root, 'dist')) || missing.length > 0) {
		throw new Error(`the package is not built (missing: ${missing.join(', ') || 'dist/'}). Run: npm run build`);
	}
	const runtime = await n8nRuntime();
	process.stderr.write(
		`[e2e] n8n ${runtime.n8n} on Node ${runtime.node}` +
			(runtime.expressionEngine !== 'default' ? `, expression engine ${runtime.expressionEngine}` : '') +
			` (N8N_VERSION=${n8nVersion()})\n`,
	);
	if (runtime.n8n !== n8nVersion()) {
		throw new Error(`the cache's n8n reports ${runtime.n8n}, expected ${n8nVersion()}`);
	}
	if (process.env.HALO_DATTO_PREPARED_PACKAGE) return;
	sweepDeadRuns(path.join(repoRoot(), '.e2e')); // left by runs killed with SIGKILL
	const dir = path.join(repoRoot(), '.e2e', `package-${process.pid}`);
	fs.rmSync(dir, { recursive: true, force: true });
	await preparePackage({ pkgDir: root, dir });
	process.env.HALO_DATTO_PREPARED_PACKAGE = dir;
	process.env.HALO_DATTO_PREPARED_BY_SETUP = dir;
}
