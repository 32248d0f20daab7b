/**
 * Copied helpers: a function (declaration, or a const bound to an arrow/function expression) defined under the same
 * name in more than one file with the same or a similar body. Bodies are compared as TypeScript token sequences
 * (comments and layout ignored) by the Dice coefficient of their token bigrams; `SIMILAR` or more is a copy.
 * Bodies shorter than `MIN_TOKENS` tokens (one-line delegations, getters) are not compared.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

/** The folders scanned (TypeScript files only; dist, node_modules and .e2e are never scanned). */
export const SCANNED = ['nodes', 'harness', 'scripts', 'bench', 'simulators', 'test', 'credentials'];
export const SIMILAR = 0.8;
export const MIN_TOKENS = 10;

export interface HelperDefinition {
	name: string;
	file: string;
	line: number;
	tokens: string[];
}

/**
 * Names whose copies are the n8n node contract, not helpers: every `*.operation.ts` exports its own `execute` (one
 * file per operation), and operations of one resource have the same shape by design.
 */
export function isContract(def: HelperDefinition): boolean {
	return def.name === 'execute' && def.file.endsWith('.operation.ts');
}

export interface Duplicate {
	name: string;
	similarity: number;
	a: string;
	b: string;
}

function listTs(dir: string, root: string, out: string[] = []): string[] {
	if (!fs.existsSync(dir)) return out;
	for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
		if (['node_modules', 'dist', '.e2e'].includes(entry.name)) continue;
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) listTs(full, root, out);
		else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(path.relative(root, full).split(path.sep).join('/'));
	}
	return out;
}

/** Token texts of a node (identifiers and literals kept, comments and whitespace dropped). */
function tokensOf(text: string): string[] {
	const scanner = ts.createScanner(ts.ScriptTarget.Latest, true, ts.LanguageVariant.Standard, text);
	const out: string[] = [];
	for (let kind = scanner.scan(); kind !== ts.SyntaxKind.EndOfFileToken; kind = scanner.scan()) out.push(scanner.getTokenText());
	return out;
}

/** Every named function of a source file: declarations and consts bound to arrow functions / function expressions. */
export function helperDefinitions(file: string, source: string): HelperDefinition[] {
	const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true);
	const out: HelperDefinition[] = [];
	const add = (name: string, fn: ts.SignatureDeclaration & { body?: ts.Node }, at: ts.Node) => {
		if (!fn.body) return;
		// Parameters and body: the signature's types belong to the copy as much as the statements do.
		const text = source.slice(fn.parameters.pos, fn.body.end);
		out.push({ name, file, line: sf.getLineAndCharacterOfPosition(at.getStart(sf)).line + 1, tokens: tokensOf(text) });
	};
	const visit = (node: ts.Node) => {
		if (ts.isFunctionDeclaration(node) && node.name) add(node.name.text, node, node);
		if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) {
			const init = node.initializer;
			if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) add(node.name.text, init, node);
		}
		ts.forEachChild(node, visit);
	};
	visit(sf);
	return out;
}

function bigrams(tokens: string[]): Map<string, number> {
	const out = new Map<string, number>();
	for (let i = 0; i + 1 < tokens.length; i++) {
		const key = `${tokens[i]}\u0000${tokens[i + 1]}`;
		out.set(key, (out.get(key) ?? 0) + 1);
	}
	return out;
}

/** Dice coefficient of two token sequences' bigram multisets: 1 for identical bodies. */
export function similarity(a: string[], b: string[]): number {
	const x = bigrams(a);
	const y = bigrams(b);
	let shared = 0;
	for (const [key, n] of x) shared += Math.min(n, y.get(key) ?? 0);
	const total = Math.max(1, a.length - 1) + Math.max(1, b.length - 1);
	return (2 * shared) / total;
}

export function findDuplicates(root: string): Duplicate[] {
	const byName = new Map<string, HelperDefinition[]>();
	for (const top of SCANNED) {
		for (const file of listTs(path.join(root, top), root)) {
			for (const def of helperDefinitions(file, fs.readFileSync(path.join(root, file), 'utf8'))) {
				if (def.tokens.length < MIN_TOKENS || isContract(def)) continue;
				byName.set(def.name, [...(byName.get(def.name) ?? []), def]);
			}
		}
	}
	const out: Duplicate[] = [];
	for (const [name, defs] of byName) {
		for (let i = 0; i < defs.length; i++) {
			for (let j = i + 1; j < defs.length; j++) {
				if (defs[i].file === defs[j].file) continue;
				const s = similarity(defs[i].tokens, defs[j].tokens);
				if (s < SIMILAR) continue;
				const [a, b] = [`${defs[i].file}:${defs[i].line}`, `${defs[j].file}:${defs[j].line}`].sort();
				out.push({ name, similarity: Math.round(s * 100) / 100, a, b });
			}
		}
	}
	return out.sort((p, q) => p.name.localeCompare(q.name) || p.a.localeCompare(q.a));
}

/** Copies grouped by name: name → the files (sorted) holding a copy. */
export function copiesByName(duplicates: Duplicate[]): Map<string, string[]> {
	const out = new Map<string, Set<string>>();
	for (const d of duplicates) {
		const files = out.get(d.name) ?? new Set<string>();
		files.add(d.a.replace(/:\d+$/, ''));
		files.add(d.b.replace(/:\d+$/, ''));
		out.set(d.name, files);
	}
	return new Map([...out].map(([name, files]) => [name, [...files].sort()]));
}

export function describeDuplicates(duplicates: Duplicate[]): string {
	return duplicates
		.map((d) => `${d.name}: ${d.a} and ${d.b} (similarity ${d.similarity}) — keep one (harness/ for test and tool code, nodes/shared for the product) and import it`)
		.join('\n');
}
