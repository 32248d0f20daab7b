/*
 * Alert storm through real n8n: STORM_ALERTS alerts (default 500) over STORM_DEVICES devices (50) in 5 sites, sent
 * by the Datto simulator's webhooks at an even pace within STORM_SECONDS (60), into the shipped all-in-one workflow,
 * against a Halo simulator that enforces STORM_HALO_LIMIT requests per STORM_HALO_WINDOW seconds (300 per 300 s,
 * Halo's usual limit; the simulator CLI's default `--rate-limit 300/300`), without Retry-After. The credential's
 * budget is the shipped default (300 per 300 s).
 *
 * With 300 requests per 5 minutes and one Halo call per alert, 500 tickets cannot be created in less than one
 * window: the expected drain time is a little over 5 minutes. The point is that nothing is lost or duplicated, no
 * execution fails, and the client's budget keeps Halo from answering 429 at all.
 *
 * Figures: time to drain (first delivery → last ticket created / last execution finished), Halo API calls, 429s,
 * token requests, the most Halo requests seen in any window, tickets created, alerts without a ticket (lost), alerts
 * with more than one (duplicates), failed executions. The workflow runs as shipped (reconciliation every 15 minutes,
 * the 10-minute stale-claim reclaim), apart from the seed CSV.
 *
 *   node dist/bench/storm.bench.js     quick CI-sized variant: STORM_ALERTS=60 STORM_SECONDS=10 STORM_HALO_LIMIT=30
 *                                      STORM_HALO_WINDOW=30 (drains in about 45 s)
 */
import {
	envNumber,
	executionsAfter,
	haloApiEntries,
	haloTokenEntries,
	lastExecutionId,
	log,
	logMark,
	machineInfo,
	round,
	runMain,
	sleep,
	startBenchN8n,
	startBenchSims,
	ticketsByAlert,
	waitForSettled,
	writeResult,
} from './lib';

const ALERTS = envNumber('STORM_ALERTS', 500);
const SECONDS = envNumber('STORM_SECONDS', 60);
const DEVICES = envNumber('STORM_DEVICES', 50);
const HALO_LIMIT = envNumber('STORM_HALO_LIMIT', 300);
const HALO_WINDOW = envNumber('STORM_HALO_WINDOW', 300);
const TIMEOUT_S = envNumber('STORM_TIMEOUT', Math.max(600, Math.ceil(ALERTS / HALO_LIMIT) * HALO_WINDOW * 1.5 + SECONDS + 120));
const NAME = process.env.STORM_RESULT_NAME || (ALERTS === 500 && HALO_LIMIT === 300 ? 'storm' : 'storm-quick');

