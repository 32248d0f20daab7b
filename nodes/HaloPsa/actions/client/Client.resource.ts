import type { INodeProperties } from 'n8n-workflow';

import * as findForDattoSite from './findForDattoSite.operation';
import * as get from './get.operation';
import * as search from './search.operation';

export { findForDattoSite, get, search };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['client'] } },
		options: [
			{
				name: 'Find for Datto Site',
				value: 'findForDattoSite',
				description: "Find the Halo client and site of a Datto RMM site (Halo's datto_id, then the client name) and the rule that matched",
				action: 'Find the client of a datto site',
			},
			{ name: 'Get', value: 'get', description: 'Get a client', action: 'Get a client' },
			{ name: 'Search', value: 'search', description: 'Search clients by name', action: 'Search clients' },
		],
		default: 'search',
	},
	...findForDattoSite.description,
	...get.description,
	...search.description,
];
