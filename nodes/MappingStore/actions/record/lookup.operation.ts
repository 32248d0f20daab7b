import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { decodeValueCell, lookupWithFallback, type RecordStore } from '../../../shared/store';
import { asJson, forOperation } from './fields';

export const description: INodeProperties[] = forOperation('lookup', [
	{
		displayName: 'Key',
		name: 'lookupKey',
		type: 'string',
		default: '',
		placeholder: 'e.g. the Datto site UID',
		description: 'Matched exactly against record keys (rule "exactKey")',
	},
	{
		displayName: 'Name',
		name: 'lookupName',
		type: 'string',
		default: '',
		placeholder: 'e.g. the Datto site name',
		description:
			'Matched against record keys and value.name ignoring case, punctuation and spaces (rule "name"); the key when empty',
	},
	{
		displayName: 'Fallback Value',
		name: 'fallbackValue',
		type: 'string',
		default: '',
		placeholder: 'e.g. {"clientId": 1}',
		description:
			'Returned when nothing matches (rule "fallback"); JSON is read as JSON, other text as text. Empty: no fallback (rule "none").',
	},
]);

/** Output: `{ matchedBy, key, value, record, otherMatches }` (lookup.ts). */
export async function execute(
	this: IExecuteFunctions,
	store: RecordStore,
	collection: string,
	itemIndex: number,
): Promise<IDataObject[]> {
	const fallback = this.getNodeParameter('fallbackValue', itemIndex) as string;
	const key = this.getNodeParameter('lookupKey', itemIndex) as string | null;
	const name = this.getNodeParameter('lookupName', itemIndex) as string | null;
	// An alert without site information (null / blank key and name) and no fallback: nothing can match, which is rule
	// "none" as the Fallback Value field says (the shipped workflows then map the alert through Halo), not an error.
	const blank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
	if (blank(key) && blank(name) && fallback === '') {
		return [{ matchedBy: 'none', key: null, value: null, record: null, otherMatches: [] }];
	}
	const result = await lookupWithFallback(store, collection, {
		key: key as string,
		name: name as string,
		fallbackValue: fallback === '' ? undefined : decodeValueCell(fallback),
	});
	return [asJson(result)];
}
