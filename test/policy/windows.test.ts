/**
 * Maintenance windows: membership [start, end) — the start instant is inside, the end instant is not — in the
 * window's IANA time zone, following local clock time across daylight saving changes; suppression and release.
 */
import {
	decide,
	dueWork,
	isInWindow,
	localToInstant,
	validateMaintenanceWindow,
	windowCoversAlert,
	windowOccurrenceAt,
	type MaintenanceWindow,
} from '../../nodes/shared/policy';
import { MIN, Harness, alertEvent, alertValue, at, cfg, externalTypes, isoAt, makeAlert, resolvedOf } from './helpers';

const Z = (iso: string) => new Date(iso);
const site = { level: 'site', id: 'site-1' } as const;

describe('isInWindow: one-off windows', () => {
	const w: MaintenanceWindow = { id: 'w', kind: 'oneOff', scope: site, start: '2026-11-23T10:00:00Z', end: '2026-11-23T11:00:00Z' };
	it.each([
		['1 ms before the start', '2026-11-23T09:59:59.999Z', false],
		['exactly at the start (inclusive)', '2026-11-23T10:00:00.000Z', true],
		['inside', '2026-11-23T10:30:00.000Z', true],
		['1 ms before the end', '2026-11-23T10:59:59.999Z', true],
		['exactly at the end (exclusive)', '2026-11-23T11:00:00.000Z', false],
	])('%s → %s', (_n, t, inside) => {
		expect(isInWindow(w, Z(t))).toBe(inside);
	});

	it('local times without a zone are read in the window time zone (or the tz argument)', () => {
		const berlin: MaintenanceWindow = { id: 'b', kind: 'oneOff', scope: site, timeZone: 'Europe/Berlin', start: '2026-11-23T09:00', end: '2026-11-23T10:00' };
		expect(isInWindow(berlin, Z('2026-11-23T07:59:59Z'))).toBe(false);
		expect(isInWindow(berlin, Z('2026-11-23T08:00:00Z'))).toBe(true); // 09:00 CET
		expect(isInWindow(berlin, Z('2026-11-23T09:00:00Z'))).toBe(false);
		expect(isInWindow(berlin, Z('2026-11-23T09:00:00Z'), 'UTC')).toBe(true); // tz argument overrides
		expect(windowOccurrenceAt(berlin, '2026-11-23T08:30:00Z')).toEqual({ start: Date.parse('2026-11-23T08:00:00Z'), end: Date.parse('2026-11-23T09:00:00Z') });
	});
});

