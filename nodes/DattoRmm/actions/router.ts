import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import { toNodeError } from '../../shared/transport/n8n';
import type { DattoClient } from '../../shared/transport/datto';
import * as alert from './alert/Alert.resource';
import type { DattoOperationModule, DattoResource } from './common';
import { dattoClientFor } from './common';
import * as device from './device/Device.resource';
import * as site from './site/Site.resource';

const resources: Record<DattoResource, Record<string, DattoOperationModule>> = {
	alert: alert.operations,
	device: device.operations,
	site: site.operations,
};

/**
 * One pass over the input items: runs the operation per item, pairs every output item with its input item,
 * turns failures into error items (continueOnFail) or a NodeApiError / NodeOperationError carrying the item index.
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resource = this.getNodeParameter('resource', 0) as DattoResource;
	const operationName = this.getNodeParameter('operation', 0) as string;
	const operation = resources[resource]?.[operationName];
	if (operation === undefined) {
		throw new NodeOperationError(this.getNode(), `The operation "${operationName}" is not supported for resource "${resource}"`);
	}
	let client: DattoClient | undefined;
	const output: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			client ??= await dattoClientFor.call(this);
			const results = await operation.execute.call(this, client, itemIndex);
			for (const json of results) output.push({ json, pairedItem: { item: itemIndex } });
		} catch (error) {
			const nodeError = toNodeError(this.getNode(), error, itemIndex);
			if (this.continueOnFail()) {
				const json: IDataObject = { error: nodeError.message };
				if ('httpCode' in nodeError && nodeError.httpCode) json.httpCode = nodeError.httpCode;
				if (nodeError.description) json.description = nodeError.description;
				output.push({ json, pairedItem: { item: itemIndex } });
				continue;
			}
			throw nodeError;
		}
	}
	return [output];
}
