/** Shared by "Get Many Open" and "Get Many Resolved": scope (account / site / device), paging, muted filter, output. */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { DattoAlertScope, DattoClient } from '../../../shared/transport/datto';
import {
	alertOutput,
	alertOutputField,
	alertOutputOptionsField,
	forOperation,
	readAlertOutput,
	readPaging,
	readRequiredString,
	readSiteUid,
	returnAllFields,
	siteLocator,
} from '../common';

export function listDescription(operation: string): INodeProperties[] {
	return forOperation('alert', operation, [
		{
			displayName: 'Scope',
			name: 'scope',
			type: 'options',
			default: 'account',
			options: [
				{ name: 'Account', value: 'account', description: 'Alerts of every site' },
				{ name: 'Device', value: 'device', description: 'Alerts of one device' },
				{ name: 'Site', value: 'site', description: 'Alerts of one site' },
			],
		},
		siteLocator({ displayOptions: { show: { scope: ['site'] } } }),
		{
			displayName: 'Device UID',
			name: 'deviceUid',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'e.g. 0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0',
			displayOptions: { show: { scope: ['device'] } },
		},
		...returnAllFields('alerts'),
		{
			displayName: 'Filters',
			name: 'filters',
			type: 'collection',
			placeholder: 'Add Filter',
			default: {},
			options: [
				{
					displayName: 'Muted',
					name: 'muted',
					type: 'options',
					default: 'any',
					options: [
						{ name: 'Any', value: 'any', description: 'Muted and unmuted alerts' },
						{ name: 'Muted Only', value: 'true' },
						{ name: 'Unmuted Only', value: 'false' },
					],
				},
			],
		},
		alertOutputField,
		alertOutputOptionsField,
	]);
}

export async function listAlerts(
	this: IExecuteFunctions,
	client: DattoClient,
	itemIndex: number,
	state: 'open' | 'resolved',
): Promise<IDataObject[]> {
	const scope = this.getNodeParameter('scope', itemIndex, 'account') as DattoAlertScope;
	const uid =
		scope === 'site'
			? readSiteUid.call(this, itemIndex)
			: scope === 'device'
				? readRequiredString.call(this, 'deviceUid', itemIndex)
				: undefined;
	const filters = this.getNodeParameter('filters', itemIndex, {}) as IDataObject;
	const muted = filters.muted === 'true' ? true : filters.muted === 'false' ? false : undefined;
	const { returnAll, limit } = readPaging.call(this, itemIndex);
	const options = { scope, uid, returnAll, limit, muted };
	const result = state === 'open' ? await client.listOpenAlerts(options) : await client.listResolvedAlerts(options);
	const output = readAlertOutput.call(this, client, itemIndex);
	return result.items.map((alert) => alertOutput(alert, output));
}
