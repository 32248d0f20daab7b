import type { INodeProperties } from 'n8n-workflow';

import type { DattoOperationModule } from '../common';
import * as check from './check.operation';
import { clockField, storeFields } from './fields';
import * as start from './start.operation';

export const operations: Record<string, DattoOperationModule> = { start, check };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['remediation'] } },
		options: [
			{
				name: 'Start',
				value: 'start',
				description: 'Run the component of the first matching remediation rule (or a technician\'s pick) on the device',
				action: 'Start a remediation',
			},
			{
				name: 'Check',
				value: 'check',
				description: 'Check a started remediation job; when done, the note text for the ticket',
				action: 'Check a remediation',
			},
		],
		default: 'start',
	},
	...storeFields,
	...start.description,
	...check.description,
	clockField,
];
