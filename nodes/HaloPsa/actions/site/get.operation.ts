import { updateDisplayOptions, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import type { HaloClient } from '../../../shared/transport/halo';
import { idLocator, locatorId } from '../../../shared/n8n/params';

const properties: INodeProperties[] = [idLocator('siteId', 'Site', 'searchSites', { description: 'The Halo site' })];

export const description = updateDisplayOptions({ show: { resource: ['site'], operation: ['get'] } }, properties);

/** GET /Site/{id}. Output: the site record. */
export async function execute(this: IExecuteFunctions, itemIndex: number, client: HaloClient): Promise<IDataObject> {
	return (await client.getSite(locatorId.call(this, 'siteId', itemIndex, 'Site ID'))) as IDataObject;
}
