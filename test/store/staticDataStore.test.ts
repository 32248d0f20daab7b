import { ObservableObject, type IDataObject } from 'n8n-workflow';

import {
	DEFAULT_CLOSED_HISTORY_LIMIT,
	MappingStoreError,
	openRecordStore,
	STATIC_DATA_PROPERTY,
	STATIC_STORE_WARN_RECORDS,
	StaticDataStore,
	type StaticDataStoreOptions,
} from '../../nodes/shared/store';
import { describeStoreBehaviour, FakeClock, TRICKY_KEYS, type StoreHarness } from './storeBehaviour';

/**
 * The static data of one execution as n8n builds it: the workflow's persisted JSON parsed into an observable root,
 * whose `global` property getWorkflowStaticData('global') returns. `persisted()` is what n8n would write back when the
 * execution ends (it saves the whole object when the root is flagged as changed).
 */
class FakeExecution {
	private readonly root: Record<string, unknown> & { __dataChanged?: boolean };

	constructor(persistedJson = '{}') {
		this.root = ObservableObject.create(JSON.parse(persistedJson) as IDataObject) as typeof this.root;
		if (this.root.global === undefined) {
			this.root.global = ObservableObject.create({}, this.root as never);
			this.root.__dataChanged = false;
		}
	}

	get global(): Record<string, unknown> {
		return this.root.global as Record<string, unknown>;
	}

	get changed(): boolean {
		return this.root.__dataChanged === true;
	}

	persisted(): string {
		return JSON.stringify(this.root);
	}

	store(workflowId: string, options: StaticDataStoreOptions = {}): StaticDataStore {
		return new StaticDataStore(workflowId, this.global, { ...options, executionsMode: 'regular' });
	}
}

let workflowCounter = 0;
function freshWorkflowId(): string {
	workflowCounter += 1;
	return `wf-${workflowCounter}-${Math.random().toString(36).slice(2, 7)}`;
}

const sharedWorkflowId = freshWorkflowId();
const harness: StoreHarness = {
	open: (options) => new FakeExecution().store(sharedWorkflowId, options),
	openConcurrent: (count, options) =>
		Array.from({ length: count }, () => new FakeExecution().store(sharedWorkflowId, options)),
	closedHistoryLimit: DEFAULT_CLOSED_HISTORY_LIMIT,
};

describeStoreBehaviour('static data backend', () => harness);

