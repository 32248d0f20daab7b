/*
 * Faults, shipped all-in-one workflow (static data) in real n8n against the simulators: Halo 5xx for 30 s, Halo 429
 * bursts, token expiry mid-run, a Datto 403 IP block, 20 concurrent duplicate deliveries, and n8n restarted during a
 * storm. Every scenario ends the same way: every alert has exactly one Halo ticket and every resolved alert a closed
 * one, after the reconciliation at the latest.
 *
 * Import-time changes (test/e2e/fixtures/sync.ts transforms, as the lifecycle tests do): "Every 15 minutes" runs every
 * 8 s, the reconciliation's resolve grace is 15 s instead of 5 minutes and the stale-claim reclaim 1 minute instead
 * of 10, so that repairs happen within the test. The Halo simulator sends Retry-After with its 429s.
 */
import { NODES, WORKFLOW_IDS } from '../../scripts/workflows/definition';
import {
	describeExecutions,
	failedExecutions,
	lastExecutionId,
	settleOutcome,
	settled,
	sleep,
	startSuite,
	waitFor,
	type Suite,
} from '../reliability/support/e2e';

const WF = WORKFLOW_IDS.static;

describe('faults: shipped all-in-one workflow (static data) in real n8n', () => {
	let suite: Suite;
	const timings: Record<string, number> = {};
	/** Executions allowed to fail (ids), by scenario. */
	const allowedFailures = new Map<string, string>();

	beforeAll(async () => {
		const started = Date.now();
		suite = await startSuite({
			variants: ['static'],
			transform: { everySeconds: { [NODES.reconcileSchedule]: 8 }, resolveGraceMinutes: 0.25, reclaimAfterMinutes: 1 },
		});
		timings.setup = Date.now() - started;
	}, 300_000);

	afterAll(async () => {
		process.stderr.write(`[faults] timings (ms): ${JSON.stringify(timings)}\n`);
		await suite?.stop();
	});

	const timed = (name: string, fn: () => Promise<void>) => async () => {
		const started = Date.now();
		try {
			await fn();
		} finally {
			timings[name] = Date.now() - started;
		}
	};

	const device = (i: number) => suite.sims.devices[i % suite.sims.devices.length];

	async function createAlerts(count: number, offset: number, options: { template?: 'recommended' | 'minimal' } = {}): Promise<string[]> {
		const uids: string[] = [];
		for (let i = 0; i < count; i++) {
			const { alert } = await suite.sims.datto.createAlert({
				deviceUid: device(offset + i),
				priority: 'High',
				webhookOptions: options.template ? { template: options.template } : undefined,
			});
			uids.push(alert.alertUid);
		}
		return uids;
	}

	async function resolveAll(uids: string[]): Promise<void> {
		for (const uid of uids) await suite.sims.datto.resolveAlertInDatto(uid);
	}

	/** Asserts the end state and returns the failed executions after `since` (for the scenario to judge). */
	async function expectRepaired(alerts: string[], resolved: string[], timeoutMs = 150_000): Promise<void> {
		const o = await settleOutcome(suite.sims, alerts, resolved, timeoutMs);
		if (o.lost.length || o.duplicates.length || o.notClosed.length) {
			const recent = (await failedExecutions(suite.n8n, 0, [WF])).slice(0, 10);
			process.stderr.write(`[faults] outcome ${JSON.stringify(o)}; recent failures ${JSON.stringify(await describeExecutions(suite.n8n, recent))}\n`);
		}
		expect({ lost: o.lost, duplicates: o.duplicates, notClosed: o.notClosed }).toEqual({ lost: [], duplicates: [], notClosed: [] });
	}

	test(
		'20 concurrent deliveries of one alert → one ticket, 20 successful executions (static backend, one process)',
		timed('duplicates20', async () => {
			const before = await lastExecutionId(suite.n8n);
			const { alert, deliveries } = await suite.sims.datto.createAlert({ deviceUid: device(0), priority: 'Critical', webhookOptions: { duplicates: 20 } });
			expect(deliveries.map((d) => d.status)).toEqual(Array(20).fill(200));
			const executions = await settled(suite.n8n, before, 20, 120_000, 'webhook');
			expect(executions.map((e) => e.status)).toEqual(Array(20).fill('success'));
			await resolveAll([alert.alertUid]);
			await expectRepaired([alert.alertUid], [alert.alertUid]);
		}),
	);

	test(
		'Halo answers 500 to everything for 30 s while alerts arrive and others resolve → one ticket each, closes done',
		timed('halo5xx30s', async () => {
			const early = await createAlerts(3, 0);
			await settleOutcome(suite.sims, early, [], 30_000);
			const before = await lastExecutionId(suite.n8n);
			suite.sims.halo.faults.configure({ pathPattern: '^/api/', errorStatus: 500, failForMs: 30_000 });
			const faultStart = Date.now();
			try {
				const during: string[] = [];
				for (let i = 0; i < 4; i++) {
					during.push(...(await createAlerts(1, 3 + i)));
					if (i === 1) await resolveAll(early.slice(0, 2));
					await sleep(2_500);
				}
				await waitFor('the end of the outage', () => Date.now() - faultStart > 30_000, 40_000);
				suite.sims.halo.faults.clear();
				await expectRepaired([...early, ...during], early.slice(0, 2), 240_000);
				const calls = suite.sims.halo.log.entries().filter((e) => e.at >= faultStart && e.status === 500);
				expect(calls.length).toBeGreaterThan(0); // the outage was real
				await resolveAll([...early.slice(2), ...during]);
				await expectRepaired([...early, ...during], [...early, ...during]);
				await settled(suite.n8n, before);
				for (const e of await failedExecutions(suite.n8n, before)) allowedFailures.set(String(e.id), 'halo5xx30s');
			} finally {
				suite.sims.halo.faults.clear();
			}
		}),
		420_000,
	);

	test(
		'Halo 429 bursts (Retry-After 1 s) while 6 alerts arrive at once → one ticket each, no failed execution',
		timed('halo429', async () => {
			const before = await lastExecutionId(suite.n8n);
			suite.sims.halo.faults.configure({ pathPattern: '^/api/', burst429: 12, retryAfterSeconds: 1 });
			try {
				const uids = (await Promise.all(Array.from({ length: 6 }, (_, i) => createAlerts(1, 10 + i)))).flat();
				await expectRepaired(uids, [], 120_000);
				expect(suite.sims.halo.faults.settings().burst429).toBe(0); // every injected 429 was answered
				suite.sims.halo.faults.configure({ burst429: 6, retryAfterSeconds: 1 });
				await resolveAll(uids);
				await expectRepaired(uids, uids, 120_000);
				await settled(suite.n8n, before);
				expect(await failedExecutions(suite.n8n, before)).toEqual([]);
			} finally {
				suite.sims.halo.faults.clear();
			}
		}),
		300_000,
	);

	test(
		'Halo and Datto tokens expire mid-run → renewed once, one ticket each, the technician close still resolves in Datto',
		timed('tokenExpiry', async () => {
			const before = await lastExecutionId(suite.n8n);
			const first = await createAlerts(2, 20);
			await settleOutcome(suite.sims, first, [], 30_000);
			const haloTokensBefore = suite.sims.halo.counts().tokenRequests;
			suite.sims.halo.expireTokens();
			suite.sims.datto.expireTokens();
			const second = await createAlerts(2, 22);
			await resolveAll(first);
			await expectRepaired([...first, ...second], first, 60_000);
			expect(suite.sims.halo.counts().unauthorized).toBeGreaterThan(0);
			expect(suite.sims.halo.counts().tokenRequests - haloTokensBefore).toBe(1);
			// A technician closes one ticket in Halo: the Datto resolve runs with an expired Datto token.
			const ticket = (await waitFor('the ticket', () => suite.sims.halo.allTickets().find((t) => t.third_party_id_string === second[0])))!;
			suite.sims.halo.closeAsTechnician(ticket.id as number);
			await waitFor('the Datto alert to be resolved', () => suite.sims.datto.data.alerts.find((a) => a.alert.alertUid === second[0])?.alert.resolved === true, 60_000);
			await resolveAll([second[1]]);
			await expectRepaired([...first, ...second], [...first, ...second]);
			await settled(suite.n8n, before);
			expect(await failedExecutions(suite.n8n, before)).toEqual([]);
		}),
		240_000,
	);

	test(
		'Datto blocks the IP (403) for 25 s → webhooks keep working, enrichment degrades, a technician close cannot resolve in Datto',
		timed('datto403', async () => {
			const before = await lastExecutionId(suite.n8n);
			const recommended = await createAlerts(2, 30);
			await settleOutcome(suite.sims, recommended, [], 30_000);
			const closedByTech = (await waitFor('the ticket', () => suite.sims.halo.allTickets().find((t) => t.third_party_id_string === recommended[1])))!;
			suite.sims.datto.blockIp(25_000);
			const blockStart = Date.now();
			// A minimal body (only the alert UID) needs enrichment from the Datto API, which is blocked.
			const minimal = await createAlerts(1, 32, { template: 'minimal' });
			const other = await createAlerts(1, 33);
			await resolveAll([recommended[0]]);
			suite.sims.halo.closeAsTechnician(closedByTech.id as number);
			await expectRepaired([...recommended, ...other], [recommended[0]], 60_000);
			const dattoBlocked = suite.sims.datto.log.entries().filter((e) => e.at >= blockStart && e.status === 403);
			expect(dattoBlocked.length).toBeGreaterThan(0);
			await waitFor('the end of the block', () => Date.now() - blockStart > 26_000, 30_000);
			// The minimal body's execution failed at "Look up Halo client" (no site UID: enrichment failed), after its
			// claim; the reconciliation takes the stale claim over (1 minute here) once Datto answers again.
			await expectRepaired(minimal, [], 150_000);
			// The "Halo ticket closed → resolve Datto alert" resolve failed during the block: it was recorded in the
			// failed-event list and the reconciliation resolves the Datto alert once Datto answers again (issue 18).
			await waitFor(
				'the reconciliation to resolve the technician-closed alert in Datto',
				() => suite.sims.datto.data.alerts.find((a) => a.alert.alertUid === recommended[1])?.alert.resolved === true,
				120_000,
			);
			await settled(suite.n8n, before);
			const failures = await failedExecutions(suite.n8n, before);
			for (const e of failures) allowedFailures.set(String(e.id), 'datto403');
			await resolveAll([...minimal, ...other]);
			await expectRepaired([...recommended, ...minimal, ...other], [...recommended, ...minimal, ...other], 90_000);
		}),
		240_000,
	);

	test(
		'n8n restarted during a storm of 30 alerts → one ticket each (lost deliveries by the reconciliation), all closed after resolve',
		timed('n8nRestart', async () => {
			const uids: string[] = [];
			const before = await lastExecutionId(suite.n8n);
			const sending = (async () => {
				for (let i = 0; i < 30; i++) {
					const { alert } = await suite.sims.datto.createAlert({ deviceUid: device(40 + i), priority: 'Moderate' });
					uids.push(alert.alertUid);
					await sleep(200);
				}
			})();
			await sleep(2_000);
			await suite.n8n.stop({ keepFolder: true });
			await sleep(1_000);
			await suite.n8n.start({ waitForWebhooks: [suite.paths.static!.datto], timeoutMs: 180_000 });
			await sending;
			const deliveries = suite.sims.datto.webhooks.deliveries().filter((d) => uids.includes(d.alertUid));
			const refused = deliveries.filter((d) => d.status !== 200);
			expect(refused.length).toBeGreaterThan(0); // n8n really was down for some of them
			await expectRepaired(uids, [], 180_000);
			await resolveAll(uids);
			await expectRepaired(uids, uids, 180_000);
			// An execution that was running when n8n was stopped is marked 'crashed' by n8n on the next start: expected
			// here (its alert is repaired above). Any other failure status stays unexpected.
			for (const e of await failedExecutions(suite.n8n, before)) if (e.status === 'crashed') allowedFailures.set(String(e.id), 'n8nRestart');
		}),
		480_000,
	);

	test('no execution failed outside the scenarios that expect failures', async () => {
		const failed = await failedExecutions(suite.n8n, 0, [WF]);
		const unexpected = failed.filter((e) => !allowedFailures.has(String(e.id)));
		expect(await describeExecutions(suite.n8n, unexpected)).toEqual([]);
		process.stderr.write(`[faults] failed executions expected by their scenario: ${JSON.stringify([...allowedFailures])}\n`);
	});
});
