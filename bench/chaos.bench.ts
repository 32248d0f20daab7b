/*
 * Chaos soak (issue 18): the shipped Postgres workflows (workflows/postgres/*.json, imported as the e2e fixtures do) in
 * queue mode — n8n main + CHAOS_WORKERS workers (default 2), Redis (REDIS_HOST/REDIS_PORT, default 127.0.0.1:6379),
 * PostgreSQL (PGHOST/PGPORT, else the machine's service on 127.0.0.1:5432) — against the Halo and Datto simulators,
 * with a steady stream of alerts for CHAOS_MINUTES (default 30) while faults are injected at seeded random times.
 *
 * The stream: one alert every CHAOS_ALERT_INTERVAL_MS (1500) on a random device of 5 sites × CHAOS_DEVICES_PER_SITE
 * (20); each alert's fate is drawn from the seed: resolved in Datto (70 %), closed by a technician in Halo (20 %) or
 * left open (10 %), 10–120 s after it was raised. A fate waits for the alert's ticket (a technician cannot close a
 * ticket that does not exist; a resolve before the ticket would make "lost" ambiguous) for at most 6 minutes.
 *
 * Chaos (sequential, never two at once, seeded by CHAOS_SEED): Halo 5xx for 5–30 s, Halo 429 bursts of 5–25
 * requests, Halo latency of 1–5 s for 10–40 s, a Datto 403 IP block for 10–30 s, both simulators' tokens expired, all
 * on top of a short Halo token lifetime (CHAOS_HALO_TOKEN_SECONDS, 120); and, once each per run at a random time in the
 * middle of the stream, a PostgreSQL "restart" and an n8n restart:
 *   - Postgres: this run's own database (n8n's database and the mapping store's table) refuses new connections
 *     (ALTER DATABASE … ALLOW_CONNECTIONS false), every connection to it is terminated (pg_terminate_backend), and
 *     after CHAOS_PG_DOWN_SECONDS (5) it accepts connections again. Nothing else on the shared server is touched: the
 *     service is never stopped and no other database's connections are cut.
 *   - n8n: main and workers stopped (SIGTERM, SIGKILL after 15 s) and started again through the harness.
 *
 * After the stream (and the last fates) the reconciliation runs (every CHAOS_RECONCILE_SECONDS, 60, for the whole
 * run; resolve grace 30 s; stale-claim reclaim 1 minute) until the outcome is settled or CHAOS_SETTLE_MINUTES (10)
 * have passed. Figures: alerts, tickets, lost (an alert that never got a ticket), duplicates (more than one ticket),
 * unclosed after reconciliation (resolved in Datto but its ticket not closed; closed by a technician but its Datto
 * alert not resolved), tickets closed while their alert was still open, injected faults by kind, failed executions
 * (with their last node and error), Halo calls, 429s, 401s and token requests. Target: lost, duplicates and unclosed
 * all 0. Results: bench/results/chaos.json (chaos-<minutes>min.json when CHAOS_RESULT_NAME says so).
 *
 *   BENCH_ONLY=chaos bash bench/run.sh                   30 minutes
 *   CHAOS_MINUTES=3 BENCH_ONLY=chaos bash bench/run.sh   a short iteration
 */
import * as fs from 'fs';
import { Client } from 'pg';

import { N8nInstance } from '../harness/n8n/instance';
import { NODES, WORKFLOW_IDS } from '../scripts/workflows/definition';
import { findOrStartPostgres, pgConfigFor, type TestPostgres } from '../test/helpers/postgres';
import { describeExecutions, executionsAfter, outcome, startSuite, tableRows, type Suite } from '../test/reliability/support/e2e';
import { redisDeleteMatching, redisLocation, redisPing } from '../test/reliability/support/redis';
import { envNumber, haloApiEntries, haloTokenEntries, log, machineInfo, n8nSettings, round, runMain, sleep, ticketsByAlert, writeResult } from './lib';

