import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import {
	parseImportCsv,
	parseImportJson,
	type RecordStore,
	type TransferFormat,
} from '../../../shared/store';
import { forOperation, historyField, readHistoryNote } from './fields';
import { formatField } from './transferFormat';

export const description: INodeProperties[] = forOperation('import', [
	formatField,
	{
		displayName: 'CSV',
		name: 'csv',
		type: 'string',
		typeOptions: { rows: 8 },
		default: 'key,value\n',
		required: true,
		placeholder: 'key,value\nsite-uid-1,"{""clientId"": 12, ""name"": ""ACME""}"\nsite-uid-2,Contoso',
		description: 'A value that is valid JSON is stored as JSON, anything else as text',
		displayOptions: { show: { format: ['csv'] } },
	},
	{
		displayName: 'JSON',
		name: 'json',
		type: 'json',
		default: '[]',
		required: true,
		description: 'Array of objects with key, value and optionally status',
		placeholder: '[{"key": "site-uid-1", "value": {"clientId": 12}}]',
		displayOptions: { show: { format: ['json'] } },
	},
	historyField,
]);

/** Upserts every row (value replaced, status set; all or nothing on Postgres). Output: `{ count, created, updated }`. */
export async function execute(
	this: IExecuteFunctions,
	store: RecordStore,
	collection: string,
	itemIndex: number,
): Promise<IDataObject[]> {
	const format = this.getNodeParameter('format', itemIndex) as TransferFormat;
	const rows =
		format === 'csv'
			? parseImportCsv(this.getNodeParameter('csv', itemIndex) as string)
			: parseImportJson(this.getNodeParameter('json', itemIndex));
	const result = await store.importRecords(collection, rows, readHistoryNote.call(this, itemIndex));
	return [{ count: rows.length, created: result.created, updated: result.updated }];
}
