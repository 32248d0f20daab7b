/**
 * Documentation links resolve (docs/README.md#documentation-rules): relative links and anchors in README.md and docs/,
 * and the documentation URLs of the codex files and credentials. Each check is shown to bite on a fixture.
 */
import * as fs from 'fs';
import * as path from 'path';

import {
	anchorsOf,
	checkCodeCitations,
	checkDocumentationUrls,
	checkMarkdownLinks,
	describeBroken,
	documentationUrls,
	githubSlug,
	linksOf,
	urlToTarget,
} from './linkCheck';
import { tempTree } from '../../harness/tempTree';

const repo = path.resolve(__dirname, '..', '..');

describe('documentation links of the repository', () => {
	it('every relative link and anchor in README.md and docs/ resolves', () => {
		expect(describeBroken(checkMarkdownLinks(repo))).toBe('');
	});

	it('every codex and credential documentation URL points at an existing file and heading of the repository', () => {
		const urls = documentationUrls(repo);
		// 6 codex files and 5 credentials: the scan must see them all, else the check proves nothing.
		expect(new Set(urls.map((u) => u.file)).size).toBe(11);
		expect(describeBroken(checkDocumentationUrls(repo))).toBe('');
	});

	it('every docs/… and README.md#… citation in the sources (comments, messages, sticky notes) resolves', () => {
		expect(describeBroken(checkCodeCitations(repo, (rel) => rel.startsWith('test/docs/')))).toBe('');
	});

	it('the README stays a short user guide', () => {
		expect(fs.readFileSync(path.join(repo, 'README.md'), 'utf8').split('\n').length).toBeLessThanOrEqual(400);
	});
});

describe('GitHub heading anchors', () => {
	it.each([
		['Datto RMM node and Datto RMM Trigger', 'datto-rmm-node-and-datto-rmm-trigger'],
		['Setup in Halo (standard webhook)', 'setup-in-halo-standard-webhook'],
		['Demo (`npm start`)', 'demo-npm-start'],
		['The site → client table (mapping)', 'the-site--client-table-mapping'],
		['Ticket: Get / Get Many', 'ticket-get--get-many'],
		['The `xlsx` dependency of n8n 1.x (install without cdn.sheetjs.com)', 'the-xlsx-dependency-of-n8n-1x-install-without-cdnsheetjscom'],
		['Node 20 and the expression engine (1.123.x)', 'node-20-and-the-expression-engine-1123x'],
		['snake_case and [a link](x.md)', 'snake_case-and-a-link'],
	])('%s → #%s', (heading, slug) => {
		expect(githubSlug(heading)).toBe(slug);
	});

	it('repeated headings get -1, -2; headings inside code fences are not anchors', () => {
		const anchors = anchorsOf('# A\n## Limits\n```\n## Fenced\n```\n### Limits\n#### Limits\n<a id="custom"></a>\n');
		expect([...anchors].sort()).toEqual(['a', 'custom', 'limits', 'limits-1', 'limits-2']);
	});

	it('links inside inline code and code fences are not links', () => {
		expect(linksOf('see [x](a.md#b) and `[y](c.md)`\n```\n[z](d.md)\n```\n![img](i.png "t")').map((l) => l.target)).toEqual([
			'a.md#b',
			'i.png',
		]);
	});
});

