import type { INodeProperties } from 'n8n-workflow';

import * as asset from './asset/Asset.resource';
import * as client from './client/Client.resource';
import * as site from './site/Site.resource';
import * as ticket from './ticket/Ticket.resource';

/** All parameters of the HaloPSA node: resource, then each resource's operations and their fields. */
export const properties: INodeProperties[] = [
	{
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Asset', value: 'asset' },
			{ name: 'Client', value: 'client' },
			{ name: 'Site', value: 'site' },
			{ name: 'Ticket', value: 'ticket' },
		],
		default: 'ticket',
	},
	...ticket.description,
	...client.description,
	...asset.description,
	...site.description,
];
