/**
 * Storm correlation: K alerts from different devices of one site within W minutes → one parent ticket for the
 * site; tickets opened moments before for the same storm are attached to it, later alerts become notes on it
 * (default) or child tickets. Edges: K-1 vs K distinct devices; an earlier alert exactly W minutes old still counts.
 */
import { decide, type StormEntry, type StormValue } from '../../nodes/shared/policy';
import { MIN, Harness, alertEvent, alertValue, at, cfg, externalTypes, isoAt, makeAlert, resolvedOf, ticketValue } from './helpers';

function entries(n: number, ageMs: (i: number) => number = (i) => i * MIN, device = (i: number) => `d${i}`): StormEntry[] {
	return Array.from({ length: n }, (_, i) => ({
		alertUid: `s-${i}`,
		deviceKey: device(i),
		hostname: `HOST${i}`,
		dedupeKey: `${device(i)}|offline`,
		at: isoAt(-ageMs(i)),
		ticketId: 500 + i,
		resolved: false,
	}));
}

const bucket = (e: StormEntry[], over: Partial<StormValue> = {}): StormValue => ({
	version: 7,
	siteUid: 'site-1',
	siteName: 'Contoso',
	entries: e,
	parentTicketId: null,
	startedAt: null,
	lastAt: null,
	...over,
});

const incoming = makeAlert({ uid: 'new', device: 'dnew', condition: 'offline' });

