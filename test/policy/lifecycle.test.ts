/**
 * The plain lifecycle (issue 6) and "each policy switched off behaves like the plain lifecycle":
 * triggered → create, resolved → close with a note, duplicates ignored, unknown resolutions recorded.
 */
import { decide, PLAIN_LIFECYCLE_CONFIG, type BusinessHoursCalendar, type MaintenanceWindow, type PolicyConfigInput } from '../../nodes/shared/policy';
import {
	HOUR,
	MIN,
	Harness,
	alertEvent,
	alertValue,
	at,
	cfg,
	externalTypes,
	makeAlert,
	resolvedOf,
	stateWithTicket,
	types,
} from './helpers';

const plain = cfg(PLAIN_LIFECYCLE_CONFIG);

describe('plain lifecycle (every policy off)', () => {
	it('triggered with no state → create, with store writes for alert, condition, ticket and a decision record', () => {
		const alert = makeAlert();
		const r = decide({}, alertEvent(alert), plain, at());
		expect(r.decision).toBe('create');
		expect(r.reason).toBe(`created: new ticket for dedupeKey ${alert.dedupeKey}`);
		expect(externalTypes(r)).toEqual(['createTicket']);
		expect(r.actions[0]).toMatchObject({ type: 'createTicket', ref: 'ticket', priority: 'High', parent: null, alert: { alertUid: 'a-1' } });
		expect(r.actions.filter((a) => a.type === 'store').map((a) => (a as { collection: string }).collection).sort()).toEqual(['alerts', 'conditions', 'tickets']);
		expect(r.actions[r.actions.length - 1]).toMatchObject({ type: 'recordDecision', decision: 'create' });
		expect(r.subject).toEqual({ alertUid: 'a-1', dedupeKey: alert.dedupeKey, ticketId: { $ref: 'ticket' } });
		// New records are guarded at version 1, so two concurrent creations cannot both win.
		expect(r.guards.map((g) => g.key)).toEqual([`alerts/a-1@1`, `conditions/${alert.dedupeKey}@1`]);
	});

	it('resolved for a linked open ticket → note then close', () => {
		const alert = makeAlert();
		const state = { ...stateWithTicket({ openAlertUids: ['a-1'] }), alert: alertValue(alert) };
		const r = decide(state, alertEvent(resolvedOf(alert)), plain, at());
		expect(r.decision).toBe('close');
		expect(externalTypes(r)).toEqual(['addNote', 'closeTicket']);
		expect(r.actions[0]).toMatchObject({ type: 'addNote', ticket: 123, kind: 'cleared' });
		expect(r.reason).toBe(`closed ticket 123: alert cleared at ${at().toISOString()}`);
	});

	it('a duplicate delivery of the same alertUid is ignored, whatever the policies', () => {
		const alert = makeAlert();
		for (const config of [plain, cfg()]) {
			const r = decide({ alert: alertValue(alert) }, alertEvent(alert), config, at());
			expect(r.decision).toBe('ignore');
			expect(r.reason).toBe('duplicate delivery: alert a-1 already processed (open, ticket 123)');
			expect(externalTypes(r)).toEqual([]);
			// The decision still lands in the alert record's history.
			expect(r.actions).toContainEqual(expect.objectContaining({ type: 'store', collection: 'alerts', key: 'a-1', value: {} }));
		}
	});

	it('resolved for an unknown alert → recorded, no error, no Halo call', () => {
		const r = decide({}, alertEvent(resolvedOf(makeAlert({ uid: 'zz' }))), plain, at());
		expect(r.decision).toBe('ignore');
		expect(r.reason).toBe('resolved for unknown alert zz: no ticket; recorded');
		expect(externalTypes(r)).toEqual([]);
		expect(r.actions).toContainEqual(expect.objectContaining({ type: 'store', collection: 'alerts', key: 'zz', status: 'closed' }));
	});

	it('a duplicate resolution is ignored', () => {
		const alert = makeAlert();
		const r = decide({ alert: alertValue(alert, { state: 'resolved' }) }, alertEvent(resolvedOf(alert)), cfg(), at());
		expect(r.decision).toBe('ignore');
		expect(r.reason).toBe('duplicate resolution of alert a-1');
	});
});

/**
 * Each row switches ONE policy off (the others on, at defaults) and runs the situation that policy would change:
 * the result must be the plain lifecycle's (create, or note + close).
 */
