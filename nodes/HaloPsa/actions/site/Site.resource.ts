import type { INodeProperties } from 'n8n-workflow';

import * as get from './get.operation';
import * as getMany from './getMany.operation';

export { get, getMany };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['site'] } },
		options: [
			{ name: 'Get', value: 'get', description: 'Get a site', action: 'Get a site' },
			{ name: 'Get Many', value: 'getMany', description: "List a client's sites", action: 'Get many sites' },
		],
		default: 'getMany',
	},
	...get.description,
	...getMany.description,
];
