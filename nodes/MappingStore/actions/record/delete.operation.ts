import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { RecordStore } from '../../../shared/store';
import { asJson, forOperation, keyField, readKey } from './fields';

export const description: INodeProperties[] = forOperation('delete', [keyField]);

/** Output: `{ deleted, record }` with the deleted record, or null when the key did not exist. */
export async function execute(
	this: IExecuteFunctions,
	store: RecordStore,
	collection: string,
	itemIndex: number,
): Promise<IDataObject[]> {
	const record = await store.delete(collection, readKey.call(this, itemIndex));
	return [{ deleted: record !== undefined, record: record === undefined ? null : asJson(record) }];
}
