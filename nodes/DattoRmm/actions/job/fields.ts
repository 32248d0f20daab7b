import type { INodeProperties } from 'n8n-workflow';

export const jobUidField: INodeProperties = {
	displayName: 'Job UID',
	name: 'jobUid',
	type: 'string',
	required: true,
	default: '',
	placeholder: 'e.g. 5d1a7e3c-8b2f-4c6d-9e0a-1f2b3c4d5e6f',
	description: 'The job UID (jobUid returned by Device → Run Quick Job)',
};
