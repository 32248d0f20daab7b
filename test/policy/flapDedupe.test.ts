/**
 * Flap dedupe: one open ticket per dedupeKey; a repeat adds a note with an occurrence counter, and repeats within
 * the fold window after the last note fold into the next note. Fold edge: a repeat exactly `foldMinutes` after the
 * last note gets its own note (the window is [lastNote, lastNote + fold)).
 */
import { decide } from '../../nodes/shared/policy';
import { HOUR, MIN, Harness, alertEvent, at, cfg, externalTypes, isoAt, makeAlert, stateWithTicket } from './helpers';

const repeat = makeAlert({ uid: 'a-new' });

describe('flap dedupe: repeat while the ticket is open', () => {
	type Row = [string, number, number, 'note' | 'ignore', number];
	// [case, lastNoteAt offset, foldedSinceNote, decision, addNote count]
	const rows: Row[] = [
		['no note for 30 min → note', -30 * MIN, 0, 'note', 1],
		['exactly at the fold window (10 min) → note', -10 * MIN, 0, 'note', 1],
		['1 ms inside the fold window → folded', -10 * MIN + 1, 0, 'ignore', 0],
		['just after the last note → folded', -1000, 2, 'ignore', 0],
		['after folded repeats → one note covering them', -11 * MIN, 3, 'note', 1],
	];
	it.each(rows)('%s', (_name, lastNote, folded, decision, notes) => {
		const state = stateWithTicket({ openAlertUids: ['a-0'] }, { lastNoteAt: isoAt(lastNote), foldedSinceNote: folded, occurrences: 3 });
		const r = decide(state, alertEvent(repeat), cfg(), at());
		expect(r.decision).toBe(decision);
		expect(externalTypes(r).filter((t) => t === 'addNote')).toHaveLength(notes);
		expect(externalTypes(r)).not.toContain('createTicket');
		expect(r.reason).toMatch(/^deduped: ticket 123 already open for dedupeKey dev-1\|perf_disk_usage_ctx:C: \(occurrence 4\)/);
		const cond = r.actions.find((a) => a.type === 'store' && a.collection === 'conditions');
		expect(cond).toMatchObject({ value: { occurrences: 4, version: 6 }, status: 'open' });
		if (decision === 'ignore') {
			expect(r.reason).toContain('folded into the next note');
			expect((cond as { value: Record<string, unknown> }).value.foldedSinceNote).toBe(folded + 1);
		} else {
			expect(r.actions[0]).toMatchObject({ type: 'addNote', ticket: 123, kind: 'repeat', occurrence: 4, folded });
			expect((cond as { value: Record<string, unknown> }).value).toMatchObject({ foldedSinceNote: 0, lastNoteAt: at().toISOString() });
			if (folded > 0) expect((r.actions[0] as { text: string }).text).toContain(`${folded} more repeats since the last note`);
		}
		// The alert joins the ticket's open set, so the ticket only closes when every alert on it cleared.
		expect(r.actions).toContainEqual(expect.objectContaining({ collection: 'tickets', key: '123', value: expect.objectContaining({ openAlertUids: ['a-0', 'a-new'] }) }));
	});

	it('fold 0 notes every repeat', () => {
		const state = stateWithTicket({ openAlertUids: ['a-0'] }, { lastNoteAt: isoAt(-1000) });
		expect(decide(state, alertEvent(repeat), cfg({ flapDedupe: { foldMinutes: 0 } }), at()).decision).toBe('note');
	});

	it('a different condition on the same device, or the same condition on another device, is not deduped', () => {
		const state = stateWithTicket({ openAlertUids: ['a-0'] });
		expect(decide(state, alertEvent(makeAlert({ uid: 'x', condition: 'srvc_status_ctx:Spooler' })), cfg(), at()).decision).toBe('create');
		expect(decide(state, alertEvent(makeAlert({ uid: 'y', device: 'dev-2' })), cfg(), at()).decision).toBe('create');
	});

	it('dedupe off: a repeat while the ticket is open creates another ticket and says why', () => {
		const r = decide(stateWithTicket({ openAlertUids: ['a-0'] }), alertEvent(repeat), cfg({ flapDedupe: { enabled: false } }), at());
		expect(r.decision).toBe('create');
		expect(r.reason).toContain('flap dedupe off (ticket 123 still open)');
	});
});

describe('flap dedupe scenario (harness, real store)', () => {
	it('a device flapping 20 times in an hour → 1 ticket and a handful of notes, never closed', async () => {
		const h = new Harness();
		for (let i = 0; i < 20; i++) {
			const alert = makeAlert({ uid: `flap-${i}` });
			await h.trigger(alert);
			h.advance(90 * 1000);
			await h.resolve(alert); // cleared 1.5 min later: the grace close is scheduled...
			await h.tick(); // ...and never due before the next trigger (every 3 min) cancels it
			h.advance(90 * 1000);
		}
		expect(h.count('createTicket')).toBe(1);
		expect(h.count('closeTicket')).toBe(0);
		expect(h.count('reopenTicket')).toBe(0);
		// 60 min of repeats with a 10 min fold window: a note every ~10 min, not 19.
		const notes = h.count('addNote');
		expect(notes).toBeGreaterThanOrEqual(4);
		expect(notes).toBeLessThanOrEqual(7);
		const ticket = h.tickets.get(1000)!;
		expect(ticket.state).toBe('open');
		expect(ticket.notes[ticket.notes.length - 1]).toMatch(/occurrence \d+, \d+ more repeats? since the last note/);
		// After the last clearance the grace period runs out and the ticket closes once.
		h.advance(5 * MIN);
		const [close] = await h.tick();
		expect(close.decision).toBe('close');
		expect(h.count('closeTicket')).toBe(1);
		expect(close.reason).toMatch(/^closed ticket 1000 after the 5 min grace period/);
		expect(h.tickets.get(1000)!.notes.at(-1)).toContain('after 20 occurrences');
		void HOUR;
	});
});
