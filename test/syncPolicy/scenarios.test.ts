/**
 * The Sync Policy node in the remaining acceptance scenarios of issue 8, through n8n's WorkflowExecute against the
 * Halo simulator: storm correlation, maintenance windows, explain, dry-run (zero writes), concurrent deliveries,
 * Halo ticket events, failures with the failed-event list, replay and health.
 */
import type { IDataObject } from 'n8n-workflow';

import type { HaloSimulator } from '../../simulators/halo';
import {
	alertOf,
	Clock,
	decideAt,
	deciding,
	harnessStore,
	HOUR,
	MIN,
	processDueAt,
	resolvedOf,
	routeCounts,
	runPolicy,
	SEC,
	startSim,
	warmClient,
	wipeStore,
	writeCalls,
} from './helpers';

describe('Sync Policy node: scenarios', () => {
	let sim: HaloSimulator;
	let clock: Clock;

	beforeAll(async () => {
		sim = await startSim();
	});
	afterAll(async () => await sim.close());
	beforeEach(async () => {
		sim.reset('default');
		sim.faults.clear();
		warmClient(sim);
		await wipeStore();
		clock = new Clock();
	});

	it('10 devices of one site offline within a minute: 1 parent ticket, the first tickets attached, the rest notes', async () => {
		const decisions: string[] = [];
		for (let i = 0; i < 10; i++) {
			const run = await decideAt(sim, clock, i * 6 * SEC, [alertOf(`storm-${i}`, { device: `dev-${i}` })]);
			decisions.push(...run.decisions);
		}
		expect(decisions).toEqual(['create', 'create', 'create', 'create', ...Array(6).fill('correlate')]);
		const tickets = sim.allTickets();
		const parents = tickets.filter((t) => /devices alerting at site/.test(String(t.summary)));
		expect(parents).toHaveLength(1);
		const parentId = parents[0].id as number;
		expect(parents[0].summary).toBe('Datto RMM: 5 devices alerting at site Contoso Head Office');
		const children = tickets.filter((t) => t.id !== parentId);
		expect(children).toHaveLength(4);
		for (const child of children) expect(child.parent_id).toBe(parentId);
		// The 5th and later alerts are notes on the parent.
		expect(sim.allActions(parentId).map((a) => String(a.note_html).match(/(?:Also alerting|Alerting): (DEV-\d)/)?.[1])).toEqual([
			'DEV-4',
			'DEV-5',
			'DEV-6',
			'DEV-7',
			'DEV-8',
			'DEV-9',
		]);
		expect(routeCounts(sim)['POST /api/tickets']).toBe(5 + 4); // 4 tickets + 1 parent, 4 attach updates
	});

	it('an alert inside a maintenance window is suppressed, then gets its ticket when the window ends if still open', async () => {
		const store = harnessStore();
		await store.set('windows', 'patch-night', {
			value: {
				id: 'patch-night',
				name: 'Patch night',
				scope: { level: 'site', id: 'site-uid-contoso-ho' },
				kind: 'oneOff',
				start: clock.iso(0),
				end: clock.iso(HOUR),
			},
		});
		const held = await decideAt(sim, clock, 10 * MIN, [alertOf('mw-1'), alertOf('mw-2', { device: 'dev-2' })]);
		expect(held.decisions).toEqual(['suppress', 'suppress']);
		expect(held.byDecision.suppress[0].reason).toMatch(/^suppressed by window patch-night "Patch night" \(site site-uid-contoso-ho\) until /);
		// mw-2 clears during the window: never a ticket.
		expect((await decideAt(sim, clock, 20 * MIN, [resolvedOf(alertOf('mw-2', { device: 'dev-2' }))])).decisions).toEqual(['ignore']);
		expect((await processDueAt(sim, clock, 59 * MIN)).all).toEqual([]);
		expect(sim.allTickets()).toEqual([]);
		// The window ends: mw-1 is still open → processed as if it had just fired.
		const released = await processDueAt(sim, clock, HOUR);
		expect(released.decisions).toEqual(['create']);
		expect(released.byDecision.create[0].reason).toMatch(/^released \(window patch-night ended\): created/);
		expect(released.byDecision.create[0]).toMatchObject({ event: 'tick', due: { kind: 'release', alertUid: 'mw-1' } });
		expect(sim.allTickets().map((t) => t.third_party_id_string)).toEqual(['mw-1']);
		expect(writeCalls(sim)).toBe(1);
	});

	it('explain returns the full timeline by alertUid, dedupeKey and ticket id', async () => {
		const a = alertOf('ex-1');
		const ticketId = (await decideAt(sim, clock, 0, [a])).byDecision.create[0].ticketId as number;
		await decideAt(sim, clock, 12 * MIN, [alertOf('ex-2')]);
		await decideAt(sim, clock, 13 * MIN, [resolvedOf(a)]);
		await decideAt(sim, clock, 14 * MIN, [resolvedOf(alertOf('ex-2'))]);
		await processDueAt(sim, clock, 19 * MIN);

		const explain = async (explainBy: string, subject: string) =>
			(await runPolicy(null, { operation: 'explain', explainBy, subject }, [{ json: {} }])).items[0].json as IDataObject;
		const byTicket = await explain('ticketId', String(ticketId));
		expect((byTicket.entries as IDataObject[]).map((e) => e.event)).toEqual(['create', 'note', 'note', 'defer', 'close']);
		expect(byTicket.found).toBe(true);
		expect((byTicket.lines as string[])[0]).toMatch(/ {2}create {2}created: new ticket for dedupeKey dev-1\|perf_disk_usage_ctx:C: \(Halo client 12 by haloSiteDattoId, asset none by none\)$/);
		expect((byTicket.lines as string[]).at(-1)).toMatch(new RegExp(`close {2}closed ticket ${ticketId} after the 5 min grace period`));
		const byKey = await explain('dedupeKey', 'dev-1|perf_disk_usage_ctx:C:');
		expect((byKey.entries as IDataObject[]).map((e) => e.event)).toEqual(['create', 'note', 'note', 'defer', 'close']);
		const byAlert = await explain('alertUid', 'ex-1');
		expect((byAlert.entries as IDataObject[]).map((e) => e.event)).toEqual(['create', 'note', 'note', 'defer', 'close']);
		expect(byAlert.records).toEqual(expect.arrayContaining(['alerts/ex-1', 'conditions/dev-1|perf_disk_usage_ctx:C:', `tickets/${ticketId}`]));
		const unknown = await explain('alertUid', 'never-seen');
		expect(unknown).toMatchObject({ found: false, entries: [], lines: [] });
	});

	it('dry-run routes the same way and makes zero write calls at the simulator', async () => {
		const dry = { dryRun: true };
		const a = alertOf('dry-1');
		const created = await decideAt(sim, clock, 0, [a], dry);
		expect(created.decisions).toEqual(['create']);
		const item = created.byDecision.create[0];
		expect(item).toMatchObject({ dryRun: true, haloCalls: 0 });
		expect(item.reason).toMatch(/^\[dry-run\] would create: /);
		expect(item.ticketId as number).toBeLessThan(0);
		expect((item.actions as IDataObject[])[0]).toMatchObject({ type: 'createTicket', ref: 'ticket' });
		expect((await decideAt(sim, clock, 11 * MIN, [alertOf('dry-2')], dry)).decisions).toEqual(['note']);
		await decideAt(sim, clock, 12 * MIN, [resolvedOf(a)], dry);
		expect((await decideAt(sim, clock, 13 * MIN, [resolvedOf(alertOf('dry-2'))], dry)).decisions).toEqual(['defer']);
		expect((await processDueAt(sim, clock, 18 * MIN, dry)).decisions).toEqual(['close']);
		expect(writeCalls(sim)).toBe(0);
		expect(sim.log.entries().filter((e) => e.method === 'POST' && e.path.startsWith('/api/'))).toEqual([]);
		// The live state is untouched: the same alert is new for a live run.
		const store = harnessStore();
		expect(await store.list('alerts')).toEqual([]);
		expect((await store.list('dryRun.alerts')).map((r) => r.key).sort()).toEqual(['dry-1', 'dry-2']);
		// Without any Halo credential dry-run works too.
		const noHalo = await runPolicy(null, deciding({ dryRun: true, clockOverride: clock.iso(HOUR) }), [{ json: alertOf('dry-3', { device: 'dev-9' }) }]);
		expect(noHalo.decisions).toEqual(['create']);
	});

	it('two concurrent Decide runs for one dedupeKey: one create, the other deduped onto it', async () => {
		// A slow POST /Tickets keeps the winner's guards taken while the loser decides "create" too.
		sim.faults.configure({ pathPattern: '^/api/tickets$', latencyMs: 300 });
		const [r1, r2] = await Promise.all([
			decideAt(sim, clock, 0, [alertOf('race-1')]),
			decideAt(sim, clock, 0, [alertOf('race-2')]),
		]);
		const decisions = [...r1.decisions, ...r2.decisions].sort();
		expect(decisions).toEqual(['create', 'ignore']); // the loser re-decided: folded onto the new ticket
		expect(routeCounts(sim)['POST /api/tickets']).toBe(1);
		const loser = [...r1.all, ...r2.all].find((j) => j.decision === 'ignore')!;
		const winner = [...r1.all, ...r2.all].find((j) => j.decision === 'create')!;
		expect(loser.ticketId).toBe(winner.ticketId);
		expect(winner.attempts).toBe(1);
		expect(loser.attempts as number).toBeGreaterThanOrEqual(2); // its first "create" lost the guard claim
		expect(await harnessStore().list('locks')).toEqual([]);
	});

	it('a Halo ticket event: a technician closes the ticket → close output with the Datto alerts to resolve', async () => {
		const a = alertOf('halo-1');
		const ticketId = (await decideAt(sim, clock, 0, [a])).byDecision.create[0].ticketId as number;
		sim.closeAsTechnician(ticketId);
		const event = { event: 'closed', ticketId, closed: true, agentId: 5, assignedAgentId: null, markerFound: false, changedAt: clock.iso(MIN) };
		const closed = await runPolicy(sim, deciding({ clockOverride: clock.set(2 * MIN) }), [{ json: event }]);
		expect(closed.decisions).toEqual(['close']);
		expect(closed.byDecision.close[0]).toMatchObject({ ticketId, dattoAlertUids: ['halo-1'], event: 'haloTicket' });
		expect(closed.byDecision.close[0].reason).toMatch(/closed in Halo by agent 5: 1 open Datto alert to resolve/);
		// The alert clearing later: nothing more to do; a recurrence reopens within the window.
		expect((await decideAt(sim, clock, 3 * MIN, [resolvedOf(a)])).decisions).toEqual(['ignore']);
		// Our own change (marker) is ignored.
		const own = await runPolicy(sim, deciding({ clockOverride: clock.set(4 * MIN) }), [
			{ json: { ...event, event: 'updated', closed: false, markerFound: true } },
		]);
		expect(own.decisions).toEqual(['ignore']);
		// So is a change by the credential's API agent (42 in the simulator) without the marker.
		const byApi = await runPolicy(sim, deciding({ clockOverride: clock.set(5 * MIN) }), [
			{ json: { ...event, event: 'statusChanged', closed: false, agentId: 42 } },
		]);
		expect(byApi.byDecision.ignore[0].reason).toMatch(/own change/);
	});

	it('a failed Halo write goes to the failed-event list; Health alarms; Replay creates the ticket; Health recovers', async () => {
		sim.faults.configure({ pathPattern: '^/api/tickets$', failNext: 1, errorStatus: 400 });
		const failed = await decideAt(sim, clock, 0, [alertOf('fail-1')], {}, { continueOnFail: true });
		expect(failed.decisions).toEqual(['create']);
		expect(failed.byDecision.create[0]).toMatchObject({ failedEventKey: 'alert/fail-1/triggered', httpCode: '400' });
		expect(String(failed.byDecision.create[0].error)).toMatch(/400/);
		expect(sim.allTickets()).toEqual([]);
		// Nothing of the decision was stored: the alert is still new.
		expect(await harnessStore().get('alerts', 'fail-1')).toBeUndefined();

		const health = async (at: number) => await runPolicy(null, { operation: 'health', clockOverride: clock.set(at) });
		const alarm = await health(MIN);
		expect(alarm.outputs[0]).toHaveLength(1);
		expect(alarm.outputs[0][0].json).toMatchObject({ healthy: false, alarm: true, failedEvents: { count: 1 } });
		// One alarm per incident: the next check goes to ok, still unhealthy.
		const again = await health(2 * MIN);
		expect(again.outputs[1][0].json).toMatchObject({ healthy: false, alarm: false, alreadyAlarmed: true });

		const replay = await runPolicy(sim, deciding({ operation: 'replayFailed', clockOverride: clock.set(3 * MIN) }));
		expect(replay.decisions).toEqual(['create']);
		expect(replay.byDecision.create[0]).toMatchObject({ replayOf: 'alert/fail-1/triggered' });
		expect(sim.allTickets().map((t) => t.third_party_id_string)).toEqual(['fail-1']);
		expect((await harnessStore().get('failedEvents', 'alert/fail-1/triggered'))?.status).toBe('closed');
		const ok = await health(4 * MIN);
		expect(ok.outputs[1][0].json).toMatchObject({ healthy: true, recovered: true, failedEvents: { count: 0 } });
	});

	it('a failure after some writes commits the decision and keeps only the missing writes for replay', async () => {
		for (let i = 0; i < 4; i++) await decideAt(sim, clock, i * SEC, [alertOf(`part-${i}`, { device: `dev-${i}` })]);
		// The storm's parent is created and the 4 tickets attached, then the parent's note fails.
		sim.faults.configure({ pathPattern: '^/api/actions$', failNext: 1, errorStatus: 400 });
		const run = await decideAt(sim, clock, 5 * SEC, [alertOf('part-4', { device: 'dev-4' })], {}, { continueOnFail: true });
		expect(run.decisions).toEqual(['correlate']);
		const item = run.byDecision.correlate[0];
		expect(item.failedEventKey).toMatch(/^actions\/alert\/part-4\/triggered\//);
		const parentId = (item.created as IDataObject).parent as number;
		expect(sim.ticket(parentId)).toBeDefined();
		const record = (await harnessStore().get('failedEvents', item.failedEventKey as string))!;
		expect(record.value).toMatchObject({ kind: 'actions', actions: [{ type: 'addNote', ticket: parentId, kind: 'correlated' }] });
		// The state knows the parent: the next alert of the storm is a note on it, no second parent.
		const next = await decideAt(sim, clock, 6 * SEC, [alertOf('part-5', { device: 'dev-5' })]);
		expect(next.byDecision.correlate[0].ticketId).toBe(parentId);
		// Replay posts just the missing note.
		const before = routeCounts(sim)['POST /api/tickets'];
		const replay = await runPolicy(sim, deciding({ operation: 'replayFailed', clockOverride: clock.set(MIN) }));
		expect(replay.decisions).toEqual(['correlate']);
		expect(routeCounts(sim)['POST /api/tickets']).toBe(before);
		expect(sim.allActions(parentId).map((a) => String(a.note_html).match(/Alerting: (DEV-\d)|Also alerting: (DEV-\d)/)?.slice(1).find(Boolean))).toEqual([
			'DEV-5',
			'DEV-4',
		]);
	});

	it('without "On Error: Continue" a failed write fails the execution with a NodeApiError naming the failed event', async () => {
		sim.faults.configure({ pathPattern: '^/api/tickets$', failNext: 1, errorStatus: 400 });
		const run = await decideAt(sim, clock, 0, [alertOf('fail-2')]);
		expect(run.status).toBe('error');
		expect(run.error).toMatchObject({ name: 'NodeApiError', httpCode: '400', itemIndex: 0 });
		expect(run.error!.description).toMatch(/failed-event list as "alert\/fail-2\/triggered"/);
		// "continue (using error output)": the item arrives on n8n's error output (the 9th).
		sim.faults.configure({ pathPattern: '^/api/tickets$', failNext: 1, errorStatus: 400 });
		const routed = await decideAt(sim, clock, MIN, [alertOf('fail-3', { device: 'dev-3' })], {}, { onError: 'continueErrorOutput' });
		expect(routed.outputs).toHaveLength(9);
		expect(routed.outputs[0]).toEqual([]);
		expect(routed.outputs[8]).toHaveLength(1);
		expect(routed.outputs[8][0].json).toMatchObject({
			alertUid: 'fail-3', // the input item, merged by n8n
			error: expect.stringMatching(/400/),
			details: { decision: 'create', failedEventKey: 'alert/fail-3/triggered' },
		});
	});

	it('health: alarm when no Datto webhook arrived for X hours', async () => {
		const health = async (at: number) => await runPolicy(null, { operation: 'health', maxHoursWithoutWebhook: 6, clockOverride: clock.set(at) });
		const never = await health(0);
		expect(never.outputs[0][0].json).toMatchObject({ alarm: true, reasons: ['no Datto RMM webhook has been recorded yet'] });
		await decideAt(sim, clock, MIN, [alertOf('hb-1')]);
		const fresh = await health(2 * HOUR);
		expect(fresh.outputs[1][0].json).toMatchObject({ healthy: true, recovered: true, datto: { lastAlertUid: 'hb-1', webhooks: 1 } });
		const stale = await health(7 * HOUR);
		expect(stale.outputs[0][0].json).toMatchObject({ alarm: true, datto: { hoursSince: 6.98 } });
		expect((stale.outputs[0][0].json.reasons as string[])[0]).toMatch(/^no Datto RMM webhook for 6.98 h/);
	});
});
