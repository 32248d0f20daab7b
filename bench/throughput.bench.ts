/*
 * CPU per execution and throughput through real n8n: the shipped alert workflow (workflows/datto-halo-sync.json:
 * triggered alerts into the Datto RMM Trigger, claim, site lookup, Halo ticket, links) against a bare Webhook →
 * Respond to Webhook workflow on the SAME n8n instance, in interleaved rounds (A, B, A, B, …).
 *
 * Main figure (issue 19): CPU time of the n8n main process (user + system, all threads, /proc/<pid>/stat) per
 * execution, from the first request of a round until n8n is idle again (measured before the executions API confirms
 * the round), and its ratio to bare / to n8n's Header-Auth Webhook in the same run. On a shared machine the rate swings
 * with the other load; n8n's own CPU per execution does not. Also per execution: isolated-vm isolates the n8n process
 * created, with THROUGHPUT_COUNT_ISOLATES=1 (counted by a preload script that wraps require('isolated-vm').Isolate; see isolateCounterEnv in lib.ts).
 * Secondary figure: completed executions per second, counted through n8n's executions API (the Datto trigger
 * answers before its workflow runs, so HTTP responses alone would overstate it).
 *
 * Per round: N requests at concurrency C; rate = successful executions / (stoppedAt of the last execution − the
 * moment the first request was sent). The alert rounds also check that every alert got exactly one Halo ticket.
 * n8n runs with its defaults: default expression engine, default execution-data saving, regular mode, SQLite.
 * For this figure the Halo simulator's rate limit is off and the credential's budget raised (with 300 requests per
 * 5 minutes Halo itself caps the alert workflow at 1 ticket per second: that is the storm benchmark), and the
 * workflow's two schedules are disabled so that only the measured webhooks run.
 *
 * The shipped Postgres alert workflow (workflows/postgres/1-alert-lifecycle.json, 21 nodes, the variant for several
 * processes and queue mode) runs in the same rounds against the PostgreSQL the tests use (found or started;
 * THROUGHPUT_POSTGRES=0 leaves it out), in a table of its own that is dropped afterwards.
 *
 * Three diagnostic workflows run in the same rounds (THROUGHPUT_DIAGNOSTICS=0 leaves them out), to show where the
 * difference comes from: "Datto RMM Trigger → No Op" (the trigger alone), n8n's own "Webhook with Header Auth →
 * Respond" (a credential read in the webhook phase, as the trigger reads its secret) and "Webhook → 6 × Set (one
 * expression each) → Respond" (n8n's own cost of a path as long as the alert workflow's, without any package node).
 *
 *   node dist/bench/throughput.bench.js        env: THROUGHPUT_ROUNDS (3), THROUGHPUT_REQUESTS (200 per round),
 *                                              THROUGHPUT_CONCURRENCY (10), THROUGHPUT_WARMUP (30 per workflow),
 *                                              THROUGHPUT_POLL_MS (250: how often a round asks n8n's executions API
 *                                              whether it has finished; the rate uses n8n's own stoppedAt, so a
 *                                              slower poll only takes load off n8n: 3000 gave the same ratios),
 *                                              THROUGHPUT_SUBJECTS (e.g. "bare,dattoTriggerOnly": only these rounds,
 *                                              logged, no results file; for CPU profiles with bench/profile.mjs)
 */
import { NODES, WORKFLOW_IDS, type WorkflowJson } from '../scripts/workflows/definition';
import { dropTable, findOrStartPostgres, uniqueTableName, type TestPostgres } from '../test/helpers/postgres';
import {
	BENCH_HEADER_AUTH,
	bareWorkflow,
	cpuWhenIdle,
	idleCpuRate,
	processCpuMs,
	isolateCounterEnv,
	n8nMainPid,
	sleep,
	benchSeedCsv,
	headerAuthCredential,
	headerAuthWebhookWorkflow,
	dattoTriggerOnlyWorkflow,
	dattoWebhookUrl,
	envNumber,
	executionsAfter,
	lastExecutionId,
	log,
	machineInfo,
	percentile,
	postAll,
	prepareAlerts,
	round,
	runMain,
	setChainWorkflow,
	startBenchN8n,
	startBenchSims,
	ticketsByAlert,
	waitForSettled,
	writeResult,
	type BenchSims,
} from './lib';
import { readWorkflow, transformWorkflow, webhookPath } from '../test/e2e/fixtures/sync';

