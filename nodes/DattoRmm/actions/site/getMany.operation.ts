import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { DattoClient } from '../../../shared/transport/datto';
import { forOperation, readPaging, returnAllFields } from '../common';

export const description: INodeProperties[] = forOperation('site', 'getMany', [
	...returnAllFields('sites'),
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		options: [
			{
				displayName: 'Name',
				name: 'name',
				type: 'string',
				default: '',
				placeholder: 'e.g. Contoso',
				description: 'Sites whose name contains this text (Datto\'s siteName filter; % and _ are wildcards)',
			},
		],
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Include "Deleted Devices" Site',
				name: 'includeDeletedDevicesSite',
				type: 'boolean',
				default: false,
				description: 'Whether to keep Datto\'s built-in "Deleted Devices" site in the results',
			},
		],
	},
]);

/** GET /v2/account/sites (paged), optionally filtered by name. */
export async function execute(this: IExecuteFunctions, client: DattoClient, itemIndex: number): Promise<IDataObject[]> {
	const filters = this.getNodeParameter('filters', itemIndex, {}) as IDataObject;
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const { returnAll, limit } = readPaging.call(this, itemIndex);
	const result = await client.listSites({
		name: typeof filters.name === 'string' ? filters.name : undefined,
		includeDeletedDevicesSite: options.includeDeletedDevicesSite === true,
		returnAll,
		limit,
	});
	return result.items as IDataObject[];
}