const MINUTES = envNumber('CHAOS_MINUTES', 30);
const SEED = envNumber('CHAOS_SEED', 18);
const INTERVAL_MS = envNumber('CHAOS_ALERT_INTERVAL_MS', 1500);
const WORKERS = envNumber('CHAOS_WORKERS', 2);
const DEVICES_PER_SITE = envNumber('CHAOS_DEVICES_PER_SITE', 20);
const HALO_LIMIT = envNumber('CHAOS_HALO_LIMIT', 600);
const HALO_WINDOW_S = envNumber('CHAOS_HALO_WINDOW', 300);
const HALO_TOKEN_S = envNumber('CHAOS_HALO_TOKEN_SECONDS', 120);
const RECONCILE_S = envNumber('CHAOS_RECONCILE_SECONDS', 60);
const PG_DOWN_S = envNumber('CHAOS_PG_DOWN_SECONDS', 5);
const SETTLE_MIN = envNumber('CHAOS_SETTLE_MINUTES', 10);
const NAME = process.env.CHAOS_RESULT_NAME || 'chaos';

/** mulberry32: a small seeded PRNG, so that a seed replays the same stream and the same chaos schedule. */
function seededRandom(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

type FaultKind = 'halo5xx' | 'halo429' | 'haloLatency' | 'datto403' | 'tokenExpiry' | 'postgresRestart' | 'n8nRestart';

interface PlannedFault {
	/** Seconds after the stream starts. */
	at: number;
	kind: FaultKind;
	params: Record<string, number>;
}

interface InjectedFault extends PlannedFault {
	startedAt: string;
	tookMs: number;
	detail?: Record<string, unknown>;
}

/** The chaos schedule of a run: faults every 20–60 s, the Postgres and the n8n restart once each, never overlapping. */
function chaosPlan(random: () => number, streamSeconds: number): PlannedFault[] {
	const between = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
	const plan: PlannedFault[] = [];
	// The two restarts: one in the second, one in the third fifth of the stream (order drawn), at least 60 s apart.
	const early = Math.max(20, Math.round(streamSeconds * (0.25 + random() * 0.15)));
	const late = Math.max(early + 60, Math.round(streamSeconds * (0.5 + random() * 0.15)));
	const [pgAt, n8nAt] = random() < 0.5 ? [early, late] : [late, early];
	plan.push({ at: pgAt, kind: 'postgresRestart', params: { downSeconds: PG_DOWN_S } });
	plan.push({ at: n8nAt, kind: 'n8nRestart', params: { downSeconds: between(1, 5) } });
	const small: FaultKind[] = ['halo5xx', 'halo429', 'haloLatency', 'datto403', 'tokenExpiry'];
	// A small fault must end 5 s before a restart and start after it is over (n8n: about 45 s; Postgres: its outage).
	const busy = (t: number, span: number) =>
		plan.some((f) => (t <= f.at && t + span + 5 > f.at) || (t > f.at && t < f.at + (f.kind === 'n8nRestart' ? 45 : PG_DOWN_S + 5)));
	for (let t = between(10, 30); t < streamSeconds - 10; t += between(20, 60)) {
		const kind = small[Math.floor(random() * small.length)];
		const params: Record<string, number> =
			kind === 'halo5xx'
				? { seconds: between(5, 30), status: [500, 502, 503][between(0, 2)] }
				: kind === 'halo429'
					? { seconds: 30, requests: between(5, 25) }
					: kind === 'haloLatency'
						? { seconds: between(10, 40), latencyMs: between(1000, 5000) }
						: kind === 'datto403'
							? { seconds: between(10, 30) }
							: {};
		if (busy(t, params.seconds ?? 0)) continue;
		plan.push({ at: t, kind, params });
	}
	return plan.sort((a, b) => a.at - b.at);
}

type Fate = 'resolve' | 'techClose' | 'open';

interface StreamAlert {
	uid: string;
	raisedAt: number;
	fate: Fate;
	dueAt: number;
	doneAt?: number;
	/** The fate ran without a ticket (after 6 minutes of waiting). */
	withoutTicket?: boolean;
	deliveryStatus: Array<number | string>;
}

async function main(): Promise<void> {
	const machineBefore = machineInfo();
	const random = seededRandom(SEED);
	const streamSeconds = Math.round(MINUTES * 60);
	const plan = chaosPlan(random, streamSeconds);
	log(`chaos: ${MINUTES} min, seed ${SEED}, one alert every ${INTERVAL_MS} ms, ${plan.length} faults planned: ${plan.map((f) => `${f.at}s ${f.kind}`).join(', ')}`);

	await redisPing();
	const server: TestPostgres = await findOrStartPostgres();
	const run = `${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
	const database = `chaos_${run}`;
	const prefix = `hdchaos-${run}`;
	const table = 'halo_datto_mapping';
	const admin = new Client({ ...pgConfigFor(server), database: 'postgres' });
	await admin.connect();
	await admin.query(`CREATE DATABASE "${database}"`);
	const pg: TestPostgres = { ...server, database, stop: async () => undefined };
	const redis = redisLocation();
	const n8n = await N8nInstance.create({
		env: {
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: pg.host,
			DB_POSTGRESDB_PORT: String(pg.port),
			DB_POSTGRESDB_DATABASE: database,
			DB_POSTGRESDB_USER: pg.user,
			DB_POSTGRESDB_PASSWORD: pg.password,
			EXECUTIONS_MODE: 'queue',
			QUEUE_BULL_REDIS_HOST: redis.host,
			QUEUE_BULL_REDIS_PORT: String(redis.port),
			QUEUE_BULL_PREFIX: prefix,
			QUEUE_HEALTH_CHECK_ACTIVE: 'true',
			...(process.env.BENCH_N8N_ENV ? (JSON.parse(process.env.BENCH_N8N_ENV) as Record<string, string>) : {}),
		},
	});
	let suite: Suite | undefined;
	try {
		suite = await startSuite({
			instance: n8n,
			noStart: true,
			variants: ['postgres'],
			pg,
			table,
			seedPostgresSites: true,
			devicesPerSite: DEVICES_PER_SITE,
			haloRateLimit: { limit: HALO_LIMIT, windowMs: HALO_WINDOW_S * 1000 },
			haloRetryAfter: false,
			haloTokenLifetimeSeconds: HALO_TOKEN_S,
			vars: { HALO_REQUESTS_PER_WINDOW: HALO_LIMIT, HALO_WINDOW_SECONDS: HALO_WINDOW_S },
			transform: { everySeconds: { [NODES.reconcileSchedule]: RECONCILE_S }, resolveGraceMinutes: 0.5, reclaimAfterMinutes: 1 },
			publish: [WORKFLOW_IDS.pgLifecycle, WORKFLOW_IDS.pgHaloClosed, WORKFLOW_IDS.pgReconcile, WORKFLOW_IDS.pgCleanup],
		});
		await soak(suite, plan, random, streamSeconds, { admin, database, prefix, machineBefore });
	} finally {
		await suite?.stop();
		if (!suite) await n8n.stop();
		await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`).catch(() => undefined);
		await admin.end().catch(() => undefined);
		await server.stop();
		await redisDeleteMatching(`${prefix}*`).catch(() => undefined);
	}
}