describe('storm correlation: threshold and window edges (K = 5, W = 10 min)', () => {
	type Row = [string, StormEntry[], 'create' | 'correlate'];
	const rows: Row[] = [
		['no earlier alerts', [], 'create'],
		['K-2 earlier devices (K-1 with this one)', entries(3), 'create'],
		['K-1 earlier devices (K with this one) → storm', entries(4), 'correlate'],
		['K-1 earlier alerts but from 2 devices only', entries(4, undefined, (i) => `d${i % 2}`), 'create'],
		['oldest of K-1 exactly W old → still counts', entries(4, (i) => (i === 3 ? 10 * MIN : i * MIN)), 'correlate'],
		['oldest of K-1 is W + 1 ms old → drops out', entries(4, (i) => (i === 3 ? 10 * MIN + 1 : i * MIN)), 'create'],
		['earlier alert from this same device does not add a device', entries(4, undefined, (i) => (i === 0 ? 'dnew' : `d${i}`)), 'create'],
		// A concurrent execution that started later (its `now` is ahead of ours) committed its alert first: it counts.
		['one of K-1 stamped after now (a concurrent, later-started decision) → storm', entries(4, (i) => (i === 0 ? -2000 : i * MIN)), 'correlate'],
	];
	it.each(rows)('%s → %s', (_name, e, decision) => {
		const r = decide({ storm: bucket(e) }, alertEvent(incoming), cfg(), at());
		expect(r.decision).toBe(decision);
		const storm = r.actions.find((a) => a.type === 'store' && a.collection === 'storms');
		expect(storm).toMatchObject({ key: 'site-1', value: { version: 8 } });
		if (decision === 'create') {
			expect(externalTypes(r)).toEqual(['createTicket']);
			// The bucket remembers this alert with the ticket it gets.
			const saved = (storm as unknown as { value: { entries: StormEntry[] } }).value.entries;
			expect(saved[saved.length - 1]).toMatchObject({ alertUid: 'new', deviceKey: 'dnew', ticketId: { $ref: 'ticket' } });
		}
	});

	it('K-th device: one parent, the earlier open tickets attached, this alert as a note on the parent', () => {
		const e = entries(4);
		e[1].resolved = true; // cleared already: not attached, not waited for
		const r = decide({ storm: bucket(e) }, alertEvent(incoming, { clientId: '42' }), cfg(), at());
		expect(r.decision).toBe('correlate');
		expect(externalTypes(r)).toEqual(['createParent', 'attachToParent', 'attachToParent', 'attachToParent', 'addNote']);
		expect(r.actions[0]).toMatchObject({ type: 'createParent', ref: 'parent', siteUid: 'site-1', clientId: '42', summary: 'Datto RMM: 5 devices alerting at site Contoso' });
		expect(r.actions.filter((a) => a.type === 'attachToParent').map((a) => (a as { ticket: number }).ticket)).toEqual([500, 502, 503]);
		expect(r.actions[4]).toMatchObject({ type: 'addNote', ticket: { $ref: 'parent' }, kind: 'correlated' });
		expect(r.reason).toBe('correlated under a new parent ticket for site Contoso (site-1): 5 devices within 10 min (threshold 5); 3 existing tickets attached');
		expect(r.subject.ticketId).toEqual({ $ref: 'parent' });
		expect(r.actions).toContainEqual(
			expect.objectContaining({ collection: 'tickets', key: { $ref: 'parent' }, value: expect.objectContaining({ kind: 'parent', openAlertUids: ['s-0', 's-2', 's-3', 'new'] }) }),
		);
		expect(r.actions).toContainEqual(expect.objectContaining({ collection: 'storms', value: expect.objectContaining({ parentTicketId: { $ref: 'parent' }, startedAt: isoAt(), lastAt: isoAt() }) }));
		expect(r.actions).toContainEqual(expect.objectContaining({ collection: 'alerts', key: 's-0', value: { parentTicketId: { $ref: 'parent' } } }));
	});

	it('childTicket mode: the K-th alert gets its own ticket under the parent', () => {
		const r = decide({ storm: bucket(entries(4)) }, alertEvent(incoming), cfg({ storm: { attachAs: 'childTicket' } }), at());
		expect(r.decision).toBe('correlate');
		expect(externalTypes(r)).toEqual(['createParent', 'attachToParent', 'attachToParent', 'attachToParent', 'attachToParent', 'createTicket']);
		expect(r.actions[5]).toMatchObject({ type: 'createTicket', parent: { $ref: 'parent' } });
		expect(r.subject.ticketId).toEqual({ $ref: 'ticket' });
	});

	it.each([
		['K = 2', 2, 1, 'correlate'],
		['K = 3 with 1 earlier', 3, 1, 'create'],
		['K = 3 with 2 earlier', 3, 2, 'correlate'],
	] as const)('%s', (_n, threshold, earlier, decision) => {
		expect(decide({ storm: bucket(entries(earlier)) }, alertEvent(incoming), cfg({ storm: { threshold } }), at()).decision).toBe(decision);
	});

	it('an alert without a site or device never counts', () => {
		expect(decide({ storm: bucket(entries(4)) }, alertEvent(makeAlert({ uid: 'x', site: null })), cfg(), at()).decision).toBe('create');
		expect(decide({ storm: bucket(entries(4)) }, alertEvent(makeAlert({ uid: 'x', device: null, hostname: null })), cfg(), at()).decision).toBe('create');
	});
});

