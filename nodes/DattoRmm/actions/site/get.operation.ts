import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { DattoClient } from '../../../shared/transport/datto';
import { forOperation, readSiteUid, siteLocator } from '../common';

export const description: INodeProperties[] = forOperation('site', 'get', [siteLocator()]);

/** GET /v2/site/{uid}. */
export async function execute(this: IExecuteFunctions, client: DattoClient, itemIndex: number): Promise<IDataObject[]> {
	const site = await client.getSite(readSiteUid.call(this, itemIndex));
	return [site as IDataObject];
}