describe('isInWindow: weekly windows and time zones', () => {
	const weekly = (over: Partial<Extract<MaintenanceWindow, { kind: 'weekly' }>>): MaintenanceWindow => ({
		id: 'wk',
		kind: 'weekly',
		scope: site,
		days: ['sun'],
		startTime: '01:00',
		endTime: '04:00',
		timeZone: 'America/New_York',
		...over,
	});

	type Row = [string, MaintenanceWindow, string, boolean];
	const ny = weekly({});
	const rows: Row[] = [
		// Standard time (EST, UTC-5): Sunday 2026-03-01 01:00–04:00 = 06:00Z–09:00Z.
		['EST: start inclusive', ny, '2026-03-01T06:00:00Z', true],
		['EST: 1 ms before start', ny, '2026-03-01T05:59:59.999Z', false],
		['EST: end exclusive', ny, '2026-03-01T09:00:00Z', false],
		// Spring forward, Sunday 2026-03-08: 02:00 EST → 03:00 EDT at 07:00Z. 01:00 EST = 06:00Z, 04:00 EDT = 08:00Z: 2 real hours.
		['DST start: 01:00 EST is inside', ny, '2026-03-08T06:00:00Z', true],
		['DST start: 03:30 EDT is inside', ny, '2026-03-08T07:30:00Z', true],
		['DST start: 1 ms before 04:00 EDT', ny, '2026-03-08T07:59:59.999Z', true],
		['DST start: 04:00 EDT = 08:00Z is the end', ny, '2026-03-08T08:00:00Z', false],
		['DST start: 09:00Z would be inside in winter, not now', ny, '2026-03-08T08:30:00Z', false],
		// Daylight time (EDT, UTC-4): Sunday 2026-03-15 = 05:00Z–08:00Z.
		['EDT: start inclusive', ny, '2026-03-15T05:00:00Z', true],
		['EDT: 1 ms before start', ny, '2026-03-15T04:59:59.999Z', false],
		['EDT: end exclusive', ny, '2026-03-15T08:00:00Z', false],
		// Fall back, Sunday 2026-11-01: 02:00 EDT → 01:00 EST at 06:00Z. 01:00 EDT (first) = 05:00Z, 04:00 EST = 09:00Z: 4 real hours.
		['DST end: 01:00 EDT (first 01:00) is the start', ny, '2026-11-01T05:00:00Z', true],
		['DST end: 1 ms before', ny, '2026-11-01T04:59:59.999Z', false],
		['DST end: the repeated 01:30 (EST) is inside', ny, '2026-11-01T06:30:00Z', true],
		['DST end: 1 ms before 04:00 EST', ny, '2026-11-01T08:59:59.999Z', true],
		['DST end: 04:00 EST = 09:00Z is the end', ny, '2026-11-01T09:00:00Z', false],
		// Not a Sunday.
		['Monday', ny, '2026-03-02T07:00:00Z', false],
		// A start skipped by spring forward begins when the clock jumps past it: 02:30–03:30 → 07:00Z–07:30Z.
		['gap start: 1 ms before the jump', weekly({ startTime: '02:30', endTime: '03:30' }), '2026-03-08T06:59:59.999Z', false],
		['gap start: at the jump (03:00 EDT)', weekly({ startTime: '02:30', endTime: '03:30' }), '2026-03-08T07:00:00Z', true],
		['gap start: 03:30 EDT is the end', weekly({ startTime: '02:30', endTime: '03:30' }), '2026-03-08T07:30:00Z', false],
		// Crossing midnight in London into the fall-back night: Sat 2026-10-24 23:00 BST (22:00Z) → Sun 02:00 GMT (02:00Z).
		['London overnight: 23:00 BST start', weekly({ timeZone: 'Europe/London', days: ['sat'], startTime: '23:00', endTime: '02:00' }), '2026-10-24T22:00:00Z', true],
		['London overnight: 1 ms before start', weekly({ timeZone: 'Europe/London', days: ['sat'], startTime: '23:00', endTime: '02:00' }), '2026-10-24T21:59:59.999Z', false],
		['London overnight: 01:30 GMT (after the change) inside', weekly({ timeZone: 'Europe/London', days: ['sat'], startTime: '23:00', endTime: '02:00' }), '2026-10-25T01:30:00Z', true],
		['London overnight: 02:00 GMT is the end', weekly({ timeZone: 'Europe/London', days: ['sat'], startTime: '23:00', endTime: '02:00' }), '2026-10-25T02:00:00Z', false],
		// An ambiguous local time resolves to its first occurrence: 01:30–01:45 on the fall-back night = 00:30Z–00:45Z only.
		['London ambiguous: first 01:35 (BST) inside', weekly({ timeZone: 'Europe/London', startTime: '01:30', endTime: '01:45' }), '2026-10-25T00:35:00Z', true],
		['London ambiguous: second 01:35 (GMT) outside', weekly({ timeZone: 'Europe/London', startTime: '01:30', endTime: '01:45' }), '2026-10-25T01:35:00Z', false],
		// A half-hour zone: Monday 09:00–10:00 Asia/Kolkata (UTC+5:30) = 03:30Z–04:30Z.
		['Kolkata start', weekly({ timeZone: 'Asia/Kolkata', days: ['mon'], startTime: '09:00', endTime: '10:00' }), '2026-11-23T03:30:00Z', true],
		['Kolkata end', weekly({ timeZone: 'Asia/Kolkata', days: ['mon'], startTime: '09:00', endTime: '10:00' }), '2026-11-23T04:30:00Z', false],
		// 00:00–00:00 is a whole day; several days.
		['all day Monday', weekly({ timeZone: 'UTC', days: ['mon'], startTime: '00:00', endTime: '00:00' }), '2026-11-23T23:59:59.999Z', true],
		['all day Monday ends at midnight', weekly({ timeZone: 'UTC', days: ['mon'], startTime: '00:00', endTime: '00:00' }), '2026-11-24T00:00:00Z', false],
		['weekdays list', weekly({ timeZone: 'UTC', days: ['mon', 'wed', 'fri'], startTime: '12:00', endTime: '13:00' }), '2026-11-25T12:30:00Z', true],
	];
	it.each(rows)('%s', (_n, w, t, inside) => {
		expect(isInWindow(w, Z(t))).toBe(inside);
	});

	it('localToInstant resolves gaps forward and ambiguous times to the first instant', () => {
		expect(new Date(localToInstant({ year: 2026, month: 3, day: 8, hour: 2, minute: 30 }, 'America/New_York')).toISOString()).toBe('2026-03-08T07:00:00.000Z');
		expect(new Date(localToInstant({ year: 2026, month: 11, day: 1, hour: 1, minute: 30 }, 'America/New_York')).toISOString()).toBe('2026-11-01T05:30:00.000Z');
		expect(new Date(localToInstant({ year: 2026, month: 7, day: 1, hour: 12, minute: 0 }, 'Australia/Sydney')).toISOString()).toBe('2026-07-01T02:00:00.000Z');
	});
});

