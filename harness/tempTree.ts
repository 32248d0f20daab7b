/* Fixture trees for tests of repository checks (import rules, link check, duplicate scan). */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** Writes `files` (relative path → text) into a new temporary directory and returns its path. */
export function tempTree(prefix: string, files: Record<string, string>): string {
	const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
	for (const [rel, text] of Object.entries(files)) {
		fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
		fs.writeFileSync(path.join(root, rel), text);
	}
	return root;
}
