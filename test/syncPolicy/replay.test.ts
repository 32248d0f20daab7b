/**
 * scripts/replay.ts: recorded webhook bodies through the policies in dry-run, printed as a decision table. Once
 * in-process (main()) for the details, once as the real command (compiled with tsc into a temporary folder and run
 * with node, as `node dist/scripts/replay.js` runs after `npm run build`).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { main, type ReplayRow } from '../../scripts/replay';

const ROOT = path.resolve(__dirname, '../..');
const FIXTURES = path.join(__dirname, 'fixtures');
const BODIES = path.join(FIXTURES, 'recorded-bodies.jsonl');
const CONFIG = path.join(FIXTURES, 'policy.json');

async function replay(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
	const out: string[] = [];
	const err: string[] = [];
	const code = await main(args, { stdout: (l) => out.push(l), stderr: (l) => err.push(l), readFile: (p) => readFileSync(p, 'utf8') });
	return { code, out, err };
}

describe('replay (in-process)', () => {
	it('prints the decision table of the recorded bodies, with the scheduled grace close in between', async () => {
		const { code, out, err } = await replay(['--config', CONFIG, BODIES]);
		expect(code).toBe(0);
		expect(out[0]).toMatch(/^time\s+event\s+alertUid\s+dedupeKey\s+decision\s+reason$/);
		const rows = out.slice(1, out.indexOf('')).map((line) => line.split(/\s{2,}/));
		expect(rows.map((r) => [r[0], r[1], r[2], r[4]])).toEqual([
			['2026-11-23T10:00:00.000Z', 'triggered', 'a-1', 'create'],
			['2026-11-23T10:00:05.000Z', 'triggered', 'a-1', 'ignore'],
			['2026-11-23T10:04:00.000Z', 'resolved', 'a-1', 'defer'],
			['2026-11-23T10:06:00.000Z', 'triggered', 'a-2', 'ignore'],
			['2026-11-23T10:07:00.000Z', 'resolved', 'a-2', 'defer'],
			['2026-11-23T10:12:00.000Z', 'tick', 'a-2', 'close'],
			['2026-11-23T10:30:00.000Z', 'triggered', 'a-3', 'reopen'],
			['2026-11-23T11:00:00.000Z', 'triggered', 's-1', 'create'],
			['2026-11-23T11:00:10.000Z', 'triggered', 's-2', 'create'],
			['2026-11-23T11:00:20.000Z', 'triggered', 's-3', 'create'],
			['2026-11-23T11:00:30.000Z', 'triggered', 's-4', 'create'],
			['2026-11-23T11:00:40.000Z', 'triggered', 's-5', 'correlate'],
			['2026-11-23T12:00:00.000Z', 'triggered', 'legacy-1', 'create'],
		]);
		expect(out.find((l) => l.includes('  reopen  '))).toMatch(/reopened ticket -1: recurrence 18 min after it closed, within the 24 h reopen window/);
		expect(out.at(-2)).toBe('12 entries, 13 decisions: create 6, ignore 2, defer 2, close 1, reopen 1, correlate 1');
		expect(out.at(-1)).toBe('would call: createTicket 6, addNote 3, closeTicket 1, reopenTicket 1, createParent 1, attachToParent 4');
		expect(err).toEqual([
			expect.stringMatching(/recorded-bodies\.jsonl:14: skipped: not JSON/),
			expect.stringMatching(/recorded-bodies\.jsonl:15: skipped: Missing field "alertUid"/),
		]);
	});

	it('settings change the table: a longer grace period and a maintenance window, as JSON lines', async () => {
		const dir = mkdtempSync(path.join(os.tmpdir(), 'replay-'));
		try {
			const config = path.join(dir, 'config.json');
			const windows = path.join(dir, 'windows.json');
			writeFileSync(config, JSON.stringify({ graceClose: { minutes: 30 } }));
			writeFileSync(
				windows,
				JSON.stringify([
					{ id: 'branch-maint', name: 'Branch works', scope: { level: 'site', id: 'site-branch' }, kind: 'oneOff', start: '2026-11-23T10:55:00Z', end: '2026-11-23T11:30:00Z' },
				]),
			);
			const { code, out } = await replay(['--config', config, '--windows', windows, '--json', BODIES]);
			expect(code).toBe(0);
			const rows = out.map((l) => JSON.parse(l) as ReplayRow);
			// a-2 fired within 30 min of a-1 clearing: no close at all until the end; the a-3 recurrence is a note.
			expect(rows.filter((r) => r.alertUid?.startsWith('a-')).map((r) => `${r.event}:${r.decision}`)).toEqual([
				'triggered:create',
				'triggered:ignore',
				'resolved:defer',
				'triggered:ignore',
				'resolved:defer',
				'triggered:note',
			]);
			// The branch storm falls in the window: suppressed, released at 11:30 as if it had just fired.
			const branch = rows.filter((r) => r.alertUid?.startsWith('s-'));
			expect(branch.slice(0, 5).map((r) => r.decision)).toEqual(Array(5).fill('suppress'));
			expect(branch.slice(5).map((r) => [r.at, r.event, r.decision])).toEqual([
				['2026-11-23T11:30:00.000Z', 'tick', 'create'],
				['2026-11-23T11:30:00.000Z', 'tick', 'create'],
				['2026-11-23T11:30:00.000Z', 'tick', 'create'],
				['2026-11-23T11:30:00.000Z', 'tick', 'create'],
				['2026-11-23T11:30:00.000Z', 'tick', 'correlate'],
			]);
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});

	it('usage errors exit 2', async () => {
		expect((await replay([])).code).toBe(2);
		expect((await replay(['--tick-minutes', 'x', BODIES])).err[0]).toMatch(/--tick-minutes needs a number/);
		expect((await replay(['/no/such/file.jsonl'])).err[0]).toMatch(/Cannot read \/no\/such\/file\.jsonl/);
	});
});

describe('replay (the compiled command)', () => {
	let out: string;

	beforeAll(() => {
		out = mkdtempSync(path.join(os.tmpdir(), 'replay-build-'));
		const tsc = spawnSync(
			process.execPath,
			[
				require.resolve('typescript/bin/tsc'),
				'scripts/replay.ts',
				'--outDir',
				out,
				'--rootDir',
				'.',
				'--module',
				'commonjs',
				'--target',
				'es2021',
				'--esModuleInterop',
				'--skipLibCheck',
				'--resolveJsonModule',
				'--strict',
			],
			{ cwd: ROOT, encoding: 'utf8' },
		);
		if (tsc.status !== 0) throw new Error(`tsc failed: ${tsc.stdout}${tsc.stderr}`);
	}, 120_000);
	afterAll(() => rmSync(out, { recursive: true, force: true }));

	it('node replay.js --config policy.json recorded-bodies.jsonl prints the table', () => {
		const run = spawnSync(process.execPath, [path.join(out, 'scripts/replay.js'), '--config', CONFIG, BODIES], {
			cwd: ROOT,
			encoding: 'utf8',
			env: { ...process.env, NODE_PATH: path.join(ROOT, 'node_modules') },
		});
		expect(run.status).toBe(0);
		const lines = run.stdout.trimEnd().split('\n');
		expect(lines).toHaveLength(1 + 13 + 1 + 2);
		expect(lines[1]).toMatch(/^2026-11-23T10:00:00\.000Z\s+triggered\s+a-1\s+dev-srv01\|message:disk c: #% full\s+create\s+created: new ticket/);
		expect(lines.at(-2)).toMatch(/^12 entries, 13 decisions/);
		expect(run.stderr).toMatch(/skipped: not JSON/);
	});
});
