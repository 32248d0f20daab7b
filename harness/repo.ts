/* Where things are: the checkout the harness belongs to, the package under test, the harness's own script files. */
import * as fs from 'fs';
import * as path from 'path';

/** The checkout this file belongs to (works from harness/ under ts-jest and from dist/harness/ when compiled). */
export function repoRoot(): string {
	let dir = __dirname;
	for (;;) {
		if (fs.existsSync(path.join(dir, 'scripts', 'n8n-env.sh')) && fs.existsSync(path.join(dir, 'package.json'))) {
			return dir;
		}
		const parent = path.dirname(dir);
		if (parent === dir) throw new Error(`n8n-harness: no checkout with scripts/n8n-env.sh above ${__dirname}`);
		dir = parent;
	}
}

/**
 * The package under test: this checkout, or E2E_PACKAGE_DIR (used to prove the harness on a fixture package).
 */
export function packageDir(): string {
	return process.env.E2E_PACKAGE_DIR ? path.resolve(process.env.E2E_PACKAGE_DIR) : repoRoot();
}

/**
 * A file the harness runs as it is (shell and SQLite scripts under harness/): read from the checkout, so that the
 * compiled harness in dist/ (which holds only the compiled TypeScript) finds it too.
 */
export function harnessFile(...parts: string[]): string {
	return path.join(repoRoot(), 'harness', ...parts);
}

/** A file of the e2e fixtures (test/e2e/fixtures/). */
export function fixturePath(...parts: string[]): string {
	return path.join(repoRoot(), 'test', 'e2e', 'fixtures', ...parts);
}
