/*
 * `npm start` works: runs scripts/demo.sh (what `npm start` runs) with DEMO_EXIT_AFTER_SAMPLES=1, which starts both
 * simulators and n8n with the packed package, the credentials and the shipped self-healing workflow (the all-in-one
 * lifecycle plus self-healing), seeds the site mapping and one remediation rule, fires the sample alerts and exits 0
 * only when every expected ticket opened and closed (and no execution failed). Three runs on one demo folder, on free
 * ports, with every HALO_* / DATTO_* / DEMO_* variable removed:
 *   1. fresh folder (provisioning) → exit 0, the editor URL, the login and the table; sample B is fixed by a Datto
 *      component (one self-healing note with the job's StdOut, the alert resolved by the component, the ticket closed
 *      with a note naming it);
 *   2. the same folder again (reuse: store cleared, mapping seeded again) → exit 0;
 *   3. the same folder with a broken copy of the workflow (the Halo "close" nodes disabled) → exit 1, naming what
 *      failed: the demo's own checks can fail.
 * After each run nothing listens on the demo's ports any more.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { OWNER } from '../../harness/n8n/instance';
import { findFreePortBlock, portAnswers, releasePortBlock } from '../../harness/ports';
import { repoRoot } from '../../harness/repo';

interface DemoRun {
	code: number | null;
	output: string;
	seconds: number;
}

/** Runs `bash scripts/demo.sh` in its own process group; kills the group when it overruns. */
function runDemo(env: Record<string, string>, timeoutMs: number): Promise<DemoRun> {
	const base: Record<string, string> = {};
	for (const [key, value] of Object.entries(process.env)) {
		if (value === undefined) continue;
		// Real-tenant variables would switch the demo to real mode; DEMO_* settings of the caller are not the test's.
		if (
			/^(HALO_|DATTO_|DEMO_)/.test(key) &&
			key !== 'HALO_DATTO_CACHE' &&
			key !== 'HALO_DATTO_PREPARED_PACKAGE'
		)
			continue;
		if (key === 'NODE_ENV' || key === 'JEST_WORKER_ID') continue;
		base[key] = value;
	}
	const started = Date.now();
	return new Promise((resolve) => {
		const child = spawn('bash', [path.join(repoRoot(), 'scripts', 'demo.sh')], {
			cwd: repoRoot(),
			env: { ...base, NO_COLOR: '1', DEMO_SKIP_BUILD: '1', DEMO_EXIT_AFTER_SAMPLES: '1', ...env },
			detached: true,
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		let output = '';
		child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
		child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
		const timer = setTimeout(() => {
			output += `\n[test] demo overran ${timeoutMs} ms: SIGTERM to its process group\n`;
			try {
				process.kill(-(child.pid as number), 'SIGTERM');
			} catch {
				// gone
			}
		}, timeoutMs);
		child.on('close', (code) => {
			clearTimeout(timer);
			resolve({ code, output, seconds: Math.round((Date.now() - started) / 100) / 10 });
		});
	});
}

/** The sample table's rows: key → the cells after the alert id (device … what happened). */
function tableRows(output: string): Record<string, string> {
	const rows: Record<string, string> = {};
	for (const line of output.split('\n')) {
		const m = /^ {2}([A-D]) {2}[0-9a-f]{8}… +(.*)$/.exec(line);
		if (m) rows[m[1]] = m[2].replace(/\s+/g, ' ');
	}
	return rows;
}

describe('npm start (scripts/demo.sh) with DEMO_EXIT_AFTER_SAMPLES=1', () => {
	let home: string;
	let port: number;
	let env: Record<string, string>;

	beforeAll(async () => {
		home = fs.mkdtempSync(path.join(os.tmpdir(), 'halo-datto-demo-'));
		port = await findFreePortBlock(4); // n8n, its task broker, HaloPSA simulator, Datto RMM simulator
		env = {
			DEMO_HOME: home,
			DEMO_N8N_PORT: String(port),
			DEMO_HALO_PORT: String(port + 2),
			DEMO_DATTO_PORT: String(port + 3),
		};
	});

	afterAll(() => {
		releasePortBlock(port);
		if (process.env.E2E_KEEP !== '1') fs.rmSync(home, { recursive: true, force: true });
	});

	const expectPortsFree = async () => {
		for (const p of [port, port + 1, port + 2, port + 3])
			expect({ port: p, listening: await portAnswers(p) }).toEqual({ port: p, listening: false });
	};

	test('first run: provisions, prints the editor URL and login, and every sample ticket opens and closes', async () => {
		const run = await runDemo(env, 600_000);
		const tail = run.output.split('\n').slice(-60).join('\n');
		expect({ code: run.code, tail }).toEqual({
			code: 0,
			tail: expect.stringContaining('all sample checks passed'),
		});
		expect(run.output).toContain(`provisioned a new n8n user folder ${path.join(home, 'n8n')}`);
		expect(run.output).toContain(`n8n editor   http://127.0.0.1:${port}/workflow/HaloDattoHeal001`);
		expect(run.output).toContain(`login        ${OWNER.email}  /  ${OWNER.password}`);
		expect(run.output).toMatch(/imported 3 site → client mappings and 1 remediation rule/);
		expect(run.output).toContain(`status page  http://127.0.0.1:${port}/webhook/halo-datto-status  (login status  /  demo-status-page-password)`);
		expect(run.output).toContain('the HaloPSA Trigger registered its webhook in the Halo simulator');
		expect(run.output).toContain(`status page http://127.0.0.1:${port}/webhook/halo-datto-status: 1 open alert ↔ ticket link, last deliveries shown`);
		const rows = tableRows(run.output);
		expect(Object.keys(rows).sort()).toEqual(['A', 'B', 'C', 'D']);
		expect(rows.A).toMatch(
			/^CONTOSO-SRV01 Critical #\d+ Contoso Ltd closed resolved resolved in Datto → n8n closed the ticket with a note; 3 duplicate deliveries → no 2nd ticket$/,
		);
		expect(rows.B).toMatch(
			/^FABRIKAM-SQL01 High #\d+ Fabrikam Inc closed resolved self-healing: "Restart Service" ran → fixed it → n8n closed the ticket with a note$/,
		);
		expect(run.output).toMatch(/self-healing note on #\d+: "Self-healing: component "Restart Service" succeeded\..*Restarting MSSQLSERVER\.\.\. OK/);
		expect(run.output).toMatch(/closing note on #\d+: "The Datto RMM alert was resolved after self-healing: component "Restart Service" \(Datto job [0-9a-f-]+\) fixed it/);
		expect(rows.C).toMatch(
			/^NORTHWIND-FS01 Moderate #\d+ Northwind Traders closed resolved closed by a technician in Halo → n8n resolved the alert$/,
		);
		expect(rows.D).toMatch(
			/^TAILSPIN-LT03 Low #\d+ \S.* open open unmapped site → catch-all client, still open$/,
		);
		expect(run.output).toMatch(/\(0 failed\); HaloPSA has 4 tickets for 4 alerts/);
		expect(run.output).toMatch(/stopped n8n and the simulators/);
		await expectPortsFree();
		process.stderr.write(`[demo.test] first run ${run.seconds} s\n`);
	}, 660_000);

	test('second run on the same folder: reuses it, clears the old links and passes again', async () => {
		const run = await runDemo(env, 300_000);
		const tail = run.output.split('\n').slice(-60).join('\n');
		expect({ code: run.code, tail }).toEqual({
			code: 0,
			tail: expect.stringContaining('all sample checks passed'),
		});
		expect(run.output).toContain(`reusing the n8n user folder ${path.join(home, 'n8n')}`);
		expect(run.output).not.toContain('provisioned a new n8n user folder');
		expect(run.output).toContain('cleared the mapping store of the last run');
		expect(Object.keys(tableRows(run.output)).sort()).toEqual(['A', 'B', 'C', 'D']);
		await expectPortsFree();
		process.stderr.write(`[demo.test] second run ${run.seconds} s\n`);
	}, 330_000);

	test('a workflow that never closes tickets makes the demo exit 1 and name the failed checks', async () => {
		const shipped = JSON.parse(
			fs.readFileSync(path.join(repoRoot(), 'workflows', 'datto-halo-self-healing.json'), 'utf8'),
		) as {
			nodes: Array<{ name: string; type: string; parameters: Record<string, unknown>; disabled?: boolean }>;
		};
		const closers = shipped.nodes.filter(
			(n) => n.type === 'n8n-nodes-halo-datto.haloPsa' && n.parameters.operation === 'close',
		);
		expect(closers.length).toBeGreaterThan(0);
		for (const node of closers) node.disabled = true;
		const broken = path.join(home, 'broken-datto-halo-self-healing.json');
		fs.writeFileSync(broken, JSON.stringify(shipped));
		const run = await runDemo({ ...env, DEMO_WORKFLOW: broken, DEMO_SAMPLE_TIMEOUT_MS: '8000' }, 300_000);
		expect({ code: run.code, tail: run.output.split('\n').slice(-40).join('\n') }).toEqual({
			code: 1,
			tail: expect.stringContaining('some sample checks FAILED'),
		});
		expect(run.output).toContain('changed since the last run: imported it again');
		expect(run.output).toMatch(/FAILED alert A: ticket closed/);
		expect(run.output).toMatch(/FAILED alert B: ticket closed/);
		expect(run.output).not.toMatch(/FAILED alert C/);
		await expectPortsFree();
	}, 330_000);
});
