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
	const result = await lookupWithFallback(store, collection, {
		key: this.getNodeParameter('lookupKey', itemIndex) as string,
		name: this.getNodeParameter('lookupName', itemIndex) as string,
		fallbackValue: fallback === '' ? undefined : decodeValueCell(fallback),
	});
	return [asJson(result)];
}
