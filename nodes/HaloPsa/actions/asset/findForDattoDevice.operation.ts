import { updateDisplayOptions, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import { clientAssets, resolveHaloTarget, targetSummary } from '../../../shared/halo';
import type { HaloClient } from '../../../shared/transport/halo';
import { dattoSiteFields, siteRequest } from '../client/mappingFields';

const properties: INodeProperties[] = [
	{
		displayName: 'Datto Device UID',
		name: 'dattoDeviceUid',
		type: 'string',
		default: '={{ $json.device?.uid ?? $json.deviceUid ?? "" }}',
		description: "The Datto RMM device UID (matched with the Halo asset's datto_id)",
	},
	{
		displayName: 'Hostname',
		name: 'hostname',
		type: 'string',
		default: '={{ $json.device?.hostname ?? $json.hostname ?? "" }}',
		description: 'Matched with the inventory number / key field when no asset has the datto_id (only a unique match counts)',
	},
	...dattoSiteFields,
];

export const description = updateDisplayOptions({ show: { resource: ['asset'], operation: ['findForDattoDevice'] } }, properties);

/**
 * The Halo asset of a Datto device: first the client of its Datto site (same rules as Create From Alert), then the
 * client's asset with datto_id = device UID, else the one named like the hostname. Cached lists: no Halo call in
 * steady state. Output: `{ found, asset: { id, name, matchedBy, reason }, client: {…}, record }` (record: the asset
 * from the client's asset list, or null).
 */
export async function execute(this: IExecuteFunctions, itemIndex: number, client: HaloClient): Promise<IDataObject> {
	const { ttlMs, ...site } = siteRequest.call(this, itemIndex);
	const uid = String(this.getNodeParameter('dattoDeviceUid', itemIndex, '') ?? '').trim();
	const hostname = String(this.getNodeParameter('hostname', itemIndex, '') ?? '').trim();
	const target = await resolveHaloTarget(client, { ...site, device: { uid: uid || null, hostname: hostname || null } }, { ttlMs });
	const summary = targetSummary(target);
	const assetId = target.asset?.assetId ?? null;
	let record: IDataObject | null = null;
	if (assetId !== null) {
		record = ((await clientAssets(client, target.client.clientId as number, { ttlMs })).find((a) => a.id === assetId) as IDataObject) ?? null;
	}
	return { found: assetId !== null, asset: summary.asset as IDataObject, client: summary.client as IDataObject, record };
}
