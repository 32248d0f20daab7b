/**
 * Dry-run: the same decisions, no write action for Halo or Datto (they are listed in `wouldDo`), and the state
 * writes go to the `dryRun.` collections so a dry run evolves its own shadow state and never touches the live one.
 */
import { decide, DRY_RUN_PREFIX, isExternalAction, type PolicyEvent, type PolicyState } from '../../nodes/shared/policy';
import { HOUR, MIN, Harness, alertEvent, alertValue, at, cfg, graceValue, isoAt, makeAlert, resolvedOf, stateWithTicket, ticketValue } from './helpers';

const alert = makeAlert();
const cases: Array<[string, Partial<PolicyState>, PolicyEvent, string]> = [
	['create', {}, alertEvent(alert), 'create'],
	['note (dedupe)', stateWithTicket({ openAlertUids: ['a-0'] }), alertEvent(makeAlert({ uid: 'a-2' })), 'note'],
	['reopen', stateWithTicket({ state: 'closed', closedAt: isoAt(-HOUR) }), alertEvent(makeAlert({ uid: 'a-2' })), 'reopen'],
	['close', { ...stateWithTicket({ openAlertUids: ['a-1'] }), alert: alertValue(alert) }, alertEvent(resolvedOf(alert)), 'defer'],
	['grace close due', { ...stateWithTicket({ state: 'closing' }), graceCloses: { '123': graceValue() } }, { type: 'tick', due: { kind: 'graceClose', ticketId: 123 } }, 'close'],
	['suppress', { windows: [{ id: 'w', kind: 'oneOff', scope: { level: 'site', id: 'site-1' }, start: isoAt(-MIN), end: isoAt(MIN) }] }, alertEvent(alert), 'suppress'],
	['storm', { storm: { version: 1, siteUid: 'site-1', siteName: null, entries: [1, 2, 3, 4].map((i) => ({ alertUid: `s${i}`, deviceKey: `d${i}`, hostname: null, dedupeKey: `d${i}|x`, at: isoAt(-i * MIN), ticketId: 500 + i, resolved: false })), parentTicketId: null, startedAt: null, lastAt: null } }, alertEvent(alert), 'correlate'],
	['halo close', { tickets: { '123': ticketValue({ ticketId: 123, openAlertUids: ['a-1'] }) } }, { type: 'haloTicket', ticket: { event: 'closed', ticketId: 123, closed: true, agentId: 7, assignedAgentId: null, markerFound: false, changedAt: isoAt() } }, 'close'],
];

describe('dry-run produces no write actions', () => {
	it.each(cases)('%s', (_n, state, event, decision) => {
		const now = event.type === 'tick' ? at(10 * MIN) : at();
		const live = decide(state, event, cfg(), now);
		const dry = decide(state, event, cfg({ dryRun: true }), now);
		expect(live.decision).toBe(decision);
		expect(dry.decision).toBe(decision);
		expect(dry.dryRun).toBe(true);
		expect(dry.actions.filter(isExternalAction)).toEqual([]);
		expect(dry.wouldDo).toEqual(live.actions.filter(isExternalAction));
		expect(live.wouldDo).toEqual([]);
		expect(dry.reason).toBe(decision === 'ignore' ? `[dry-run] ${live.reason}` : `[dry-run] would ${decision}: ${live.reason}`);
		for (const a of dry.actions) {
			if (a.type === 'store') expect(a.collection.startsWith(DRY_RUN_PREFIX)).toBe(true);
		}
		for (const g of dry.guards) {
			expect(g.collection).toBe('dryRun.locks');
			expect(g.record.collection.startsWith(DRY_RUN_PREFIX)).toBe(true);
		}
		// Same plan otherwise: the live store writes, moved to the dry-run collections.
		const strip = (c: string) => c.replace(DRY_RUN_PREFIX, '');
		const shape = (r: typeof live) => r.actions.filter((a) => a.type === 'store').map((a) => [strip((a as { collection: string }).collection), (a as { key: unknown }).key]);
		expect(shape(dry)).toEqual(shape(live));
	});

	it('"would create" in the decision log', () => {
		expect(decide({}, alertEvent(alert), cfg({ dryRun: true }), at()).reason).toBe(`[dry-run] would create: created: new ticket for dedupeKey ${alert.dedupeKey}`);
	});

	it('scenario: a flapping device in dry-run makes zero Halo calls and a realistic decision table', async () => {
		const h = new Harness({ dryRun: true });
		for (let i = 0; i < 5; i++) {
			const a = makeAlert({ uid: `f-${i}` });
			await h.trigger(a);
			h.advance(MIN);
			await h.resolve(a);
			h.advance(MIN);
		}
		h.advance(10 * MIN);
		await h.tick();
		expect(h.calls).toEqual([]);
		// Repeats within 10 min of the ticket's creation fold (ignore), each clearance schedules a grace close (defer).
		expect(h.decisions()).toEqual(['create', 'defer', 'ignore', 'defer', 'ignore', 'defer', 'ignore', 'defer', 'ignore', 'defer', 'close']);
		expect(h.results.map((r) => r.reason.slice(0, 24))).toContain('[dry-run] would create: ');
		expect(h.results.flatMap((r) => r.wouldDo).map((a) => a.type)).toEqual(['createTicket', 'addNote', 'closeTicket']);
		// The live collections were never written.
		for (const c of ['alerts', 'conditions', 'tickets', 'graceCloses', 'storms', 'locks']) expect(await h.store.list(c)).toEqual([]);
		expect((await h.store.list('dryRun.alerts')).length).toBe(5);
	});
});
