/*
 * Cost of the static data store as it grows (issue 19): the shipped all-in-one workflow (workflows/datto-halo-sync.json,
 * static data backend) twice in ONE n8n, one copy with an empty store, one with STORE_GROWTH_RECORDS records (default
 * 10,000: half closed alert links, half closed ticket links, written by the store's own code with the history the
 * workflow writes), in interleaved rounds of alerts at a steady rate. Figures per copy: CPU time of the n8n main
 * process per alert (all threads, /proc, n8n's idle CPU subtracted) and p50/p99 of the execution duration
 * (startedAt → stoppedAt from n8n's executions API); targets: CPU per alert ≤ 1.25 × and p99 ≤ 1.5 × the empty store's.
 *
 *   node dist/bench/storeGrowth.bench.js     env: STORE_GROWTH_RECORDS (10000), STORE_GROWTH_ROUNDS (2),
 *                                            STORE_GROWTH_ALERTS (60 per round and copy), STORE_GROWTH_RATE (2 per s)
 */
import { NODES, type WorkflowJson } from '../scripts/workflows/definition';
import { STATIC_DATA_PROPERTY, StaticDataStore } from '../nodes/shared/store/StaticDataStore';
import { readWorkflow, transformWorkflow, webhookPath } from '../test/e2e/fixtures/sync';
import {
	benchSeedCsv,
	cpuWhenIdle,
	dattoWebhookUrl,
	envNumber,
	idleCpuRate,
	lastExecutionId,
	log,
	machineInfo,
	n8nMainPid,
	percentile,
	prepareAlerts,
	processCpuMs,
	round,
	runMain,
	sleep,
	sqliteRun,
	startBenchN8n,
	startBenchSims,
	waitForSettled,
	writeResult,
	type BenchSims,
	type N8nInstance,
} from './lib';
import { stableUuid } from '../scripts/workflows/definition';

const RECORDS = envNumber('STORE_GROWTH_RECORDS', 10_000);
const ROUNDS = envNumber('STORE_GROWTH_ROUNDS', 2);
const ALERTS = envNumber('STORE_GROWTH_ALERTS', 60);
const RATE = envNumber('STORE_GROWTH_RATE', 2);
const FULL_ID = 'BenchStoreFull01';

/** The store as the shipped workflow leaves it after `count / 2` alert lifecycles (closed a day ago). */
async function grownStore(count: number): Promise<Record<string, unknown>> {
	let clock = Date.now() - 2 * 86_400_000;
	const staticData: Record<string, unknown> = {};
	const store = new StaticDataStore(`bench-grown-${process.pid}`, staticData, { clock: () => new Date(clock) });
	for (let i = 0; i < count / 2; i++) {
		const alertUid = `bench-grown-${String(i).padStart(6, '0')}-5e0b1c2d-8f7a-4b6c-9d3e-${String(i).padStart(12, '0')}`;
		const ticketId = String(100_000 + i);
		clock += 1000;
		await store.claim('alerts', alertUid, { value: {}, status: 'pending', history: { event: 'alertReceived', reason: 'Claimed for ticket creation' } });
		await store.set('alerts', alertUid, {
			value: { ticketId: Number(ticketId), clientId: 12, dedupeKey: `bench-device-${i % 50}|Disk usage` },
			mode: 'merge',
			status: 'open',
			history: { event: 'ticketCreated', reason: 'Halo ticket created for the alert' },
		});
		await store.set('tickets', ticketId, { value: { alertUid }, mode: 'replace', status: 'open', history: { event: 'ticketCreated', reason: 'Created from a Datto RMM alert' } });
		await store.updateStatus('alerts', alertUid, 'closed', { event: 'ticketClosed', reason: 'The Datto alert was resolved; the Halo ticket was closed' }, { mergeValue: { closedBy: 'datto' } });
		await store.updateStatus('tickets', ticketId, 'closed', { event: 'ticketClosed', reason: 'Closed because the Datto alert was resolved' }, { mergeValue: { closedBy: 'datto' } });
	}
	return JSON.parse(JSON.stringify(staticData[STATIC_DATA_PROPERTY])) as Record<string, unknown>;
}

/** A second copy of the shipped workflow: own id, own webhook paths. */
function copyOf(workflow: WorkflowJson, id: string): WorkflowJson {
	const copy = JSON.parse(JSON.stringify(workflow)) as WorkflowJson & { name: string };
	copy.id = id;
	copy.name = `${workflow.name} (bench copy with a grown store)`;
	for (const node of copy.nodes as Array<{ name: string; id: string; webhookId?: string }>) {
		node.id = stableUuid(`${id}/${node.name}`);
		if (node.webhookId) node.webhookId = stableUuid(`${id}/${node.name}/webhookId`);
	}
	return copy;
}

interface Subject {
	key: 'empty' | 'grown';
	workflowId: string;
	url: string;
}