describe('static data backend: executions, persistence and restarts', () => {
	test('every execution writes back every record, including those of overlapping executions', async () => {
		const workflowId = freshWorkflowId();
		const first = new FakeExecution();
		const second = new FakeExecution();
		const storeOfFirst = first.store(workflowId);
		const storeOfSecond = second.store(workflowId);
		expect(first.changed && second.changed).toBe(true);

		await storeOfFirst.claim('alerts', 'alert-1', { value: { ticketId: 1 } });
		await storeOfSecond.claim('alerts', 'alert-2', { value: { ticketId: 2 } });
		await storeOfFirst.set('sites', 'site-1', { value: { clientId: 9 } });

		for (const execution of [first, second]) {
			const saved = JSON.parse(execution.persisted()).global[STATIC_DATA_PROPERTY];
			expect(Object.keys(saved.collections.alerts).sort()).toEqual(['alert-1', 'alert-2']);
			expect(saved.collections.sites['site-1'].value).toEqual({ clientId: 9 });
		}
		expect(await storeOfSecond.get('sites', 'site-1')).toMatchObject({ value: { clientId: 9 } });
	});

	test('10 overlapping executions lose no record, whichever ends last', async () => {
		const workflowId = freshWorkflowId();
		const executions = Array.from({ length: 10 }, () => new FakeExecution());
		await Promise.all(
			executions.map(async (execution, index) => {
				const store = execution.store(workflowId);
				for (let record = 0; record < 20; record++) {
					await store.set('alerts', `e${index}-r${record}`, { value: record });
				}
			}),
		);
		for (const execution of executions) {
			const saved = JSON.parse(execution.persisted()).global[STATIC_DATA_PROPERTY];
			expect(Object.keys(saved.collections.alerts)).toHaveLength(200);
		}
	});

	test('deleted and purged records are not resurrected by executions holding older static data', async () => {
		const workflowId = freshWorkflowId();
		const clock = new FakeClock();
		const writer = new FakeExecution();
		const writerStore = writer.store(workflowId, { clock: clock.now });
		await writerStore.set('alerts', 'deleted', { value: 1 });
		await writerStore.set('alerts', 'purged', { value: 2, status: 'closed' });
		await writerStore.set('alerts', 'kept', { value: 3 });
		const snapshotWithAll = writer.persisted();

		const staleExecution = new FakeExecution(snapshotWithAll); // started before the deletions
		await writerStore.delete('alerts', 'deleted');
		clock.advance(48 * 3_600_000);
		expect(await writerStore.purge('alerts', 24)).toEqual({ count: 1, keys: ['purged'] });

		const staleStore = staleExecution.store(workflowId, { clock: clock.now });
		expect(await staleStore.get('alerts', 'deleted')).toBeUndefined();
		expect(await staleStore.get('alerts', 'purged')).toBeUndefined();
		expect((await staleStore.list('alerts')).map((record) => record.key)).toEqual(['kept']);
		const saved = JSON.parse(staleExecution.persisted()).global[STATIC_DATA_PROPERTY];
		expect(Object.keys(saved.collections.alerts)).toEqual(['kept']);
	});

	test('after a restart the store is rebuilt from the persisted static data, unchanged', async () => {
		const workflowId = freshWorkflowId();
		const before = new FakeExecution();
		const store = before.store(workflowId);
		for (const key of TRICKY_KEYS) {
			await store.set('alerts', key, { value: { key }, status: 'closed', history: { event: 'created' } });
		}
		const records = await store.list('alerts');
		const persisted = before.persisted();

		let FreshStaticDataStore: typeof StaticDataStore | undefined;
		jest.isolateModules(() => {
			// A fresh copy of the module has no live copy in memory, as in a new n8n process.
			({ StaticDataStore: FreshStaticDataStore } =
				jest.requireActual<typeof import('../../nodes/shared/store')>('../../nodes/shared/store'));
		});
		expect(FreshStaticDataStore).toBeDefined();
		expect(FreshStaticDataStore).not.toBe(StaticDataStore);
		const afterRestart = new FakeExecution(persisted);
		const restarted = new FreshStaticDataStore!(workflowId, afterRestart.global, {
			executionsMode: 'regular',
		});
		expect(await restarted.list('alerts')).toEqual(records);
		expect(await restarted.get('alerts', '__proto__')).toMatchObject({ value: { key: '__proto__' } });
	});

	test('workflows have separate stores', async () => {
		const storeA = new FakeExecution().store(freshWorkflowId());
		const storeB = new FakeExecution().store(freshWorkflowId());
		await storeA.set('alerts', 'k', { value: 'a' });
		expect(await storeB.get('alerts', 'k')).toBeUndefined();
	});

	test('refuses queue mode with an error that names the Postgres backend', () => {
		const attempt = () => new StaticDataStore(freshWorkflowId(), {}, { executionsMode: 'queue' });
		expect(attempt).toThrow(MappingStoreError);
		expect(attempt).toThrow(/queue mode.*Postgres backend/s);
		const previous = process.env.EXECUTIONS_MODE;
		process.env.EXECUTIONS_MODE = 'queue';
		try {
			expect(() =>
				openRecordStore({ backend: 'staticData', workflowId: freshWorkflowId(), staticData: {} }),
			).toThrow(expect.objectContaining({ code: 'queueModeUnsupported' }));
		} finally {
			if (previous === undefined) delete process.env.EXECUTIONS_MODE;
			else process.env.EXECUTIONS_MODE = previous;
		}
	});

	test('rejects a missing workflow id and static data it cannot read', () => {
		expect(() => new StaticDataStore('', {}, { executionsMode: 'regular' })).toThrow(/saved workflow/);
		for (const foreign of [
			'text',
			{ formatVersion: 2, collections: {} },
			{ formatVersion: 1, collections: { a: 1 } },
		]) {
			expect(
				() =>
					new StaticDataStore(
						freshWorkflowId(),
						{ [STATIC_DATA_PROPERTY]: foreign },
						{ executionsMode: 'regular' },
					),
			).toThrow(expect.objectContaining({ code: 'corruptStaticData' }));
		}
		const malformedRecord = { formatVersion: 1, collections: { alerts: { k: { value: 1 } } } };
		expect(
			() =>
				new StaticDataStore(
					freshWorkflowId(),
					{ [STATIC_DATA_PROPERTY]: malformedRecord },
					{ executionsMode: 'regular' },
				),
		).toThrow(/record "k" of collection "alerts" is malformed/);
	});
});

