import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { ListQuery, RecordStore } from '../../../shared/store';
import { asJson, forOperation } from './fields';
import { returnAllLimitFields } from '../../../shared/n8n/descriptions';

export const filtersField: INodeProperties = {
	displayName: 'Filters',
	name: 'filters',
	type: 'collection',
	placeholder: 'Add Filter',
	default: {},
	options: [
		{
			displayName: 'Key Prefix',
			name: 'keyPrefix',
			type: 'string',
			default: '',
			description: 'Only keys starting with this text (matched literally)',
		},
		{
			displayName: 'Status',
			name: 'status',
			type: 'string',
			default: '',
			placeholder: 'e.g. closed',
			description: 'Only records with this status',
		},
	],
};

export const description: INodeProperties[] = forOperation('list', [
	...returnAllLimitFields(),
	{
		displayName: 'Offset',
		name: 'offset',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 0,
		description: 'Number of records to skip (in key order), for paging',
		displayOptions: { show: { returnAll: [false] } },
	},
	filtersField,
]);

/** Reads the `filters` collection into a list query. */
export function readFilters(this: IExecuteFunctions, itemIndex: number): ListQuery {
	const filters = this.getNodeParameter('filters', itemIndex, {}) as IDataObject;
	const query: ListQuery = {};
	if (typeof filters.status === 'string' && filters.status !== '') query.status = filters.status;
	const keyPrefix = typeof filters.keyPrefix === 'number' ? String(filters.keyPrefix) : filters.keyPrefix;
	if (typeof keyPrefix === 'string' && keyPrefix !== '') query.keyPrefix = keyPrefix;
	return query;
}

/**
 * Output: one item per record, in key order (with "Input Item With Result in a Field", one copy of the input item
 * per record, the record under the field); an input item whose query finds no record produces no output item.
 */
export async function execute(
	this: IExecuteFunctions,
	store: RecordStore,
	collection: string,
	itemIndex: number,
): Promise<IDataObject[]> {
	const query = readFilters.call(this, itemIndex);
	if (!(this.getNodeParameter('returnAll', itemIndex) as boolean)) {
		query.limit = this.getNodeParameter('limit', itemIndex) as number;
		query.offset = this.getNodeParameter('offset', itemIndex, 0) as number;
	}
	const records = await store.list(collection, query);
	return records.map(asJson);
}