/** Starts main (and waits for the Datto trigger), then the workers, then the probe (it needs a worker in queue mode). */
async function startN8n(suite: Suite): Promise<void> {
	const { n8n } = suite;
	await n8n.start({ probe: false, waitForWebhooks: [suite.paths.postgres!.datto], timeoutMs: 240_000 });
	await Promise.all(Array.from({ length: WORKERS }, () => n8n.startWorker({ concurrency: 10, timeoutMs: 240_000 })));
	await n8n.waitForWebhook('harness-probe', { timeoutMs: 180_000 });
}

async function soak(
	suite: Suite,
	plan: PlannedFault[],
	random: () => number,
	streamSeconds: number,
	ctx: { admin: Client; database: string; prefix: string; machineBefore: ReturnType<typeof machineInfo> },
): Promise<void> {
	const { sims, n8n } = suite;
	const setupStarted = Date.now();
	await startN8n(suite);
	await n8n.createApiKey();
	suite.subscribe('postgres');
	const setupSeconds = round((Date.now() - setupStarted) / 1000, 1);
	log(`n8n main + ${WORKERS} workers up in ${setupSeconds} s; streaming for ${streamSeconds} s`);

	const closedStatus = sims.halo.profile.closedStatusId;
	const alerts: StreamAlert[] = [];
	const injected: InjectedFault[] = [];
	const pending: Array<Promise<unknown>> = [];
	const started = Date.now();
	const streamEnd = started + streamSeconds * 1000;
	const ticketOf = (uid: string) => ticketsByAlert(sims.halo).get(uid)?.[0];
	const dattoAlert = (uid: string) => sims.datto.data.alerts.find((a) => a.alert.alertUid === uid)?.alert;
	let restarting = false;

	// --- the alert stream -----------------------------------------------------------------------------------------
	const stream = (async () => {
		for (let i = 0; Date.now() < streamEnd; i++) {
			const due = started + i * INTERVAL_MS;
			if (due >= streamEnd) break;
			if (Date.now() < due) await sleep(due - Date.now());
			const device = sims.devices[Math.floor(random() * sims.devices.length)];
			const r = random();
			const fate: Fate = r < 0.7 ? 'resolve' : r < 0.9 ? 'techClose' : 'open';
			const delay = 10_000 + Math.floor(random() * 110_000);
			const priority = ['Critical', 'High', 'Moderate', 'Low', 'Information'][Math.floor(random() * 5)];
			const entry: StreamAlert = { uid: '', raisedAt: Date.now(), fate, dueAt: Date.now() + delay, deliveryStatus: [] };
			alerts.push(entry);
			pending.push(
				sims.datto.createAlert({ deviceUid: device, priority }).then(({ alert, deliveries }) => {
					entry.uid = alert.alertUid;
					entry.deliveryStatus.push(...deliveries.map((d) => d.status ?? `error: ${d.error ?? 'no answer'}`));
				}),
			);
		}
	})();

	// --- the fates: resolve in Datto, close in Halo as a technician ---------------------------------------------------
	let streamDone = false;
	const fates = (async () => {
		for (;;) {
			const now = Date.now();
			const open = alerts.filter((a) => a.uid && a.fate !== 'open' && a.doneAt === undefined);
			if (streamDone && open.length === 0) return;
			for (const a of open) {
				if (now < a.dueAt) continue;
				const ticket = ticketOf(a.uid);
				const waitedOut = now - a.raisedAt > 6 * 60_000;
				if (!ticket && !waitedOut) continue;
				a.doneAt = now;
				if (a.fate === 'resolve') {
					a.withoutTicket = !ticket;
					pending.push(sims.datto.resolveAlertInDatto(a.uid));
				} else if (ticket) {
					sims.halo.closeAsTechnician(ticket.id as number, { note: 'Fixed on site' });
				} else {
					a.withoutTicket = true;
				}
			}
			await sleep(500);
		}
	})();

	// --- chaos -----------------------------------------------------------------------------------------------------
	const chaos = (async () => {
		for (const fault of plan) {
			const at = started + fault.at * 1000;
			if (Date.now() < at) await sleep(at - Date.now());
			const t0 = Date.now();
			let detail: Record<string, unknown> | undefined;
			log(`chaos: ${fault.kind} ${JSON.stringify(fault.params)}`);
			switch (fault.kind) {
				case 'halo5xx':
					sims.halo.faults.configure({ pathPattern: '^/api/', errorStatus: fault.params.status, failForMs: fault.params.seconds * 1000 });
					await sleep(fault.params.seconds * 1000);
					sims.halo.faults.clear();
					break;
				case 'halo429':
					sims.halo.faults.configure({ pathPattern: '^/api/', burst429: fault.params.requests });
					await sleep(fault.params.seconds * 1000);
					detail = { left: sims.halo.faults.settings().burst429 ?? 0 };
					sims.halo.faults.clear();
					break;
				case 'haloLatency':
					sims.halo.faults.configure({ pathPattern: '^/api/', latencyMs: fault.params.latencyMs });
					await sleep(fault.params.seconds * 1000);
					sims.halo.faults.clear();
					break;
				case 'datto403':
					sims.datto.blockIp(fault.params.seconds * 1000);
					await sleep(fault.params.seconds * 1000);
					break;
				case 'tokenExpiry':
					detail = { haloTokens: sims.halo.expireTokens(), dattoTokens: sims.datto.expireTokens() };
					break;
				case 'postgresRestart':
					detail = await postgresOutage(ctx.admin, ctx.database, fault.params.downSeconds * 1000);
					break;
				case 'n8nRestart':
					restarting = true;
					try {
						await n8n.stop({ keepFolder: true });
						await sleep(fault.params.downSeconds * 1000);
						await startN8n(suite);
					} finally {
						restarting = false;
					}
					detail = { downSeconds: round((Date.now() - t0) / 1000, 1) };
					break;
			}
			injected.push({ ...fault, startedAt: new Date(t0).toISOString(), tookMs: Date.now() - t0, detail });
		}
	})();

	// --- progress, and a watchdog: a process that died on its own is restarted and reported -------------------------
	const died: Array<{ at: string; what: string }> = [];
	let watching = true;
	const watchdog = (async () => {
		while (watching) {
			await sleep(5_000);
			if (restarting) continue;
			const mainDown = !n8n.running;
			const workersDown = n8n.workerProcesses.filter((w) => !w.running).length;
			if (mainDown || workersDown > 0) {
				died.push({ at: new Date().toISOString(), what: mainDown ? 'main' : `${workersDown} worker(s)` });
				log(`watchdog: n8n ${mainDown ? 'main' : 'worker'} exited on its own; restarting`);
				restarting = true;
				try {
					await n8n.stop({ keepFolder: true });
					await startN8n(suite);
				} finally {
					restarting = false;
				}
			}
			const o = outcome(sims, alerts.filter((a) => a.uid).map((a) => a.uid), []);
			log(`t+${round((Date.now() - started) / 1000, 0)} s: ${alerts.length} alerts, ${alerts.length - o.lost.length} with a ticket, ${o.duplicates.length} duplicates`);
			await sleep(25_000);
		}
	})();

	await stream;
	await chaos;
	await Promise.allSettled(pending.splice(0));
	const sentSeconds = (Date.now() - started) / 1000;
	streamDone = true;
	log(`stream and chaos done after ${round(sentSeconds, 0)} s (${alerts.length} alerts); waiting for the last fates`);
	await fates;
	await Promise.allSettled(pending.splice(0));

	// --- settle: the reconciliation repairs what the chaos broke ---------------------------------------------------
	const settleStarted = Date.now();
	const evaluate = () => {
		const uids = alerts.map((a) => a.uid);
		const tickets = ticketsByAlert(sims.halo);
		const lost = alerts.filter((a) => (tickets.get(a.uid) ?? []).length === 0).map((a) => a.uid);
		const duplicates = alerts.filter((a) => (tickets.get(a.uid) ?? []).length > 1).map((a) => a.uid);
		const isClosed = (uid: string) => (tickets.get(uid) ?? []).some((t) => t.status_id === closedStatus);
		const resolvedInDatto = alerts.filter((a) => a.fate === 'resolve' && a.doneAt !== undefined);
		const closedByTech = alerts.filter((a) => a.fate === 'techClose' && a.doneAt !== undefined && !a.withoutTicket);
		const ticketNotClosed = resolvedInDatto.filter((a) => (tickets.get(a.uid) ?? []).length > 0 && !isClosed(a.uid)).map((a) => a.uid);
		const alertNotResolved = closedByTech.filter((a) => dattoAlert(a.uid)?.resolved !== true).map((a) => a.uid);
		const closedWhileOpen = alerts.filter((a) => a.fate === 'open' && isClosed(a.uid)).map((a) => a.uid);
		return { uids, lost, duplicates, ticketNotClosed, alertNotResolved, closedWhileOpen, resolvedInDatto: resolvedInDatto.length, closedByTech: closedByTech.length };
	};
	let result = evaluate();
	while (Date.now() - settleStarted < SETTLE_MIN * 60_000) {
		if (result.lost.length + result.ticketNotClosed.length + result.alertNotResolved.length === 0) break;
		await sleep(5_000);
		result = evaluate();
		log(`settling: lost ${result.lost.length}, ticket not closed ${result.ticketNotClosed.length}, Datto alert not resolved ${result.alertNotResolved.length}`);
	}
	// One more reconciliation period, so that a late wrong close or a late duplicate would show.
	await sleep(RECONCILE_S * 1000 + 5_000);
	result = evaluate();
	watching = false;
	await watchdog;
	const settleSeconds = round((Date.now() - settleStarted) / 1000, 0);

	// --- executions and API figures ---------------------------------------------------------------------------------
	const executions = await executionsAfter(n8n, 0);
	const failed = executions.filter((e) => e.status !== 'success');
	const failedByStatus = failed.reduce<Record<string, number>>((acc, e) => ((acc[e.status] = (acc[e.status] ?? 0) + 1), acc), {});
	const failedDetails = await describeExecutions(n8n, failed);
	const failedByNode = failedDetails.reduce<Record<string, number>>((acc, e) => {
		const k = `${String(e.lastNode ?? '?')}: ${String(e.error ?? e.status).slice(0, 120)}`;
		acc[k] = (acc[k] ?? 0) + 1;
		return acc;
	}, {});
	const api = haloApiEntries(sims.halo);
	const dattoApi = sims.datto.log.entries().filter((e) => e.path.startsWith('/api/'));
	const faultCounts = injected.reduce<Record<string, number>>((acc, f) => ((acc[f.kind] = (acc[f.kind] ?? 0) + 1), acc), {});
	const deliveries = alerts.flatMap((a) => a.deliveryStatus);
	// Every worker log of the run (the workers of before the n8n restart too).
	const workerExecutions = fs
		.readdirSync(n8n.userFolder)
		.filter((f) => /^worker-\d+\.log$/.test(f))
		.map((f) => (fs.readFileSync(`${n8n.userFolder}/${f}`, 'utf8').match(/Worker started execution/g) ?? []).length);
	// What happened to each alert that missed the target: its tickets, the webhooks about it, its links.
	const rows = await tableRows(suite.options.pg!, suite.options.table!).catch(() => []);
	const explain = (uid: string) => {
		const tickets = ticketsByAlert(sims.halo).get(uid) ?? [];
		const ids = new Set(tickets.map((t) => Number(t.id)));
		const a = alerts.find((x) => x.uid === uid);
		return {
			alertUid: uid,
			fate: a?.fate,
			raisedAt: a ? new Date(a.raisedAt).toISOString() : undefined,
			fateAt: a?.doneAt ? new Date(a.doneAt).toISOString() : undefined,
			dattoDeliveries: sims.datto.webhooks.deliveries().filter((d) => d.alertUid === uid).map((d) => ({ at: new Date(d.at).toISOString(), event: d.event, status: d.status, error: d.error })),
			tickets: tickets.map((t) => ({ id: t.id, status_id: t.status_id })),
			haloDeliveries: sims.halo.webhooks
				.deliveries()
				.filter((d) => ids.has(Number((d.body as { ticket?: { id?: unknown } } | undefined)?.ticket?.id)))
				.map((d) => ({ at: new Date(d.at).toISOString(), events: d.events, status: d.status, error: d.error, response: d.responseBody?.slice(0, 200) })),
			links: rows.filter((r) => r.key === uid || ids.has(Number(r.key))),
			dattoResolved: dattoAlert(uid)?.resolved,
		};
	};
	const met = result.lost.length === 0 && result.duplicates.length === 0 && result.ticketNotClosed.length === 0 && result.alertNotResolved.length === 0;
	const out = {
		benchmark: NAME,
		description:
			`${MINUTES}-minute chaos soak: the shipped Postgres workflows in queue mode (main + ${WORKERS} workers), one alert every ${INTERVAL_MS} ms ` +
			`over ${sims.devices.length} devices in 5 sites, seeded faults (seed ${SEED})`,
		target: { lost: 0, duplicates: 0, unclosedAfterReconciliation: 0 },
		met,
		seed: SEED,
		minutes: MINUTES,
		alertRate: `one alert every ${INTERVAL_MS / 1000} s (${round(60_000 / INTERVAL_MS, 1)} per minute)`,
		alerts: {
			sent: alerts.length,
			resolvedInDatto: result.resolvedInDatto,
			closedByTechnician: result.closedByTech,
			leftOpen: alerts.filter((a) => a.fate === 'open').length,
			fateWithoutTicket: alerts.filter((a) => a.withoutTicket).length,
			deliveries: { sent: deliveries.length, ok: deliveries.filter((s) => s === 200).length, failed: deliveries.filter((s) => s !== 200).length },
		},
		tickets: [...ticketsByAlert(sims.halo).entries()].filter(([uid]) => result.uids.includes(uid)).reduce((n, [, t]) => n + t.length, 0),
		lost: result.lost.length,
		duplicates: result.duplicates.length,
		unclosedAfterReconciliation: {
			total: result.ticketNotClosed.length + result.alertNotResolved.length,
			resolvedInDattoTicketOpen: result.ticketNotClosed.length,
			closedInHaloAlertOpen: result.alertNotResolved.length,
		},
		closedWhileAlertOpen: result.closedWhileOpen.length,
		faults: { injected: injected.length, byKind: faultCounts, haloTokenLifetimeSeconds: HALO_TOKEN_S, schedule: injected },
		n8nProcessesDiedOnTheirOwn: died,
		executions: { total: executions.length, failed: failed.length, failedByStatus, failedByNodeAndError: failedByNode, perWorker: workerExecutions },
		halo: {
			apiCalls: api.length,
			rateLimited429: api.filter((e) => e.status === 429).length,
			serverErrors5xx: api.filter((e) => e.status >= 500).length,
			unauthorized401: api.filter((e) => e.status === 401).length,
			tokenRequests: haloTokenEntries(sims.halo).length,
			limit: `${HALO_LIMIT} per ${HALO_WINDOW_S} s (credential budget the same)`,
			maxRequestsInAnyWindow: sims.halo.maxApiRequestsInWindow(HALO_WINDOW_S * 1000),
			byRoute: api.reduce<Record<string, number>>((acc, e) => ((acc[`${e.route} ${e.status}`] = (acc[`${e.route} ${e.status}`] ?? 0) + 1), acc), {}),
		},
		datto: { apiCalls: dattoApi.length, forbidden403: dattoApi.filter((e) => e.status === 403).length, tokenRequests: sims.datto.tokenRequestCount() },
		timings: { setupSeconds, streamSeconds: round(sentSeconds, 0), settleSeconds },
		settings: {
			...(await n8nSettings(n8n)),
			workers: WORKERS,
			workerConcurrency: 10,
			reconciliation: `every ${RECONCILE_S} s (shipped: 15 minutes), resolve grace 30 s (shipped 5 minutes), stale-claim reclaim 1 minute (shipped 10)`,
			postgres: `${suite.options.pg!.host}:${suite.options.pg!.port}, own database per run (n8n + mapping store), outage ${PG_DOWN_S} s`,
			redis: `${redisLocation().host}:${redisLocation().port}, prefix ${ctx.prefix}`,
			workflows: 'workflows/postgres/*.json as shipped except the table seed, the schedule and the ages above',
		},
		samples: {
			lost: result.lost.slice(0, 10).map(explain),
			duplicates: result.duplicates.slice(0, 10).map(explain),
			resolvedInDattoTicketOpen: result.ticketNotClosed.slice(0, 10).map(explain),
			closedInHaloAlertOpen: result.alertNotResolved.slice(0, 10).map(explain),
			closedWhileAlertOpen: result.closedWhileOpen.slice(0, 10).map(explain),
			failed: failedDetails.slice(0, 15),
		},
		machine: { before: ctx.machineBefore, after: machineInfo() },
	};
	writeResult(NAME, out);
	log(
		`alerts ${out.alerts.sent}, tickets ${out.tickets}, lost ${out.lost}, duplicates ${out.duplicates}, unclosed ${out.unclosedAfterReconciliation.total} ` +
			`(${out.unclosedAfterReconciliation.resolvedInDattoTicketOpen} + ${out.unclosedAfterReconciliation.closedInHaloAlertOpen}), faults ${injected.length}, ` +
			`failed executions ${failed.length}, Halo calls ${api.length}, 429s ${out.halo.rateLimited429}`,
	);
	if (!met) throw new Error('chaos soak: lost, duplicate or unclosed alerts (see the results file)');
}

/**
 * A Postgres "restart" confined to one database: new connections refused, every connection terminated, accepted again
 * after `downMs`. Returns how many connections were cut.
 */
async function postgresOutage(admin: Client, database: string, downMs: number): Promise<Record<string, unknown>> {
	const quoted = `"${database.replace(/"/g, '""')}"`;
	await admin.query(`ALTER DATABASE ${quoted} ALLOW_CONNECTIONS false`);
	let terminated = 0;
	try {
		const res = await admin.query<{ n: string }>(
			'SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
			[database],
		);
		terminated = Number(res.rows[0]?.n ?? 0);
		await sleep(downMs);
	} finally {
		await admin.query(`ALTER DATABASE ${quoted} ALLOW_CONNECTIONS true`);
	}
	return { terminatedConnections: terminated, downMs };
}

runMain('chaos', main);
