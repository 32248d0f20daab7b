/** Close and reopen: one POST /Actions carrying the note, the outcome and `new_status`; their shared fields. */
import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import { withIsoDates } from '../../../shared/domain/haloRecords';
import type { HaloAction, HaloClient, HaloStatus } from '../../../shared/transport/halo';
import { autoClosedStatus, autoReopenStatus, newestFirst } from '../../../shared/halo';
import { noteHtml, optionalId, readOutcome, requiredId } from '../../../shared/n8n/params';
import { noteField, noteOptions, outcomeFields, statusChoice, ticketIdField, visibilityFields } from './shared';

const WORDING = {
	closed: { note: 'The Datto RMM alert was resolved. Closed by n8n.', noteDescription: 'Closing note', verb: 'closing' },
	reopen: { note: 'The Datto RMM alert fired again. Reopened by n8n.', noteDescription: 'Note', verb: 'reopening' },
} as const;

/** The fields of Ticket → Close / Reopen (the same but for the status choice and the wording). */
export function statusChangeProperties(kind: 'closed' | 'reopen'): INodeProperties[] {
	const wording = WORDING[kind];
	return [
		ticketIdField,
		noteField(wording.note, `${wording.noteDescription} (plain text unless "Note Is HTML" is set)`),
		...statusChoice(kind),
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
					description: `Whether to read the ticket back after ${wording.verb} (one more API call)`,
				},
			],
		},
	];
}

export async function statusChange(
	this: IExecuteFunctions,
	itemIndex: number,
	client: HaloClient,
	kind: 'closed' | 'reopen',
): Promise<IDataObject> {
	const ticketId = requiredId.call(this, 'ticketId', itemIndex, 'Ticket ID');
	const choice = this.getNodeParameter(kind === 'closed' ? 'closedStatus' : 'reopenStatus', itemIndex, 'auto') as string;
	let statusId: number;
	let statusName: string | null = null;
	if (choice === 'list') {
		const id = optionalId(this.getNodeParameter(kind === 'closed' ? 'closedStatusId' : 'reopenStatusId', itemIndex, ''));
		if (id === undefined) {
			throw new NodeOperationError(this.getNode(), `Choose the ${kind === 'closed' ? 'closed' : 'reopen'} status (or set it to Auto)`, {
				itemIndex,
			});
		}
		statusId = id;
	} else {
		const status: HaloStatus = kind === 'closed' ? await autoClosedStatus(client) : await autoReopenStatus(client);
		statusId = status.id;
		statusName = status.name ?? null;
	}
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const note = this.getNodeParameter('note', itemIndex) as string;
	const action = await client.addAction(
		{
			ticket_id: ticketId,
			note_html: noteHtml(note, { isHtml: options.noteIsHtml === true, marker: options.addMarker !== false && client.marker }),
			...(await readOutcome.call(this, itemIndex, client)),
			hiddenfromuser: this.getNodeParameter('hiddenFromUser', itemIndex, true) as boolean,
			sendemail: this.getNodeParameter('sendEmail', itemIndex, false) as boolean,
			new_status: statusId,
		},
		{
			// After an ambiguous failure (500/504/timeout): if the ticket already has the status, the close happened.
			recover: async (): Promise<HaloAction | undefined> => {
				const ticket = await client.getTicket(ticketId);
				if (Number(ticket.status_id) !== statusId) return undefined;
				const actions = newestFirst(await client.listActions(ticketId));
				return actions.find((a) => Number(a.new_status) === statusId);
			},
		},
	);
	const out: IDataObject = {
		ticketId,
		[kind === 'closed' ? 'closed' : 'reopened']: true,
		statusId,
		statusName,
		action: withIsoDates(action) as IDataObject,
	};
	if (options.returnTicket === true) out.ticket = withIsoDates(await client.getTicket(ticketId)) as IDataObject;
	return out;
}
