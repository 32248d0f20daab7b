/**
 * Grace close: a clearance schedules the close G minutes later (a record with a due time, processed by the
 * scheduled tick); a re-fire before the tick closed it cancels it. Edges: the close is due at exactly
 * resolvedAt + G (dueAt ≤ now); G = 0 closes at once.
 */
import { decide, dueGraceCloses, dueWork, needsTicketFacts } from '../../nodes/shared/policy';
import {
	MIN,
	Harness,
	alertEvent,
	alertValue,
	at,
	cfg,
	externalTypes,
	graceValue,
	isoAt,
	makeAlert,
	resolvedOf,
	stateWithTicket,
	ticketValue,
} from './helpers';

const alert = makeAlert({ uid: 'a-0' });

describe('grace close: resolution', () => {
	it.each([
		[5, 'defer'],
		[1, 'defer'],
		[0, 'close'],
	] as const)('G = %d min → %s', (minutes, decision) => {
		const state = { ...stateWithTicket({ openAlertUids: ['a-0'] }), alert: alertValue(alert) };
		const r = decide(state, alertEvent(resolvedOf(alert)), cfg({ graceClose: { minutes } }), at());
		expect(r.decision).toBe(decision);
		if (decision === 'defer') {
			const dueAt = isoAt(minutes * MIN);
			expect(externalTypes(r)).toEqual([]); // no Halo call while waiting
			expect(r.actions).toContainEqual({ type: 'scheduleGraceClose', ticket: 123, dueAt });
			expect(r.actions).toContainEqual(expect.objectContaining({ collection: 'graceCloses', key: '123', status: 'open', value: expect.objectContaining({ dueAt, resolvedAt: isoAt(), occurrences: 3 }) }));
			expect(r.actions).toContainEqual(expect.objectContaining({ collection: 'tickets', key: '123', status: 'closing' }));
			expect(r.reason).toBe(`close of ticket 123 scheduled at ${dueAt} (grace ${minutes} min): alert cleared`);
		} else {
			expect(externalTypes(r)).toEqual(['addNote', 'closeTicket']);
		}
	});
});

describe('grace close: the scheduled tick', () => {
	const closing = () => ({ ...stateWithTicket({ state: 'closing', openAlertUids: [] }), graceCloses: { '123': graceValue({ dueAt: isoAt(5 * MIN) }) } });
	type Row = [string, number, 'close' | 'ignore'];
	const rows: Row[] = [
		['1 ms before the due time → not due', 5 * MIN - 1, 'ignore'],
		['exactly at the due time (G minutes) → closed', 5 * MIN, 'close'],
		['later → closed', 7 * MIN, 'close'],
	];
	it.each(rows)('%s', (_name, offset, decision) => {
		const r = decide(closing(), { type: 'tick', due: { kind: 'graceClose', ticketId: 123 } }, cfg(), at(offset));
		expect(r.decision).toBe(decision);
		if (decision === 'close') {
			expect(externalTypes(r)).toEqual(['addNote', 'closeTicket']);
			expect(r.actions[0]).toMatchObject({ kind: 'cleared', text: expect.stringMatching(/^Datto RMM alert on SRV01 cleared at .* after 3 occurrences\./) });
			expect(r.actions).toContainEqual({ type: 'store', op: 'delete', collection: 'graceCloses', key: '123' });
			expect(r.reason).toMatch(/^closed ticket 123 after the 5 min grace period: alert cleared at/);
		} else {
			expect(r.reason).toBe(`close of ticket 123 not due until ${isoAt(5 * MIN)}`);
			expect(r.actions.filter((a) => a.type === 'store')).toEqual([]);
		}
	});

	it('dueGraceCloses / dueWork: due at exactly dueAt, earliest first', () => {
		const graces = [graceValue({ ticketId: 2, dueAt: isoAt(5 * MIN) }), graceValue({ ticketId: 1, dueAt: isoAt(3 * MIN) }), graceValue({ ticketId: 3, dueAt: isoAt(5 * MIN + 1) })];
		expect(dueGraceCloses(graces, at(5 * MIN - 1)).map((g) => g.ticketId)).toEqual([1]);
		expect(dueGraceCloses(graces, at(5 * MIN)).map((g) => g.ticketId)).toEqual([1, 2]);
		expect(dueGraceCloses({ graceCloses: { a: graces[2] } }, at(5 * MIN + 1)).map((g) => g.ticketId)).toEqual([3]);
		expect(dueWork({ graceCloses: graces }, at(5 * MIN))).toEqual([
			{ kind: 'graceClose', ticketId: 1 },
			{ kind: 'graceClose', ticketId: 2 },
		]);
	});

	it('touched during the grace period → note, not closed, pending close dropped', () => {
		const facts = { '123': { humanActions: 0, manualStatusChange: true, reassigned: false, agentName: 'Sam' } };
		expect(needsTicketFacts(closing(), { type: 'tick', due: { kind: 'graceClose', ticketId: 123 } }, cfg())).toEqual([{ ticketId: 123, since: isoAt(-60 * MIN) }]);
		const r = decide(closing(), { type: 'tick', due: { kind: 'graceClose', ticketId: 123 }, facts }, cfg(), at(5 * MIN));
		expect(r.decision).toBe('note');
		expect(r.reason).toMatch(/^not closed: touched by Sam \(manual status change\)/);
		expect(r.actions).toContainEqual({ type: 'store', op: 'delete', collection: 'graceCloses', key: '123' });
	});

	it('a stale pending close (ticket no longer closing) is dropped without a Halo call', () => {
		const state = { tickets: { '123': ticketValue({ ticketId: 123, state: 'open', openAlertUids: ['a-1'] }) }, graceCloses: { '123': graceValue() } };
		const r = decide(state, { type: 'tick', due: { kind: 'graceClose', ticketId: 123 } }, cfg(), at(10 * MIN));
		expect(r.decision).toBe('ignore');
		expect(r.reason).toBe('pending close of ticket 123 dropped: the ticket is open');
		expect(externalTypes(r)).toEqual([]);
		expect(decide({}, { type: 'tick', due: { kind: 'graceClose', ticketId: 9 } }, cfg(), at()).reason).toBe('no pending close for ticket 9');
	});
});

