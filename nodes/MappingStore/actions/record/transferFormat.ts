import type { INodeProperties } from 'n8n-workflow';

export const formatField: INodeProperties = {
	displayName: 'Format',
	name: 'format',
	type: 'options',
	options: [
		{
			name: 'CSV',
			value: 'csv',
			description: 'Header row with key, value (JSON or plain text) and optional status',
		},
		{ name: 'JSON', value: 'json', description: 'Array of {key, value, status?} objects' },
	],
	default: 'csv',
};
