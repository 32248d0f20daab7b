import type { INodeProperties } from 'n8n-workflow';

import type { DattoOperationModule } from '../common';
import * as get from './get.operation';
import * as getMany from './getMany.operation';

export const operations: Record<string, DattoOperationModule> = { get, getMany };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['site'] } },
		options: [
			{ name: 'Get', value: 'get', description: 'Get a site', action: 'Get a site' },
			{ name: 'Get Many', value: 'getMany', description: 'List sites, optionally filtered by name', action: 'Get many sites' },
		],
		default: 'get',
	},
	...get.description,
	...getMany.description,
];
