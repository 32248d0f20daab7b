import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { RecordStore } from '../../../shared/store';
import {
	asJson,
	forOperation,
	historyField,
	keyField,
	readHistoryNote,
	readKey,
	readMergeObject,
} from './fields';

export const description: INodeProperties[] = forOperation('updateStatus', [
	keyField,
	{
		displayName: 'Status',
		name: 'status',
		type: 'string',
		required: true,
		default: 'closed',
		description: '"closed" stamps Closed At (kept while the record stays closed); any other status clears it',
	},
	{
		displayName: 'Merge Into Value (JSON)',
		name: 'mergeValue',
		type: 'json',
		default: '{}',
		placeholder: '{"closedBy": "datto"}',
		description:
			'Top-level properties to add to the stored value in the same write (a stored value that is not an object is replaced). {} changes nothing.',
	},
	historyField,
]);

/** Output: `{ updated, record }`; `updated` is false (record null) when the key does not exist (nothing is created). */
export async function execute(
	this: IExecuteFunctions,
	store: RecordStore,
	collection: string,
	itemIndex: number,
): Promise<IDataObject[]> {
	const record = await store.updateStatus(
		collection,
		readKey.call(this, itemIndex),
		this.getNodeParameter('status', itemIndex) as string,
		readHistoryNote.call(this, itemIndex),
		{ mergeValue: readMergeObject.call(this, 'mergeValue', itemIndex) },
	);
	return [{ updated: record !== undefined, record: record === undefined ? null : asJson(record) }];
}
