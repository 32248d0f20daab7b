import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { DattoClient } from '../../../shared/transport/datto';
import { forOperation, readRequiredString } from '../common';

export const description: INodeProperties[] = forOperation('device', 'findByHostname', [
	{
		displayName: 'Hostname',
		name: 'hostname',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. CONTOSO-DC01',
	},
	{
		displayName: 'Exact Match',
		name: 'exactMatch',
		type: 'boolean',
		default: true,
		description:
			"Whether to return only devices whose hostname equals the given one (case-insensitive). Otherwise Datto's contains-match is used.",
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
	},
]);

/** GET /v2/account/devices?hostname=… (paged). One output item per matching device; none when nothing matches. */
export async function execute(this: IExecuteFunctions, client: DattoClient, itemIndex: number): Promise<IDataObject[]> {
	const hostname = readRequiredString.call(this, 'hostname', itemIndex);
	const exact = this.getNodeParameter('exactMatch', itemIndex, true) as boolean;
	const limit = this.getNodeParameter('limit', itemIndex, 50) as number;
	const max = Math.max(1, Math.floor(limit));
	// Exact matching filters Datto's contains-matches locally, so every page of those is needed first.
	const devices = await client.findDevicesByHostname(hostname, exact ? { exact, returnAll: true } : { returnAll: false, limit: max });
	return devices.slice(0, max) as IDataObject[];
}
