import type { INodeProperties } from 'n8n-workflow';

import * as findForDattoDevice from './findForDattoDevice.operation';
import * as get from './get.operation';
import * as getMany from './getMany.operation';

export { findForDattoDevice, get, getMany };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['asset'] } },
		options: [
			{
				name: 'Find for Datto Device',
				value: 'findForDattoDevice',
				description: "Find the Halo asset of a Datto RMM device (datto_id, else hostname) and the client it belongs to",
				action: 'Find the asset of a datto device',
			},
			{ name: 'Get', value: 'get', description: 'Get an asset', action: 'Get an asset' },
			{ name: 'Get Many', value: 'getMany', description: 'List assets', action: 'Get many assets' },
		],
		default: 'findForDattoDevice',
	},
	...findForDattoDevice.description,
	...get.description,
	...getMany.description,
];
