import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import { isMappingStoreError, StaticDataStore, staticStoreSizeWarning, type RecordStore } from '../../shared/store';
import { openStore } from '../../shared/n8n/storeBackend';
import { runPerItem } from '../../shared/n8n/itemRunner';
import { readOutputShape, shapeResult } from './output';
import type { RecordOperation } from './record/fields';
import { operations } from './record/Record.resource';

/**
 * Runs the operation for every item with the package's per-item contract (nodes/shared/n8n/itemRunner.ts): opens the
 * store per item, shapes the results (output.ts), pairs them with their items; failures become NodeOperationErrors
 * with the store's hint as description, or error items with "On Error: Continue".
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const operationName = this.getNodeParameter('operation', 0) as RecordOperation;
	const operation = operations[operationName];
	if (operation === undefined) {
		throw new NodeOperationError(this.getNode(), `The operation "${operationName}" is not supported`);
	}
	const toStoreError = (error: unknown, itemIndex: number) => {
		// A NodeOperationError passes through the constructor unchanged, so it gets its item index here.
		if (error instanceof NodeOperationError) error.context.itemIndex ??= itemIndex;
		return new NodeOperationError(this.getNode(), error as Error, {
			itemIndex,
			description: isMappingStoreError(error) ? error.hint : undefined,
		});
	};
	let lastStore: RecordStore | undefined;
	const output = [
		await runPerItem.call(
			this,
			async (itemIndex) => {
				const shape = readOutputShape.call(this, itemIndex);
				const store = await openStore.call(this, itemIndex);
				lastStore = store;
				const collection = this.getNodeParameter('collection', itemIndex) as string;
				const results = await operation.execute.call(this, store, collection, itemIndex);
				return results.map((result) => shapeResult(items[itemIndex], itemIndex, result, shape));
			},
			toStoreError,
		),
	];
	// A static data store past the size where Postgres is the better choice: say so above the output (issue 19).
	const warning = lastStore instanceof StaticDataStore ? staticStoreSizeWarning(lastStore.stats()) : undefined;
	if (warning !== undefined) this.addExecutionHints?.({ message: warning, type: 'warning', location: 'outputPane' });
	return output;
}
