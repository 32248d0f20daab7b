/**
 * Status Page: the sync's state as one light HTML page (open alert ↔ ticket links with links to the Halo ticket and
 * the Datto alert, last delivery from each side and its age, failed events with a replay hint, decisions of the last
 * 24 h by kind, per-day counts, this process's API budget use). For the shipped status workflow: Webhook (GET) →
 * Sync Policy (Status Page) → Respond to Webhook with `html`. Runs once per execution; reads the store only.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { renderStatusPage, type StatusRateBudget } from '../../shared/domain/statusPage';
import { gatherStatus } from '../../shared/policy/runtime/status';
import { haloClientFor } from '../../shared/transport/halo';
import { clockOf, errorItem, storeOf } from './context';

const show = { show: { operation: ['statusPage'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'Halo Ticket Link',
		name: 'haloTicketUrl',
		type: 'string',
		default: '',
		// eslint-disable-next-line n8n-nodes-base/node-param-placeholder-miscased-id -- Halo's query parameter is "id"
		placeholder: 'https://yourco.halopsa.com/ticket?id={ticket}',
		description: 'Link to a ticket in Halo with {ticket} where the ticket number goes; empty: ticket numbers without links',
		displayOptions: show,
	},
	{
		displayName: 'Open Links to List',
		name: 'maxOpenLinks',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 200,
		description: 'How many open alert ↔ ticket links the page lists (newest first; the rest is counted)',
		displayOptions: show,
	},
];

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const out: INodeExecutionData[] = [];
	try {
		const store = await storeOf.call(this, 0);
		const rateBudget: StatusRateBudget[] = [];
		const halo = await haloClientFor(this, 0).catch(() => undefined);
		if (halo) {
			const counts = halo.requestCounts();
			rateBudget.push({ api: 'HaloPSA', requests: counts.apiRequests, rateLimited: counts.rateLimited, limit: null });
		}
		const data = await gatherStatus(store, clockOf.call(this, 0), {
			dryRun: this.getNodeParameter('dryRun', 0, false) as boolean,
			haloTicketUrl: (this.getNodeParameter('haloTicketUrl', 0, '') as string).trim() || null,
			maxOpenLinks: this.getNodeParameter('maxOpenLinks', 0, 200) as number,
			rateBudget,
		});
		out.push({ json: { html: renderStatusPage(data), ...data } as unknown as IDataObject, pairedItem: { item: 0 } });
	} catch (error) {
		const failure = errorItem.call(this, out, error, 0);
		if (failure) throw failure;
	}
	return [out];
}
