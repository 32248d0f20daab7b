import { updateDisplayOptions, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import type { HaloClient } from '../../../shared/transport/halo';
import { readReturnAllLimit, returnAllLimitFields } from '../../../shared/n8n/descriptions';

const properties: INodeProperties[] = [
	{
		displayName: 'Name',
		name: 'name',
		type: 'string',
		default: '',
		placeholder: 'e.g. Contoso',
		description: 'Part of the client name; empty lists all clients',
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
				displayName: 'Exact Name',
				name: 'exact',
				type: 'boolean',
				default: false,
				description: 'Whether to return only clients whose name equals the search (ignoring case)',
			},
			{
				displayName: 'Include Inactive',
				name: 'includeInactive',
				type: 'boolean',
				default: false,
				description: 'Whether to include inactive clients',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['client'], operation: ['search'] } }, properties);

/** GET /Client?search=, paged. Output: one item per client. */
export async function execute(this: IExecuteFunctions, itemIndex: number, client: HaloClient): Promise<IDataObject[]> {
	const name = (this.getNodeParameter('name', itemIndex, '') as string).trim();
	const { returnAll, limit } = readReturnAllLimit.call(this, itemIndex);
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const exact = options.exact === true && name !== '';
	const clients = await client.listClients(
		{ search: name || undefined, includeInactive: options.includeInactive === true },
		// Exact matching filters client-side, so the limit applies afterwards.
		{ returnAll: returnAll || exact, limit },
	);
	const matching = exact ? clients.filter((c) => String(c.name ?? '').trim().toLowerCase() === name.toLowerCase()) : clients;
	return (limit !== undefined ? matching.slice(0, limit) : matching) as IDataObject[];
}