describe('window scope and validation', () => {
	const alert = makeAlert({ device: 'dev-1', hostname: 'SRV01', site: 'site-1' });
	it.each([
		[{ level: 'client', id: '42' }, '42', true],
		[{ level: 'client', id: '42' }, '43', false],
		[{ level: 'client', id: '42' }, null, false],
		[{ level: 'site', id: 'site-1' }, null, true],
		[{ level: 'site', id: 'site-2' }, null, false],
		[{ level: 'device', id: 'dev-1' }, null, true],
		[{ level: 'device', id: 'srv01' }, null, true],
		[{ level: 'device', id: 'dev-2' }, null, false],
	] as const)('%j with client %s → %s', (scope, client, covered) => {
		expect(windowCoversAlert(scope, alert, client)).toBe(covered);
	});

	it('reports what makes a window unusable', () => {
		expect(validateMaintenanceWindow({ id: 'x', kind: 'weekly', scope: site, days: ['sun'], startTime: '01:00', endTime: '02:00', timeZone: 'Mars/Olympus' })).toEqual(['unknown time zone Mars/Olympus']);
		expect(validateMaintenanceWindow({ id: 'x', kind: 'oneOff', scope: site, start: '2026-11-23T11:00Z', end: '2026-11-23T10:00Z' })).toEqual(['end must be after start']);
		expect(validateMaintenanceWindow({ id: 'x', kind: 'weekly', scope: { level: 'planet', id: 'x' }, days: ['someday'], startTime: '25:00', endTime: '1' })).toHaveLength(4);
	});
});

