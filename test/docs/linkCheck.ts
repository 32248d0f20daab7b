/**
 * Documentation link check (docs/README.md#documentation-rules): every relative link and #anchor in README.md and
 * docs/**\/*.md resolves to a file and heading of the repository, and every documentation URL of the codex files
 * (nodes/**\/*.node.json) and credentials (documentationUrl) points into the repository (the package's homepage URL
 * prefix = the repository root) at an existing file and heading. Headings become anchors by GitHub's rules
 * (github-slugger: lower case, punctuation and symbols removed, spaces → '-', repeats get -1, -2, …).
 */
import * as fs from 'fs';
import * as path from 'path';

export interface BrokenLink {
	file: string;
	link: string;
	problem: string;
}

/** GitHub's anchor of a heading text (before de-duplication). */
export function githubSlug(heading: string): string {
	const text = heading
		.replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // links and images: their text
		.replace(/<[^>]+>/g, '') // inline HTML tags
		.trim()
		.toLowerCase();
	return text.replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
}

/** Lines outside fenced code blocks, with their 1-based numbers. */
function proseLines(markdown: string): Array<{ line: string; no: number }> {
	const out: Array<{ line: string; no: number }> = [];
	let fence: string | null = null;
	markdown.split('\n').forEach((line, i) => {
		const m = /^\s*(`{3,}|~{3,})/.exec(line);
		if (m) {
			if (fence === null) fence = m[1][0];
			else if (m[1][0] === fence) fence = null;
			return;
		}
		if (fence === null) out.push({ line, no: i + 1 });
	});
	return out;
}

/** Every anchor a Markdown file offers: its headings' slugs (de-duplicated as GitHub does) and explicit ids. */
export function anchorsOf(markdown: string): Set<string> {
	const anchors = new Set<string>();
	const seen = new Map<string, number>();
	for (const { line } of proseLines(markdown)) {
		const h = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
		if (h) {
			const base = githubSlug(h[1]);
			const n = seen.get(base) ?? 0;
			seen.set(base, n + 1);
			anchors.add(n === 0 ? base : `${base}-${n}`);
		}
		for (const a of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(a[1]);
	}
	return anchors;
}

/** The link targets of a Markdown file (inline links and images, outside code), with line numbers. */
export function linksOf(markdown: string): Array<{ target: string; no: number }> {
	const links: Array<{ target: string; no: number }> = [];
	for (const { line, no } of proseLines(markdown)) {
		const prose = line.replace(/(`+)[\s\S]*?\1/g, ''); // inline code spans are not links
		for (const m of prose.matchAll(/!?\[(?:[^\][]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
			links.push({ target: m[1], no });
		}
	}
	return links;
}

const anchorCache = new Map<string, Set<string>>();
function anchorsOfFile(file: string): Set<string> {
	let a = anchorCache.get(file);
	if (!a) {
		a = anchorsOf(fs.readFileSync(file, 'utf8'));
		anchorCache.set(file, a);
	}
	return a;
}

/** Checks one repository-relative target `path#anchor` (path may be empty = `from`). Returns a problem or null. */
function checkTarget(root: string, from: string, target: string): string | null {
	const hash = target.indexOf('#');
	const rawPath = hash < 0 ? target : target.slice(0, hash);
	const anchor = hash < 0 ? null : decodeURIComponent(target.slice(hash + 1));
	const file = rawPath === '' ? from : path.resolve(path.dirname(from), decodeURIComponent(rawPath));
	const rel = path.relative(root, file);
	if (rel.startsWith('..') || path.isAbsolute(rel)) return `points outside the repository (${rel})`;
	if (!fs.existsSync(file)) return `no such file: ${rel}`;
	if (anchor === null || anchor === '') return null;
	if (fs.statSync(file).isDirectory()) return `an anchor on a directory: ${rel}`;
	if (!/\.md$/i.test(file)) return null; // line anchors (#L10) of source files are not checked
	if (!anchorsOfFile(file).has(anchor)) return `no heading "#${anchor}" in ${rel}`;
	return null;
}

/** Files under `dir` (recursively, skipping node_modules) whose name matches `pattern`. */
function filesUnder(dir: string, pattern: RegExp): string[] {
	if (!fs.existsSync(dir)) return [];
	return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
		const p = path.join(dir, e.name);
		if (e.isDirectory()) return e.name === 'node_modules' ? [] : filesUnder(p, pattern);
		return pattern.test(e.name) ? [p] : [];
	});
}

/** README.md and every Markdown file under docs/, nodes/ and simulators/. */
export function markdownFiles(root: string): string[] {
	const files: string[] = [];
	if (fs.existsSync(path.join(root, 'README.md'))) files.push(path.join(root, 'README.md'));
	for (const dir of ['docs', 'nodes', 'simulators']) files.push(...filesUnder(path.join(root, dir), /\.md$/i));
	return files;
}

/** Broken relative links and anchors in README.md, docs/, nodes/ and simulators/. External (scheme:) links are not followed. */
export function checkMarkdownLinks(root: string): BrokenLink[] {
	anchorCache.clear();
	const broken: BrokenLink[] = [];
	for (const file of markdownFiles(root)) {
		for (const { target, no } of linksOf(fs.readFileSync(file, 'utf8'))) {
			if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, https:, mailto:
			const problem = checkTarget(root, file, target);
			if (problem) broken.push({ file: `${path.relative(root, file)}:${no}`, link: target, problem });
		}
	}
	return broken;
}

/** The documentation URLs of the codex files and credentials, with the file that holds each. */
export function documentationUrls(root: string): Array<{ file: string; url: string }> {
	const out: Array<{ file: string; url: string }> = [];
	const walk = (dir: string) => {
		if (!fs.existsSync(dir)) return;
		for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
			const p = path.join(dir, e.name);
			if (e.isDirectory()) walk(p);
			else if (e.name.endsWith('.node.json')) {
				const codex = JSON.parse(fs.readFileSync(p, 'utf8')) as {
					resources?: Record<string, Array<{ url: string }>>;
				};
				for (const list of Object.values(codex.resources ?? {})) {
					for (const r of list) out.push({ file: path.relative(root, p), url: r.url });
				}
			}
		}
	};
	walk(path.join(root, 'nodes'));
	const credDir = path.join(root, 'credentials');
	if (fs.existsSync(credDir)) {
		for (const name of fs.readdirSync(credDir).filter((n) => n.endsWith('.ts'))) {
			const text = fs.readFileSync(path.join(credDir, name), 'utf8');
			for (const m of text.matchAll(/documentationUrl\s*=\s*(['"`])([^'"`]+)\1/g)) {
				out.push({ file: `credentials/${name}`, url: m[2] });
			}
		}
	}
	return out;
}

/** The repository's URL prefix: package.json's homepage without its #fragment. */
export function repositoryBase(root: string): string {
	const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { homepage?: string };
	if (!pkg.homepage) throw new Error('package.json has no homepage');
	return pkg.homepage.replace(/#.*$/, '').replace(/\/$/, '');
}

/**
 * Maps a documentation URL to a repository target: `<base>` and `<base>#a` → README.md(#a);
 * `<base>/blob/<branch>/<path>#a` and `<base>/tree/<branch>/<path>` → path(#a). Anything else: null.
 */
export function urlToTarget(base: string, url: string): string | null {
	if (url !== base && !url.startsWith(base + '#') && !url.startsWith(base + '/')) return null;
	const rest = url.slice(base.length);
	if (rest === '' || rest.startsWith('#')) return 'README.md' + rest;
	const m = /^\/(?:blob|tree)\/[^/]+\/(.+)$/.exec(rest);
	return m ? m[1] : null;
}

/** Broken documentation URLs of the codex files and credentials. */
export function checkDocumentationUrls(root: string): BrokenLink[] {
	anchorCache.clear();
	const base = repositoryBase(root);
	const broken: BrokenLink[] = [];
	for (const { file, url } of documentationUrls(root)) {
		const target = urlToTarget(base, url);
		const problem =
			target === null
				? `not a documentation URL of this repository (expected ${base}, ${base}#anchor or ${base}/blob/main/<file>#anchor)`
				: checkTarget(root, path.join(root, 'README.md'), target);
		if (problem) broken.push({ file, link: url, problem });
	}
	return broken;
}

export function describeBroken(broken: BrokenLink[]): string {
	return broken.map((b) => `${b.file}: ${b.link} — ${b.problem}`).join('\n');
}

/** Folders whose sources may cite the documentation (comments, messages, sticky notes). */
const CITING_DIRS = ['nodes', 'credentials', 'simulators', 'scripts', 'bench', 'harness', 'test', '.ci'];

/**
 * Citations of the documentation in source files: `docs/<file>.md#anchor` and `README.md#anchor` (the repository's
 * README), e.g. in code comments and in messages shown to users. Each must name an existing file and heading.
 * `skip` leaves out files (relative paths) that hold deliberately broken examples (this check's own tests).
 */
export function checkCodeCitations(root: string, skip: (rel: string) => boolean = () => false): BrokenLink[] {
	anchorCache.clear();
	const broken: BrokenLink[] = [];
	for (const dir of CITING_DIRS) {
		for (const file of filesUnder(path.join(root, dir), /\.(ts|js|mjs|sh|json)$|^run$/)) {
			const rel = path.relative(root, file).split(path.sep).join('/');
			if (skip(rel) || /\.md$/i.test(file)) continue;
			fs.readFileSync(file, 'utf8')
				.split('\n')
				.forEach((line, i) => {
					for (const m of line.matchAll(/(?<![\w./-])((?:docs\/[\w./-]+\.md|README\.md)(?:#[\w-]+)?)/g)) {
						const target = m[1];
						if (!target.includes('#') && target === 'README.md') continue; // "README.md in this folder" and the like
						const problem = checkTarget(root, path.join(root, 'README.md'), target);
						if (problem) broken.push({ file: `${rel}:${i + 1}`, link: target, problem });
					}
				});
		}
	}
	return broken;
}
