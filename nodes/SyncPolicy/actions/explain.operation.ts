/**
 * Explain: the decision log of an alertUid, a dedupeKey (device + condition) or a Halo ticket id, merged from the
 * histories of the records about it into one timeline (loadTimeline). One output item per input item.
 */
import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';

import { loadTimeline, type ExplainSubject } from '../../shared/policy';
import { errorItem, storeOf } from './context';

const show = { show: { operation: ['explain'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'Explain By',
		name: 'explainBy',
		type: 'options',
		options: [
			{ name: 'Alert UID', value: 'alertUid', description: 'One Datto alert: what happened to it and its ticket' },
			{ name: 'Dedupe Key', value: 'dedupeKey', description: 'One device + condition, across its alerts' },
			{ name: 'Ticket ID', value: 'ticketId', description: 'One Halo ticket opened by the sync' },
		],
		default: 'alertUid',
		displayOptions: show,
	},
	{
		displayName: 'Value',
		name: 'subject',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. {{ $json.alertUid }}',
		description: 'The alert UID, dedupe key or ticket ID to explain',
		displayOptions: show,
	},
];

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const output: INodeExecutionData[][] = [[]];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		let failure: Error | null = null;
		try {
			const by = this.getNodeParameter('explainBy', itemIndex) as 'alertUid' | 'dedupeKey' | 'ticketId';
			const value = String(this.getNodeParameter('subject', itemIndex) ?? '').trim();
			if (!value) throw new NodeOperationError(this.getNode(), 'Value is empty: give the alert UID, dedupe key or ticket ID', { itemIndex });
			let subject: ExplainSubject;
			if (by === 'ticketId') {
				// Dry-run tickets have negative (synthetic) ids.
				if (!/^-?\d+$/.test(value)) throw new NodeOperationError(this.getNode(), `Ticket ID must be a whole number, got "${value}"`, { itemIndex });
				subject = { ticketId: Number(value) };
			} else {
				subject = by === 'alertUid' ? { alertUid: value } : { dedupeKey: value };
			}
			const dryRun = this.getNodeParameter('dryRun', itemIndex, false) as boolean;
			const store = await storeOf.call(this, itemIndex);
			const timeline = await loadTimeline(store, subject, { dryRun });
			output[0].push({
				json: {
					subject: subject as IDataObject,
					dryRun,
					found: timeline.records.length > 0,
					entries: timeline.entries as unknown as IDataObject[],
					lines: timeline.lines,
					records: timeline.records.map((r) => `${r.collection}/${r.key}`),
				},
				pairedItem: { item: itemIndex },
			});
		} catch (error) {
			failure = errorItem.call(this, output[0], error, itemIndex);
		}
		if (failure) throw failure;
	}
	return output;
}
