import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';

import { isApiRequestError } from '../../shared/transport/http/errors';
import { toNodeError } from '../../shared/transport/n8n';
import { haloClientFor, type HaloClient } from '../../shared/transport/halo';
import * as client from './client/Client.resource';
import * as site from './site/Site.resource';
import * as ticket from './ticket/Ticket.resource';

type Operation = {
	execute(this: IExecuteFunctions, itemIndex: number, client: HaloClient): Promise<IDataObject | IDataObject[]>;
};

const resources: Record<string, Record<string, Operation>> = {
	ticket: {
		addAction: ticket.addAction,
		close: ticket.close,
		create: ticket.create,
		createFromAlert: ticket.createFromAlert,
		get: ticket.get,
		getMany: ticket.getMany,
		reopen: ticket.reopen,
		update: ticket.update,
	},
	client: { get: client.get, search: client.search },
	site: { get: site.get, getMany: site.getMany },
};

/**
 * Per-item loop: one cached HaloClient per credential, the operation per item, every output item paired with its
 * input item. continueOnFail → `{ error, httpCode?, apiMessage? }` items; otherwise NodeApiError (HTTP status and
 * Halo's message) or NodeOperationError, with the item index.
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	const op = resources[resource]?.[operation];
	if (op === undefined) {
		throw new NodeOperationError(this.getNode(), `The operation "${operation}" of "${resource}" is not supported`);
	}
	const output: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const halo = await haloClientFor(this, itemIndex);
			const result = await op.execute.call(this, itemIndex, halo);
			for (const json of Array.isArray(result) ? result : [result]) output.push({ json, pairedItem: { item: itemIndex } });
		} catch (error) {
			if (this.continueOnFail()) {
				const json: IDataObject = { error: (error as Error).message };
				if (isApiRequestError(error)) {
					if (error.status !== undefined) json.httpCode = String(error.status);
					json.apiMessage = error.apiMessage;
				}
				output.push({ json, pairedItem: { item: itemIndex } });
				continue;
			}
			throw toNodeError(this.getNode(), error, itemIndex);
		}
	}
	return [output];
}
