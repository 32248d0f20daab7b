import type { INodeProperties } from 'n8n-workflow';

import * as addAction from './addAction.operation';
import * as close from './close.operation';
import * as create from './create.operation';
import * as createFromAlert from './createFromAlert.operation';
import * as get from './get.operation';
import * as getMany from './getMany.operation';
import * as reopen from './reopen.operation';
import * as update from './update.operation';

export { addAction, close, create, createFromAlert, get, getMany, reopen, update };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['ticket'] } },
		options: [
			{
				name: 'Add Action',
				value: 'addAction',
				description: 'Add a note (action) to a ticket, optionally changing its status',
				action: 'Add an action to a ticket',
			},
			{
				name: 'Close',
				value: 'close',
				description: 'Close a ticket with a closing note in one call',
				action: 'Close a ticket',
			},
			{ name: 'Create', value: 'create', description: 'Create a ticket', action: 'Create a ticket' },
			{
				name: 'Create From Datto Alert',
				value: 'createFromAlert',
				description: 'Create a ticket from a Datto RMM alert (the Datto RMM Trigger output)',
				action: 'Create a ticket from an alert',
			},
			{ name: 'Get', value: 'get', description: 'Get a ticket', action: 'Get a ticket' },
			{ name: 'Get Many', value: 'getMany', description: 'List or search tickets', action: 'Get many tickets' },
			{
				name: 'Reopen',
				value: 'reopen',
				description: 'Reopen a ticket with a note in one call',
				action: 'Reopen a ticket',
			},
			{ name: 'Update', value: 'update', description: 'Update a ticket', action: 'Update a ticket' },
		],
		default: 'createFromAlert',
	},
	...addAction.description,
	...close.description,
	...create.description,
	...createFromAlert.description,
	...get.description,
	...getMany.description,
	...reopen.description,
	...update.description,
];
