import { updateDisplayOptions, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import type { HaloClient } from '../../../shared/transport/halo';
import { idLocator, locatorId } from '../../../shared/n8n/params';

const properties: INodeProperties[] = [idLocator('assetId', 'Asset', 'searchAssets', { description: 'The Halo asset' })];

export const description = updateDisplayOptions({ show: { resource: ['asset'], operation: ['get'] } }, properties);

/** GET /Asset/{id}: the whole asset (datto_id, datto_site_uid, inventory number, key field, …). */
export async function execute(this: IExecuteFunctions, itemIndex: number, client: HaloClient): Promise<IDataObject> {
	return (await client.getAsset(locatorId.call(this, 'assetId', itemIndex, 'Asset ID'))) as IDataObject;
}
