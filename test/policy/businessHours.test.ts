/**
 * Business hours per client: outside hours, low-priority alerts are deferred to the next opening (default) or get a
 * lower priority. Hours are [start, end) local time; holidays are closed.
 */
import { decide, isWithinBusinessHours, nextBusinessHoursStart, validateBusinessHours, type BusinessHoursCalendar } from '../../nodes/shared/policy';
import { MIN, Harness, alertEvent, at, cfg, externalTypes, makeAlert } from './helpers';

const Z = (iso: string) => new Date(iso);
const office: BusinessHoursCalendar = {
	clientId: '42',
	timeZone: 'Europe/London',
	hours: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '08:00', end: '18:00' }],
	holidays: ['2026-12-25'],
};

describe('business hours calendar', () => {
	it.each([
		['Monday 08:00 GMT (opening, inclusive)', '2026-11-23T08:00:00Z', true],
		['Monday 07:59:59.999', '2026-11-23T07:59:59.999Z', false],
		['Monday 18:00 (closing, exclusive)', '2026-11-23T18:00:00Z', false],
		['Saturday noon', '2026-11-28T12:00:00Z', false],
		['Christmas (a Friday holiday)', '2026-12-25T12:00:00Z', false],
		['summer: 08:00 BST = 07:00Z', '2026-06-01T07:00:00Z', true],
		['summer: 06:59Z is 07:59 BST', '2026-06-01T06:59:00Z', false],
	])('%s → %s', (_n, t, inside) => {
		expect(isWithinBusinessHours(office, Z(t))).toBe(inside);
	});

	it.each([
		['inside → now', '2026-11-23T12:00:00Z', '2026-11-23T12:00:00.000Z'],
		['Monday evening → Tuesday 08:00', '2026-11-23T18:00:00Z', '2026-11-24T08:00:00.000Z'],
		['Friday evening → Monday 08:00', '2026-11-27T19:00:00Z', '2026-11-30T08:00:00.000Z'],
		['Christmas Eve evening → skips the holiday', '2026-12-24T19:00:00Z', '2026-12-28T08:00:00.000Z'],
		['the Sunday DST ends → Monday 08:00 GMT', '2026-10-25T12:00:00Z', '2026-10-26T08:00:00.000Z'],
	])('next opening: %s', (_n, t, next) => {
		expect(new Date(nextBusinessHoursStart(office, Z(t))!).toISOString()).toBe(next);
	});

	it('validates', () => {
		expect(validateBusinessHours(office)).toEqual([]);
		expect(validateBusinessHours({ clientId: 'x', timeZone: 'UTC', hours: [] })).toEqual(['hours must list at least one { days, start, end }']);
		expect(validateBusinessHours({ clientId: 'x', timeZone: 'UTC', hours: [{ days: ['mon'], start: '8', end: '18:00' }], holidays: ['xmas'] })).toEqual(['hours[0].start must be HH:mm', 'holidays must be a list of YYYY-MM-DD dates']);
	});
});

describe('business hours policy in decide()', () => {
	// T0 = Monday 2026-11-23 10:00Z (inside); Monday 19:00Z is outside.
	const evening = at(9 * 60 * MIN);
	type Row = [string, 'Low' | 'Information' | 'High' | 'Critical', Date, 'defer' | 'create'];
	const rows: Row[] = [
		['Low alert outside hours → deferred', 'Low', evening, 'defer'],
		['Information alert outside hours → deferred', 'Information', evening, 'defer'],
		['High alert outside hours → created', 'High', evening, 'create'],
		['Low alert inside hours → created', 'Low', at(), 'create'],
	];
	it.each(rows)('%s', (_n, priority, now, decision) => {
		const r = decide({ businessHours: office }, alertEvent(makeAlert({ priority }), { clientId: '42' }), cfg(), now);
		expect(r.decision).toBe(decision);
		if (decision === 'defer') {
			expect(externalTypes(r)).toEqual([]);
			expect(r.reason).toBe(`deferred: ${priority} alert outside business hours of client 42; released at 2026-11-24T08:00:00.000Z`);
			expect(r.actions).toContainEqual(expect.objectContaining({ collection: 'alerts', status: 'deferred', value: expect.objectContaining({ heldUntil: '2026-11-24T08:00:00.000Z', heldBy: 'businessHours:42' }) }));
		}
	});

	it('lowerPriority mode: created at once with the lower priority', () => {
		const r = decide({ businessHours: office }, alertEvent(makeAlert({ priority: 'Low' }), { clientId: '42' }), cfg({ businessHours: { outsideHours: 'lowerPriority', lowerTo: 'Information' } }), evening);
		expect(r.decision).toBe('create');
		expect(r.actions[0]).toMatchObject({ type: 'createTicket', priority: 'Information', alert: { priority: 'Low' } });
		expect(r.reason).toContain('priority lowered from Low to Information outside business hours of client 42');
	});

	it('no calendar for the client → no effect', () => {
		expect(decide({}, alertEvent(makeAlert({ priority: 'Low' }), { clientId: '42' }), cfg(), evening).decision).toBe('create');
	});

	it('scenario: deferred overnight, created at the next opening, through the default calendar', async () => {
		const h = new Harness();
		await h.putCalendar({ ...office, clientId: 'default' });
		h.now = evening.getTime();
		expect((await h.trigger(makeAlert({ priority: 'Low' }))).decision).toBe('defer');
		h.now = Date.parse('2026-11-24T07:59:00Z');
		expect(await h.tick()).toEqual([]);
		h.now = Date.parse('2026-11-24T08:00:00Z');
		const [r] = await h.tick();
		expect(r.decision).toBe('create');
		expect(r.reason).toMatch(/^released \(business hours started\): created/);
		expect(h.count('createTicket')).toBe(1);
	});
});
