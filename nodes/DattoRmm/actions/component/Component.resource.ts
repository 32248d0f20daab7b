import type { INodeProperties } from 'n8n-workflow';

import type { DattoOperationModule } from '../common';
import * as getMany from './getMany.operation';

export const operations: Record<string, DattoOperationModule> = { getMany };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['component'] } },
		options: [
			{
				name: 'Get Many',
				value: 'getMany',
				description: "List the account's components (scripts)",
				action: 'Get many components',
			},
		],
		default: 'getMany',
	},
	...getMany.description,
];
