import type { INodeProperties } from 'n8n-workflow';

import * as get from './get.operation';
import * as search from './search.operation';

export { get, search };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['client'] } },
		options: [
			{ name: 'Get', value: 'get', description: 'Get a client', action: 'Get a client' },
			{ name: 'Search', value: 'search', description: 'Search clients by name', action: 'Search clients' },
		],
		default: 'search',
	},
	...get.description,
	...search.description,
];
