import type { INodeProperties } from 'n8n-workflow';

import type { DattoOperationModule } from '../common';
import * as get from './get.operation';
import * as getManyOpen from './getManyOpen.operation';
import * as getManyResolved from './getManyResolved.operation';
import * as resolve from './resolve.operation';

export const operations: Record<string, DattoOperationModule> = { get, getManyOpen, getManyResolved, resolve };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['alert'] } },
		options: [
			{ name: 'Get', value: 'get', description: 'Get an alert by its UID', action: 'Get an alert' },
			{
				name: 'Get Many Open',
				value: 'getManyOpen',
				description: 'List open alerts of the account, a site or a device',
				action: 'Get many open alerts',
			},
			{
				name: 'Get Many Resolved',
				value: 'getManyResolved',
				description: 'List resolved alerts of the account, a site or a device',
				action: 'Get many resolved alerts',
			},
			{
				name: 'Resolve',
				value: 'resolve',
				description: 'Resolve an alert (an already resolved alert is a success)',
				action: 'Resolve an alert',
			},
		],
		default: 'get',
	},
	...get.description,
	...resolve.description,
	...getManyOpen.description,
	...getManyResolved.description,
];
