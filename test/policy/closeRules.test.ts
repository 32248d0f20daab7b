/**
 * Close rules: a resolved alert always adds a note; the ticket closes only when no technician touched it
 * (human action, manual status change, reassignment — facts from Halo, or touches recorded from Halo events),
 * and only when no other alert keeps it open.
 */
import { decide, needsTicketFacts, type TicketFacts } from '../../nodes/shared/policy';
import { MIN, Harness, alertEvent, alertValue, at, cfg, externalTypes, makeAlert, resolvedOf, stateWithTicket } from './helpers';

const alert = makeAlert();
const noGrace = cfg({ graceClose: { minutes: 0 } });
const facts = (f: Partial<TicketFacts>): Record<string, TicketFacts> => ({ '123': { humanActions: 0, manualStatusChange: false, reassigned: false, ...f } });

describe('close rules', () => {
	type Row = [string, Record<string, TicketFacts> | undefined, 'close' | 'note', RegExp];
	const rows: Row[] = [
		['no facts → close', undefined, 'close', /^closed ticket 123: alert cleared at .*, no technician touched it$/],
		['facts all clear → close', facts({}), 'close', /^closed ticket 123/],
		['a human action → note only', facts({ humanActions: 1, agentName: 'Jo Bloggs' }), 'note', /^not closed: touched by Jo Bloggs \(human action\)/],
		['a manual status change → note only', facts({ manualStatusChange: true, agentName: 'Sam' }), 'note', /^not closed: touched by Sam \(manual status change\)/],
		['a reassignment → note only', facts({ reassigned: true }), 'note', /^not closed: touched by a technician \(reassignment\)/],
	];
	it.each(rows)('%s', (_name, f, decision, reason) => {
		const state = { ...stateWithTicket({ openAlertUids: ['a-1'] }), alert: alertValue(alert) };
		const r = decide(state, alertEvent(resolvedOf(alert), { facts: f }), noGrace, at());
		expect(r.decision).toBe(decision);
		expect(r.reason).toMatch(reason);
		// A resolution always adds a note.
		expect(externalTypes(r)[0]).toBe('addNote');
		if (decision === 'note') {
			expect(externalTypes(r)).toEqual(['addNote']);
			expect(r.actions[0]).toMatchObject({ kind: 'notClosed', text: expect.stringContaining('The ticket stays open because it was touched') });
			expect(r.actions).toContainEqual(expect.objectContaining({ collection: 'tickets', status: 'open', value: expect.objectContaining({ openAlertUids: [] }) }));
		} else {
			expect(externalTypes(r)).toEqual(['addNote', 'closeTicket']);
			// The condition mapping to the ticket is closed with it (purgeable later).
			expect(r.actions).toContainEqual(expect.objectContaining({ collection: 'conditions', key: alert.dedupeKey, status: 'closed' }));
		}
	});

	it('a touch recorded from a Halo event counts like a fact', () => {
		const state = { ...stateWithTicket({ openAlertUids: ['a-1'], touched: { kind: 'statusChange', by: 'agent 7', at: at(-MIN).toISOString() } }), alert: alertValue(alert) };
		const r = decide(state, alertEvent(resolvedOf(alert)), noGrace, at());
		expect(r.decision).toBe('note');
		expect(r.reason).toMatch(/^not closed: touched by agent 7 \(manual status change\)/);
	});

	it('close rules off: a touched ticket closes anyway', () => {
		const state = { ...stateWithTicket({ openAlertUids: ['a-1'] }), alert: alertValue(alert) };
		const r = decide(state, alertEvent(resolvedOf(alert), { facts: facts({ humanActions: 3 }) }), cfg({ closeRules: { enabled: false }, graceClose: { minutes: 0 } }), at());
		expect(r.decision).toBe('close');
		expect(r.reason).not.toContain('technician');
	});

	it('another alert still open on the ticket → note, not closed', () => {
		const state = { ...stateWithTicket({ openAlertUids: ['a-0', 'a-1'] }), alert: alertValue(alert) };
		const r = decide(state, alertEvent(resolvedOf(alert)), noGrace, at());
		expect(r.decision).toBe('note');
		expect(r.reason).toBe('not closed: 1 other alert still open on ticket 123');
		expect(r.actions[0]).toMatchObject({ kind: 'stillOpen' });
	});

	it('ticket already closed (e.g. in Halo) → ignore', () => {
		const state = { ...stateWithTicket({ state: 'closed', closedBy: 'halo', closedAt: at(-MIN).toISOString() }), alert: alertValue(alert) };
		const r = decide(state, alertEvent(resolvedOf(alert)), noGrace, at());
		expect(r.decision).toBe('ignore');
		expect(r.reason).toBe('ticket 123 already closed in Halo: alert cleared');
	});

	it('needsTicketFacts names the tickets this resolution may close, with the time facts count from', () => {
		const state = { ...stateWithTicket({ openAlertUids: ['a-1'] }), alert: alertValue(alert) };
		expect(needsTicketFacts(state, alertEvent(resolvedOf(alert)), cfg())).toEqual([{ ticketId: 123, since: state.tickets!['123'].openedAt }]);
		const shared = { ...stateWithTicket({ openAlertUids: ['a-0', 'a-1'] }), alert: alertValue(alert) };
		expect(needsTicketFacts(shared, alertEvent(resolvedOf(alert)), cfg())).toEqual([]);
		expect(needsTicketFacts(state, alertEvent(resolvedOf(alert)), cfg({ closeRules: { enabled: false } }))).toEqual([]);
		expect(needsTicketFacts(state, alertEvent(alert), cfg())).toEqual([]);
	});

	it("scenario: a technician's note before the resolution → ticket left open with a note", async () => {
		const h = new Harness({ graceClose: { minutes: 0 } });
		await h.trigger(alert);
		h.advance(MIN);
		h.facts['1000'] = { humanActions: 1, manualStatusChange: false, reassigned: false, agentName: 'Jo' };
		const r = await h.resolve(alert);
		expect(r.decision).toBe('note');
		expect(h.tickets.get(1000)).toMatchObject({ state: 'open', notes: [expect.stringContaining('stays open because it was touched by Jo')] });
		expect(h.count('closeTicket')).toBe(0);
	});
});
