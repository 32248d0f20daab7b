/**
 * The import-direction rules of the package (docs/design.md#layers), checked over the TypeScript sources:
 *
 *   node classes → router → operations → nodes/shared (halo service, n8n glue) → transport / store / domain / policy
 *
 * 1. A node folder (nodes/<Node>/) imports no other node folder.
 * 2. nodes/shared/ imports no node folder.
 * 3. The pure layers (nodes/shared/domain, nodes/shared/policy, nodes/shared/halo) load no n8n module at run time,
 *    directly or through what they import (type-only imports are erased by TypeScript and do not count), and the
 *    policy layer loads no HTTP library either: the policy runtime is shared with `halo-datto-replay`.
 *
 * Used by test/architecture/imports.test.ts on the repository and on a fixture that breaks each rule.
 */
import * as fs from 'fs';
import * as path from 'path';

export interface ImportViolation {
	file: string;
	imports: string;
	rule: 'node-to-node' | 'shared-to-node' | 'pure-layer-loads-n8n' | 'policy-loads-http';
	via?: string[];
}

const N8N_MODULES = /^(n8n-workflow|n8n-core)(\/|$)/;
const HTTP_MODULES = /^(axios|pg|ioredis)(\/|$)/;
const PURE_LAYERS = ['nodes/shared/domain/', 'nodes/shared/policy/', 'nodes/shared/halo/'];

interface ParsedImport {
	specifier: string;
	typeOnly: boolean;
}

/** Import and re-export specifiers of a TypeScript source, with whether each is erased (type-only). */
export function parseImports(source: string): ParsedImport[] {
	const out: ParsedImport[] = [];
	const noComments = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
	const statement = /(?:^|\n)\s*(import|export)\s+(type\s+)?([^;'"]*?)\s*from\s*['"]([^'"]+)['"]/g;
	for (let m = statement.exec(noComments); m; m = statement.exec(noComments)) {
		const clause = m[3].trim();
		// `import { type A, type B } from` is erased too when every name is a type.
		const names = /^\{([\s\S]*)\}$/.exec(clause)?.[1].split(',').map((s) => s.trim()).filter(Boolean);
		const allTypes = names !== undefined && names.length > 0 && names.every((n) => n.startsWith('type '));
		out.push({ specifier: m[4], typeOnly: Boolean(m[2]) || allTypes });
	}
	const bare = /(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g;
	for (let m = bare.exec(noComments); m; m = bare.exec(noComments)) out.push({ specifier: m[1], typeOnly: false });
	const required = /\brequire\(\s*['"]([^'"]+)['"]\s*\)/g;
	for (let m = required.exec(noComments); m; m = required.exec(noComments)) out.push({ specifier: m[1], typeOnly: false });
	return out;
}

export function listTs(dir: string): string[] {
	if (!fs.existsSync(dir)) return [];
	return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
		const p = path.join(dir, e.name);
		if (e.isDirectory()) return listTs(p);
		return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
	});
}

function resolveRelative(fromFile: string, specifier: string): string | undefined {
	const base = path.resolve(path.dirname(fromFile), specifier);
	for (const candidate of [`${base}.ts`, path.join(base, 'index.ts')]) if (fs.existsSync(candidate)) return candidate;
	return undefined;
}

/** The node folder (e.g. `HaloPsa`) a repository-relative path lies in, or undefined for nodes/shared and elsewhere. */
function nodeFolderOf(rel: string): string | undefined {
	const m = /^nodes\/([^/]+)\//.exec(rel);
	return m && m[1] !== 'shared' ? m[1] : undefined;
}

/** Every violation of the rules under `root` (a repository or a fixture with the same layout). */
export function findImportViolations(root: string): ImportViolation[] {
	const files = listTs(path.join(root, 'nodes'));
	const rel = (p: string) => path.relative(root, p).split(path.sep).join('/');
	const graph = new Map<string, { local: string[]; external: string[] }>();
	const violations: ImportViolation[] = [];

	for (const file of files) {
		const from = rel(file);
		const local: string[] = [];
		const external: string[] = [];
		for (const imp of parseImports(fs.readFileSync(file, 'utf8'))) {
			if (imp.specifier.startsWith('.')) {
				const target = resolveRelative(file, imp.specifier);
				if (!target) continue;
				const to = rel(target);
				const fromNode = nodeFolderOf(from);
				const toNode = nodeFolderOf(to);
				if (fromNode && toNode && fromNode !== toNode) violations.push({ file: from, imports: to, rule: 'node-to-node' });
				if (!fromNode && from.startsWith('nodes/shared/') && toNode) violations.push({ file: from, imports: to, rule: 'shared-to-node' });
				if (!imp.typeOnly) local.push(to);
			} else if (!imp.typeOnly) {
				external.push(imp.specifier);
			}
		}
		graph.set(from, { local, external });
	}

	// Rule 3: walk the run-time import closure of each pure-layer file.
	for (const start of graph.keys()) {
		if (!PURE_LAYERS.some((layer) => start.startsWith(layer))) continue;
		const seen = new Map<string, string | undefined>([[start, undefined]]);
		const queue = [start];
		while (queue.length) {
			const current = queue.shift() as string;
			const node = graph.get(current);
			if (!node) continue;
			const trail = () => {
				const chain: string[] = [];
				for (let at: string | undefined = current; at; at = seen.get(at)) chain.unshift(at);
				return chain;
			};
			for (const ext of node.external) {
				if (N8N_MODULES.test(ext)) violations.push({ file: start, imports: ext, rule: 'pure-layer-loads-n8n', via: trail() });
				if (start.startsWith('nodes/shared/policy/') && HTTP_MODULES.test(ext)) {
					violations.push({ file: start, imports: ext, rule: 'policy-loads-http', via: trail() });
				}
			}
			for (const next of node.local) {
				if (seen.has(next)) continue;
				seen.set(next, current);
				queue.push(next);
			}
		}
	}
	return violations;
}

/** The violations as readable lines (for a failing test's message). */
export function describeViolations(violations: ImportViolation[]): string {
	return violations
		.map((v) => `${v.rule}: ${v.file} → ${v.imports}${v.via && v.via.length > 1 ? ` (via ${v.via.join(' → ')})` : ''}`)
		.join('\n');
}
