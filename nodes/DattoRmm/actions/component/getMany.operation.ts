import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { DattoClient } from '../../../shared/transport/datto';
import { forOperation, readPaging, returnAllFields } from '../common';

export const description: INodeProperties[] = forOperation('component', 'getMany', returnAllFields('components'));

/** GET /v2/account/components (paged): uid, name, description, categoryCode, variables. */
export async function execute(this: IExecuteFunctions, client: DattoClient, itemIndex: number): Promise<IDataObject[]> {
	const { returnAll, limit } = readPaging.call(this, itemIndex);
	const result = await client.listComponents({ returnAll, limit });
	return result.items as IDataObject[];
}
