import { updateDisplayOptions, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import { withIsoDates } from '../../../shared/domain/haloRecords';
import type { HaloClient, HaloTicketFilters } from '../../../shared/transport/halo';
import { optionalId } from '../../../shared/n8n/params';
import { readReturnAllLimit, returnAllLimitFields } from '../../../shared/n8n/descriptions';

const properties: INodeProperties[] = [
	...returnAllLimitFields(),
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		options: [
			{
				displayName: 'Agent Name or ID',
				name: 'agentId',
				type: 'options',
				description: 'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
				typeOptions: { loadOptionsMethod: 'getAgents' },
				default: '',
			},
			{
				displayName: 'Client Name or ID',
				name: 'clientId',
				type: 'options',
				description: 'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
				typeOptions: { loadOptionsMethod: 'getClients' },
				default: '',
			},
			{
				displayName: 'Search',
				name: 'search',
				type: 'string',
				default: '',
				description: "Halo's search (summary, ID and more)",
			},
			{
				displayName: 'Site Name or ID',
				name: 'siteId',
				type: 'options',
				description: 'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
				typeOptions: { loadOptionsMethod: 'getSites' },
				default: '',
			},
			{
				displayName: 'State',
				name: 'state',
				type: 'options',
				options: [
					{ name: 'All', value: 'all' },
					{ name: 'Closed Only', value: 'closed' },
					{ name: 'Open Only', value: 'open' },
				],
				default: 'all',
			},
			{
				displayName: 'Status Name or ID',
				name: 'statusId',
				type: 'options',
				description: 'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
				typeOptions: { loadOptionsMethod: 'getStatuses' },
				default: '',
			},
			{
				displayName: 'Ticket IDs',
				name: 'ticketIds',
				type: 'string',
				default: '',
				placeholder: 'e.g. 1001,1002',
				description:
					'Only these tickets (comma-separated IDs, one request for all of them). Set but empty or without a valid ID: no ticket is returned.',
			},
			{
				displayName: 'Ticket Type Name or ID',
				name: 'ticketTypeId',
				type: 'options',
				description: 'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
				typeOptions: { loadOptionsMethod: 'getTicketTypes' },
				default: '',
			},
			{ displayName: 'User ID', name: 'userId', type: 'number', default: 0 },
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['ticket'], operation: ['getMany'] } }, properties);

/**
 * GET /Tickets, paged (page_size 100). Halo silently ignores unknown filters, so id filters are re-checked on the
 * records. Output: one item per ticket (dates as ISO).
 */
export async function execute(this: IExecuteFunctions, itemIndex: number, client: HaloClient): Promise<IDataObject[]> {
	const { returnAll, limit } = readReturnAllLimit.call(this, itemIndex);
	const f = this.getNodeParameter('filters', itemIndex, {}) as IDataObject;
	const filters: HaloTicketFilters = {
		agentId: optionalId(f.agentId),
		clientId: optionalId(f.clientId),
		siteId: optionalId(f.siteId),
		statusId: optionalId(f.statusId),
		ticketTypeId: optionalId(f.ticketTypeId),
		userId: optionalId(f.userId),
		search: typeof f.search === 'string' && f.search.trim() ? f.search.trim() : undefined,
		openOnly: f.state === 'open',
		closedOnly: f.state === 'closed',
		ticketIds: f.ticketIds === undefined ? undefined : ticketIdList(f.ticketIds),
	};
	// The filter was set but names no ticket (e.g. an expression over an empty list): no request, nothing returned,
	// never "every ticket".
	if (filters.ticketIds && filters.ticketIds.length === 0) return [];
	const tickets = await client.listTickets(filters, { returnAll, limit });
	return tickets.map((t) => withIsoDates(t) as IDataObject);
}

/** "1001, 1002" (or a number, or an array) → [1001, 1002]; anything that is not a positive integer is dropped. */
export function ticketIdList(value: unknown): number[] {
	const parts = Array.isArray(value) ? value : String(value ?? '').split(',');
	const ids = parts.map((p) => Number(String(p).trim())).filter((n) => Number.isInteger(n) && n > 0);
	return [...new Set(ids)];
}
