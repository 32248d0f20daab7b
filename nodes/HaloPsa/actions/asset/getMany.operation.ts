import { updateDisplayOptions, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import type { HaloClient } from '../../../shared/transport/halo';
import { readReturnAllLimit, returnAllLimitFields } from '../../../shared/n8n/descriptions';
import { optionalId } from '../../../shared/n8n/params';

const properties: INodeProperties[] = [
	...returnAllLimitFields(),
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		options: [
			{
				displayName: 'Client Name or ID',
				name: 'clientId',
				type: 'options',
				typeOptions: { loadOptionsMethod: 'getClients' },
				default: '',
				description: 'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
			},
			{
				displayName: 'Include Inactive',
				name: 'includeInactive',
				type: 'boolean',
				default: false,
				description: 'Whether to include inactive assets',
			},
			{
				displayName: 'Search',
				name: 'search',
				type: 'string',
				default: '',
				description: 'Part of the inventory number / key field',
			},
			{
				displayName: 'Site Name or ID',
				name: 'siteId',
				type: 'options',
				typeOptions: { loadOptionsMethod: 'getSites', loadOptionsDependsOn: ['filters.clientId'] },
				default: '',
				description: 'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['asset'], operation: ['getMany'] } }, properties);

/**
 * GET /Asset (paged; client and site re-checked client-side). List items may be thin records. Halo has no datto_id
 * filter: use Find for Datto Device for that. Output: one item per asset.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number, client: HaloClient): Promise<IDataObject[]> {
	const { returnAll, limit } = readReturnAllLimit.call(this, itemIndex);
	const filters = this.getNodeParameter('filters', itemIndex, {}) as IDataObject;
	const assets = await client.listAssets(
		{
			clientId: optionalId(filters.clientId),
			siteId: optionalId(filters.siteId),
			search: typeof filters.search === 'string' && filters.search.trim() ? filters.search.trim() : undefined,
			includeInactive: filters.includeInactive === true,
		},
		{ returnAll, limit },
	);
	return assets as IDataObject[];
}
