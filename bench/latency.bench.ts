/*
 * Alert → ticket latency through real n8n (issue 19): LATENCY_ALERTS alerts (default 120) at LATENCY_RATE alerts per
 * second (2), over the bench devices, into the shipped all-in-one workflow, against a Halo simulator that answers
 * every API request after LATENCY_HALO_MS (100 ms, a typical hosted Halo). Per alert: the time from the Datto
 * simulator sending the webhook to Halo having created the ticket (the end of its POST /Tickets), minus the Halo
 * latency — what n8n and this package add. Reports p50/p95/p99/max of that, and the CPU time of the n8n process per
 * alert (all threads, /proc), which is steadier than wall time on a shared machine.
 *
 * The reconciliation and the other schedules are imported disabled, so only the measured webhooks run; a warm-up of
 * LATENCY_WARMUP alerts (10) loads the tenant lookups (client/site index, statuses) before measuring.
 *
 *   BENCH_ONLY=latency bash bench/run.sh       → bench/results/latency.json
 */
import { NODES } from '../scripts/workflows/definition';
import {
	envNumber,
	haloApiEntries,
	lastExecutionId,
	log,
	logMark,
	machineInfo,
	n8nMainPid,
	percentile,
	processCpuMs,
	round,
	runMain,
	sleep,
	startBenchN8n,
	startBenchSims,
	ticketsByAlert,
	waitForSettled,
	writeResult,
} from './lib';

const ALERTS = envNumber('LATENCY_ALERTS', 120);
const RATE = envNumber('LATENCY_RATE', 2);
const HALO_MS = envNumber('LATENCY_HALO_MS', 100);
const WARMUP = envNumber('LATENCY_WARMUP', 10);
const TARGET = { p50Ms: 80, p99Ms: 200 };

async function main(): Promise<void> {
	const machineBefore = machineInfo();
	const sims = await startBenchSims({ haloRateLimit: false });
	const env = await startBenchN8n(sims, { disableNodes: [NODES.reconcileSchedule, NODES.cleanupSchedule] });
	const { n8n } = env;
	try {
		sims.halo.apiLatencyMs = HALO_MS;
		const send = async (count: number, label: string) => {
			const sent = new Map<string, number>();
			const started = Date.now();
			const sends: Array<Promise<void>> = [];
			for (let i = 0; i < count; i++) {
				const due = started + (i * 1000) / RATE;
				if (Date.now() < due) await sleep(due - Date.now());
				const at = Date.now();
				sends.push(
					sims.datto.createAlert({ deviceUid: sims.devices[i % sims.devices.length], priority: 'High' }).then(({ alert }) => {
						sent.set(alert.alertUid, at);
					}),
				);
			}
			await Promise.all(sends);
			log(`${label}: sent ${count} alerts in ${round((Date.now() - started) / 1000, 1)} s`);
			return sent;
		};

		log(`latency: warm-up ${WARMUP} alerts`);
		let before = await lastExecutionId(n8n);
		await send(WARMUP, 'warm-up');
		await waitForSettled(n8n, before, { count: WARMUP, mode: 'webhook', timeoutMs: 120_000 });
		await sleep(1000);

		log(`latency: ${ALERTS} alerts at ${RATE}/s, Halo latency ${HALO_MS} ms`);
		const pid = n8nMainPid(n8n);
		const mark = logMark(sims.halo);
		before = await lastExecutionId(n8n);
		const cpuStart = processCpuMs(pid);
		const sent = await send(ALERTS, 'measured');
		const executions = await waitForSettled(n8n, before, { count: ALERTS, mode: 'webhook', timeoutMs: 300_000 });
		const cpuMs = processCpuMs(pid) - cpuStart;

		// When each alert's ticket was created: the end of the POST /Tickets that created it.
		const tickets = ticketsByAlert(sims.halo);
		const creates = haloApiEntries(sims.halo, mark).filter((e) => e.route === 'POST /api/tickets' && e.status < 300);
		const added: number[] = [];
		const missing: string[] = [];
		for (const [uid, at] of sent) {
			const ticket = tickets.get(uid)?.[0];
			const entry = ticket && creates.find((e) => JSON.stringify(e.body).includes(uid));
			if (!entry) {
				missing.push(uid);
				continue;
			}
			added.push(entry.at + entry.ms - at - HALO_MS);
		}
		const failed = executions.filter((e) => e.status !== 'success');
		const figures = {
			p50: round(percentile(added, 0.5), 1),
			p95: round(percentile(added, 0.95), 1),
			p99: round(percentile(added, 0.99), 1),
			max: round(Math.max(...added), 1),
			min: round(Math.min(...added), 1),
		};
		const result = {
			benchmark: 'latency',
			description: `${ALERTS} alerts at ${RATE}/s through the shipped all-in-one workflow (static data), Halo answering after ${HALO_MS} ms: webhook sent → ticket created, minus the Halo latency`,
			target: TARGET,
			met: figures.p50 <= TARGET.p50Ms && figures.p99 <= TARGET.p99Ms && missing.length === 0 && failed.length === 0,
			addedLatencyMs: figures,
			cpuMsPerAlert: round(cpuMs / ALERTS, 1),
			alerts: ALERTS,
			ticketsMeasured: added.length,
			missing: missing.length,
			failedExecutions: failed.length,
			settings: { ...env.settings, rate: `${RATE} alerts/s`, haloLatencyMs: HALO_MS, warmup: WARMUP, schedules: 'disabled (reconciliation, cleanup)' },
			machine: { before: machineBefore, after: machineInfo() },
		};
		writeResult('latency', result);
		log(`added latency p50 ${figures.p50} ms, p95 ${figures.p95} ms, p99 ${figures.p99} ms, max ${figures.max} ms; CPU ${result.cpuMsPerAlert} ms per alert; missing ${missing.length}, failed ${failed.length}`);
		if (missing.length || failed.length) throw new Error('latency: alerts without ticket or failed executions (see the results file)');
	} finally {
		await n8n.stop();
		await sims.close();
	}
}

runMain('latency', main);
