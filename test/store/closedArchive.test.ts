import {
	ClosedArchive,
	decodeClosedRecord,
	encodeClosedRecord,
} from '../../nodes/shared/store/closedArchive';
import type { StoreRecord } from '../../nodes/shared/store';
import { TRICKY_KEYS } from './storeBehaviour';

const AT = '2026-03-01T12:00:00.000Z';
const LATER = '2026-03-02T08:30:15.250Z';

function closed(key: string, overrides: Partial<StoreRecord> = {}): StoreRecord {
	return {
		collection: 'alerts',
		key,
		value: { ticketId: 7 },
		status: 'closed',
		createdAt: AT,
		updatedAt: LATER,
		closedAt: LATER,
		history: [{ at: LATER, event: 'ticketClosed', reason: 'resolved in Datto' }],
		...overrides,
	};
}

describe('closed record lines', () => {
	test.each<[string, StoreRecord]>([
		['a typical closed link', closed('alert-1')],
		['no history', closed('alert-2', { history: [] })],
		['an entry with data and no reason', closed('a', { history: [{ at: AT, event: 'e', data: { n: 1 } }] })],
		['an entry with data null', closed('a', { history: [{ at: AT, event: 'e', reason: 'r', data: null }] })],
		['an entry with data 0 and no reason', closed('a', { history: [{ at: AT, event: 'e', data: 0 }] })],
		['a value that is text with line breaks and quotes', closed('a', { value: 'line 1\nline "2"\r\n\\' })],
		['a null value', closed('a', { value: null })],
		['timestamps that are not the store\'s ISO form', closed('a', { createdAt: '2026-03-01T12:00:00Z' })],
		...TRICKY_KEYS.map((key): [string, StoreRecord] => [`the key ${JSON.stringify(key.slice(0, 20))}`, closed(key)]),
	])('%s round-trips unchanged on one line', (_label, record) => {
		const line = encodeClosedRecord(record);
		expect(line).not.toMatch(/[\n\r]/);
		expect(decodeClosedRecord('alerts', line)).toEqual(record);
	});

	test('timestamps the store wrote are stored as epoch milliseconds, others as they are', () => {
		const line = encodeClosedRecord(closed('k', { createdAt: '2026-03-01T12:00:00Z' }));
		expect(JSON.parse(line)).toEqual([
			'k',
			'2026-03-01T12:00:00Z',
			Date.parse(LATER),
			Date.parse(LATER),
			{ ticketId: 7 },
			[[Date.parse(LATER), 'ticketClosed', 'resolved in Datto']],
		]);
	});

	test.each([
		['not JSON', '["k", 1'],
		['not an array', '{"key":"k"}'],
		['too short', '["k",1,1,1,{}]'],
		['an empty key', '["",1,1,1,{},[]]'],
		['a number key', '[5,1,1,1,{},[]]'],
		['a bad timestamp', '["k",true,1,1,{},[]]'],
		['history that is not a list', '["k",1,1,1,{},{}]'],
		['a history entry without an event', '["k",1,1,1,{},[[1]]]'],
		['a history entry with a bad reason', '["k",1,1,1,{},[[1,"e",5]]]'],
	])('a line that is %s is not a record', (_label, line) => {
		expect(decodeClosedRecord('alerts', line)).toBeUndefined();
	});
});

describe('ClosedArchive', () => {
	test('put, get, has, remove and the persisted text', () => {
		const archive = new ClosedArchive('alerts');
		expect(archive.text).toBe('');
		archive.put(closed('a'));
		archive.put(closed('b', { value: 2 }));
		expect(archive.size).toBe(2);
		expect(archive.text.split('\n')).toHaveLength(2);
		expect(archive.get('b')).toEqual(closed('b', { value: 2 }));
		archive.put(closed('a', { value: 'replaced' }));
		expect(archive.size).toBe(2);
		expect(archive.get('a')?.value).toBe('replaced');
		expect(archive.remove('a')).toMatchObject({ key: 'a', value: 'replaced' });
		expect(archive.remove('a')).toBeUndefined();
		expect(archive.has('a')).toBe(false);
		expect(archive.keys()).toEqual(['b']);
		expect(ClosedArchive.fromText('alerts', archive.text).get('b')).toEqual(archive.get('b'));
	});

	test('fromText rebuilds every record; a bad line is reported with its number', () => {
		const archive = new ClosedArchive('tickets');
		for (const key of TRICKY_KEYS) archive.put(closed(key, { collection: 'tickets' }));
		const rebuilt = ClosedArchive.fromText('tickets', archive.text);
		expect(rebuilt.keys().sort()).toEqual([...TRICKY_KEYS].sort());
		for (const key of TRICKY_KEYS) expect(rebuilt.get(key)).toEqual(closed(key, { collection: 'tickets' }));
		expect(ClosedArchive.fromText('tickets', '').size).toBe(0);
		expect(() => ClosedArchive.fromText('tickets', `${archive.text}\n{}`)).toThrow(
			`line ${TRICKY_KEYS.length + 1} is not a closed record`,
		);
	});

	test('removeClosedBefore removes exactly the records closed before the cutoff', () => {
		const archive = new ClosedArchive('alerts');
		const base = Date.parse(AT);
		for (const [key, hours] of [
			['old', 0],
			['just-before', 9],
			['at-cutoff', 10],
			['recent', 20],
		] as const) {
			const at = new Date(base + hours * 3_600_000).toISOString();
			archive.put(closed(key, { closedAt: at, updatedAt: at }));
		}
		expect(archive.removeClosedBefore(base + 10 * 3_600_000).sort()).toEqual(['just-before', 'old']);
		expect(archive.keys().sort()).toEqual(['at-cutoff', 'recent']);
		expect(ClosedArchive.fromText('alerts', archive.text).keys().sort()).toEqual(['at-cutoff', 'recent']);
		expect(archive.removeClosedBefore(base)).toEqual([]);
	});
});