describe('maintenance policy in decide()', () => {
	const window: MaintenanceWindow = { id: 'patch-night', name: 'Patch night', kind: 'oneOff', scope: site, start: isoAt(-MIN), end: isoAt(60 * MIN) };
	const alert = makeAlert();

	it('an alert inside a window is recorded and suppressed until the window ends', () => {
		const r = decide({ windows: [window] }, alertEvent(alert), cfg(), at());
		expect(r.decision).toBe('suppress');
		expect(r.reason).toBe(`suppressed by window patch-night "Patch night" (site site-1) until ${isoAt(60 * MIN)}`);
		expect(externalTypes(r)).toEqual([]);
		expect(r.actions).toContainEqual({ type: 'suppress', alertUid: 'a-1', windowId: 'patch-night', until: isoAt(60 * MIN) });
		expect(r.actions).toContainEqual(expect.objectContaining({ collection: 'alerts', key: 'a-1', status: 'suppressed', value: expect.objectContaining({ state: 'suppressed', heldBy: 'window:patch-night', heldUntil: isoAt(60 * MIN), alert }) }));
	});

	it('exactly at the window end the alert is not suppressed', () => {
		expect(decide({ windows: [window] }, alertEvent(alert), cfg(), at(60 * MIN)).decision).toBe('create');
	});

	it('overlapping windows hold until the later end; an invalid window is skipped with a warning', () => {
		const later: MaintenanceWindow = { ...window, id: 'later', start: isoAt(-MIN), end: isoAt(90 * MIN) };
		const broken = { ...window, id: 'broken', timeZone: 'Nowhere/Zone' } as MaintenanceWindow;
		const r = decide({ windows: [broken, later, window] }, alertEvent(alert), cfg(), at());
		expect(r.actions).toContainEqual(expect.objectContaining({ type: 'suppress', windowId: 'patch-night', until: isoAt(90 * MIN) }));
		expect(r.warnings).toEqual(['window broken ignored: unknown time zone Nowhere/Zone']);
	});

	it('release at the window end: still open → processed then; resolved meanwhile → no ticket', () => {
		const held = alertValue(alert, { state: 'suppressed', ticketId: null, heldBy: 'window:patch-night', heldUntil: isoAt(60 * MIN) });
		expect(dueWork({ heldAlerts: [held] }, at(60 * MIN - 1))).toEqual([]);
		expect(dueWork({ heldAlerts: [held] }, at(60 * MIN))).toEqual([{ kind: 'release', alertUid: 'a-1' }]);
		const r = decide({ alert: held, windows: [window] }, { type: 'tick', due: { kind: 'release', alertUid: 'a-1' } }, cfg(), at(60 * MIN));
		expect(r.decision).toBe('create');
		expect(r.reason).toBe(`released (window patch-night ended): created: new ticket for dedupeKey ${alert.dedupeKey}`);
		expect(r.guards.map((g) => g.key)).toContain('alerts/a-1@3');
		const early = decide({ alert: held, windows: [window] }, { type: 'tick', due: { kind: 'release', alertUid: 'a-1' } }, cfg(), at(30 * MIN));
		expect(early.decision).toBe('ignore');

		const resolved = decide({ alert: held }, alertEvent(resolvedOf(alert)), cfg(), at(10 * MIN));
		expect(resolved.decision).toBe('ignore');
		expect(resolved.reason).toBe('resolved while suppressed by window:patch-night: no ticket');
	});

	it('scenario: an alert inside a window → no ticket; a ticket once the window ends if still open', async () => {
		const h = new Harness();
		await h.putWindow({ id: 'mw', kind: 'weekly', scope: { level: 'device', id: 'dev-1' }, days: ['mon'], startTime: '09:30', endTime: '10:30', timeZone: 'UTC' });
		await h.putWindow({ id: 'off', kind: 'weekly', scope: site, days: ['mon'], startTime: '00:00', endTime: '00:00' }, 'closed'); // disabled
		const still = makeAlert({ uid: 'still' });
		const gone = makeAlert({ uid: 'gone', device: 'dev-1', condition: 'srvc_status_ctx:Spooler' });
		expect((await h.trigger(still)).decision).toBe('suppress');
		expect((await h.trigger(gone)).decision).toBe('suppress');
		h.advance(5 * MIN);
		expect((await h.resolve(gone)).decision).toBe('ignore');
		h.advance(24 * MIN);
		expect(await h.tick()).toEqual([]);
		h.advance(MIN); // 10:30: the window ends
		const released = await h.tick();
		expect(released.map((r) => r.decision)).toEqual(['create']);
		expect(h.count('createTicket')).toBe(1);
		expect(h.tickets.get(1000)!.summary).toBe(still.message);
	});
});
