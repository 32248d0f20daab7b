import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { DattoClient } from '../../../shared/transport/datto';
import { componentLocator, forOperation, readLocatorValue, readRequiredString } from '../common';

export const description: INodeProperties[] = forOperation('device', 'runQuickJob', [
	{
		displayName: 'Device UID',
		name: 'deviceUid',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. 0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0',
		description: "The device to run the component on (an alert's device.uid / alertSourceInfo.deviceUid)",
	},
	componentLocator(),
	{
		displayName: 'Job Name',
		name: 'jobName',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. Self-healing: restart Print Spooler',
		description: 'Name of the quick job as shown in Datto RMM',
	},
	{
		displayName: 'Variables',
		name: 'variables',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Variable',
		default: {},
		description:
			"Component variables. Each name must be one of the component's variables (Datto answers 400 otherwise); variables left out get the component's default value.",
		options: [
			{
				displayName: 'Variable',
				name: 'variable',
				values: [
					{ displayName: 'Name', name: 'name', type: 'string', default: '' },
					{ displayName: 'Value', name: 'value', type: 'string', default: '' },
				],
			},
		],
	},
]);

/**
 * PUT /v2/device/{uid}/quickjob (write bucket device-job-create). Returns the job UID and status ("active" until the
 * job has finished). Variable values are not echoed in the output: they may hold secrets.
 */
export async function execute(this: IExecuteFunctions, client: DattoClient, itemIndex: number): Promise<IDataObject[]> {
	const deviceUid = readRequiredString.call(this, 'deviceUid', itemIndex);
	const componentUid = readLocatorValue.call(this, 'component', itemIndex);
	const jobName = readRequiredString.call(this, 'jobName', itemIndex);
	const collection = this.getNodeParameter('variables', itemIndex, {}) as { variable?: Array<{ name?: string; value?: string }> };
	const variables = (collection.variable ?? [])
		.filter((v) => typeof v.name === 'string' && v.name.trim() !== '')
		.map((v) => ({ name: v.name!.trim(), value: v.value ?? '' }));
	const job = await client.runQuickJob(deviceUid, { componentUid, jobName, variables });
	return [
		{
			jobUid: job.jobUid,
			status: job.status,
			deviceUid: job.deviceUid,
			componentUid: job.componentUid,
			jobName: job.job.name ?? jobName,
			jobId: job.job.id ?? null,
			dateCreated: job.job.dateCreated ?? null,
			variableNames: variables.map((v) => v.name),
		},
	];
}
