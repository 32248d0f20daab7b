import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { DattoClient } from '../../../shared/transport/datto';
import { forOperation, readRequiredString } from '../common';
import { alertUidField } from './fields';

export const description: INodeProperties[] = forOperation('alert', 'resolve', [
	alertUidField,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Check First',
				name: 'checkFirst',
				type: 'boolean',
				default: true,
				description:
					"Whether to read the alert first and skip the resolve call when it is already resolved. Costs one read; saves a call from Datto's resolve quota (100 per minute) and reports alreadyResolved reliably.",
			},
		],
	},
]);

/**
 * POST /v2/alert/{uid}/resolve. Idempotent: an alert that is already resolved is a success with
 * `alreadyResolved: true` (found by the check, or when Datto refuses the resolve and the alert reads as resolved).
 */
export async function execute(this: IExecuteFunctions, client: DattoClient, itemIndex: number): Promise<IDataObject[]> {
	const alertUid = readRequiredString.call(this, 'alertUid', itemIndex);
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const checkFirst = options.checkFirst !== false;
	if (checkFirst) {
		const alert = await client.getAlert(alertUid);
		if (alert.resolved === true) {
			return [
				{
					alertUid: alert.alertUid ?? alertUid,
					resolved: true,
					alreadyResolved: true,
					resolvedBy: alert.resolvedBy ?? null,
					resolvedOn: alert.resolvedOnIso,
				},
			];
		}
	}
	const result = await client.resolveAlert(alertUid);
	return [{ ...result, resolvedBy: null, resolvedOn: result.alreadyResolved ? null : new Date().toISOString() }];
}
