/**
 * Output shaping, common to every operation: the operation's result as the item ("Result Only", the default), or the
 * input item with the result under a field ("Input Item With Result in a Field"), so the next node still sees the
 * alert that came in. Output items are always paired with their input item.
 */
import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

export type OutputMode = 'result' | 'inputWithResult';

export interface OutputShape {
	mode: OutputMode;
	/** Top-level property of the input JSON that receives the result (inputWithResult only). */
	field: string;
}

export const DEFAULT_RESULT_FIELD = 'store';
export const RESULT_ONLY: OutputShape = { mode: 'result', field: DEFAULT_RESULT_FIELD };

export const outputProperties: INodeProperties[] = [
	{
		displayName: 'Output',
		name: 'output',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Input Item With Result in a Field',
				value: 'inputWithResult',
				description:
					"Keep the input item's JSON (e.g. the alert) and put the result under the Result Field. List: one copy of the input per record.",
			},
			{
				name: 'Result Only',
				value: 'result',
				description: 'Output the result of the operation instead of the input item',
			},
		],
		default: 'result',
	},
	{
		displayName: 'Result Field',
		name: 'resultField',
		type: 'string',
		default: DEFAULT_RESULT_FIELD,
		required: true,
		placeholder: 'e.g. claim',
		description:
			'Top-level field of the input JSON that receives the result (taken literally: a dot is part of the name); an existing field of that name is replaced',
		displayOptions: { show: { output: ['inputWithResult'] } },
	},
];

/** Reads the output fields for an item (defaults apply to workflows saved before the fields existed). */
export function readOutputShape(this: IExecuteFunctions, itemIndex: number): OutputShape {
	const mode = this.getNodeParameter('output', itemIndex, 'result') as OutputMode;
	if (mode !== 'inputWithResult') return RESULT_ONLY;
	const field = this.getNodeParameter('resultField', itemIndex, DEFAULT_RESULT_FIELD) as unknown;
	if (typeof field !== 'string' || field.trim() === '') {
		throw new NodeOperationError(this.getNode(), 'The Result Field must be a non-empty field name', {
			itemIndex,
		});
	}
	return { mode, field };
}

/** One output item for one result of the input item `itemIndex`. */
export function shapeResult(
	input: INodeExecutionData,
	itemIndex: number,
	result: IDataObject,
	shape: OutputShape,
): INodeExecutionData {
	if (shape.mode === 'result') return { json: result, pairedItem: { item: itemIndex } };
	return withInput(input, itemIndex, { ...input.json, [shape.field]: result });
}

function withInput(input: INodeExecutionData, itemIndex: number, json: IDataObject): INodeExecutionData {
	const item: INodeExecutionData = { json, pairedItem: { item: itemIndex } };
	if (input.binary !== undefined) item.binary = input.binary;
	return item;
}
