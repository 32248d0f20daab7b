import type { INodeProperties } from 'n8n-workflow';

import type { DattoOperationModule } from '../common';
import * as findByHostname from './findByHostname.operation';
import * as get from './get.operation';
import * as runQuickJob from './runQuickJob.operation';

export const operations: Record<string, DattoOperationModule> = { findByHostname, get, runQuickJob };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['device'] } },
		options: [
			{
				name: 'Find by Hostname',
				value: 'findByHostname',
				description: 'Find devices by hostname',
				action: 'Find devices by hostname',
			},
			{ name: 'Get', value: 'get', description: 'Get a device by its UID', action: 'Get a device' },
			{
				name: 'Run Quick Job',
				value: 'runQuickJob',
				description: 'Run a component on the device as a quick job',
				action: 'Run a quick job on a device',
			},
		],
		default: 'get',
	},
	...findByHostname.description,
	...get.description,
	...runQuickJob.description,
];
