import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';

import { jsonItems, runPerItem } from '../../shared/n8n/itemRunner';
import { haloClientFor, type HaloClient } from '../../shared/transport/halo';
import * as asset from './asset/Asset.resource';
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
	asset: { findForDattoDevice: asset.findForDattoDevice, get: asset.get, getMany: asset.getMany },
	client: { findForDattoSite: client.findForDattoSite, get: client.get, search: client.search },
	site: { get: site.get, getMany: site.getMany },
};

/**
 * Runs the operation for every item with the package's per-item contract (nodes/shared/n8n/itemRunner.ts): one
 * cached HaloClient per credential, outputs paired with their items, NodeApiError / NodeOperationError with the item
 * index, error items with "On Error: Continue".
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	const op = resources[resource]?.[operation];
	if (op === undefined) {
		throw new NodeOperationError(this.getNode(), `The operation "${operation}" of "${resource}" is not supported`);
	}
	return [
		await runPerItem.call(this, async (itemIndex) => {
			const halo = await haloClientFor(this, itemIndex);
			return jsonItems(itemIndex, await op.execute.call(this, itemIndex, halo));
		}),
	];
}
