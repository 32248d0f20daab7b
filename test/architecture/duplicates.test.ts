/**
 * No copied helpers (issue 16): a function defined under the same name in two files with the same or a similar body
 * (duplicateRules.ts) fails this test; keep one copy — harness/ for test and tool code, nodes/shared/ for the product —
 * and import it. KNOWN_COPIES lists the copies that exist today with the reason they are not merged yet; it can only
 * shrink: an entry that no longer matches fails too, so a merged copy is taken off the list.
 */
import * as path from 'path';

import { tempTree } from '../../harness/tempTree';
import { copiesByName, describeDuplicates, findDuplicates, similarity, helperDefinitions } from './duplicateRules';

const repo = path.resolve(__dirname, '..', '..');

const E2E_IN_FLUX = 'e2e test files other branches are editing: to merge into harness/ once they have landed';
const PRODUCT = 'product code: to merge into nodes/shared/ with the layer work of issue 16';

/** name → files holding a copy today, and why it is not merged yet. */
const KNOWN_COPIES: Record<string, { files: string[]; reason: string }> = {
	timed: {
		files: [
			'test/e2e/faults-postgres.test.ts',
			'test/e2e/faults.test.ts',
			'test/e2e/lifecycle-postgres.test.ts',
			'test/e2e/lifecycle-static.test.ts',
			'test/e2e/policies.test.ts',
			'test/e2e/queueMode.test.ts',
		],
		reason: E2E_IN_FLUX,
	},
	device: { files: ['test/e2e/faults-postgres.test.ts', 'test/e2e/faults.test.ts'], reason: E2E_IN_FLUX },
	nested: {
		files: ['test/e2e/badInput.test.ts', 'test/haloNodes/haloPsaTrigger.test.ts', 'test/reliability/triggerContract.test.ts'],
		reason: E2E_IN_FLUX,
	},
	run: {
		files: ['test/dattoNodes/dattoRmm.test.ts', 'test/dattoNodes/quickJob.test.ts', 'test/helpers/postgres.ts', 'test/reliability/support/e2e.ts'],
		reason: 'new test files of the self-healing branch and the Postgres restart helper: to merge into harness/',
	},
	byId: { files: ['test/dattoNodes/dattoRmm.test.ts', 'test/dattoNodes/quickJob.test.ts'], reason: 'new test file of the self-healing branch' },
	caught: { files: ['test/datto/client.test.ts', 'test/datto/jobs.test.ts'], reason: 'new test file of the self-healing branch' },
	json: { files: ['test/haloNodes/haloPsa.test.ts', 'test/haloNodes/mapping.test.ts'], reason: 'to move into test/haloNodes/helpers.ts' },
	Z: { files: ['test/policy/businessHours.test.ts', 'test/policy/windows.test.ts'], reason: 'to move into test/policy/helpers.ts' },
	encode: {
		files: ['nodes/shared/transport/http/redisConnection.ts', 'test/reliability/support/redis.ts'],
		reason: 'the test side speaks RESP on its own on purpose (it checks the product client against an independent encoder)',
	},
	defaultIo: {
		files: ['scripts/check-setup.ts', 'scripts/replay.ts'],
		reason: 'the CLIs\' console I/O, landed by another branch during this work: to merge into harness/ (CLI module)',
	},
	forOperation: { files: ['nodes/DattoRmm/actions/common.ts', 'nodes/MappingStore/actions/record/fields.ts'], reason: PRODUCT },
	isObj: { files: ['nodes/shared/domain/haloTicketEvent.ts', 'nodes/shared/policy/runtime/input.ts', 'scripts/replay.ts'], reason: PRODUCT },
	positive: { files: ['nodes/DattoRmmTrigger/webhook.ts', 'nodes/HaloPsaTrigger/webhook.ts'], reason: PRODUCT },
	sha256: { files: ['nodes/shared/transport/datto/client.ts', 'nodes/shared/transport/halo/key.ts'], reason: PRODUCT },
};

describe('copied helpers', () => {
	it('the repository has no copied helper beyond the known ones', () => {
		const found = findDuplicates(repo);
		const unknown = found.filter((d) => {
			const known = KNOWN_COPIES[d.name];
			return !known || !known.files.includes(d.a.replace(/:\d+$/, '')) || !known.files.includes(d.b.replace(/:\d+$/, ''));
		});
		expect(describeDuplicates(unknown)).toBe('');
	});

	it('every known copy still exists (merged copies leave the list)', () => {
		const found = copiesByName(findDuplicates(repo));
		const stale = Object.entries(KNOWN_COPIES)
			.filter(([name, known]) => known.files.some((f) => !(found.get(name) ?? []).includes(f)))
			.map(([name, known]) => `${name}: now in ${(found.get(name) ?? []).join(', ') || 'one file'}, listed in ${known.files.join(', ')}`);
		expect(stale).toEqual([]);
	});

	it('a helper copied into another file is reported, also as an arrow function, with other comments and layout', () => {
		const root = tempTree('duplicates-', {
			'harness/wait.ts': 'export function sleep(ms: number): Promise<void> {\n\treturn new Promise((resolve) => setTimeout(resolve, ms));\n}\n',
			'bench/lib.ts': '// waits\nexport const sleep = (ms: number): Promise<void> =>\n\tnew Promise((resolve) => setTimeout(resolve, ms)); // a copy\n',
			'test/x.test.ts': 'function sleep(ms: number): Promise<void> {\n\treturn new Promise((resolve) => setTimeout(resolve, ms));\n}\n',
		});
		expect(findDuplicates(root).map((d) => `${d.name} ${d.a} ${d.b}`)).toEqual([
			'sleep bench/lib.ts:2 harness/wait.ts:1',
			'sleep bench/lib.ts:2 test/x.test.ts:1',
			'sleep harness/wait.ts:1 test/x.test.ts:1',
		]);
	});

	it('same name with a different body, one-line bodies and node operations are not copies', () => {
		const root = tempTree('duplicates-', {
			'harness/a.ts': 'export function pick(list: string[]): string {\n\treturn list.find((x) => x.startsWith("a")) ?? list[0] ?? "";\n}\nexport const id = (x: number) => x;\n',
			'test/b.ts': 'export function pick(n: number): number {\n\tlet best = 0;\n\tfor (let i = 0; i < n; i++) best = Math.max(best, i * 2);\n\treturn best;\n}\nexport const id = (x: number) => x;\n',
			'nodes/A/actions/r/get.operation.ts': 'export async function execute(this: unknown, i: number) {\n\tconst id = String(i);\n\treturn await get(this, id, { simplify: true });\n}\n',
			'nodes/A/actions/s/get.operation.ts': 'export async function execute(this: unknown, i: number) {\n\tconst id = String(i);\n\treturn await get(this, id, { simplify: true });\n}\n',
		});
		expect(findDuplicates(root)).toEqual([]);
	});

	it('similarity: 1 for the same tokens, low for unrelated bodies', () => {
		const [a] = helperDefinitions('a.ts', 'function f(a: number) { return a + 1; }');
		const [b] = helperDefinitions('b.ts', 'function f(a: number) {\n  // comment\n  return a + 1;\n}');
		const [c] = helperDefinitions('c.ts', 'function f(s: string[]) { for (const x of s) console.log(x.length); }');
		expect(similarity(a.tokens, b.tokens)).toBe(1);
		expect(similarity(a.tokens, c.tokens)).toBeLessThan(0.5);
	});
});
