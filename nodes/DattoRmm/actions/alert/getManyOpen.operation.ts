import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { DattoClient } from '../../../shared/transport/datto';
import { listAlerts, listDescription } from './list';

export const description: INodeProperties[] = listDescription('getManyOpen');

/** /v2/{account|site/{uid}|device/{uid}}/alerts/open, every page or up to the limit. */
export async function execute(this: IExecuteFunctions, client: DattoClient, itemIndex: number): Promise<IDataObject[]> {
	return await listAlerts.call(this, client, itemIndex, 'open');
}
