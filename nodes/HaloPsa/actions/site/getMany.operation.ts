import { updateDisplayOptions, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import type { HaloClient } from '../../../shared/transport/halo';
import { requiredId } from '../../../shared/n8n/params';
import { readReturnAllLimit, returnAllLimitFields } from '../../../shared/n8n/descriptions';

const properties: INodeProperties[] = [
	{
		displayName: 'Client Name or ID',
		name: 'clientId',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getClients' },
		default: '',
		required: true,
		description:
			'The client whose sites to list. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	},
	...returnAllLimitFields(),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Include Inactive',
				name: 'includeInactive',
				type: 'boolean',
				default: false,
				description: 'Whether to include inactive sites',
			},
			{
				displayName: 'Search',
				name: 'search',
				type: 'string',
				default: '',
				description: 'Part of the site name',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['site'], operation: ['getMany'] } }, properties);

/** GET /Site?client_id= (re-checked client-side), paged. Output: one item per site. */
export async function execute(this: IExecuteFunctions, itemIndex: number, client: HaloClient): Promise<IDataObject[]> {
	const clientId = requiredId.call(this, 'clientId', itemIndex, 'Client ID');
	const { returnAll, limit } = readReturnAllLimit.call(this, itemIndex);
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const sites = await client.listSites(
		{
			clientId,
			search: typeof options.search === 'string' && options.search.trim() ? options.search.trim() : undefined,
			includeInactive: options.includeInactive === true,
		},
		{ returnAll, limit },
	);
	return sites as IDataObject[];
}