describe('the check bites (fixtures)', () => {
	const pkg = JSON.stringify({ name: 'x', homepage: 'https://git.example.com/x#readme' });

	it('reports a missing file, a missing heading in another file and a missing heading in the same file', () => {
		const root = tempTree('doc-links-', {
			'package.json': pkg,
			'README.md': '# X\n## Install\nSee [docs](docs/guide.md#setup), [gone](docs/gone.md) and [here](#instal).\n',
			'docs/guide.md': '# Guide\n## Set-up\nBack to [the install](../README.md#install) and [outside](../../etc/passwd).\n',
		});
		expect(checkMarkdownLinks(root)).toEqual([
			{ file: 'README.md:3', link: 'docs/guide.md#setup', problem: 'no heading "#setup" in docs/guide.md' },
			{ file: 'README.md:3', link: 'docs/gone.md', problem: 'no such file: docs/gone.md' },
			{ file: 'README.md:3', link: '#instal', problem: 'no heading "#instal" in README.md' },
			{ file: 'docs/guide.md:3', link: '../../etc/passwd', problem: expect.stringContaining('points outside the repository') },
		]);
	});

	it('reports codex and credential URLs that miss a heading, a file, or the repository', () => {
		const root = tempTree('doc-links-', {
			'package.json': pkg,
			'README.md': '# X\n## Thing credential\n',
			'docs/nodes.md': '# Nodes\n## Thing node\n',
			'nodes/Thing/Thing.node.json': JSON.stringify({
				resources: {
					credentialDocumentation: [{ url: 'https://git.example.com/x#thing-credential' }],
					primaryDocumentation: [
						{ url: 'https://git.example.com/x/blob/main/docs/nodes.md#thing-node' },
						{ url: 'https://git.example.com/x/blob/main/docs/nodes.md#thing' },
						{ url: 'https://git.example.com/x/blob/main/docs/other.md' },
					],
				},
			}),
			'credentials/ThingApi.credentials.ts':
				"export class ThingApi {\n\tdocumentationUrl = 'https://vendor.example.org/help';\n}\n",
		});
		const broken = checkDocumentationUrls(root);
		expect(broken.map((b) => [b.file, b.link])).toEqual([
			['nodes/Thing/Thing.node.json', 'https://git.example.com/x/blob/main/docs/nodes.md#thing'],
			['nodes/Thing/Thing.node.json', 'https://git.example.com/x/blob/main/docs/other.md'],
			['credentials/ThingApi.credentials.ts', 'https://vendor.example.org/help'],
		]);
		expect(broken[0].problem).toBe('no heading "#thing" in docs/nodes.md');
		expect(broken[1].problem).toBe('no such file: docs/other.md');
		expect(broken[2].problem).toMatch(/not a documentation URL of this repository/);
	});

	it('reports a source citing a missing heading or a missing docs file', () => {
		const root = tempTree('doc-links-', {
			'README.md': '# X\n## Demo\n',
			'docs/api/halopsa.md': '# Halo\n## 1. Instance URLs and discovery\n',
			'nodes/shared/a.ts': [
				'// see docs/api/halopsa.md#1-instance-urls-and-discovery and README.md#demo',
				'// see docs/api/halopsa.md#1-instance-urls, docs/api/datto.md and README.md#quick-start',
				'// README.md in this folder; ../shared/README.md#x is not the repository README',
			].join('\n'),
		});
		expect(checkCodeCitations(root)).toEqual([
			{ file: 'nodes/shared/a.ts:2', link: 'docs/api/halopsa.md#1-instance-urls', problem: 'no heading "#1-instance-urls" in docs/api/halopsa.md' },
			{ file: 'nodes/shared/a.ts:2', link: 'docs/api/datto.md', problem: 'no such file: docs/api/datto.md' },
			{ file: 'nodes/shared/a.ts:2', link: 'README.md#quick-start', problem: 'no heading "#quick-start" in README.md' },
		]);
	});

	it('maps the homepage prefix to the repository root', () => {
		const base = 'https://git.example.com/x';
		expect(urlToTarget(base, base)).toBe('README.md');
		expect(urlToTarget(base, `${base}#a`)).toBe('README.md#a');
		expect(urlToTarget(base, `${base}/blob/main/docs/a.md#b`)).toBe('docs/a.md#b');
		expect(urlToTarget(base, `${base}/tree/main/workflows`)).toBe('workflows');
		expect(urlToTarget(base, `${base}-other#a`)).toBeNull();
		expect(urlToTarget(base, 'https://elsewhere.example.com/x')).toBeNull();
	});
});
