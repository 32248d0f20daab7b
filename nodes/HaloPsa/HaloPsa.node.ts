import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { properties } from './actions/node.description';
import { router } from './actions/router';
import * as loadOptions from '../shared/n8n/haloLoadOptions';

/** HaloPSA tickets (incl. "create from Datto RMM alert", close and reopen with a note in one call), clients, sites. */
export class HaloPsa implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'HaloPSA',
		name: 'haloPsa',
		icon: { light: 'file:../../icons/halo.svg', dark: 'file:../../icons/halo.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Create, update, close and reopen HaloPSA tickets (also from Datto RMM alerts); look up clients, sites and assets',
		defaults: { name: 'HaloPSA' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'haloPsaApi', required: true }],
		properties,
	};

	methods = {
		loadOptions: {
			getAgents: loadOptions.getAgents,
			getClients: loadOptions.getClients,
			getOutcomes: loadOptions.getOutcomes,
			getPriorities: loadOptions.getPriorities,
			getSites: loadOptions.getSites,
			getStatuses: loadOptions.getStatuses,
			getTeams: loadOptions.getTeams,
			getTicketTypes: loadOptions.getTicketTypes,
		},
		listSearch: {
			searchAssets: loadOptions.searchAssets,
			searchClients: loadOptions.searchClients,
			searchSites: loadOptions.searchSites,
			searchTickets: loadOptions.searchTickets,
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
