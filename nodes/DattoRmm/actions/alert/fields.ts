import type { INodeProperties } from 'n8n-workflow';

export const alertUidField: INodeProperties = {
	displayName: 'Alert UID',
	name: 'alertUid',
	type: 'string',
	required: true,
	default: '',
	placeholder: 'e.g. 5f0c2b9e-7a1d-4e8b-b3c2-9d4e1f6a7b80',
	description: 'The alertUid of the Datto RMM alert (the [alert_uid] webhook variable)',
};
