import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { RecordStore } from '../../../shared/store';
import { asJson, forOperation, keyField, readKey } from './fields';

export const description: INodeProperties[] = forOperation('get', [keyField]);

/** Output: `{ found, record }`, record null when the key does not exist. */
export async function execute(
	this: IExecuteFunctions,
	store: RecordStore,
	collection: string,
	itemIndex: number,
): Promise<IDataObject[]> {
	const key = readKey.call(this, itemIndex);
	const record = await store.get(collection, key);
	return [{ found: record !== undefined, record: record === undefined ? null : asJson(record) }];
}
