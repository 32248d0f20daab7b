import {
	NodeOperationError,
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeProperties,
} from 'n8n-workflow';

import { withIsoDates } from '../../../shared/domain/haloRecords';
import type { HaloClient } from '../../../shared/transport/halo';
import { requiredId } from '../../../shared/n8n/params';
import { customFieldsUi, ticketFieldOptions, ticketFieldsFrom, ticketIdField, withCustomFields } from './shared';

const properties: INodeProperties[] = [
	ticketIdField,
	{
		displayName: 'Update Fields',
		name: 'updateFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		options: ticketFieldOptions(true),
	},
	customFieldsUi,
];

export const description = updateDisplayOptions({ show: { resource: ['ticket'], operation: ['update'] } }, properties);

/**
 * POST /Tickets with the id (Halo merges). Setting a status here changes it without a note; use Close / Reopen /
 * Add Action to record a note with the change. Output: the updated ticket.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number, client: HaloClient): Promise<IDataObject> {
	const ticketId = requiredId.call(this, 'ticketId', itemIndex, 'Ticket ID');
	const fields = withCustomFields(
		ticketFieldsFrom.call(this, this.getNodeParameter('updateFields', itemIndex, {}) as IDataObject, itemIndex),
		this.getNodeParameter('customFieldsUi', itemIndex, {}),
	);
	if (Object.keys(fields).length === 0) {
		throw new NodeOperationError(this.getNode(), 'Nothing to update: add at least one field', { itemIndex });
	}
	const ticket = await client.updateTicket(ticketId, fields);
	return withIsoDates(ticket) as IDataObject;
}
