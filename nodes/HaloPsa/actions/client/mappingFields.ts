/** Parameters shared by Client → Find for Datto Site and Asset → Find for Datto Device (each shows its own copy). */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { optionalId } from '../../../shared/n8n/params';
import type { HaloTargetRequest } from '../../../shared/halo';

export const dattoSiteFields: INodeProperties[] = [
	{
		displayName: 'Datto Site UID',
		name: 'dattoSiteUid',
		type: 'string',
		default: '={{ $json.site?.uid ?? $json.siteUid ?? "" }}',
		description: "The Datto RMM site UID (matched with Halo's datto_id on sites and clients)",
	},
	{
		displayName: 'Datto Site Name',
		name: 'dattoSiteName',
		type: 'string',
		default: '={{ $json.site?.name ?? $json.siteName ?? "" }}',
		description: 'The Datto RMM site name (matched with Halo client names after normalisation)',
	},
	{
		displayName: 'Catch-All Client Name or ID',
		name: 'catchAllClientId',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getClients' },
		default: '',
		description:
			'Returned (matchedBy catchAll) when no rule matches; empty → matchedBy none. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	},
	{
		displayName: 'Mapping Refresh (Minutes)',
		name: 'mappingTtlMinutes',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 60,
		description: 'How long the Halo client/site index is reused before a background refresh',
	},
];

export function siteRequest(this: IExecuteFunctions, itemIndex: number): Pick<HaloTargetRequest, 'site' | 'catchAllClientId'> & { ttlMs: number } {
	const text = (name: string) => String(this.getNodeParameter(name, itemIndex, '') ?? '').trim();
	const minutes = this.getNodeParameter('mappingTtlMinutes', itemIndex, 60) as number;
	return {
		site: { uid: text('dattoSiteUid') || null, name: text('dattoSiteName') || null },
		catchAllClientId: optionalId(this.getNodeParameter('catchAllClientId', itemIndex, '')) ?? null,
		ttlMs: (minutes > 0 ? minutes : 60) * 60_000,
	};
}

export type Output = IDataObject;
