/**
 * Decision log and explain: every decision lands in the history of the records it wrote (the alert's record
 * always); explain() merges them into one timeline for an alertUid, a dedupeKey or a ticket id.
 */
import { explain, loadTimeline } from '../../nodes/shared/policy';
import type { StoreRecord } from '../../nodes/shared/store/types';
import { MIN, Harness, makeAlert } from './helpers';

describe('explain()', () => {
	const rec = (collection: string, key: string, history: StoreRecord['history']) => ({ collection, key, history });
	it('merges histories in time order and collapses one decision logged by several records', () => {
		const create = { at: '2026-11-23T10:00:00.000Z', event: 'create', reason: 'created: new ticket', data: { ticketId: 1 } };
		const note = { at: '2026-11-23T10:20:00.000Z', event: 'note', reason: 'deduped', data: { ticketId: 1 } };
		const other = { at: '2026-11-23T10:10:00.000Z', event: 'create', reason: 'another ticket', data: { ticketId: 2 } };
		const out = explain([rec('alerts', 'a', [create]), rec('conditions', 'k', [create, other, note]), rec('tickets', '1', [create, note])]);
		expect(out.entries.map((e) => [e.event, e.records])).toEqual([
			['create', ['alerts/a', 'conditions/k', 'tickets/1']],
			['create', ['conditions/k']],
			['note', ['conditions/k', 'tickets/1']],
		]);
		expect(out.lines[0]).toBe('2026-11-23T10:00:00.000Z  create  created: new ticket');
		// For a ticket: only what its record logged or what names it.
		expect(explain([rec('conditions', 'k', [create, other, note]), rec('tickets', '1', [])], { ticketId: 1 }).entries.map((e) => e.reason)).toEqual(['created: new ticket', 'deduped']);
		expect(explain([])).toEqual({ entries: [], lines: [] });
	});
});

describe('loadTimeline() through a real store', () => {
	it('returns the full timeline for an alertUid, a dedupeKey and a ticket id', async () => {
		const h = new Harness({ graceClose: { minutes: 0 } });
		const first = makeAlert({ uid: 'e-1' });
		await h.trigger(first);
		h.advance(20 * MIN);
		await h.trigger(makeAlert({ uid: 'e-2' }));
		h.advance(MIN);
		await h.haloEvent({ ticketId: 1000, agentName: 'Jo Bloggs' });
		h.advance(MIN);
		await h.resolve(first);
		await h.resolve(makeAlert({ uid: 'e-2' }));

		const byAlert = await loadTimeline(h.store, { alertUid: 'e-1' });
		expect(byAlert.entries.map((e) => e.event)).toEqual(['create', 'note', 'ignore', 'note', 'note']);
		const byKey = await loadTimeline(h.store, { dedupeKey: first.dedupeKey });
		expect(byKey.entries.map((e) => e.reason)).toEqual([
			`created: new ticket for dedupeKey ${first.dedupeKey}`,
			`deduped: ticket 1000 already open for dedupeKey ${first.dedupeKey} (occurrence 2)`,
			'ticket 1000 touched by Jo Bloggs (human action): it will not be closed automatically',
			'not closed: 1 other alert still open on ticket 1000',
			'not closed: touched by Jo Bloggs (human action); alert cleared, note added to ticket 1000',
		]);
		const byTicket = await loadTimeline(h.store, { ticketId: 1000 });
		expect(byTicket.lines).toEqual(byKey.lines);
		expect(byTicket.records.map((r) => `${r.collection}/${r.key}`).sort()).toEqual(['alerts/e-1', 'alerts/e-2', `conditions/${first.dedupeKey}`, 'tickets/1000']);
		expect((await loadTimeline(h.store, { alertUid: 'nope' })).entries).toEqual([]);
	});
});