async function sendSteady(url: string, bodies: Array<{ body: string; contentType: string }>, perSecond: number): Promise<number[]> {
	const statuses: Array<Promise<number>> = [];
	const started = Date.now();
	for (let i = 0; i < bodies.length; i++) {
		const due = started + (i * 1000) / perSecond;
		if (due > Date.now()) await sleep(due - Date.now());
		statuses.push(
			fetch(url, { method: 'POST', headers: { 'content-type': bodies[i].contentType }, body: bodies[i].body }).then(
				async (res) => {
					await res.arrayBuffer();
					return res.status;
				},
				() => 0,
			),
		);
	}
	return await Promise.all(statuses);
}

async function runRound(subject: Subject, sims: BenchSims, n8n: N8nInstance, pid: number, idle: number, offset: number) {
	const bodies = await prepareAlerts(sims, ALERTS, offset);
	const before = await lastExecutionId(n8n);
	await cpuWhenIdle(pid, { idleMsPerSecond: idle, windowMs: 500 });
	const cpuBefore = processCpuMs(pid);
	const started = Date.now();
	const statuses = await sendSteady(subject.url, bodies, RATE);
	const quiet = await cpuWhenIdle(pid, { idleMsPerSecond: idle });
	const cpuMs = Math.max(0, quiet.cpuMs - cpuBefore - (idle * (quiet.at - started)) / 1000);
	const executions = await waitForSettled(n8n, before, { workflowId: subject.workflowId, count: ALERTS, mode: 'webhook', timeoutMs: 600_000 });
	const durations = executions.map((e) => (e.stoppedAt ?? e.startedAt) - e.startedAt);
	const result = {
		subject: subject.key,
		alerts: ALERTS,
		httpOk: statuses.filter((s) => s === 200).length,
		failed: executions.filter((e) => e.status !== 'success').length,
		cpuMs: round(cpuMs, 0),
		cpuMsPerAlert: round(cpuMs / ALERTS, 1),
		executionP50Ms: percentile(durations, 0.5),
		executionP99Ms: percentile(durations, 0.99),
		durations,
	};
	log(`${subject.key}: CPU ${result.cpuMsPerAlert} ms per alert, execution p50 ${result.executionP50Ms} ms, p99 ${result.executionP99Ms} ms, failed ${result.failed}`);
	return result;
}

