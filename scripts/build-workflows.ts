#!/usr/bin/env node
/**
 * Writes the shipped workflows (workflows/datto-halo-sync.json, workflows/postgres/*.json, workflows/setup/*.json) from
 * their definitions in scripts/workflows/definition.ts and scripts/workflows/setup.ts.
 *
 *   npm run build && node dist/scripts/build-workflows.js           write the files
 *   node dist/scripts/build-workflows.js --check                     exit 1 when a committed file differs
 *
 * (`npm run workflows` does the first.) test/workflows/workflows.test.ts runs the same comparison in `npm test`.
 */
import * as fs from 'fs';
import * as path from 'path';

import { buildWorkflows, serialiseWorkflow } from './workflows/definition';
import { buildSelfHealingWorkflows } from './workflows/selfHealing';
import { buildSetupWorkflows } from './workflows/setup';

function packageRoot(): string {
	let dir = __dirname;
	while (!fs.existsSync(path.join(dir, 'package.json'))) {
		const parent = path.dirname(dir);
		if (parent === dir) throw new Error('package.json not found above ' + __dirname);
		dir = parent;
	}
	return dir;
}

function main(argv: string[]): number {
	const check = argv.includes('--check');
	const root = packageRoot();
	let differences = 0;
	for (const { file, workflow } of [...buildWorkflows(), ...buildSelfHealingWorkflows(), ...buildSetupWorkflows()]) {
		const target = path.join(root, file);
		const text = serialiseWorkflow(workflow);
		const current = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : undefined;
		if (current === text) {
			process.stdout.write(`unchanged ${file}\n`);
			continue;
		}
		differences++;
		if (check) {
			process.stdout.write(`DIFFERS   ${file}\n`);
			continue;
		}
		fs.mkdirSync(path.dirname(target), { recursive: true });
		fs.writeFileSync(target, text);
		process.stdout.write(`wrote     ${file}\n`);
	}
	if (check && differences > 0) {
		process.stderr.write(`${differences} workflow file(s) differ from scripts/workflows/definition.ts: run npm run workflows\n`);
		return 1;
	}
	return 0;
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
