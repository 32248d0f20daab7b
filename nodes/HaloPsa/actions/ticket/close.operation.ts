import { updateDisplayOptions, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import type { HaloClient } from '../../../shared/transport/halo';
import { noteField, noteOptions, outcomeFields, statusChoice, ticketIdField, visibilityFields } from './shared';
import { statusChange } from './statusChange';

const properties: INodeProperties[] = [
	ticketIdField,
	noteField('The Datto RMM alert was resolved. Closed by n8n.', 'Closing note (plain text unless "Note Is HTML" is set)'),
	...statusChoice('closed'),
	...outcomeFields,
	...visibilityFields,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			...noteOptions,
			{
				displayName: 'Return Ticket',
				name: 'returnTicket',
				type: 'boolean',
				default: false,
				description: 'Whether to read the ticket back after closing (one more API call)',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['ticket'], operation: ['close'] } }, properties);

/**
 * Closing note and closed status in ONE POST /Actions (`new_status`). Output:
 * `{ ticketId, closed: true, statusId, statusName, action }` (+ `ticket` with Return Ticket).
 */
export async function execute(this: IExecuteFunctions, itemIndex: number, client: HaloClient): Promise<IDataObject> {
	return await statusChange.call(this, itemIndex, client, 'closed');
}
