/**
 * Field definitions and parameter readers shared by the record operations.
 */
import {
	NodeOperationError,
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeProperties,
} from 'n8n-workflow';

import type { HistoryNote, JsonObject, JsonValue, StoreKey } from '../../../shared/store';

export type RecordOperation =
	| 'claim'
	| 'delete'
	| 'export'
	| 'get'
	| 'import'
	| 'list'
	| 'lookup'
	| 'purge'
	| 'set'
	| 'updateStatus';

/** Shows `properties` only for the given record operation. */
export function forOperation(operation: RecordOperation, properties: INodeProperties[]): INodeProperties[] {
	return updateDisplayOptions({ show: { resource: ['record'], operation: [operation] } }, properties);
}

export const keyField: INodeProperties = {
	displayName: 'Key',
	name: 'key',
	type: 'string',
	required: true,
	default: '',
	placeholder: 'e.g. the Datto alert UID',
	description:
		'Identifies the record within the collection. A number (e.g. a Halo ticket ID from an expression) is stored as its text: 123 and "123" are the same key.',
};

/** The key parameter as the expression gave it: text or a number (the store turns numbers into text). */
export function readKey(this: IExecuteFunctions, itemIndex: number): StoreKey {
	return this.getNodeParameter('key', itemIndex) as StoreKey;
}

export function valueField(description: string): INodeProperties {
	return { displayName: 'Value (JSON)', name: 'value', type: 'json', default: '{}', description };
}

export const historyField: INodeProperties = {
	displayName: 'History Entry',
	name: 'history',
	type: 'collection',
	placeholder: 'Add History Entry Field',
	default: {},
	description: "Appends an entry to the record's decision log (the oldest entries are dropped beyond 50)",
	options: [
		{
			displayName: 'Data (JSON)',
			name: 'data',
			type: 'json',
			default: '{}',
			description: 'Anything else worth keeping, e.g. the ticket ID',
		},
		{
			displayName: 'Event',
			name: 'event',
			type: 'string',
			default: '',
			placeholder: 'e.g. ticketCreated',
			description: 'What happened (required when an entry is added)',
		},
		{
			displayName: 'Reason',
			name: 'reason',
			type: 'string',
			default: '',
			placeholder: 'e.g. New critical alert for this device',
			description: 'Why it happened',
		},
	],
};

/** Reads a `json` parameter: JSON text is parsed, values an expression produced are taken as they are. */
export function readJson(this: IExecuteFunctions, name: string, itemIndex: number): JsonValue {
	const raw = this.getNodeParameter(name, itemIndex) as unknown;
	if (typeof raw !== 'string') return raw as JsonValue;
	try {
		return JSON.parse(raw) as JsonValue;
	} catch {
		throw new NodeOperationError(this.getNode(), `The parameter "${name}" is not valid JSON`, { itemIndex });
	}
}

/** The history note of the `history` collection, or undefined when no field is filled in. */
export function readHistoryNote(this: IExecuteFunctions, itemIndex: number): HistoryNote | undefined {
	const fields = this.getNodeParameter('history', itemIndex, {}) as IDataObject;
	const event = typeof fields.event === 'string' ? fields.event : '';
	const reason = typeof fields.reason === 'string' && fields.reason !== '' ? fields.reason : undefined;
	let data: JsonValue | undefined;
	if (typeof fields.data === 'string') {
		try {
			data = JSON.parse(fields.data) as JsonValue;
		} catch {
			throw new NodeOperationError(this.getNode(), 'The history data is not valid JSON', { itemIndex });
		}
	} else if (fields.data !== undefined) {
		data = fields.data as JsonValue;
	}
	if (event === '' && reason === undefined && data === undefined) return undefined;
	if (event === '') {
		throw new NodeOperationError(this.getNode(), 'A history entry needs an event', { itemIndex });
	}
	return { event, ...(reason === undefined ? {} : { reason }), ...(data === undefined ? {} : { data }) };
}

/**
 * A `json` parameter holding properties to merge into a value: undefined when empty (`''`, `{}`), else the value as
 * given (the store rejects anything but a JSON object with a clear message).
 */
export function readMergeObject(
	this: IExecuteFunctions,
	name: string,
	itemIndex: number,
): JsonObject | undefined {
	const raw = this.getNodeParameter(name, itemIndex, '') as unknown;
	if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) return undefined;
	const value = readJson.call(this, name, itemIndex);
	const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
	if (isObject && Object.keys(value).length === 0) return undefined;
	return value as JsonObject;
}

/** An empty status field means "not given". */
export function readOptionalStatus(this: IExecuteFunctions, itemIndex: number): string | undefined {
	const status = this.getNodeParameter('status', itemIndex, '') as string;
	return status === '' ? undefined : status;
}

/** Store results are plain JSON; this only tells TypeScript so. */
export function asJson(value: object): IDataObject {
	return value as IDataObject;
}
