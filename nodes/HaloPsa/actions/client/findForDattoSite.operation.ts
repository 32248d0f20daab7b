import { updateDisplayOptions, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import { resolveHaloTarget, targetSummary } from '../../../shared/halo';
import type { HaloClient } from '../../../shared/transport/halo';
import { dattoSiteFields, siteRequest } from './mappingFields';

const properties: INodeProperties[] = [...dattoSiteFields];

export const description = updateDisplayOptions({ show: { resource: ['client'], operation: ['findForDattoSite'] } }, properties);

/**
 * The Halo client and site of a Datto RMM site, by the automatic rules: a Halo site with datto_id = site UID, a Halo
 * client with it, the one client named like the site, else the catch-all (a Mapping Store row, rule 1, is looked up
 * by the Mapping Store node). Output: `{ matchedBy, reason, notes, clientId, clientName, siteId, siteName }`.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number, client: HaloClient): Promise<IDataObject> {
	const { ttlMs, ...site } = siteRequest.call(this, itemIndex);
	const target = await resolveHaloTarget(client, { ...site, asset: false }, { ttlMs });
	const c = targetSummary(target).client as IDataObject;
	return {
		matchedBy: c.matchedBy,
		reason: c.reason,
		notes: c.notes,
		clientId: c.id,
		clientName: c.name,
		siteId: c.siteId,
		siteName: c.siteName,
	};
}
