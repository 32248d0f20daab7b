import type { INodeProperties } from 'n8n-workflow';

import { DEFAULT_TABLE_NAME } from '../store';

/** Where the records live: shown above the operation fields. */
export const backendProperties: INodeProperties[] = [
	{
		displayName: 'Backend',
		name: 'backend',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Postgres',
				value: 'postgres',
				description: 'A PostgreSQL table: safe with several n8n processes and in queue mode',
			},
			{
				name: 'Workflow Static Data',
				value: 'staticData',
				description: 'Stored with this workflow: one n8n instance in regular mode only',
			},
		],
		default: 'staticData',
	},
	{
		displayName:
			"Records are kept in this workflow's static data and saved when a production execution ends. Use Postgres " +
			'in queue mode (EXECUTIONS_MODE=queue), to share records between workflows, or above about 10,000 records ' +
			'(n8n copies the whole store for every execution; the node warns past that size).',
		name: 'staticDataNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { backend: ['staticData'] } },
	},
	{
		displayName: 'Table',
		name: 'table',
		type: 'string',
		default: DEFAULT_TABLE_NAME,
		description:
			'Table for the records, created on first use. Lower-case letters, digits and underscores, optionally ' +
			'prefixed by an existing schema ("sync.halo_datto_mapping").',
		displayOptions: { show: { backend: ['postgres'] } },
	},
	{
		displayName: 'Collection',
		name: 'collection',
		type: 'string',
		default: 'alerts',
		required: true,
		description: 'Named group of records, e.g. "alerts" (alert → ticket) or "sites" (site → client)',
	},
];
