import { updateDisplayOptions, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import { withIsoDates } from '../../../shared/domain/haloRecords';
import type { HaloClient } from '../../../shared/transport/halo';
import { requiredId } from '../../../shared/n8n/params';
import { customFieldsUi, ticketFieldOptions, ticketFieldsFrom, withCustomFields } from './shared';

const properties: INodeProperties[] = [
	{
		displayName: 'Summary',
		name: 'summary',
		type: 'string',
		default: '',
		required: true,
		description: 'Ticket summary (subject)',
	},
	{
		displayName: 'Client Name or ID',
		name: 'clientId',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getClients' },
		default: '',
		required: true,
		description:
			'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
	},
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		options: ticketFieldOptions(false),
	},
	customFieldsUi,
];

export const description = updateDisplayOptions({ show: { resource: ['ticket'], operation: ['create'] } }, properties);

/** POST /Tickets. Output: the created ticket (dates as ISO, "no date" as null). */
export async function execute(this: IExecuteFunctions, itemIndex: number, client: HaloClient): Promise<IDataObject> {
	const fields = withCustomFields(
		{
			summary: this.getNodeParameter('summary', itemIndex) as string,
			client_id: requiredId.call(this, 'clientId', itemIndex, 'Client ID'),
			...ticketFieldsFrom.call(this, this.getNodeParameter('additionalFields', itemIndex, {}) as IDataObject, itemIndex),
		},
		this.getNodeParameter('customFieldsUi', itemIndex, {}),
	);
	const ticket = await client.createTicket(fields);
	return withIsoDates(ticket) as IDataObject;
}
