import { updateDisplayOptions, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import type { HaloClient } from '../../../shared/transport/halo';
import { noteField, noteOptions, outcomeFields, statusChoice, ticketIdField, visibilityFields } from './shared';
import { statusChange } from './statusChange';

const properties: INodeProperties[] = [
	ticketIdField,
	noteField('The Datto RMM alert fired again. Reopened by n8n.', 'Note (plain text unless "Note Is HTML" is set)'),
	...statusChoice('reopen'),
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
				description: 'Whether to read the ticket back after reopening (one more API call)',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['ticket'], operation: ['reopen'] } }, properties);

/** Note and reopen status in ONE POST /Actions. Output: `{ ticketId, reopened: true, statusId, statusName, action }`. */
export async function execute(this: IExecuteFunctions, itemIndex: number, client: HaloClient): Promise<IDataObject> {
	return await statusChange.call(this, itemIndex, client, 'reopen');
}
