import type { INodeProperties } from 'n8n-workflow';

import type { DattoOperationModule } from '../common';
import * as get from './get.operation';
import * as getResults from './getResults.operation';

export const operations: Record<string, DattoOperationModule> = { get, getResults };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['job'] } },
		options: [
			{ name: 'Get', value: 'get', description: 'Get the status of a job', action: 'Get a job' },
			{
				name: 'Get Results',
				value: 'getResults',
				description: "Get a job's result on a device, with StdOut and StdErr",
				action: 'Get job results',
			},
		],
		default: 'get',
	},
	...get.description,
	...getResults.description,
];