describe('storm in progress', () => {
	const parent = ticketValue({ ticketId: 900, kind: 'parent', openAlertUids: ['s-0', 's-1'], dedupeKeys: ['d0|offline'] });
	const active = (lastAgo: number, p = parent) => ({ storm: bucket(entries(5), { parentTicketId: 900, startedAt: isoAt(-5 * MIN), lastAt: isoAt(-lastAgo) }), tickets: { '900': p } });

	it.each([
		['last correlated alert 1 min ago', MIN, 'correlate'],
		['exactly W ago → still the same storm', 10 * MIN, 'correlate'],
		['W + 1 ms ago → storm over; this alert counts afresh', 10 * MIN + 1, 'correlate'],
	] as const)('%s', (_n, ago, decision) => {
		const r = decide(active(ago), alertEvent(incoming), cfg(), at());
		expect(r.decision).toBe(decision);
		if (ago <= 10 * MIN) {
			expect(externalTypes(r)).toEqual(['addNote']);
			expect(r.actions[0]).toMatchObject({ type: 'addNote', ticket: 900, kind: 'correlated' });
			expect(r.reason).toMatch(/^correlated under ticket 900: storm at site Contoso \(site-1\)/);
		} else {
			// 5 entries within W still make a storm, but a new one with a new parent.
			expect(externalTypes(r)[0]).toBe('createParent');
		}
	});

	it('a closed parent ends the storm', () => {
		const r = decide(active(MIN, { ...parent, state: 'closed', closedAt: isoAt(-MIN) }), alertEvent(incoming), cfg(), at());
		expect(externalTypes(r)[0]).toBe('createParent');
	});

	it('an alert joining a parent whose close is pending cancels the close', () => {
		const r = decide({ ...active(MIN, { ...parent, state: 'closing', openAlertUids: [] }), graceCloses: { '900': { version: 1, ticketId: 900, dueAt: isoAt(MIN), resolvedAt: isoAt(-4 * MIN), alertUid: 's-0', dedupeKey: 'd0|offline', host: 'HOST0', occurrences: 1 } } }, alertEvent(incoming), cfg(), at());
		expect(r.actions).toContainEqual({ type: 'cancelGraceClose', ticket: 900 });
		expect(r.actions).toContainEqual(expect.objectContaining({ collection: 'tickets', key: '900', status: 'open', value: expect.objectContaining({ openAlertUids: ['new'] }) }));
	});

	it('the parent closes when its last attached alert clears', () => {
		const p = ticketValue({ ticketId: 900, kind: 'parent', openAlertUids: ['new'], dedupeKeys: [incoming.dedupeKey] });
		const state = { tickets: { '900': p }, alert: alertValue(incoming, { ticketId: 900, parentTicketId: 900 }) };
		const r = decide(state, alertEvent(resolvedOf(incoming)), cfg({ graceClose: { minutes: 0 } }), at());
		expect(r.decision).toBe('close');
		expect(externalTypes(r)).toEqual(['addNote', 'closeTicket']);
	});

	it('a child ticket clearing also leaves its parent', () => {
		const child = ticketValue({ ticketId: 501, openAlertUids: ['s-1'], parentTicketId: 900 });
		const p = ticketValue({ ticketId: 900, kind: 'parent', openAlertUids: ['s-0', 's-1'] });
		const alert = makeAlert({ uid: 's-1', device: 'd1', condition: 'offline' });
		const state = { tickets: { '501': child, '900': p }, alert: alertValue(alert, { ticketId: 501, parentTicketId: 900 }) };
		const r = decide(state, alertEvent(resolvedOf(alert)), cfg({ graceClose: { minutes: 0 } }), at());
		expect(r.decision).toBe('close');
		expect(r.reason).toMatch(/^closed ticket 501: .*; parent ticket 900: not closed: 1 other alert still open on ticket 900$/);
		expect(r.actions).toContainEqual(expect.objectContaining({ collection: 'tickets', key: '900', value: expect.objectContaining({ openAlertUids: ['s-0'] }) }));
	});
});

describe('storm scenario (harness, real store)', () => {
	it('10 devices of one site offline within a minute → 1 parent ticket, later devices as notes', async () => {
		const h = new Harness();
		for (let i = 0; i < 10; i++) {
			await h.trigger(makeAlert({ uid: `off-${i}`, device: `dev-${i}`, condition: 'online_offline_status_ctx', message: 'Device is offline' }));
			h.advance(6000);
		}
		expect(h.count('createParent')).toBe(1);
		expect(h.count('createTicket')).toBe(4); // the K-1 before the storm was recognised
		expect(h.count('attachToParent')).toBe(4);
		expect(h.decisions()).toEqual(['create', 'create', 'create', 'create', 'correlate', 'correlate', 'correlate', 'correlate', 'correlate', 'correlate']);
		const parent = [...h.tickets.values()].find((t) => t.summary.startsWith('Datto RMM: 5 devices'))!;
		expect(parent.children).toHaveLength(4);
		expect(parent.notes).toHaveLength(6);

		// Everything clears (grace 5 min): the children close after their grace, the parent once its last alert cleared.
		for (let i = 0; i < 10; i++) {
			await h.resolve(makeAlert({ uid: `off-${i}`, device: `dev-${i}`, condition: 'online_offline_status_ctx' }));
		}
		h.advance(5 * MIN);
		await h.tick();
		expect(h.openTickets()).toEqual([]);
		expect(h.count('closeTicket')).toBe(5);
	});
});