describe('static data backend: closed records are kept compact (issue 19)', () => {
	const HOUR = 3_600_000;

	/** The store as n8n would save it at the end of the execution. */
	function saved(execution: FakeExecution) {
		return JSON.parse(execution.persisted()).global[STATIC_DATA_PROPERTY] as {
			collections: Record<string, Record<string, unknown>>;
			closed?: Record<string, string>;
		};
	}

	/** One lifecycle of the shipped workflow: claim, ticket created, both links closed. */
	async function lifecycle(store: StaticDataStore, alertUid: string, ticketId: number): Promise<void> {
		await store.claim('alerts', alertUid, { value: {}, status: 'pending', history: { event: 'alertReceived' } });
		await store.set('alerts', alertUid, {
			value: { ticketId, dedupeKey: 'dev|Disk' },
			mode: 'merge',
			status: 'open',
			history: { event: 'ticketCreated' },
		});
		await store.set('tickets', ticketId, { value: { alertUid }, status: 'open', history: { event: 'ticketCreated' } });
		await store.updateStatus('alerts', alertUid, 'closed', { event: 'ticketClosed', reason: 'resolved' }, { mergeValue: { closedBy: 'datto' } });
		await store.updateStatus('tickets', ticketId, 'closed', { event: 'ticketClosed' }, { mergeValue: { closedBy: 'datto' } });
	}

	test('a closed record leaves the per-key objects for one text per collection, and comes back when reopened', async () => {
		const execution = new FakeExecution();
		const store = execution.store(freshWorkflowId());
		await lifecycle(store, 'alert-1', 101);
		await store.set('alerts', 'alert-open', { value: { ticketId: 102 }, status: 'open' });
		let persisted = saved(execution);
		expect(Object.keys(persisted.collections.alerts)).toEqual(['alert-open']);
		expect(Object.keys(persisted.collections.tickets)).toEqual([]);
		expect(Object.keys(persisted.closed ?? {}).sort()).toEqual(['alerts', 'tickets']);
		expect(typeof persisted.closed?.alerts).toBe('string');

		const reopened = await store.updateStatus('alerts', 'alert-1', 'open', { event: 'reopened' });
		expect(reopened).toMatchObject({ status: 'open', closedAt: null, value: { ticketId: 101, closedBy: 'datto' } });
		expect(reopened?.history.map((entry) => entry.event)).toEqual(['ticketClosed', 'reopened']);
		persisted = saved(execution);
		expect(Object.keys(persisted.collections.alerts).sort()).toEqual(['alert-1', 'alert-open']);
		expect(persisted.closed?.alerts).toBeUndefined();
		expect(store.stats()).toEqual({ openRecords: 2, closedRecords: 1, records: 3, aboveWarnSize: false });
	});

	test('duplicate delivery, the Halo echo and the reconciliation still see a closed link', async () => {
		const store = new FakeExecution().store(freshWorkflowId());
		await lifecycle(store, 'alert-1', 101);
		// Datto delivers the triggered alert again: the claim loses, no second ticket.
		const again = await store.claim('alerts', 'alert-1', {
			value: {},
			status: 'pending',
			reclaimStale: { afterMinutes: 10, status: 'pending' },
		});
		expect(again).toMatchObject({ claimed: false, reclaimed: false, record: { status: 'closed', value: { ticketId: 101 } } });
		// The duplicate is noted (status kept, updatedAt kept): the record stays closed and compact.
		const noted = await store.set('alerts', 'alert-1', {
			value: {},
			mode: 'merge',
			keepUpdatedAt: true,
			history: { event: 'duplicateDelivery' },
		});
		expect(noted.record).toMatchObject({ status: 'closed', updatedAt: again.record.updatedAt, value: { ticketId: 101 } });
		expect(noted.record.history.map((entry) => entry.event)).toEqual(['duplicateDelivery']);
		// The Halo close of a ticket closed by this integration finds a link that is not open.
		expect(await store.get('tickets', 101)).toMatchObject({ status: 'closed', value: { alertUid: 'alert-1', closedBy: 'datto' } });
		// The reconciliation lists open links only; "closed" lists the archive.
		expect(await store.list('alerts', { status: 'open' })).toEqual([]);
		expect((await store.list('alerts', { status: 'closed' })).map((record) => record.key)).toEqual(['alert-1']);
	});

	test.each([
		[undefined, ['ticketClosed']],
		[0, []],
		[3, ['alertReceived', 'ticketCreated', 'ticketClosed']],
	])('closedHistoryLimit %p keeps the newest history entries %p of a closed record', async (limit, events) => {
		const store = new FakeExecution().store(freshWorkflowId(), { closedHistoryLimit: limit });
		await lifecycle(store, 'alert-1', 101);
		expect((await store.get('alerts', 'alert-1'))?.history.map((entry) => entry.event)).toEqual(events);
	});

	test('a store saved before the archive existed is loaded with its closed records archived', async () => {
		const workflowId = freshWorkflowId();
		const at = '2026-03-01T12:00:00.000Z';
		const record = (key: string, status: string, closedAt: string | null) => ({
			collection: 'alerts',
			key,
			value: { ticketId: 1 },
			status,
			createdAt: at,
			updatedAt: at,
			closedAt,
			history: [
				{ at, event: 'alertReceived' },
				{ at, event: 'ticketClosed', reason: 'resolved' },
			],
		});
		const legacy = {
			global: {
				[STATIC_DATA_PROPERTY]: {
					formatVersion: 1,
					collections: { alerts: { old: record('old', 'closed', at), live: record('live', 'open', null) } },
				},
			},
		};
		const execution = new FakeExecution(JSON.stringify(legacy));
		const clock = new FakeClock(Date.parse(at) + 48 * HOUR);
		const store = execution.store(workflowId, { clock: clock.now });
		expect(await store.get('alerts', 'old')).toEqual({ ...record('old', 'closed', at), history: [record('old', 'closed', at).history[1]] });
		expect(await store.get('alerts', 'live')).toEqual(record('live', 'open', null));
		expect(Object.keys(saved(execution).collections.alerts)).toEqual(['live']);
		expect(await store.purge('alerts', 24)).toEqual({ count: 1, keys: ['old'] });
		expect(saved(execution).closed?.alerts).toBeUndefined();
	});

	test('a restart rebuilds the archive from the saved text', async () => {
		const workflowId = freshWorkflowId();
		const before = new FakeExecution();
		const store = before.store(workflowId);
		for (let index = 0; index < 20; index++) await lifecycle(store, `alert-${index}`, 100 + index);
		const alerts = await store.list('alerts');
		const tickets = await store.list('tickets');
		let FreshStaticDataStore: typeof StaticDataStore | undefined;
		jest.isolateModules(() => {
			({ StaticDataStore: FreshStaticDataStore } =
				jest.requireActual<typeof import('../../nodes/shared/store')>('../../nodes/shared/store'));
		});
		const after = new FakeExecution(before.persisted());
		const restarted = new FreshStaticDataStore!(workflowId, after.global, { executionsMode: 'regular' });
		expect(await restarted.list('alerts')).toEqual(alerts);
		expect(await restarted.list('tickets')).toEqual(tickets);
		expect(restarted.stats()).toMatchObject({ openRecords: 0, closedRecords: 40 });
	});

	test.each([
		['closed records that are not an object', 'text'],
		['closed records of a collection that are not text', { alerts: 5 }],
		['a closed record line that is not a record', { alerts: '["k",1,1,1,{},[]]\n{}' }],
	])('refuses %s', (_label, closed) => {
		expect(
			() =>
				new StaticDataStore(
					freshWorkflowId(),
					{ [STATIC_DATA_PROPERTY]: { formatVersion: 1, collections: {}, closed } },
					{ executionsMode: 'regular' },
				),
		).toThrow(expect.objectContaining({ code: 'corruptStaticData' }));
	});

	test(`stats() warns above ${STATIC_STORE_WARN_RECORDS} records, open and closed together`, async () => {
		const store = new FakeExecution().store(freshWorkflowId());
		const rows = (count: number, status: string, prefix: string) =>
			Array.from({ length: count }, (_, index) => ({ key: `${prefix}-${index}`, value: index, status }));
		await store.importRecords('alerts', rows(STATIC_STORE_WARN_RECORDS - 10, 'closed', 'c'));
		await store.importRecords('sites', rows(10, 'open', 'o'));
		expect(store.stats()).toEqual({
			openRecords: 10,
			closedRecords: STATIC_STORE_WARN_RECORDS - 10,
			records: STATIC_STORE_WARN_RECORDS,
			aboveWarnSize: false,
		});
		await store.set('tickets', 1, { value: 1 });
		expect(store.stats()).toMatchObject({ records: STATIC_STORE_WARN_RECORDS + 1, aboveWarnSize: true });
	});
});
