/**
 * Reopen window: a recurrence within N hours after the ticket closed reopens that ticket with a note.
 * Edge: exactly N hours after the close reopens (elapsed ≤ N h); 1 ms later opens a new ticket.
 */
import { decide } from '../../nodes/shared/policy';
import { HOUR, MIN, Harness, alertEvent, at, cfg, externalTypes, isoAt, makeAlert, stateWithTicket } from './helpers';

const recurrence = makeAlert({ uid: 'a-new' });

describe('reopen window', () => {
	type Row = [string, number, number, 'reopen' | 'create'];
	// [case, reopen window hours, closed how long ago, decision]
	const rows: Row[] = [
		['closed 1 h ago, window 24 h', 24, HOUR, 'reopen'],
		['closed exactly 24 h ago → reopen (inclusive)', 24, 24 * HOUR, 'reopen'],
		['closed 24 h + 1 ms ago → new ticket', 24, 24 * HOUR + 1, 'create'],
		['window 2 h, closed exactly 2 h ago', 2, 2 * HOUR, 'reopen'],
		['window 2 h, closed 2 h + 1 s ago', 2, 2 * HOUR + 1000, 'create'],
		['window 0 h, closed this instant', 0, 0, 'reopen'],
		['window 0 h, closed 1 ms ago', 0, 1, 'create'],
	];
	it.each(rows)('%s', (_name, hours, ago, decision) => {
		const state = stateWithTicket({ state: 'closed', closedAt: isoAt(-ago), closedBy: 'integration', openAlertUids: [], touched: { kind: 'humanAction', by: 'Jo', at: isoAt(-2 * HOUR) }, reopenCount: 1 });
		const r = decide(state, alertEvent(recurrence), cfg({ reopenWindow: { hours } }), at());
		expect(r.decision).toBe(decision);
		if (decision === 'reopen') {
			expect(externalTypes(r)).toEqual(['reopenTicket', 'addNote']);
			expect(r.actions[1]).toMatchObject({ type: 'addNote', ticket: 123, kind: 'reopened', occurrence: 4 });
			expect(r.reason).toMatch(new RegExp(`^reopened ticket 123: recurrence .* after it closed, within the ${hours} h reopen window`));
			// Reopened: open again for this alert, technician facts count afresh from now.
			expect(r.actions).toContainEqual(
				expect.objectContaining({
					collection: 'tickets',
					key: '123',
					status: 'open',
					value: expect.objectContaining({ state: 'open', openAlertUids: ['a-new'], touched: null, openedAt: at().toISOString(), closedAt: null, reopenCount: 2 }),
				}),
			);
		} else {
			expect(externalTypes(r)).toEqual(['createTicket']);
			expect(r.reason).toContain(`outside the ${hours} h reopen window`);
		}
	});

	it('reopens a ticket a technician closed in Halo too', () => {
		const state = stateWithTicket({ state: 'closed', closedAt: isoAt(-MIN), closedBy: 'halo' });
		expect(decide(state, alertEvent(recurrence), cfg(), at()).decision).toBe('reopen');
	});

	it('never reopens a storm parent: a new ticket instead', () => {
		const state = stateWithTicket({ kind: 'parent', state: 'closed', closedAt: isoAt(-MIN) });
		const r = decide(state, alertEvent(recurrence), cfg(), at());
		expect(r.decision).toBe('create');
		expect(r.reason).toContain('storm parent, not reopened');
	});

	it('reopen window off: a recurrence opens a new ticket', () => {
		const state = stateWithTicket({ state: 'closed', closedAt: isoAt(-MIN) });
		const r = decide(state, alertEvent(recurrence), cfg({ reopenWindow: { enabled: false } }), at());
		expect(r.decision).toBe('create');
		expect(r.reason).toContain('reopen window off');
	});

	it('scenario: recurrence after close within the window → the same ticket reopened', async () => {
		const h = new Harness({ graceClose: { minutes: 0 } });
		await h.trigger(makeAlert({ uid: 'r-1' }));
		h.advance(MIN);
		expect((await h.resolve(makeAlert({ uid: 'r-1' }))).decision).toBe('close');
		h.advance(3 * HOUR);
		const r = await h.trigger(makeAlert({ uid: 'r-2' }));
		expect(r.decision).toBe('reopen');
		expect(h.count('createTicket')).toBe(1);
		expect(h.tickets.get(1000)).toMatchObject({ state: 'open' });
		h.advance(MIN);
		expect((await h.resolve(makeAlert({ uid: 'r-2' }))).decision).toBe('close');
		expect(h.tickets.get(1000)!.state).toBe('closed');
	});
});
