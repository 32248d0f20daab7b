import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { isFinishedDeployment } from '../../../shared/transport/datto';
import type { DattoClient } from '../../../shared/transport/datto';
import { forOperation, readRequiredString } from '../common';
import { jobUidField } from './fields';

export const description: INodeProperties[] = forOperation('job', 'getResults', [
	jobUidField,
	{
		displayName: 'Device UID',
		name: 'deviceUid',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. 0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0',
		description: 'The device the job ran on',
	},
	{
		displayName: 'Include Output',
		name: 'includeOutput',
		type: 'boolean',
		default: true,
		description: "Whether to add the components' StdOut and StdErr (two more calls, only once the job has finished)",
	},
]);

/**
 * GET /v2/job/{jobUid}/results/{deviceUid} (+ /stdout, /stderr): jobDeploymentStatus (Pending, Running, Success,
 * Warning, Failure, Expired, Retired), componentResults, and `finished`.
 */
export async function execute(this: IExecuteFunctions, client: DattoClient, itemIndex: number): Promise<IDataObject[]> {
	const jobUid = readRequiredString.call(this, 'jobUid', itemIndex);
	const deviceUid = readRequiredString.call(this, 'deviceUid', itemIndex);
	const withOutput = this.getNodeParameter('includeOutput', itemIndex, true) as boolean;
	const results = await client.getJobResults(jobUid, deviceUid, { withOutput });
	return [{ ...(results as IDataObject), finished: isFinishedDeployment(results.jobDeploymentStatus) }];
}
