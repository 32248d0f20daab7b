import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import { isMappingStoreError } from '../../shared/store';
import { openStore } from '../../shared/n8n/storeBackend';
import { readOutputShape, shapeError, shapeResult } from './output';
import type { RecordOperation } from './record/fields';
import { operations } from './record/Record.resource';

/**
 * One pass over the input items: opens the store per item, runs the operation and shapes its results (output.ts),
 * every output item paired with its input item.
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const operationName = this.getNodeParameter('operation', 0) as RecordOperation;
	const operation = operations[operationName];
	if (operation === undefined) {
		throw new NodeOperationError(this.getNode(), `The operation "${operationName}" is not supported`);
	}
	const output: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const shape = readOutputShape.call(this, itemIndex);
			const store = await openStore.call(this, itemIndex);
			const collection = this.getNodeParameter('collection', itemIndex) as string;
			const results = await operation.execute.call(this, store, collection, itemIndex);
			for (const result of results) output.push(shapeResult(items[itemIndex], itemIndex, result, shape));
		} catch (error) {
			// A NodeOperationError passes through the constructor unchanged, so it gets its item index here.
			if (error instanceof NodeOperationError) error.context.itemIndex ??= itemIndex;
			const nodeError = new NodeOperationError(this.getNode(), error as Error, {
				itemIndex,
				description: isMappingStoreError(error) ? error.hint : undefined,
			});
			if (this.continueOnFail()) {
				output.push(shapeError(itemIndex, nodeError));
				continue;
			}
			throw nodeError;
		}
	}
	return [output];
}
