/**
 * The one behavioural suite both mapping store backends must pass (run by staticDataStore.test.ts and
 * postgresStore.test.ts). Every test works in collections of its own, so backends may share state across tests.
 */
import {
	lookupWithFallback,
	MappingStoreError,
	parseImportCsv,
	parseImportJson,
	recordsToCsv,
	type JsonObject,
	type JsonValue,
	type RecordStore,
	type StoreOptions,
	type StoreRecord,
} from '../../nodes/shared/store';

export interface StoreHarness {
	/** A store on the backend's shared state (one workflow / one table). */
	open(options?: StoreOptions): RecordStore;
	/**
	 * `count` stores on the same state that share nothing else, as concurrent executions would: separate static-data
	 * objects of one workflow (static) or several separate connection pools (Postgres).
	 */
	openConcurrent(count: number, options?: StoreOptions): RecordStore[];
	/**
	 * History entries a closed record keeps by default when fewer than the history limit (the static data backend
	 * keeps closed records compact); undefined: the history limit applies to closed records too.
	 */
	closedHistoryLimit?: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** A controllable clock: stores read "now" from it. */
export class FakeClock {
	constructor(private time = Date.parse('2026-03-01T12:00:00.000Z')) {}

	readonly now = (): Date => new Date(this.time);

	advance(milliseconds: number): void {
		this.time += milliseconds;
	}