const ROUNDS = envNumber('THROUGHPUT_ROUNDS', 3);
const REQUESTS = envNumber('THROUGHPUT_REQUESTS', 200);
const CONCURRENCY = envNumber('THROUGHPUT_CONCURRENCY', 10);
const WARMUP = envNumber('THROUGHPUT_WARMUP', 30);
const DIAGNOSTICS = process.env.THROUGHPUT_DIAGNOSTICS !== '0';
const POSTGRES = process.env.THROUGHPUT_POSTGRES !== '0';
/** How often the bench asks n8n's executions API whether a round has finished (each poll costs n8n CPU). */
const POLL_MS = envNumber('THROUGHPUT_POLL_MS', 250);

interface Subject {
	key: 'alert' | 'alertPostgres' | 'bare' | 'dattoTriggerOnly' | 'headerAuth' | 'setChain';
	label: string;
	workflowId: string;
	url: string;
	/** Alerts are kept in the Datto simulator and must each get one ticket. */
	createsTickets: boolean;
	headers?: Record<string, string>;
}

interface Round {
	subject: Subject['key'];
	round: number;
	requests: number;
	httpOk: number;
	completed: number;
	failed: number;
	seconds: number;
	executionsPerSecond: number;
	httpP50Ms: number;
	httpP99Ms: number;
	executionP50Ms: number;
	executionP99Ms: number;
	/** CPU time of the n8n main process (all threads) for the round, from the first request until n8n is idle again. */
	cpuMs: number;
	cpuMsPerExecution: number;
	/** isolated-vm isolates the n8n main process created during the round, per execution. */
	isolatesPerExecution: number;
	oneTicketEach?: boolean;
}

interface Meter {
	pid: number;
	/** n8n's CPU ms per second when nothing is sent (subtracted from every round). */
	idleMsPerSecond: number;
	isolates: (pid: number) => number;
}

async function runRound(
	subject: Subject,
	index: number,
	sims: BenchSims,
	n8n: import('./lib').N8nInstance,
	count: number,
	offset: number,
	meter: Meter,
): Promise<Round> {
	const bodies = await prepareAlerts(sims, count, offset, { keep: subject.createsTickets });
	const before = await lastExecutionId(n8n);
	// Start from an idle n8n (the previous round's saves and the API calls above done), end when it is idle again,
	// before the executions API confirms the round (its own cost is not the subject's).
	await cpuWhenIdle(meter.pid, { idleMsPerSecond: meter.idleMsPerSecond, windowMs: 500 });
	const cpuBefore = processCpuMs(meter.pid);
	const isolatesBefore = meter.isolates(meter.pid);
	const started = Date.now();
	const sent = await postAll(() => subject.url, bodies, CONCURRENCY, subject.headers);
	const quiet = await cpuWhenIdle(meter.pid, { idleMsPerSecond: meter.idleMsPerSecond });
	// n8n's idle CPU during the round is not the subject's.
	const cpuMs = Math.max(0, quiet.cpuMs - cpuBefore - (meter.idleMsPerSecond * (quiet.at - started)) / 1000);
	if (!sent.some((s) => s.status === 200)) log(`${subject.key} round ${index}: no HTTP 200: ${JSON.stringify(sent.slice(0, 3))}`);
	await sleep(250); // the counter file is written every 100 ms
	const isolates = meter.isolates(meter.pid) - isolatesBefore;
	const executions = await waitForSettled(n8n, before, { workflowId: subject.workflowId, count, mode: 'webhook', timeoutMs: 900_000, pollMs: POLL_MS });
	const last = Math.max(...executions.map((e) => e.stoppedAt ?? 0));
	const seconds = (last - started) / 1000;
	const ok = executions.filter((e) => e.status === 'success');
	const durations = executions.map((e) => (e.stoppedAt ?? e.startedAt) - e.startedAt);
	const result: Round = {
		subject: subject.key,
		round: index,
		requests: count,
		httpOk: sent.filter((s) => s.status === 200).length,
		completed: ok.length,
		failed: executions.length - ok.length,
		seconds: round(seconds),
		executionsPerSecond: round(ok.length / seconds, 2),
		httpP50Ms: percentile(sent.map((s) => s.ms), 0.5),
		httpP99Ms: percentile(sent.map((s) => s.ms), 0.99),
		executionP50Ms: percentile(durations, 0.5),
		executionP99Ms: percentile(durations, 0.99),
		cpuMs: round(cpuMs, 0),
		cpuMsPerExecution: round(cpuMs / count, 1),
		isolatesPerExecution: round(isolates / count, 2),
	};
	if (subject.createsTickets) {
		const tickets = ticketsByAlert(sims.halo);
		result.oneTicketEach = bodies.every((b) => (tickets.get(b.alertUid) ?? []).length === 1);
	}
	const statuses = Object.entries(
		sent.reduce<Record<string, number>>((acc, s) => ({ ...acc, [s.error ?? String(s.status)]: (acc[s.error ?? String(s.status)] ?? 0) + 1 }), {}),
	)
		.map(([k, v]) => `${k} × ${v}`)
		.join(', ');
	log(`${subject.key} round ${index}: HTTP ${statuses}`);
	log(`${subject.key} round ${index}: ${result.completed}/${count} in ${result.seconds} s = ${result.executionsPerSecond}/s, CPU ${result.cpuMsPerExecution} ms and ${result.isolatesPerExecution} isolates per execution (failed ${result.failed})`);
	return result;
}