async function main(): Promise<void> {
	const machineBefore = machineInfo();
	const sites = 5;
	const sims = await startBenchSims({
		haloRateLimit: { limit: HALO_LIMIT, windowMs: HALO_WINDOW * 1000 },
		haloRetryAfter: false,
		devicesPerSite: Math.ceil(DEVICES / sites),
	});
	const env = await startBenchN8n(sims, { vars: { HALO_REQUESTS_PER_WINDOW: HALO_LIMIT, HALO_WINDOW_SECONDS: HALO_WINDOW } });
	const { n8n } = env;
	try {
		log(`storm: ${ALERTS} alerts over ${DEVICES} devices / ${sites} sites within ${SECONDS} s; Halo ${HALO_LIMIT} per ${HALO_WINDOW} s`);
		const haloMark = logMark(sims.halo);
		const before = await lastExecutionId(n8n);
		const priorities = ['Critical', 'High', 'Moderate', 'Low', 'Information'];
		const alertUids: string[] = [];
		const deliveryStatus: number[] = [];
		const started = Date.now();
		const sends: Array<Promise<void>> = [];
		for (let i = 0; i < ALERTS; i++) {
			const due = started + (i * SECONDS * 1000) / ALERTS;
			if (Date.now() < due) await sleep(due - Date.now());
			sends.push(
				sims.datto
					.createAlert({ deviceUid: sims.devices[i % DEVICES], priority: priorities[i % priorities.length] })
					.then(({ alert, deliveries }) => {
						alertUids.push(alert.alertUid);
						deliveryStatus.push(...deliveries.map((d) => d.status ?? 0));
					}),
			);
		}
		await Promise.all(sends);
		const sentSeconds = (Date.now() - started) / 1000;
		log(`sent ${ALERTS} alerts in ${round(sentSeconds, 1)} s; waiting for the tickets`);
		const deadline = started + TIMEOUT_S * 1000;
		let lastProgress = '';
		for (;;) {
			const tickets = ticketsByAlert(sims.halo);
			const done = alertUids.filter((uid) => (tickets.get(uid) ?? []).length > 0).length;
			const progress = `${done}/${ALERTS} tickets after ${round((Date.now() - started) / 1000, 0)} s, Halo 429s ${sims.halo.counts().rateLimited}`;
			if (progress.split(' after')[0] !== lastProgress.split(' after')[0]) log(progress);
			lastProgress = progress;
			if (done === ALERTS) break;
			if (Date.now() > deadline) {
				log(`timed out after ${TIMEOUT_S} s`);
				break;
			}
			await sleep(2000);
		}
		let executions = await executionsAfter(n8n, before);
		try {
			executions = await waitForSettled(n8n, before, { count: ALERTS, mode: 'webhook', timeoutMs: Math.max(60_000, deadline - Date.now()) });
		} catch (error) {
			log(`executions did not settle: ${(error as Error).message}`);
		}
		await sleep(2000);
		const tickets = ticketsByAlert(sims.halo);
		const created = haloApiEntries(sims.halo, haloMark).filter((e) => e.route === 'POST /api/tickets' && e.status < 300);
		const lastTicketAt = created.length ? Math.max(...created.map((e) => e.at + e.ms)) : NaN;
		const webhookExecutions = executions.filter((e) => e.mode === 'webhook');
		const lastStopped = Math.max(...webhookExecutions.map((e) => e.stoppedAt ?? 0));
		const api = haloApiEntries(sims.halo, haloMark);
		const lost = alertUids.filter((uid) => (tickets.get(uid) ?? []).length === 0);
		const duplicates = alertUids.filter((uid) => (tickets.get(uid) ?? []).length > 1);
		const failed = executions.filter((e) => e.status !== 'success');
		const result = {
			benchmark: NAME,
			description: `${ALERTS} alerts over ${DEVICES} devices and ${sites} sites within ${SECONDS} s, Halo enforcing ${HALO_LIMIT} requests per ${HALO_WINDOW} s`,
			target: { lost: 0, duplicates: 0, failedExecutions: 0, halo429: 'none expected (client budget)' },
			met: lost.length === 0 && duplicates.length === 0 && failed.length === 0,
			alerts: ALERTS,
			deliveries: { sent: deliveryStatus.length, ok: deliveryStatus.filter((s) => s === 200).length, sendSeconds: round(sentSeconds, 1) },
			drainSeconds: {
				lastTicketCreated: round((lastTicketAt - started) / 1000, 1),
				lastExecutionFinished: round((lastStopped - started) / 1000, 1),
				lowerBound: round(Math.max(0, Math.ceil(ALERTS / HALO_LIMIT) - 1) * HALO_WINDOW, 0),
			},
			ticketsCreated: created.length,
			lost: lost.length,
			duplicates: duplicates.length,
			failedExecutions: failed.length,
			executions: { webhook: webhookExecutions.length, trigger: executions.filter((e) => e.mode === 'trigger').length, total: executions.length },
			halo: {
				apiCalls: api.length,
				callsPerAlert: round(api.length / ALERTS, 3),
				rateLimited429: api.filter((e) => e.status === 429).length,
				tokenRequests: haloTokenEntries(sims.halo, haloMark).length,
				maxRequestsInAnyWindow: sims.halo.maxApiRequestsInWindow(HALO_WINDOW * 1000),
				limit: `${HALO_LIMIT} per ${HALO_WINDOW} s`,
				byRoute: api.reduce<Record<string, number>>((acc, e) => ((acc[`${e.route} ${e.status}`] = (acc[`${e.route} ${e.status}`] ?? 0) + 1), acc), {}),
			},
			settings: {
				...env.settings,
				haloSimulator: `${HALO_LIMIT} requests / ${HALO_WINDOW} s rolling, no Retry-After`,
				haloCredentialBudget: `${HALO_LIMIT} per ${HALO_WINDOW} s`,
				workflow: 'workflows/datto-halo-sync.json as shipped except the seed CSV (bench sites)',
			},
			samples: { lost: lost.slice(0, 10), duplicates: duplicates.slice(0, 10), failed: failed.slice(0, 10) },
			machine: { before: machineBefore, after: machineInfo() },
		};
		writeResult(NAME, result);
		log(
			`drain ${result.drainSeconds.lastTicketCreated} s, tickets ${created.length}, lost ${lost.length}, duplicates ${duplicates.length}, ` +
				`failed ${failed.length}, Halo calls ${api.length}, 429s ${result.halo.rateLimited429}, max in window ${result.halo.maxRequestsInAnyWindow}`,
		);
		if (!result.met) throw new Error('storm target missed (see the results file)');
	} finally {
		await n8n.stop();
		await sims.close();
	}
}

runMain('storm', main);