describe('grace close: re-fire', () => {
	type Row = [string, number];
	const rows: Row[] = [
		['re-fire 1 min after clearing', 1 * MIN],
		['re-fire 1 ms before the due time', 5 * MIN - 1],
		['re-fire after the due time, before the tick ran', 5 * MIN + 30_000],
	];
	it.each(rows)('%s → close cancelled, ticket stays open, no Halo close/reopen', (_name, offset) => {
		const state = { ...stateWithTicket({ state: 'closing', openAlertUids: [] }, { lastNoteAt: isoAt(-30 * MIN) }), graceCloses: { '123': graceValue({ resolvedAt: isoAt(), dueAt: isoAt(5 * MIN) }) } };
		const r = decide(state, alertEvent(makeAlert({ uid: 'a-1' })), cfg(), at(offset));
		expect(['note', 'ignore']).toContain(r.decision);
		expect(externalTypes(r)).not.toContain('closeTicket');
		expect(externalTypes(r)).not.toContain('reopenTicket');
		expect(r.actions).toContainEqual({ type: 'cancelGraceClose', ticket: 123 });
		expect(r.actions).toContainEqual({ type: 'store', op: 'delete', collection: 'graceCloses', key: '123' });
		expect(r.actions).toContainEqual(expect.objectContaining({ collection: 'tickets', key: '123', status: 'open', value: expect.objectContaining({ state: 'open', openAlertUids: ['a-1'] }) }));
		expect(r.reason).toMatch(/^pending close of ticket 123 cancelled: alert fired again .* after it cleared, within the grace period \(occurrence 4\)/);
	});

	it('cancels even with flap dedupe off (grace has its own promise)', () => {
		const state = { ...stateWithTicket({ state: 'closing', openAlertUids: [] }), graceCloses: { '123': graceValue() } };
		const r = decide(state, alertEvent(makeAlert({ uid: 'a-1' })), cfg({ flapDedupe: { enabled: false } }), at(MIN));
		expect(r.decision).toBe('note');
		expect(r.actions[0]).toMatchObject({ type: 'addNote', kind: 'graceCancelled' });
	});

	it('scenario: a re-fire inside the grace period → the ticket is never closed', async () => {
		const h = new Harness();
		await h.trigger(alert);
		h.advance(MIN);
		expect((await h.resolve(alert)).decision).toBe('defer');
		h.advance(2 * MIN);
		expect(await h.tick()).toEqual([]);
		await h.trigger(makeAlert({ uid: 'a-9' }));
		h.advance(10 * MIN);
		expect(await h.tick()).toEqual([]); // the pending close is gone
		expect(h.count('closeTicket')).toBe(0);
		expect(h.tickets.get(1000)!.state).toBe('open');
		// The new alert clears: a new grace period, closed once it is over.
		await h.resolve(makeAlert({ uid: 'a-9' }));
		h.advance(5 * MIN);
		const [r] = await h.tick();
		expect(r.decision).toBe('close');
		expect(h.count('closeTicket')).toBe(1);
		// The tick loads the ticket's conditions and closes them with it; the grace record is gone.
		expect(await h.store.get('conditions', alert.dedupeKey)).toMatchObject({ status: 'closed', value: { ticketId: 1000 } });
		expect(await h.store.get('tickets', '1000')).toMatchObject({ status: 'closed', value: { state: 'closed', closedBy: 'integration' } });
		expect(await h.store.list('graceCloses')).toEqual([]);
	});
});
