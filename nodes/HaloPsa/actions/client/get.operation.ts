import { updateDisplayOptions, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import type { HaloClient } from '../../../shared/transport/halo';
import { idLocator, locatorId } from '../../../shared/n8n/params';

const properties: INodeProperties[] = [idLocator('clientId', 'Client', 'searchClients', { description: 'The Halo client' })];

export const description = updateDisplayOptions({ show: { resource: ['client'], operation: ['get'] } }, properties);

/** GET /Client/{id}. Output: the client record. */
export async function execute(this: IExecuteFunctions, itemIndex: number, client: HaloClient): Promise<IDataObject> {
	return (await client.getClient(locatorId.call(this, 'clientId', itemIndex, 'Client ID'))) as IDataObject;
}
