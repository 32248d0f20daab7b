import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { DattoClient } from '../../../shared/transport/datto';
import { forOperation, readRequiredString } from '../common';

export const description: INodeProperties[] = forOperation('device', 'get', [
	{
		displayName: 'Device UID',
		name: 'deviceUid',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. 0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0',
		description: 'The device UID (an alert\'s device.uid / alertSourceInfo.deviceUid)',
	},
]);

/** GET /v2/device/{uid}. */
export async function execute(this: IExecuteFunctions, client: DattoClient, itemIndex: number): Promise<IDataObject[]> {
	const device = await client.getDevice(readRequiredString.call(this, 'deviceUid', itemIndex));
	return [device as IDataObject];
}
