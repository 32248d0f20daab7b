import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { RecordStore, ValueWriteMode } from '../../../shared/store';
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

export const description: INodeProperties[] = forOperation('set', [
	keyField,
	valueField('Value to store, e.g. {"ticketId": 1234}'),
	{
		displayName: 'Value Mode',
		name: 'mode',
		type: 'options',
		options: [
			{
				name: 'Merge',
				value: 'merge',
				description:
					'Add the top-level properties to the stored object (replaces it if either is not an object)',
			},
			{ name: 'Replace', value: 'replace', description: 'Store the value as given' },
		],
		default: 'replace',
	},
	{
		displayName: 'Status',
		name: 'status',
		type: 'string',
		default: '',
		placeholder: 'e.g. open',
		description:
			'New status; empty keeps the current one ("open" for a new record). "closed" stamps Closed At.',
	},
	historyField,
	{
		displayName: 'Keep Updated At',
		name: 'keepUpdatedAt',
		type: 'boolean',
		default: false,
		description:
			'Whether to leave an existing record\'s Updated At unchanged, for notes that only log an event (e.g. a duplicate delivery): Updated At is the clock of "Reclaim Stale Claims", and a repeat must not make an abandoned claim look alive',
	},
]);

/** Upsert. Output: `{ created, record }`. */
export async function execute(
	this: IExecuteFunctions,
	store: RecordStore,
	collection: string,
	itemIndex: number,
): Promise<IDataObject[]> {
	const result = await store.set(collection, readKey.call(this, itemIndex), {
		value: readJson.call(this, 'value', itemIndex),
		mode: this.getNodeParameter('mode', itemIndex) as ValueWriteMode,
		status: readOptionalStatus.call(this, itemIndex),
		history: readHistoryNote.call(this, itemIndex),
		keepUpdatedAt: this.getNodeParameter('keepUpdatedAt', itemIndex, false) as boolean,
	});
	return [{ created: result.created, record: asJson(result.record) }];
}
