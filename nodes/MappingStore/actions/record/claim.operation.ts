import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { DEFAULT_PENDING_STATUS, type ReclaimStaleOptions, type RecordStore } from '../../../shared/store';
import {
	asJson,
	forOperation,
	historyField,
	keyField,
	readHistoryNote,
	readJson,
	readKey,
	readOptionalStatus,
	valueField,
} from './fields';

export const description: INodeProperties[] = forOperation('claim', [
	keyField,
	valueField('Value of the record if this execution creates it'),
	{
		displayName: 'Status',
		name: 'status',
		type: 'string',
		default: 'open',
		description:
			'Status of the record if this execution creates it. To let stale claims be reclaimed, claim with the Unfinished Claim Status (e.g. "pending") and Set the status to "open" once the work is done.',
	},
	historyField,
	{
		displayName: 'Reclaim Stale Claims After (Minutes)',
		name: 'reclaimAfterMinutes',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 0,
		description:
			'When the key exists with the Unfinished Claim Status and was last updated more than this many minutes ago, the execution that claimed it is taken to have failed: this claim wins (claimed and reclaimed are true). 0 never reclaims. Choose more than the longest time the work after the claim can take.',
	},
	{
		displayName: 'Unfinished Claim Status',
		name: 'pendingStatus',
		type: 'string',
		default: DEFAULT_PENDING_STATUS,
		description: 'The status that marks a claim whose work has not finished yet',
		displayOptions: { hide: { reclaimAfterMinutes: [0] } },
	},
]);

/**
 * Atomic insert-if-absent. Output: `{ claimed: true, reclaimed: false, record }` for exactly one of any number of
 * concurrent claims of a key; the others get `{ claimed: false, reclaimed: false, record }` with the existing record,
 * unchanged. With "Reclaim Stale Claims After" set, a stale unfinished claim is taken over by exactly one claim:
 * `{ claimed: true, reclaimed: true, record }`.
 */
export async function execute(
	this: IExecuteFunctions,
	store: RecordStore,
	collection: string,
	itemIndex: number,
): Promise<IDataObject[]> {
	const result = await store.claim(collection, readKey.call(this, itemIndex), {
		value: readJson.call(this, 'value', itemIndex),
		status: readOptionalStatus.call(this, itemIndex),
		history: readHistoryNote.call(this, itemIndex),
		reclaimStale: readReclaimStale.call(this, itemIndex),
	});
	return [{ claimed: result.claimed, reclaimed: result.reclaimed, record: asJson(result.record) }];
}

/** 0 or empty: no reclaim. An expression may give the minutes as text ("10"); the store validates the number. */
function readReclaimStale(this: IExecuteFunctions, itemIndex: number): ReclaimStaleOptions | undefined {
	const raw = this.getNodeParameter('reclaimAfterMinutes', itemIndex, 0) as unknown;
	if (raw === 0 || raw === '' || raw === undefined || raw === null) return undefined;
	const afterMinutes = typeof raw === 'string' ? Number(raw) : (raw as number);
	const status = this.getNodeParameter('pendingStatus', itemIndex, DEFAULT_PENDING_STATUS) as string;
	return { afterMinutes, status: status === '' ? DEFAULT_PENDING_STATUS : status };
}