async function main(): Promise<void> {
	const machineBefore = machineInfo();
	log(`throughput: ${ROUNDS} rounds × ${REQUESTS} requests per workflow, concurrency ${CONCURRENCY}; load ${machineBefore.loadAverage.join(' ')}`);
	const sims = await startBenchSims({ haloRateLimit: false });
	const bare = bareWorkflow();
	const setChain = setChainWorkflow('BenchSetChain001', 'bench-set-chain', 6);
	const triggerOnly = dattoTriggerOnlyWorkflow(readWorkflow('workflows/datto-halo-sync.json'));
	const headerAuth = headerAuthWebhookWorkflow();
	let pg: TestPostgres | undefined;
	let pgWorkflow: WorkflowJson | undefined;
	const pgTable = uniqueTableName('bench_throughput');
	let pgVars: Record<string, string | number> = {};
	if (POSTGRES) {
		pg = await findOrStartPostgres();
		pgVars = { PGHOST: pg.host, PGPORT: pg.port, PGUSER: pg.user, PGPASSWORD: pg.password, PGDATABASE: pg.database };
		pgWorkflow = transformWorkflow(readWorkflow('workflows/postgres/1-alert-lifecycle.json'), { table: pgTable, seedCsv: benchSeedCsv() });
	}
	const pgPath = pgWorkflow ? webhookPath(pgWorkflow, NODES.dattoTrigger, 'datto-alert') : undefined;
	// THROUGHPUT_COUNT_ISOLATES=1: count isolated-vm isolates with a preload script (NODE_OPTIONS=--require).
	const counter = process.env.THROUGHPUT_COUNT_ISOLATES === '1' ? isolateCounterEnv() : { env: {}, count: () => NaN };
	const env = await startBenchN8n(sims, {
		env: counter.env,
		extraWorkflows: [bare, ...(pgWorkflow ? [pgWorkflow] : []), ...(DIAGNOSTICS ? [triggerOnly, headerAuth, setChain] : [])],
		extraCredentials: DIAGNOSTICS ? [headerAuthCredential()] : [],
		vars: { HALO_REQUESTS_PER_WINDOW: 1_000_000, HALO_WINDOW_SECONDS: 300, ...pgVars },
		disableNodes: [NODES.reconcileSchedule, NODES.cleanupSchedule],
		seedWorkflowIds: pgWorkflow ? [WORKFLOW_IDS.pgLifecycle] : [],
		waitForWebhooks: pgPath ? [pgPath] : [],
	});
	try {
		const { n8n } = env;
		log(`n8n ready in ${env.setupMs} ms: ${JSON.stringify(env.settings)}`);
		const pid = n8nMainPid(n8n);
		const meter: Meter = { pid, isolates: counter.count, idleMsPerSecond: await idleCpuRate(pid) };
		const subjects: Subject[] = [
			{ key: 'alert', label: 'shipped alert workflow (static data)', workflowId: env.workflow.id, url: dattoWebhookUrl(n8n, env.dattoPath), createsTickets: true },
			{ key: 'bare', label: 'Webhook → Respond to Webhook', workflowId: bare.id, url: `${n8n.baseUrl}/webhook/bench-bare`, createsTickets: false },
		];
		if (pgWorkflow && pgPath) {
			subjects.push({
				key: 'alertPostgres',
				label: 'shipped Postgres alert workflow (workflows/postgres/1-alert-lifecycle.json)',
				workflowId: pgWorkflow.id,
				url: dattoWebhookUrl(n8n, pgPath),
				createsTickets: true,
			});
		}
		if (DIAGNOSTICS) {
			const triggerPath = `${(triggerOnly.nodes[0] as { webhookId: string }).webhookId}/datto-alert`;
			subjects.push(
				{ key: 'dattoTriggerOnly', label: 'diagnostic: Datto RMM Trigger → No Op', workflowId: triggerOnly.id, url: dattoWebhookUrl(n8n, triggerPath), createsTickets: false },
				{
					key: 'headerAuth',
					label: "diagnostic: n8n's Webhook with Header Auth → Respond",
					workflowId: headerAuth.id,
					url: `${n8n.baseUrl}/webhook/bench-header-auth`,
					createsTickets: false,
					headers: { [BENCH_HEADER_AUTH.name]: BENCH_HEADER_AUTH.value },
				},
				{ key: 'setChain', label: 'diagnostic: Webhook → 6 × Set (1 expression each) → Respond', workflowId: setChain.id, url: `${n8n.baseUrl}/webhook/bench-set-chain`, createsTickets: false },
			);
		}
		// THROUGHPUT_SUBJECTS="bare,dattoTriggerOnly": only these (for profiling one of them); the ratio needs alert and bare.
		const only = (process.env.THROUGHPUT_SUBJECTS ?? '').split(',').map((k) => k.trim()).filter(Boolean);
		if (only.length > 0) subjects.splice(0, subjects.length, ...subjects.filter((s) => only.includes(s.key)));
		// Warm-up, not counted (first executions load node code, open connections, fetch the Halo token).
		let offset = 0;
		for (const subject of subjects) {
			await runRound(subject, 0, sims, n8n, WARMUP, offset, meter);
			offset += WARMUP;
		}
		meter.idleMsPerSecond = await idleCpuRate(pid);
		log(`n8n idles at ${round(meter.idleMsPerSecond, 1)} ms CPU per second`);
		const rounds: Round[] = [];
		for (let r = 1; r <= ROUNDS; r++) {
			for (const subject of subjects) {
				rounds.push(await runRound(subject, r, sims, n8n, REQUESTS, offset, meter));
				offset += REQUESTS;
			}
		}
		if (only.length > 0) {
			log('THROUGHPUT_SUBJECTS is set: rounds logged above, no results file written');
			return;
		}
		const summary = (key: Subject['key']) => {
			const rs = rounds.filter((r) => r.subject === key);
			const completed = rs.reduce((s, r) => s + r.completed, 0);
			const seconds = rs.reduce((s, r) => s + r.seconds, 0);
			const requests = rs.reduce((s, r) => s + r.requests, 0);
			return {
				cpuMsPerExecution: round(rs.reduce((s, r) => s + r.cpuMs, 0) / requests, 1),
				cpuMsPerExecutionPerRound: rs.map((r) => r.cpuMsPerExecution),
				isolatesPerExecution: round(rs.reduce((s, r) => s + r.isolatesPerExecution * r.requests, 0) / requests, 2),
				label: subjects.find((s) => s.key === key)!.label,
				completed,
				failed: rs.reduce((s, r) => s + r.failed, 0),
				seconds: round(seconds),
				executionsPerSecond: round(completed / seconds, 2),
				perRound: rs.map((r) => r.executionsPerSecond),
			};
		};
		const figures = Object.fromEntries(subjects.map((s) => [s.key, summary(s.key)]));
		const ratioTo = (key: Subject['key']) => round(figures[key].executionsPerSecond / figures.bare.executionsPerSecond, 3);
		const perRoundRatio = (key: Subject['key']) =>
			rounds
				.filter((r) => r.subject === key)
				.map((a) => round(a.executionsPerSecond / rounds.find((r) => r.subject === 'bare' && r.round === a.round)!.executionsPerSecond, 3));
		const ratio = ratioTo('alert');
		const cpuRatio = (key: Subject['key'], to: Subject['key']) =>
			figures[key] && figures[to] ? round(figures[key].cpuMsPerExecution / figures[to].cpuMsPerExecution, 3) : undefined;
		const cpu = {
			alertVsBare: cpuRatio('alert', 'bare'),
			dattoTriggerOnlyVsHeaderAuth: DIAGNOSTICS ? cpuRatio('dattoTriggerOnly', 'headerAuth') : undefined,
			headerAuthVsBare: DIAGNOSTICS ? cpuRatio('headerAuth', 'bare') : undefined,
			alertPostgresVsBare: pgWorkflow ? cpuRatio('alertPostgres', 'bare') : undefined,
		};
		const targets = [
			{ figure: 'Shipped alert path: CPU per alert vs bare', target: '<= 2.5', value: cpu.alertVsBare, met: (cpu.alertVsBare ?? Infinity) <= 2.5 },
			...(Number.isFinite(figures.alert.isolatesPerExecution)
				? [{ figure: 'Shipped alert path: isolates per alert', target: '<= 2', value: figures.alert.isolatesPerExecution, met: figures.alert.isolatesPerExecution <= 2 }]
				: []),
			...(DIAGNOSTICS
				? [
						{
							figure: "Datto trigger alone: CPU per execution vs n8n's Header-Auth Webhook",
							target: '<= 1.1',
							value: cpu.dattoTriggerOnlyVsHeaderAuth,
							met: (cpu.dattoTriggerOnlyVsHeaderAuth ?? Infinity) <= 1.1,
						},
					]
				: []),
		];
		const all = await executionsAfter(n8n, 0);
		const result = {
			benchmark: 'throughput',
			description:
				'CPU time of the n8n main process (all threads) per execution and completed executions per second: the shipped alert workflow (static data), ' +
				"the Datto RMM Trigger alone, n8n's Webhook with Header Auth and a bare Webhook → Respond to Webhook, same n8n instance, interleaved rounds",
			targets,
			met: targets.every((t) => t.met),
			cpuRatios: cpu,
			/** Executions per second, alert / bare (informational: swings with the machine's other load). */
			ratio,
			ratioPerRound: perRoundRatio('alert'),
			postgres: pgWorkflow
				? { ratio: ratioTo('alertPostgres'), ratioPerRound: perRoundRatio('alertPostgres'), table: pgTable, database: `${pg!.host}:${pg!.port}/${pg!.database} (${pg!.origin})` }
				: undefined,
			diagnostics: DIAGNOSTICS
				? {
						dattoTriggerOnlyRatio: ratioTo('dattoTriggerOnly'),
						dattoTriggerOnlyRatioPerRound: perRoundRatio('dattoTriggerOnly'),
						headerAuthWebhookRatio: ratioTo('headerAuth'),
						headerAuthWebhookRatioPerRound: perRoundRatio('headerAuth'),
						setChainRatio: ratioTo('setChain'),
						setChainRatioPerRound: perRoundRatio('setChain'),
					}
				: undefined,
			figures,
			allAlertsOneTicket: rounds.filter((r) => r.oneTicketEach !== undefined).every((r) => r.oneTicketEach),
			failedExecutions: all.filter((e) => e.status !== 'success').length,
			idleCpuMsPerSecond: round(meter.idleMsPerSecond, 1),
			parameters: { rounds: ROUNDS, requestsPerRound: REQUESTS, concurrency: CONCURRENCY, warmUpPerWorkflow: WARMUP, pollMs: POLL_MS },
			settings: {
				...env.settings,
				haloSimulatorRateLimit: 'off (this benchmark only)',
				haloCredentialBudget: '1,000,000 per 300 s (this benchmark only)',
				datto: 'recommended webhook bodies, secret in the query (complete bodies: no enrichment call)',
				schedules: 'reconciliation and daily cleanup disabled during this benchmark',
			},
			rounds,
			machine: { before: machineBefore, after: machineInfo() },
		};
		writeResult('throughput', result);
		for (const t of targets) log(`${t.figure}: ${t.value} (target ${t.target}) ${t.met ? 'met' : 'MISSED'}`);
		log(
			`executions/s ratio ${ratio} (alert ${figures.alert.executionsPerSecond}/s, bare ${figures.bare.executionsPerSecond}/s)` +
				(figures.alertPostgres ? `; Postgres alert workflow ${figures.alertPostgres.executionsPerSecond}/s, ratio ${ratioTo('alertPostgres')}` : ''),
		);
		if (!result.allAlertsOneTicket || result.failedExecutions > 0) throw new Error('alerts without exactly one ticket, or failed executions');
	} finally {
		await env.n8n.stop();
		await sims.close();
		if (pg) {
			await dropTable(pg, pgTable);
			await pg.stop();
		}
	}
}

runMain('throughput', main);
