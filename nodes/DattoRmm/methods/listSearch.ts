import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { toNodeError } from '../../shared/transport/n8n';
import { dattoClientFor } from '../actions/common';

/** Most sites offered in the dropdown; type a part of the name to narrow a larger account down. */
const MAX_SITES = 500;

/** Site dropdown (resource locator "From List"): name filter passed to Datto's siteName filter. */
export async function searchSites(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	let items;
	try {
		const client = await dattoClientFor.call(this);
		({ items } = await client.listSites({ name: filter?.trim() || undefined, limit: MAX_SITES }));
	} catch (error) {
		throw toNodeError(this.getNode(), error);
	}
	const results = items
		.filter((site) => typeof site.uid === 'string' && site.uid !== '')
		.map((site) => ({ name: site.name || site.uid!, value: site.uid!, url: site.portalUrl ?? undefined }))
		.sort((a, b) => a.name.localeCompare(b.name));
	return { results };
}

/** Most components offered in the dropdown. */
const MAX_COMPONENTS = 1000;

/** Component dropdown (resource locator "From List"): the account's components, filtered by name here (Datto has no filter). */
export async function searchComponents(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	let items;
	try {
		const client = await dattoClientFor.call(this);
		({ items } = await client.listComponents({ limit: MAX_COMPONENTS }));
	} catch (error) {
		throw toNodeError(this.getNode(), error);
	}
	const wanted = filter?.trim().toLowerCase() ?? '';
	const results = items
		.filter((c) => typeof c.uid === 'string' && c.uid !== '')
		.filter((c) => !wanted || (c.name ?? '').toLowerCase().includes(wanted) || (c.categoryCode ?? '').toLowerCase().includes(wanted))
		.map((c) => ({ name: c.name || c.uid!, value: c.uid!, description: c.description ?? undefined }))
		.sort((a, b) => a.name.localeCompare(b.name));
	return { results };
}
