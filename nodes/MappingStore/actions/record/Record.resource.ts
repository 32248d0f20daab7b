import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { RecordStore } from '../../../shared/store';
import * as claim from './claim.operation';
import * as deleteRecord from './delete.operation';
import * as exportRecords from './export.operation';
import type { RecordOperation } from './fields';
import * as get from './get.operation';
import * as importRecords from './import.operation';
import * as list from './list.operation';
import * as lookup from './lookup.operation';
import * as purge from './purge.operation';
import * as set from './set.operation';
import * as updateStatus from './updateStatus.operation';

/** Runs one operation for one item and returns the output items' JSON (paired with the item by the router). */
export type OperationExecutor = (
	this: IExecuteFunctions,
	store: RecordStore,
	collection: string,
	itemIndex: number,
) => Promise<IDataObject[]>;

export const operations: Record<
	RecordOperation,
	{ description: INodeProperties[]; execute: OperationExecutor }
> = {
	claim,
	delete: deleteRecord,
	export: exportRecords,
	get,
	import: importRecords,
	list,
	lookup,
	purge,
	set,
	updateStatus,
};

export const recordProperties: INodeProperties[] = [
	{
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		options: [{ name: 'Record', value: 'record' }],
		default: 'record',
	},
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['record'] } },
		options: [
			{
				name: 'Claim',
				value: 'claim',
				description:
					'Create a record only if the key is new (or holds a stale unfinished claim); says whether this execution won',
				action: 'Claim a key',
			},
			{ name: 'Delete', value: 'delete', description: 'Delete a record', action: 'Delete a record' },
			{
				name: 'Export',
				value: 'export',
				description: 'Export the collection as CSV or JSON',
				action: 'Export records',
			},
			{ name: 'Get', value: 'get', description: 'Get a record by key', action: 'Get a record' },
			{
				name: 'Import',
				value: 'import',
				description: 'Upsert records from CSV or JSON, e.g. to seed the site → client table',
				action: 'Import records',
			},
			{
				name: 'List',
				value: 'list',
				description: 'List records by status or key prefix',
				action: 'List records',
			},
			{
				name: 'Lookup',
				value: 'lookup',
				description: 'Find a value by exact key, then by normalised name, then a fallback',
				action: 'Look up a value with fallback',
			},
			{
				name: 'Purge',
				value: 'purge',
				description: 'Delete closed records older than a number of hours',
				action: 'Purge closed records',
			},
			{
				name: 'Set',
				value: 'set',
				description: 'Create or update a record',
				action: 'Set a record',
			},
			{
				name: 'Update Status',
				value: 'updateStatus',
				description: "Change a record's status (closed stamps Closed At) and optionally merge into its value",
				action: 'Update the status of a record',
			},
		],
		default: 'claim',
	},
	...Object.values(operations).flatMap((operation) => operation.description),
];
