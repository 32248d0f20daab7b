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