async function main(): Promise<void> {
	const machineBefore = machineInfo();
	log(`store growth: ${RECORDS} records vs empty, ${ROUNDS} rounds × ${ALERTS} alerts at ${RATE}/s; load ${machineBefore.loadAverage.join(' ')}`);
	const grown = await grownStore(RECORDS);
	const storeBytes = JSON.stringify(grown).length;
	log(`grown store: ${RECORDS} records, ${round(storeBytes / 1024 / 1024, 2)} MB of JSON`);
	const sims = await startBenchSims({ haloRateLimit: false });
	const shipped = transformWorkflow(readWorkflow('workflows/datto-halo-sync.json'), { seedCsv: benchSeedCsv() });
	const full = copyOf(shipped, FULL_ID);
	for (const name of [NODES.reconcileSchedule, NODES.cleanupSchedule]) {
		(full.nodes.find((n) => n.name === name) as unknown as { disabled: boolean }).disabled = true;
	}
	const fullPath = webhookPath(full, NODES.dattoTrigger, 'datto-alert');
	const env = await startBenchN8n(sims, {
		extraWorkflows: [full],
		vars: { HALO_REQUESTS_PER_WINDOW: 1_000_000, HALO_WINDOW_SECONDS: 300 },
		disableNodes: [NODES.reconcileSchedule, NODES.cleanupSchedule],
		seedWorkflowIds: [FULL_ID],
		waitForWebhooks: [fullPath],
		beforeStart: async (n8n) => {
			// Add the grown collections to the copy's static data (its seed step wrote the site table).
			const rows = JSON.parse(sqliteRun(n8n, 'SELECT staticData FROM workflow_entity WHERE id = ?', [FULL_ID])) as Array<{ staticData: string | null }>;
			const staticData = (rows[0]?.staticData ? JSON.parse(rows[0].staticData) : {}) as { global?: Record<string, { collections: Record<string, unknown> }> };
			const global = (staticData.global ??= {});
			const store = (global[STATIC_DATA_PROPERTY] ??= { formatVersion: 1, collections: {} } as never) as {
				collections: Record<string, unknown>;
				closed?: Record<string, string>;
			};
			const grownStore = grown as { collections: Record<string, unknown>; closed?: Record<string, string> };
			Object.assign(store.collections, grownStore.collections);
			// Closed records are kept as one text per collection (nodes/shared/store/closedArchive.ts).
			if (grownStore.closed) store.closed = { ...(store.closed ?? {}), ...grownStore.closed };
			sqliteRun(n8n, 'UPDATE workflow_entity SET staticData = ? WHERE id = ?', [JSON.stringify(staticData), FULL_ID]);
		},
	});
	try {
		const { n8n } = env;
		const pid = n8nMainPid(n8n);
		const subjects: Subject[] = [
			{ key: 'empty', workflowId: env.workflow.id, url: dattoWebhookUrl(n8n, env.dattoPath) },
			{ key: 'grown', workflowId: FULL_ID, url: dattoWebhookUrl(n8n, fullPath) },
		];
		let idle = await idleCpuRate(pid);
		let offset = 0;
		for (const subject of subjects) {
			// warm-up (node code, Halo token, the grown copy's first load of its store)
			const bodies = await prepareAlerts(sims, 10, offset);
			offset += 10;
			const before = await lastExecutionId(n8n);
			await sendSteady(subject.url, bodies, RATE);
			await waitForSettled(n8n, before, { workflowId: subject.workflowId, count: 10, mode: 'webhook', timeoutMs: 600_000 });
		}
		idle = await idleCpuRate(pid);
		log(`n8n idles at ${round(idle, 1)} ms CPU per second`);
		const rounds: Array<Awaited<ReturnType<typeof runRound>>> = [];
		for (let r = 1; r <= ROUNDS; r++) {
			for (const subject of subjects) {
				rounds.push(await runRound(subject, sims, n8n, pid, idle, offset));
				offset += ALERTS;
			}
		}
		const figure = (key: Subject['key']) => {
			const rs = rounds.filter((r) => r.subject === key);
			const durations = rs.flatMap((r) => r.durations);
			return {
				cpuMsPerAlert: round(rs.reduce((s, r) => s + r.cpuMs, 0) / rs.reduce((s, r) => s + r.alerts, 0), 1),
				cpuMsPerAlertPerRound: rs.map((r) => r.cpuMsPerAlert),
				executionP50Ms: percentile(durations, 0.5),
				executionP99Ms: percentile(durations, 0.99),
				failed: rs.reduce((s, r) => s + r.failed, 0),
			};
		};
		const empty = figure('empty');
		const grownFigure = figure('grown');
		const cpuRatio = round(grownFigure.cpuMsPerAlert / empty.cpuMsPerAlert, 3);
		const p99Ratio = round(grownFigure.executionP99Ms / empty.executionP99Ms, 3);
		const storeAfter = JSON.parse(sqliteRunSafe(n8n)) as Array<{ id: string; bytes: number | null }>;
		// The grown copy must still hold its records at the end, else the figures compare two small stores.
		const grownBytesAfter = storeAfter.find((row) => row.id === FULL_ID)?.bytes ?? null;
		const grownStoreKept = grownBytesAfter !== null && grownBytesAfter >= storeBytes * 0.9;
		const result = {
			benchmark: 'storeGrowth',
			description: `Shipped all-in-one workflow (static data), ${RECORDS} stored records vs an empty store, same n8n, interleaved rounds at ${RATE} alerts/s`,
			targets: [
				{ figure: `CPU per alert at ${RECORDS} records vs empty`, target: '<= 1.25', value: cpuRatio, met: cpuRatio <= 1.25 },
				{ figure: `Execution p99 at ${RECORDS} records vs empty`, target: '<= 1.5', value: p99Ratio, met: p99Ratio <= 1.5 },
			],
			met: grownStoreKept && cpuRatio <= 1.25 && p99Ratio <= 1.5,
			records: RECORDS,
			grownStoreKept,
			grownStoreJsonBytes: storeBytes,
			staticDataBytesAfter: storeAfter,
			empty,
			grown: grownFigure,
			idleCpuMsPerSecond: round(idle, 1),
			parameters: { rounds: ROUNDS, alertsPerRound: ALERTS, perSecond: RATE },
			settings: { ...env.settings, haloSimulatorRateLimit: 'off (this benchmark only)', schedules: 'reconciliation and daily cleanup disabled' },
			rounds: rounds.map(({ durations: _d, ...r }) => r),
			machine: { before: machineBefore, after: machineInfo() },
		};
		writeResult('store-growth', result);
		for (const t of result.targets) log(`${t.figure}: ${t.value} (target ${t.target}) ${t.met ? 'met' : 'MISSED'}`);
		if (!grownStoreKept) {
			throw new Error(`the grown copy's static data is ${grownBytesAfter} bytes at the end, not the ${storeBytes} bytes it started with`);
		}
	} finally {
		await env.n8n.stop();
		await sims.close();
	}
}

/** Size of each workflow's static data now (read through the running n8n's database file: SQLite allows readers). */
function sqliteRunSafe(n8n: N8nInstance): string {
	try {
		return sqliteRun(n8n, 'SELECT id, length(staticData) AS bytes FROM workflow_entity', []);
	} catch {
		return '[]';
	}
}

runMain('storeGrowth', main);
