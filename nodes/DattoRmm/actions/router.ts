import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import { jsonItems, runPerItem } from '../../shared/n8n/itemRunner';
import type { DattoClient } from '../../shared/transport/datto';
import * as alert from './alert/Alert.resource';
import * as component from './component/Component.resource';
import type { DattoOperationModule, DattoResource } from './common';
import { dattoClientFor } from './common';
import * as device from './device/Device.resource';
import * as job from './job/Job.resource';
import * as remediation from './remediation/Remediation.resource';
import * as site from './site/Site.resource';

const resources: Record<DattoResource, Record<string, DattoOperationModule>> = {
	alert: alert.operations,
	device: device.operations,
	site: site.operations,
	job: job.operations,
	component: component.operations,
	remediation: remediation.operations,
};

/**
 * Runs the operation for every item with the package's per-item contract (nodes/shared/n8n/itemRunner.ts): one
 * client per execution, outputs paired with their items, NodeApiError / NodeOperationError with the item index, error
 * items with "On Error: Continue".
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const resource = this.getNodeParameter('resource', 0) as DattoResource;
	const operationName = this.getNodeParameter('operation', 0) as string;
	const operation = resources[resource]?.[operationName];
	if (operation === undefined) {
		throw new NodeOperationError(this.getNode(), `The operation "${operationName}" is not supported for resource "${resource}"`);
	}
	let client: DattoClient | undefined;
	return [
		await runPerItem.call(this, async (itemIndex) => {
			client ??= await dattoClientFor.call(this);
			return jsonItems(itemIndex, await operation.execute.call(this, client, itemIndex));
		}),
	];
}