	iso(): string {
		return new Date(this.time).toISOString();
	}
}

let collectionCounter = 0;
/** A collection name no other test uses. */
function freshCollection(label = 'c'): string {
	collectionCounter += 1;
	return `${label}-${collectionCounter}-${Math.random().toString(36).slice(2, 7)}`;
}

async function expectInvalid(promise: Promise<unknown>, code = 'invalidInput'): Promise<void> {
	await expect(promise).rejects.toBeInstanceOf(MappingStoreError);
	await expect(promise).rejects.toMatchObject({ code });
}

/** Values with characters that break naive SQL, CSV or object handling. */
export const TRICKY_KEYS = [
	`O'Brien "quoted" \\ backslash`,
	`'; DROP TABLE halo_datto_mapping; --`,
	'SELECT * FROM pg_catalog.pg_tables WHERE 1=1',
	'日本語キー 🚀 ñ é ß Ω',
	'__proto__',
	'constructor',
	'%_not_a_wildcard_%',
	'line1\nline2\tcol,comma',
	'k'.repeat(1024),
];

export function describeStoreBehaviour(name: string, getHarness: () => StoreHarness): void {
	describe(`${name}: shared mapping store behaviour`, () => {
		let clock: FakeClock;
		let store: RecordStore;
		let collection: string;

		beforeEach(() => {
			clock = new FakeClock();
			store = getHarness().open({ clock: clock.now });
			collection = freshCollection();
		});

		test('get returns undefined for a key that does not exist', async () => {
			expect(await store.get(collection, 'missing')).toBeUndefined();
		});

		test('set creates an open record with timestamps and no history', async () => {
			const result = await store.set(collection, 'alert-1', { value: { ticketId: 7 } });
			const expected: StoreRecord = {
				collection,
				key: 'alert-1',
				value: { ticketId: 7 },
				status: 'open',
				createdAt: clock.iso(),
				updatedAt: clock.iso(),
				closedAt: null,
				history: [],
			};
			expect(result).toEqual({ created: true, record: expected });
			expect(await store.get(collection, 'alert-1')).toEqual(expected);
		});

		test('set updates: replaces the value by default, keeps createdAt and the status', async () => {
			const created = await store.set(collection, 'k', { value: { a: 1, b: 2 }, status: 'pending' });
			clock.advance(5_000);
			const result = await store.set(collection, 'k', { value: { c: 3 } });
			expect(result.created).toBe(false);
			expect(result.record).toMatchObject({
				value: { c: 3 },
				status: 'pending',
				createdAt: created.record.createdAt,
				updatedAt: clock.iso(),
			});
		});

		test('set in merge mode shallow-merges objects and replaces anything else', async () => {
			await store.set(collection, 'k', { value: { a: 1, nested: { x: 1 } } });
			const merged = await store.set(collection, 'k', { value: { b: 2, nested: { y: 2 } }, mode: 'merge' });
			expect(merged.record.value).toEqual({ a: 1, b: 2, nested: { y: 2 } });
			const replaced = await store.set(collection, 'k', { value: [1, 2], mode: 'merge' });
			expect(replaced.record.value).toEqual([1, 2]);
			const objectOverArray = await store.set(collection, 'k', { value: { z: 1 }, mode: 'merge' });
			expect(objectOverArray.record.value).toEqual({ z: 1 });
			const created = await store.set(collection, 'new', { value: { only: true }, mode: 'merge' });
			expect(created).toMatchObject({ created: true, record: { value: { only: true } } });
		});

		test('closedAt is stamped on closing, kept while closed and cleared on reopening', async () => {
			const closedTime = clock.iso();
			const closed = await store.set(collection, 'k', { value: 1, status: 'closed' });
			expect(closed.record.closedAt).toBe(closedTime);
			clock.advance(HOUR);
			const stillClosed = await store.set(collection, 'k', { value: 2 });
			expect(stillClosed.record).toMatchObject({ status: 'closed', closedAt: closedTime });
			const closedAgain = await store.updateStatus(collection, 'k', 'closed');
			expect(closedAgain).toMatchObject({ closedAt: closedTime, updatedAt: clock.iso() });
			const reopened = await store.set(collection, 'k', { value: 3, status: 'open' });
			expect(reopened.record.closedAt).toBeNull();
			clock.advance(HOUR);
			expect(await store.updateStatus(collection, 'k', 'closed')).toMatchObject({ closedAt: clock.iso() });
		});

		test('updateStatus changes status and timestamps; a missing key gives undefined', async () => {
			await store.set(collection, 'k', { value: { ticketId: 1 } });
			clock.advance(1_000);
			const updated = await store.updateStatus(collection, 'k', 'closed', {
				event: 'closed',
				reason: 'resolved',
			});
			expect(updated).toMatchObject({
				value: { ticketId: 1 },
				status: 'closed',
				closedAt: clock.iso(),
				updatedAt: clock.iso(),
				history: [{ at: clock.iso(), event: 'closed', reason: 'resolved' }],
			});
			const reopened = await store.updateStatus(collection, 'k', 'reopened');
			expect(reopened).toMatchObject({ status: 'reopened', closedAt: null });
			expect(await store.updateStatus(collection, 'missing', 'closed')).toBeUndefined();
			expect(await store.get(collection, 'missing')).toBeUndefined();
		});

		test('delete returns the deleted record; deleting again returns undefined', async () => {
			const { record } = await store.set(collection, 'k', { value: 'v' });
			expect(await store.delete(collection, 'k')).toEqual(record);
			expect(await store.get(collection, 'k')).toBeUndefined();
			expect(await store.delete(collection, 'k')).toBeUndefined();
			expect(await store.delete(freshCollection(), 'k')).toBeUndefined();
		});

		test('collections are separate', async () => {
			const other = freshCollection();
			await store.set(collection, 'k', { value: 'first' });
			await store.set(other, 'k', { value: 'second' });
			expect((await store.get(collection, 'k'))?.value).toBe('first');
			expect((await store.get(other, 'k'))?.value).toBe('second');
			await store.delete(other, 'k');
			expect((await store.get(collection, 'k'))?.value).toBe('first');
		});

		test('list orders by key and filters by status and literal key prefix, with paging', async () => {
			const keys = ['b-2', 'a-1', 'a_1', 'a%1', 'ab', 'c-3', 'A-0', 'é-4', '🚀-5', '\uffff-6'];
			for (const key of keys) {
				await store.set(collection, key, { value: key, status: key.startsWith('a') ? 'closed' : 'open' });
			}
			const codePointOrder = ['A-0', 'a%1', 'a-1', 'a_1', 'ab', 'b-2', 'c-3', 'é-4', '\uffff-6', '🚀-5'];
			const all = await store.list(collection);
			expect(all.map((record) => record.key)).toEqual(codePointOrder);
			const page = await store.list(collection, { limit: 3, offset: 2 });
			expect(page.map((record) => record.key)).toEqual(['a-1', 'a_1', 'ab']);
			expect(await store.list(collection, { limit: 5, offset: 20 })).toEqual([]);
			expect(await store.list(collection, { limit: 0 })).toEqual([]);
			const closed = await store.list(collection, { status: 'closed' });
			expect(closed.map((record) => record.key)).toEqual(['a%1', 'a-1', 'a_1', 'ab']);
			const underscore = await store.list(collection, { keyPrefix: 'a_' });
			expect(underscore.map((record) => record.key)).toEqual(['a_1']);
			const percent = await store.list(collection, { keyPrefix: 'a%' });
			expect(percent.map((record) => record.key)).toEqual(['a%1']);
			const both = await store.list(collection, { keyPrefix: 'a', status: 'open' });
			expect(both).toEqual([]);
			expect(await store.list(freshCollection())).toEqual([]);
		});

		test('claim: the first call creates the record, later calls get it unchanged', async () => {
			const first = await store.claim(collection, 'alert-1', {
				value: { owner: 'first' },
				history: { event: 'claimed', reason: 'first delivery' },
			});
			expect(first).toEqual({
				claimed: true,
				reclaimed: false,
				record: expect.objectContaining({
					key: 'alert-1',
					value: { owner: 'first' },
					status: 'open',
					history: [{ at: clock.iso(), event: 'claimed', reason: 'first delivery' }],
				}),
			});
			clock.advance(1_000);
			const second = await store.claim(collection, 'alert-1', {
				value: { owner: 'second' },
				status: 'closed',
			});
			expect(second).toEqual({ claimed: false, reclaimed: false, record: first.record });
			expect(await store.get(collection, 'alert-1')).toEqual(first.record);
			const closedClaim = await store.claim(collection, 'alert-2', { status: 'closed' });
			expect(closedClaim.record).toMatchObject({ value: null, status: 'closed', closedAt: clock.iso() });
		});

		test('50 concurrent claims of one key: exactly one winner, every loser sees its record', async () => {
			const stores = getHarness().openConcurrent(50, { clock: clock.now });
			const results = await Promise.all(
				stores.map((concurrentStore, index) =>
					concurrentStore.claim(collection, 'hot-alert', { value: { claimant: index } }),
				),
			);
			const winners = results.filter((result) => result.claimed);
			expect(winners).toHaveLength(1);
			for (const result of results) expect(result.record).toEqual(winners[0].record);
			expect(await store.get(collection, 'hot-alert')).toEqual(winners[0].record);
		});

		test('claim reclaims a stale unfinished claim: status and cutoff decide, history is kept and extended', async () => {
			const claimedAt = clock.iso();
			const first = await store.claim(collection, 'alert', {
				value: { attempt: 1 },
				status: 'pending',
				history: { event: 'claimed', reason: 'first delivery' },
			});
			const reclaim = { afterMinutes: 10 };
			clock.advance(10 * MINUTE); // updatedAt is exactly at the cutoff: not older than it
			const early = await store.claim(collection, 'alert', { value: { attempt: 2 }, reclaimStale: reclaim });
			expect(early).toEqual({ claimed: false, reclaimed: false, record: first.record });
			clock.advance(1);
			const withoutOption = await store.claim(collection, 'alert', { value: { attempt: 2 } });
			expect(withoutOption).toEqual({ claimed: false, reclaimed: false, record: first.record });

			const reclaimedAt = clock.iso();
			const won = await store.claim(collection, 'alert', {
				value: { attempt: 2 },
				status: 'pending',
				history: { event: 'claimed', reason: 'redelivery' },
				reclaimStale: reclaim,
			});
			const expected: StoreRecord = {
				collection,
				key: 'alert',
				value: { attempt: 2 },
				status: 'pending',
				createdAt: claimedAt,
				updatedAt: reclaimedAt,
				closedAt: null,
				history: [
					{ at: claimedAt, event: 'claimed', reason: 'first delivery' },
					{
						at: reclaimedAt,
						event: 'staleClaimReclaimed',
						reason: expect.stringMatching(/still "pending" more than 10 minutes/),
						data: { previousUpdatedAt: claimedAt, staleAfterMinutes: 10 },
					},
					{ at: reclaimedAt, event: 'claimed', reason: 'redelivery' },
				],
			};
			expect(won).toEqual({ claimed: true, reclaimed: true, record: expected });
			expect(await store.get(collection, 'alert')).toEqual(expected);
			// The take-over refreshed updatedAt, so the next claim finds a live claim again.
			const again = await store.claim(collection, 'alert', { value: { attempt: 3 }, reclaimStale: reclaim });
			expect(again).toEqual({ claimed: false, reclaimed: false, record: expected });
		});

		test('a duplicate noted with keepUpdatedAt does not restart the stale-claim clock; a plain set does', async () => {
			const claimedAt = clock.iso();
			await store.claim(collection, 'dying', { value: {}, status: 'pending' });
			const reclaim = { afterMinutes: 10 };
			// A repeat delivery every 3 minutes for 12 minutes, each noted in the history only.
			for (let i = 0; i < 4; i++) {
				clock.advance(3 * MINUTE);
				const lost = await store.claim(collection, 'dying', { reclaimStale: reclaim });
				if (i < 3) expect(lost.claimed).toBe(false);
				else expect(lost).toMatchObject({ claimed: true, reclaimed: true });
				if (lost.claimed) break;
				const noted = await store.set(collection, 'dying', {
					value: {},
					mode: 'merge',
					history: { event: 'duplicateDelivery' },
					keepUpdatedAt: true,
				});
				expect(noted.record.updatedAt).toBe(claimedAt);
				expect(noted.record.status).toBe('pending');
				expect(noted.record.history.at(-1)).toMatchObject({ event: 'duplicateDelivery', at: clock.iso() });
			}
			// Without the option every note is a sign of life: 4 notes 3 minutes apart, the claim never goes stale.
			await store.claim(collection, 'touched', { value: {}, status: 'pending' });
			for (let i = 0; i < 4; i++) {
				clock.advance(3 * MINUTE);
				expect((await store.claim(collection, 'touched', { reclaimStale: reclaim })).claimed).toBe(false);
				const noted = await store.set(collection, 'touched', { value: {}, mode: 'merge', history: { event: 'note' } });
				expect(noted.record.updatedAt).toBe(clock.iso());
			}
			// A new record gets now whatever the option says.
			const created = await store.set(collection, 'fresh', { value: 1, keepUpdatedAt: true });
			expect(created.record.updatedAt).toBe(clock.iso());
		});

		test('reclaim only takes over records of the unfinished status, and a default claim ends up open', async () => {
			await store.claim(collection, 'finished', { status: 'pending' });
			await store.set(collection, 'finished', { value: { ticketId: 5 }, status: 'open' });
			await store.claim(collection, 'refreshed', { status: 'pending' });
			await store.claim(collection, 'custom', { status: 'working' });
			await store.claim(collection, 'closed', { status: 'closed' });
			clock.advance(30 * MINUTE);
			await store.set(collection, 'refreshed', { value: 'progress', mode: 'merge' }); // still pending, but fresh
			clock.advance(MINUTE);
			const stale = { afterMinutes: 5 };
			for (const key of ['finished', 'refreshed', 'custom', 'closed']) {
				const result = await store.claim(collection, key, { value: 'late', reclaimStale: stale });
				expect([key, result.claimed, result.reclaimed]).toEqual([key, false, false]);
			}
			const custom = await store.claim(collection, 'custom', {
				value: 'late',
				reclaimStale: { afterMinutes: 5, status: 'working' },
			});
			expect(custom).toMatchObject({
				claimed: true,
				reclaimed: true,
				record: { status: 'open', value: 'late' },
			});
			const closedTakeOver = await store.claim(collection, 'closed', {
				status: 'pending',
				reclaimStale: { afterMinutes: 5, status: 'closed' },
			});
			expect(closedTakeOver.record).toMatchObject({ status: 'pending', closedAt: null });
			const fresh = await store.claim(collection, 'new', { value: 1, reclaimStale: stale });
			expect(fresh).toMatchObject({ claimed: true, reclaimed: false, record: { status: 'open' } });
		});

		test('reclaim respects the history limit', async () => {
			const small = getHarness().open({ clock: clock.now, historyLimit: 2 });
			await small.claim(collection, 'k', { status: 'pending', history: { event: 'e0' } });
			clock.advance(HOUR);
			const won = await small.claim(collection, 'k', {
				status: 'pending',
				history: { event: 'e1' },
				reclaimStale: { afterMinutes: 1 },
			});
			expect(won.record.history.map((entry) => entry.event)).toEqual(['staleClaimReclaimed', 'e1']);
			const none = getHarness().open({ clock: clock.now, historyLimit: 0 });
			clock.advance(HOUR);
			const unlogged = await none.claim(collection, 'k', { reclaimStale: { afterMinutes: 1 } });
			expect(unlogged).toMatchObject({ reclaimed: true, record: { history: [] } });
		});

		test('30 concurrent reclaims of one stale claim: exactly one winner, every loser sees its record', async () => {
			await store.claim(collection, 'stale-alert', { value: { claimant: 'crashed' }, status: 'pending' });
			clock.advance(11 * MINUTE);
			const stores = getHarness().openConcurrent(30, { clock: clock.now });
			const results = await Promise.all(
				stores.map((concurrentStore, index) =>
					concurrentStore.claim(collection, 'stale-alert', {
						value: { claimant: index },
						status: 'pending',
						history: { event: 'claimed', data: { claimant: index } },
						reclaimStale: { afterMinutes: 10 },
					}),
				),
			);
			const winners = results.filter((result) => result.claimed);
			expect(winners).toHaveLength(1);
			expect(winners[0].reclaimed).toBe(true);
			const winner = winners[0].record;
			expect(winner.history.map((entry) => entry.event)).toEqual(['staleClaimReclaimed', 'claimed']);
			for (const result of results.filter((other) => !other.claimed)) {
				expect(result).toEqual({ claimed: false, reclaimed: false, record: winner });
			}
			expect(await store.get(collection, 'stale-alert')).toEqual(winner);
		});

		test('reclaim options are validated before anything is stored', async () => {
			await store.claim(collection, 'k', { status: 'pending' });
			clock.advance(HOUR);
			for (const afterMinutes of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, 1e11, 1e15]) {
				await expectInvalid(store.claim(collection, 'k', { reclaimStale: { afterMinutes } }));
			}
			await expectInvalid(store.claim(collection, 'k', { reclaimStale: { afterMinutes: 1, status: '' } }));
			await expectInvalid(store.claim(collection, 'other', { reclaimStale: { afterMinutes: 0 } }));
			expect(await store.get(collection, 'other')).toBeUndefined();
			expect(await store.get(collection, 'k')).toMatchObject({ status: 'pending', history: [] });
		});

		test('updateStatus merges a partial value in the same write; a missing key is not created', async () => {
			await store.set(collection, 'link', { value: { ticketId: 12, siteUid: 's-1' } });
			clock.advance(1_000);
			const closed = await store.updateStatus(
				collection,
				'link',
				'closed',
				{ event: 'ticketClosed', reason: 'resolved in Datto' },
				{ mergeValue: { closedBy: 'datto', ticketId: 12 } },
			);
			expect(closed).toMatchObject({
				value: { ticketId: 12, siteUid: 's-1', closedBy: 'datto' },
				status: 'closed',
				closedAt: clock.iso(),
				history: [{ event: 'ticketClosed', reason: 'resolved in Datto' }],
			});
			const unchanged = await store.updateStatus(collection, 'link', 'closed', undefined, { mergeValue: {} });
			expect(unchanged?.value).toEqual(closed?.value);
			await store.claim(collection, 'no-value');
			const replaced = await store.updateStatus(collection, 'no-value', 'open', undefined, {
				mergeValue: { note: 'a "quoted" ü value' },
			});
			expect(replaced?.value).toEqual({ note: 'a "quoted" ü value' });
			expect(
				await store.updateStatus(collection, 'missing', 'closed', undefined, { mergeValue: { a: 1 } }),
			).toBeUndefined();
			expect(await store.get(collection, 'missing')).toBeUndefined();
			for (const mergeValue of [[1], 'text', 3, null, { bad: 'nul \u0000' }]) {
				await expectInvalid(
					store.updateStatus(collection, 'link', 'open', undefined, {
						mergeValue: mergeValue as JsonObject,
					}),
				);
			}
			expect(await store.get(collection, 'link')).toMatchObject({ status: 'closed' });
		});

		test('number keys are stored as their text, the same key as the string', async () => {
			const created = await store.set(collection, 123, { value: { alertUid: 'a-1' } });
			expect(created).toMatchObject({ created: true, record: { key: '123' } });
			expect(await store.get(collection, '123')).toEqual(created.record);
			expect(await store.get(collection, 123)).toEqual(created.record);
			const updated = await store.set(collection, '123', { value: { closed: true }, mode: 'merge' });
			expect(updated).toMatchObject({ created: false, record: { value: { alertUid: 'a-1', closed: true } } });
			expect(await store.claim(collection, 123)).toMatchObject({ claimed: false, record: { key: '123' } });
			expect(await store.updateStatus(collection, 123, 'closed')).toMatchObject({ key: '123' });
			await store.set(collection, 1.5, { value: 'fraction' });
			await store.set(collection, -0, { value: 'zero' });
			expect((await store.list(collection)).map((record) => record.key)).toEqual(['0', '1.5', '123']);
			expect(await lookupWithFallback(store, collection, { key: 123 })).toMatchObject({
				matchedBy: 'exactKey',
				key: '123',
			});
			expect(await store.importRecords(collection, [{ key: 7, value: 'seven' }])).toEqual({
				created: 1,
				updated: 0,
			});
			expect(await store.get(collection, '7')).toMatchObject({ key: '7', value: 'seven' });
			await expectInvalid(
				store.importRecords(collection, [
					{ key: 8, value: 1 },
					{ key: '8', value: 2 },
				]),
			);
			expect((await store.delete(collection, 123))?.key).toBe('123');
			expect(await store.get(collection, '123')).toBeUndefined();
			for (const key of [Number.NaN, Number.POSITIVE_INFINITY, true, { id: 1 }, null]) {
				await expectInvalid(store.set(collection, key as unknown as string, { value: 1 }));
			}
		});

		test('history: entries carry at/event/reason/data, the oldest are dropped beyond the limit', async () => {
			const small = getHarness().open({ clock: clock.now, historyLimit: 3 });
			await small.set(collection, 'k', { value: 0, history: { event: 'e0', data: { n: 0, text: 'ü' } } });
			for (let index = 1; index <= 4; index++) {
				clock.advance(1_000);
				await small.set(collection, 'k', {
					value: index,
					history: { event: `e${index}`, reason: `r${index}` },
				});
			}
			clock.advance(1_000);
			const beforeClose = await small.set(collection, 'k', { value: 4.5 });
			expect(beforeClose.record.history.map((entry) => entry.event)).toEqual(['e2', 'e3', 'e4']);
			expect(beforeClose.record.history[1]).toEqual({
				at: new Date(Date.parse(clock.iso()) - 2_000).toISOString(),
				event: 'e3',
				reason: 'r3',
			});
			const last = await small.updateStatus(collection, 'k', 'closed', { event: 'e5' });
			// A closed record keeps at most the backend's closed-record history (the newest entries).
			const kept = Math.min(3, getHarness().closedHistoryLimit ?? 3);
			expect(last?.history.map((entry) => entry.event)).toEqual(['e3', 'e4', 'e5'].slice(3 - kept));
			expect((await small.get(collection, 'k'))?.history).toEqual(last?.history);
			const noNote = await small.set(collection, 'k', { value: 'x' });
			expect(noNote.record.history).toHaveLength(kept);

			for (let index = 0; index < 55; index++) {
				await store.set(collection, 'default-limit', { value: index, history: { event: `e${index}` } });
			}
			const record = await store.get(collection, 'default-limit');
			expect(record?.history).toHaveLength(50);
			expect(record?.history[0].event).toBe('e5');
			expect(record?.history[49].event).toBe('e54');

			const none = getHarness().open({ clock: clock.now, historyLimit: 0 });
			const unlogged = await none.set(collection, 'unlogged', { value: 1, history: { event: 'ignored' } });
			expect(unlogged.record.history).toEqual([]);
		});

		test('purge removes exactly the closed records closed before the cutoff', async () => {
			const other = freshCollection();
			const start = clock.iso();
			await store.set(collection, 'old-closed', { value: 1, status: 'closed' });
			await store.set(collection, 'never-closed', { value: 2 });
			await store.set(collection, 'reopened', { value: 3, status: 'closed' });
			await store.updateStatus(collection, 'reopened', 'open');
			await store.set(collection, 'closed-then-resolved', { value: 4, status: 'closed' });
			await store.updateStatus(collection, 'closed-then-resolved', 'resolved');
			await store.set(collection, 'capital-Closed', { value: 5, status: 'Closed' });
			await store.set(other, 'old-closed', { value: 6, status: 'closed' });
			clock.advance(10 * HOUR - 1);
			await store.set(collection, 'just-before-cutoff', { value: 7, status: 'closed' });
			clock.advance(1);
			await store.set(collection, 'at-cutoff', { value: 8, status: 'closed' });
			clock.advance(HOUR);
			await store.set(collection, 'recent', { value: 9, status: 'closed' });
			clock.advance(23 * HOUR); // now = start + 34 h, so "older than 24 h" means closed before start + 10 h

			const purged = await store.purge(collection, 24);
			expect(purged).toEqual({ count: 2, keys: ['just-before-cutoff', 'old-closed'] });
			const remaining = (await store.list(collection)).map((record) => record.key);
			expect(remaining).toEqual([
				'at-cutoff',
				'capital-Closed',
				'closed-then-resolved',
				'never-closed',
				'recent',
				'reopened',
			]);
			expect(await store.get(other, 'old-closed')).toMatchObject({ closedAt: start });
			expect(await store.purge(collection, 24)).toEqual({ count: 0, keys: [] });
			expect(await store.purge(collection, 0)).toEqual({ count: 2, keys: ['at-cutoff', 'recent'] });
		});

		test('keys and values with quotes, SQL keywords, unicode and 1 MB round-trip unchanged', async () => {
			const trickyCollection = `${freshCollection()} '"; DROP TABLE x; -- 日本`;
			const values: JsonValue[] = [
				{
					quote: `it's "quoted"`,
					sql: "'); DELETE FROM halo_datto_mapping; --",
					'ключ 🔑': ['ü', 'ß', '中文'],
				},
				'\\u0000 is only text here, \\ and \\\\ too',
				[1.5, -2, 9007199254740991, 1e21, 0.1, true, false, null, '', { deep: { deeper: [[], {}] } }],
				'',
				null,
				0,
			];
			for (const [index, key] of TRICKY_KEYS.entries()) {
				const value = values[index % values.length];
				await store.set(trickyCollection, key, { value, history: { event: key.slice(0, 50), data: value } });
				const record = await store.get(trickyCollection, key);
				expect(record?.key).toBe(key);
				expect(record?.value).toEqual(value);
				expect(record?.history[0].data).toEqual(value);
			}
			expect((await store.list(trickyCollection)).map((record) => record.key).sort()).toEqual(
				[...TRICKY_KEYS].sort(),
			);
			const megabyteText = '€ a "b" \\ c 🚀'.repeat(80_000);
			expect(Buffer.byteLength(megabyteText)).toBeGreaterThan(1_000_000);
			await store.set(trickyCollection, 'big-text', { value: megabyteText });
			expect((await store.get(trickyCollection, 'big-text'))?.value).toBe(megabyteText);
			const megabyteObject = {
				rows: Array.from({ length: 10_000 }, (_, index) => ({
					id: index,
					note: `"row" ${index} ü`.repeat(6),
				})),
			};
			expect(JSON.stringify(megabyteObject).length).toBeGreaterThan(1_000_000);
			await store.claim(trickyCollection, 'big-object', { value: megabyteObject });
			expect((await store.get(trickyCollection, 'big-object'))?.value).toEqual(megabyteObject);
		});

		test('records handed out are copies', async () => {
			const value = { list: [1] };
			const { record } = await store.set(collection, 'k', { value });
			value.list.push(2);
			(record.value as { list: number[] }).list.push(3);
			expect((await store.get(collection, 'k'))?.value).toEqual({ list: [1] });
		});

		test('import/export round trip via CSV and via JSON', async () => {
			const seeded: Array<[string, JsonValue, string]> = [
				['site-1', { clientId: 12, name: 'ACME, "Corp"' }, 'open'],
				['site-2', 'Contoso', 'open'],
				['site-3', '42', 'closed'],
				['site-4', 42, 'inactive'],
				['site-5', null, 'open'],
				['site-6', '', 'open'],
				['site-7', 'multi\r\nline, "quoted" text ', 'open'],
				['site-8', ['a', 1, { b: true }], 'open'],
				['site,9 "odd"', ' padded ', 'open'],
				['site-10', 'null', 'open'],
			];
			for (const [key, value, status] of seeded) await store.set(collection, key, { value, status });
			const exported = await store.list(collection);
			const comparable = (records: StoreRecord[]) =>
				records.map(({ key, value, status }) => ({ key, value, status }));

			const csvCollection = freshCollection('csv');
			const csvRows = parseImportCsv(recordsToCsv(exported));
			expect(await store.importRecords(csvCollection, csvRows)).toEqual({ created: 10, updated: 0 });
			expect(comparable(await store.list(csvCollection))).toEqual(comparable(exported));

			const jsonCollection = freshCollection('json');
			const jsonRows = parseImportJson(JSON.stringify(exported));
			expect(await store.importRecords(jsonCollection, jsonRows)).toEqual({ created: 10, updated: 0 });
			expect(comparable(await store.list(jsonCollection))).toEqual(comparable(exported));
			const imported = await store.get(jsonCollection, 'site-3');
			expect(imported).toMatchObject({ status: 'closed', closedAt: clock.iso(), history: [] });
		});

		test('import upserts: replaces values, sets statuses, appends history, counts created and updated', async () => {
			await store.set(collection, 'a', { value: { old: true }, status: 'closed' });
			clock.advance(1_000);
			const result = await store.importRecords(
				collection,
				[
					{ key: 'a', value: { new: true } },
					{ key: 'b', value: 'plain', status: 'closed' },
				],
				{ event: 'imported', reason: 'seed' },
			);
			expect(result).toEqual({ created: 1, updated: 1 });
			expect(await store.get(collection, 'a')).toMatchObject({
				value: { new: true },
				status: 'open',
				closedAt: null,
				history: [{ event: 'imported', reason: 'seed' }],
			});
			expect(await store.get(collection, 'b')).toMatchObject({ status: 'closed', closedAt: clock.iso() });
			const manyRows = Array.from({ length: 1_234 }, (_, index) => ({ key: `bulk-${index}`, value: index }));
			expect(await store.importRecords(collection, manyRows)).toEqual({ created: 1_234, updated: 0 });
			expect(await store.list(collection, { keyPrefix: 'bulk-' })).toHaveLength(1_234);
			await expectInvalid(
				store.importRecords(collection, [
					{ key: 'c', value: 1 },
					{ key: 'c', value: 2 },
				]),
			);
			expect(await store.get(collection, 'c')).toBeUndefined();
		});

		test('lookup: exact key, then normalised name on keys and value.name, then the fallback', async () => {
			await store.importRecords(collection, [
				{ key: 'site-uid-1', value: { name: 'ACME Corp.', clientId: 1 } },
				{ key: 'Contoso Ltd', value: { clientId: 2 } },
				{ key: 'x-3', value: { name: 'contoso-ltd', clientId: 3 } },
				{ key: 'Fabrikam', value: 'client-4' },
			]);
			const lookup = (request: Parameters<typeof lookupWithFallback>[2]) =>
				lookupWithFallback(store, collection, request);

			expect(await lookup({ key: 'site-uid-1', name: 'Contoso Ltd' })).toMatchObject({
				matchedBy: 'exactKey',
				key: 'site-uid-1',
				value: { name: 'ACME Corp.', clientId: 1 },
				otherMatches: [],
			});
			expect(await lookup({ key: 'unknown-uid', name: '  acme   CORP ' })).toMatchObject({
				matchedBy: 'name',
				key: 'site-uid-1',
				value: { clientId: 1 },
			});
			expect(await lookup({ key: 'CONTOSO-LTD' })).toMatchObject({
				matchedBy: 'name',
				key: 'Contoso Ltd',
				value: { clientId: 2 },
				otherMatches: ['x-3'],
			});
			expect(await lookup({ name: 'fabrikam!' })).toMatchObject({ matchedBy: 'name', value: 'client-4' });
			expect(await lookup({ key: 'nope', fallbackValue: { clientId: 99 } })).toEqual({
				matchedBy: 'fallback',
				key: null,
				value: { clientId: 99 },
				record: null,
				otherMatches: [],
			});
			expect(await lookup({ key: 'nope', name: '!!!' })).toMatchObject({ matchedBy: 'none', value: null });
			expect(await lookup({ key: 'nope' })).toMatchObject({ matchedBy: 'none', key: null });
			await expectInvalid(lookup({}));
			// An alert without site information: null / blank key and name go straight to the catch-all.
			expect(await lookup({ key: null, name: null, fallbackValue: { clientId: 99 } })).toMatchObject({
				matchedBy: 'fallback',
				value: { clientId: 99 },
			});
			expect(await lookup({ key: '  ', name: '', fallbackValue: 7 })).toMatchObject({ matchedBy: 'fallback', value: 7 });
			await expectInvalid(lookup({ key: null, name: '   ' }));
		});

		test('both backends reject the same invalid input before storing anything', async () => {
			await expectInvalid(store.set(collection, '', { value: 1 }));
			await expectInvalid(store.set(collection, 'nul\u0000key', { value: 1 }));
			await expectInvalid(store.set(collection, 'lone \ud800 surrogate', { value: 1 }));
			await expectInvalid(store.set(collection, 'é'.repeat(513), { value: 1 }));
			await expectInvalid(store.set('', 'k', { value: 1 }));
			await expectInvalid(store.set(collection, 'k', { value: 'nul \u0000 inside' }));
			await expectInvalid(store.set(collection, 'k', { value: { ['key\u0000']: 1 } }));
			await expectInvalid(store.set(collection, 'k', { value: 'lone \udfff' }));
			await expectInvalid(store.set(collection, 'k', { value: 1, status: '' }));
			await expectInvalid(store.set(collection, 'k', { value: 1, history: { event: '' } }));
			const circular: Record<string, unknown> = {};
			circular.self = circular;
			await expectInvalid(store.set(collection, 'k', { value: circular as JsonValue }));
			await expectInvalid(store.set(collection, 'k', { value: (() => 1) as unknown as JsonValue }));
			await expectInvalid(store.claim(collection, '', {}));
			await expectInvalid(store.list(collection, { limit: -1 }));
			await expectInvalid(store.list(collection, { offset: 1.5 }));
			await expectInvalid(store.purge(collection, -1));
			await expectInvalid(store.updateStatus(collection, 'k', ''));
			expect(await store.list(collection)).toEqual([]);
		});
	});
}
