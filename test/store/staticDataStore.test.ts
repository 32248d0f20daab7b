import { ObservableObject, type IDataObject } from 'n8n-workflow';

import {
	MappingStoreError,
	openRecordStore,
	STATIC_DATA_PROPERTY,
	StaticDataStore,
	type StoreOptions,
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

	store(workflowId: string, options: StoreOptions = {}): StaticDataStore {
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
