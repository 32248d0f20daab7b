import { updateDisplayOptions, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import { withIsoDates } from '../../../shared/domain/haloRecords';
import type { HaloClient } from '../../../shared/transport/halo';
import { noteHtml, optionalId, readOutcome, requiredId } from '../../../shared/n8n/params';
import { noteField, noteOptions, outcomeFields, ticketIdField, visibilityFields } from './shared';

const properties: INodeProperties[] = [
	ticketIdField,
	noteField('', 'The note (plain text unless "Note Is HTML" is set)'),
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
				displayName: 'New Status Name or ID',
				name: 'newStatusId',
				type: 'options',
				typeOptions: { loadOptionsMethod: 'getStatuses' },
				default: '',
				description:
					'Move the ticket to this status with the same call. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['ticket'], operation: ['addAction'] } }, properties);

/** One POST /Actions. Output: `{ ticketId, action }`. */
export async function execute(this: IExecuteFunctions, itemIndex: number, client: HaloClient): Promise<IDataObject> {
	const ticketId = requiredId.call(this, 'ticketId', itemIndex, 'Ticket ID');
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const note = this.getNodeParameter('note', itemIndex) as string;
	const newStatus = optionalId(options.newStatusId);
	const action = await client.addAction({
		ticket_id: ticketId,
		note_html: noteHtml(note, { isHtml: options.noteIsHtml === true, marker: options.addMarker !== false && client.marker }),
		...(await readOutcome.call(this, itemIndex, client)),
		hiddenfromuser: this.getNodeParameter('hiddenFromUser', itemIndex, true) as boolean,
		sendemail: this.getNodeParameter('sendEmail', itemIndex, false) as boolean,
		...(newStatus !== undefined ? { new_status: newStatus } : {}),
	});
	return { ticketId, action: withIsoDates(action) as IDataObject };
}
