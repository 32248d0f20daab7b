import { updateDisplayOptions, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import { withIsoDates } from '../../../shared/domain/haloRecords';
import { newestFirst } from '../../../shared/halo';
import type { HaloClient } from '../../../shared/transport/halo';
import { idLocator, locatorId } from '../../../shared/n8n/params';

const properties: INodeProperties[] = [
	idLocator('ticketId', 'Ticket', 'searchTickets', { description: 'The Halo ticket (the list shows open tickets; any ticket by ID)' }),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Include Actions',
				name: 'includeActions',
				type: 'boolean',
				default: false,
				description: 'Whether to add the ticket\'s actions (notes) as "actions", newest first (one more API call)',
			},
			{
				displayName: 'Include Details',
				name: 'includeDetails',
				type: 'boolean',
				default: false,
				description: "Whether to ask Halo for the ticket's details (includedetails)",
			},
			{
				displayName: 'Include Last Action',
				name: 'includeLastAction',
				type: 'boolean',
				default: false,
				description: 'Whether to ask Halo for the last action (includelastaction)',
			},
			{
				displayName: 'Max Actions',
				name: 'maxActions',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 20,
				description: 'Max number of actions to return with Include Actions',
				displayOptions: { show: { includeActions: [true] } },
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['ticket'], operation: ['get'] } }, properties);

/** GET /Tickets/{id} (+ GET /Actions). Output: the ticket (dates as ISO), with `actions` when asked. */
export async function execute(this: IExecuteFunctions, itemIndex: number, client: HaloClient): Promise<IDataObject> {
	const ticketId = locatorId.call(this, 'ticketId', itemIndex, 'Ticket ID');
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const ticket = await client.getTicket(ticketId, {
		includeDetails: options.includeDetails === true,
		includeLastAction: options.includeLastAction === true,
	});
	const out = withIsoDates(ticket) as IDataObject;
	if (options.includeActions === true) {
		const actions = await client.listActions(ticketId);
		out.actions = newestFirst(actions).slice(0, Number(options.maxActions ?? 20)).map((a) => withIsoDates(a) as IDataObject);
	}
	return out;
}