describe('each policy switched off behaves like the plain lifecycle', () => {
	const alert = makeAlert({ uid: 'a-2', priority: 'Low' });
	const window: MaintenanceWindow = { id: 'w1', kind: 'oneOff', scope: { level: 'site', id: 'site-1' }, start: '2026-11-23T09:00:00Z', end: '2026-11-23T11:00:00Z' };
	const closedCalendar: BusinessHoursCalendar = { clientId: 'c1', timeZone: 'UTC', hours: [{ days: ['sat'], start: '09:00', end: '17:00' }] };
	const stormEntries = ['d1', 'd2', 'd3', 'd4'].map((d, i) => ({
		alertUid: `s-${d}`,
		deviceKey: d,
		hostname: d,
		dedupeKey: `${d}|x`,
		at: at(-i * MIN).toISOString(),
		ticketId: 500 + i,
		resolved: false,
	}));
	type Row = [string, PolicyConfigInput, Parameters<typeof decide>[0], 'triggered' | 'resolved', { clientId?: string; touched?: boolean }];
	const rows: Row[] = [
		['flapDedupe', { flapDedupe: { enabled: false } }, stateWithTicket({ openAlertUids: ['a-0'] }), 'triggered', {}],
		['reopenWindow', { reopenWindow: { enabled: false } }, stateWithTicket({ state: 'closed', closedAt: at(-HOUR).toISOString() }), 'triggered', {}],
		['storm', { storm: { enabled: false } }, { storm: { version: 1, siteUid: 'site-1', siteName: 'Contoso', entries: stormEntries, parentTicketId: null, startedAt: null, lastAt: null } }, 'triggered', {}],
		['maintenance', { maintenance: { enabled: false } }, { windows: [window] }, 'triggered', {}],
		['businessHours', { businessHours: { enabled: false } }, { businessHours: closedCalendar }, 'triggered', { clientId: 'c1' }],
		['closeRules', { closeRules: { enabled: false }, graceClose: { enabled: false } }, stateWithTicket({ openAlertUids: ['a-2'] }), 'resolved', { touched: true }],
		['graceClose', { graceClose: { enabled: false } }, stateWithTicket({ openAlertUids: ['a-2'] }), 'resolved', {}],
	];

	it.each(rows)('%s off', (_name, input, state, event, opts) => {
		const config = cfg(input);
		const s = event === 'resolved' ? { ...state, alert: alertValue(alert) } : state;
		const facts = opts.touched ? { '123': { humanActions: 2, manualStatusChange: false, reassigned: false, agentName: 'Jo' } } : undefined;
		const ev = alertEvent(event === 'resolved' ? resolvedOf(alert) : alert, { clientId: opts.clientId ?? null, facts });
		const r = decide(s, ev, config, at());
		if (event === 'triggered') {
			expect(r.decision).toBe('create');
			expect(externalTypes(r)).toEqual(['createTicket']);
			expect(r.actions[0]).toMatchObject({ priority: 'Low', parent: null });
		} else {
			expect(r.decision).toBe('close');
			expect(externalTypes(r)).toEqual(['addNote', 'closeTicket']);
		}
	});

	it.each(rows)('%s on changes the outcome for the same situation (the row is a real test)', (name, _input, state, event, opts) => {
		const s = event === 'resolved' ? { ...state, alert: alertValue(alert) } : state;
		const facts = opts.touched ? { '123': { humanActions: 2, manualStatusChange: false, reassigned: false, agentName: 'Jo' } } : undefined;
		const ev = alertEvent(event === 'resolved' ? resolvedOf(alert) : alert, { clientId: opts.clientId ?? null, facts });
		const config = name === 'closeRules' ? cfg({ graceClose: { enabled: false } }) : cfg();
		const r = decide(s, ev, config, at());
		const expected: Record<string, string> = {
			flapDedupe: 'note', // joins ticket 123; its last note was 30 min ago, outside the 10 min fold window
			reopenWindow: 'reopen',
			storm: 'correlate',
			maintenance: 'suppress',
			businessHours: 'defer',
			closeRules: 'note',
			graceClose: 'defer',
		};
		expect(r.decision).toBe(expected[name]);
	});
});

describe('plain lifecycle through the scenario harness', () => {
	it('trigger → ticket, resolve → note + close, redelivery → nothing more', async () => {
		const h = new Harness(PLAIN_LIFECYCLE_CONFIG);
		const alert = makeAlert();
		expect((await h.trigger(alert)).decision).toBe('create');
		expect((await h.trigger(alert)).decision).toBe('ignore');
		h.advance(MIN);
		expect((await h.resolve(alert)).decision).toBe('close');
		expect((await h.resolve(alert)).decision).toBe('ignore');
		expect(h.calls.map((c) => c.type)).toEqual(['createTicket', 'addNote', 'closeTicket']);
		expect(h.tickets.get(1000)).toMatchObject({ state: 'closed', notes: [expect.stringContaining('cleared')] });
		// With dedupe off, a new alertUid for the same condition opens a second ticket.
		expect((await h.trigger(makeAlert({ uid: 'a-9' }))).decision).toBe('create');
		expect(h.count('createTicket')).toBe(2);
		expect(types(h.results[0])).toContain('recordDecision');
	});
});
