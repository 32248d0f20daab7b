import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { recordsToCsv, type RecordStore, type TransferFormat } from '../../../shared/store';
import { asJson, forOperation } from './fields';
import { filtersField, readFilters } from './list.operation';
import { formatField } from './transferFormat';

export const description: INodeProperties[] = forOperation('export', [formatField, filtersField]);

/** Output: `{ format, count, data }`, data being CSV text or the array of records. */
export async function execute(
	this: IExecuteFunctions,
	store: RecordStore,
	collection: string,
	itemIndex: number,
): Promise<IDataObject[]> {
	const format = this.getNodeParameter('format', itemIndex) as TransferFormat;
	const records = await store.list(collection, readFilters.call(this, itemIndex));
	const data = format === 'csv' ? recordsToCsv(records) : records.map(asJson);
	return [{ format, count: records.length, data }];
}
