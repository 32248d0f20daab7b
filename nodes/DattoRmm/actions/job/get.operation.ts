import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { DattoClient } from '../../../shared/transport/datto';
import { forOperation, readRequiredString } from '../common';
import { jobUidField } from './fields';

export const description: INodeProperties[] = forOperation('job', 'get', [jobUidField]);

/** GET /v2/job/{jobUid}: id, uid, name, dateCreated, status ("active" | "completed"). */
export async function execute(this: IExecuteFunctions, client: DattoClient, itemIndex: number): Promise<IDataObject[]> {
	const job = await client.getJob(readRequiredString.call(this, 'jobUid', itemIndex));
	return [job as IDataObject];
}
