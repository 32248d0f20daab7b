import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { RecordStore } from '../../../shared/store';
import { forOperation } from './fields';

export const description: INodeProperties[] = forOperation('purge', [
	{
		displayName: 'Closed For More Than (Hours)',
		name: 'olderThanHours',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 72,
		description:
			'Deletes the records with status "closed" whose Closed At is more than this many hours ago (3 days by default: a smaller static data store costs less per execution)',
	},
]);

/** Output: `{ count, keys }` of the purged records. */
export async function execute(
	this: IExecuteFunctions,
	store: RecordStore,
	collection: string,
	itemIndex: number,
): Promise<IDataObject[]> {
	const result = await store.purge(collection, this.getNodeParameter('olderThanHours', itemIndex) as number);
	return [{ count: result.count, keys: result.keys }];
}
