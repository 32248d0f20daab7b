/** Dropdowns: tenant-specific ids (statuses, priorities, ticket types, outcomes, teams, agents, clients, sites). */
import type { ILoadOptionsFunctions, INodeListSearchResult, INodePropertyOptions } from 'n8n-workflow';

import { outcomeName, haloClientFor, type HaloClient } from '../transport/halo';
import { toNodeError } from '../transport/n8n';
import { cachedStatuses } from '../halo';
import { optionalId } from '../domain/values';

const byName = (a: INodePropertyOptions, b: INodePropertyOptions) => a.name.localeCompare(b.name);

async function load(
	context: ILoadOptionsFunctions,
	fetch: (client: HaloClient) => Promise<INodePropertyOptions[]>,
): Promise<INodePropertyOptions[]> {
	try {
		return (await fetch(await haloClientFor(context))).sort(byName);
	} catch (error) {
		throw toNodeError(context.getNode(), error);
	}
}

function currentParameter(context: ILoadOptionsFunctions, ...names: string[]): unknown {
	for (const name of names) {
		try {
			const value = context.getCurrentNodeParameter(name);
			if (value !== undefined && value !== '') return value;
		} catch {
			// not a parameter of this operation
		}
	}
	return undefined;
}

export async function getStatuses(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	return await load(this, async (client) =>
		(await cachedStatuses(client, true)).map((s) => ({
			name: s.name || `Status ${s.id}`,
			value: s.id,
			description: `ID ${s.id}${s.type !== undefined && s.type !== null ? `, type ${s.type}` : ''}`,
		})),
	);
}

/** Priorities are GUID-keyed per SLA; tickets take the integer `priorityid`, so options are per priorityid. */
export async function getPriorities(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	return await load(this, async (client) => {
		const seen = new Map<number, INodePropertyOptions>();
		for (const p of await client.listPriorities()) {
			if (typeof p.priorityid !== 'number') continue;
			const label = `${p.name ?? `Priority ${p.priorityid}`}${p.slaid ? ` (SLA ${p.slaid})` : ''}`;
			const existing = seen.get(p.priorityid);
			if (existing) existing.description = `${existing.description}; ${label}`;
			else seen.set(p.priorityid, { name: `${p.priorityid} - ${p.name ?? ''}`.trim(), value: p.priorityid, description: label });
		}
		return [...seen.values()];
	});
}

export async function getTicketTypes(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	return await load(this, async (client) =>
		(await client.listTicketTypes())
			.filter((t) => t.inactive !== true)
			.map((t) => ({ name: t.name || `Ticket type ${t.id}`, value: t.id, description: `ID ${t.id}` })),
	);
}

export async function getOutcomes(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	return await load(this, async (client) =>
		(await client.listOutcomes()).map((o) => ({
			name: outcomeName(o),
			value: o.id,
			description: `ID ${o.id}${o.newstatus ? `, sets status ${o.newstatus}` : ''}`,
		})),
	);
}

export async function getTeams(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	return await load(this, async (client) =>
		(await client.listTeams())
			.filter((t) => t.inactive !== true)
			.map((t) => ({ name: t.name || `Team ${t.id}`, value: t.id, description: `ID ${t.id}` })),
	);
}

export async function getAgents(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	return await load(this, async (client) =>
		(await client.listAgents())
			.filter((a) => a.isdisabled !== true)
			.map((a) => ({ name: a.name || `Agent ${a.id}`, value: a.id, description: `ID ${a.id}` })),
	);
}

export async function getClients(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	return await load(this, async (client) =>
		(await client.listClients({}, { returnAll: true })).map((c) => ({
			name: c.name || `Client ${c.id}`,
			value: c.id,
			description: `ID ${c.id}`,
		})),
	);
}

/** Sites of the client chosen in the node (clientId, or client_id in Update Fields); all sites otherwise. */
export async function getSites(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const clientId = optionalId(currentParameter(this, 'clientId', 'updateFields.client_id', 'fallbackClientId', 'filters.clientId'));
	return await load(this, async (client) =>
		(await client.listSites(clientId === undefined ? {} : { clientId }, { returnAll: true })).map((s) => ({
			name: clientId === undefined ? s.clientsite_name || `${s.client_name ?? ''}/${s.name ?? ''}` : s.name || `Site ${s.id}`,
			value: s.id,
			description: `ID ${s.id}`,
		})),
	);
}

// -----------------------------------------------------------------------------------------------------------------
// Resource locators ("From List" mode): search by name, at most MAX_LIST results

const MAX_LIST = 200;

async function search(context: ILoadOptionsFunctions, fetch: (client: HaloClient) => Promise<INodePropertyOptions[]>): Promise<INodeListSearchResult> {
	try {
		const results = (await fetch(await haloClientFor(context))).sort(byName);
		return { results: results.map((r) => ({ name: r.name, value: r.value as number })) };
	} catch (error) {
		throw toNodeError(context.getNode(), error);
	}
}

const filterText = (filter?: string): string | undefined => filter?.trim() || undefined;

export async function searchClients(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	return await search(this, async (client) =>
		(await client.listClients({ search: filterText(filter) }, { limit: MAX_LIST })).map((c) => ({ name: c.name || `Client ${c.id}`, value: c.id })),
	);
}

export async function searchSites(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	return await search(this, async (client) =>
		(await client.listSites({ search: filterText(filter) }, { limit: MAX_LIST })).map((s) => ({
			name: s.clientsite_name || `${s.client_name ?? ''}/${s.name ?? `Site ${s.id}`}`,
			value: s.id,
		})),
	);
}

export async function searchAssets(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	return await search(this, async (client) =>
		(await client.listAssets({ search: filterText(filter) }, { limit: MAX_LIST })).map((a) => ({
			name: `${a.inventory_number || a.key_field || `Asset ${a.id}`}${a.client_name ? ` (${a.client_name})` : ''}`,
			value: a.id,
		})),
	);
}

export async function searchTickets(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	return await search(this, async (client) =>
		(await client.listTickets({ search: filterText(filter), openOnly: true }, { limit: MAX_LIST })).map((t) => ({ name: `#${t.id} ${t.summary ?? ''}`.trim(), value: t.id })),
	);
}
