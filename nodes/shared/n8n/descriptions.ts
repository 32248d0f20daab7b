/**
 * Node parameter descriptions shared by the operations of several nodes (n8n's own nodes keep these in a
 * `descriptions/` module too): Return All / Limit.
 */
import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

/** The Return All switch and the Limit shown when it is off; `hint` explains the API's paging on the Limit field. */
export function returnAllLimitFields(options: { hint?: string } = {}): INodeProperties[] {
	return [
		{
			displayName: 'Return All',
			name: 'returnAll',
			type: 'boolean',
			default: false,
			description: 'Whether to return all results or only up to a given limit',
		},
		{
			displayName: 'Limit',
			name: 'limit',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 50,
			description: 'Max number of results to return',
			displayOptions: { show: { returnAll: [false] } },
			...(options.hint ? { hint: options.hint } : {}),
		},
	];
}

/** Return All / Limit of item `itemIndex`: `limit` is undefined when Return All is on. */
export function readReturnAllLimit(this: IExecuteFunctions, itemIndex: number): { returnAll: boolean; limit: number | undefined } {
	const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
	return { returnAll, limit: returnAll ? undefined : (this.getNodeParameter('limit', itemIndex, 50) as number) };
}
