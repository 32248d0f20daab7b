/**
 * The one per-item contract of the package's action nodes (HaloPSA, Datto RMM, Mapping Store; the Sync Policy node
 * routes by decision but builds its error items here too):
 *
 * - the operation runs once per input item; every output item is paired with its input item;
 * - a failure becomes a NodeApiError / NodeOperationError carrying the item index (HTTP status, the API's message);
 * - with "On Error: Continue" the failed item becomes an error item and the other items still run.
 *
 * Error item shape (one for every node), following how n8n treats items (n8n-core workflow-execute.js,
 * docs/api/n8n-runtime.md): with "Continue (using error output)" n8n 2.41 moves an item to the error output only when
 * its json has no keys besides `error`, `message`, `details`, and n8n 1.123 only when it is `{ error }` or
 * `{ error, message }`, so the item is `{ error, message: description }` (the Sync Policy's decision items, which carry
 * a base, keep `{ error, details }`, read on 2.41);
 * with "Continue" (regular output) it is `{ error, description, httpCode }`. `item.error` is not set: n8n would then
 * reset the json to `{ error }` (normalizeNodeErrors) and the status and description would be lost.
 */
import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';

import { toNodeError } from '../transport/n8n';

export type NodeError = NodeApiError | NodeOperationError;

/** Plain json results of item `itemIndex` as output items paired with it. */
export function jsonItems(itemIndex: number, result: IDataObject | IDataObject[]): INodeExecutionData[] {
	return (Array.isArray(result) ? result : [result]).map((json) => ({ json, pairedItem: { item: itemIndex } }));
}

/** The json of a failed item (see the header for the two shapes); `base` is what the item carries besides the error. */
export function errorJson(this: IExecuteFunctions, error: NodeError, base: IDataObject = {}): IDataObject {
	const info: IDataObject = {};
	if (error.description) info.description = error.description;
	const httpCode = error instanceof NodeApiError ? error.httpCode : undefined;
	if (httpCode) info.httpCode = httpCode;
	if (this.getNode().onError === 'continueErrorOutput') {
		// n8n 1.123 routes an item to the error output only when its json is { error } or { error, message }; 2.41 also
		// accepts `details`. Without a base the portable shape carries the description (with the status) as `message`.
		if (Object.keys(base).length) return { error: error.message, details: { ...base, ...info } };
		return error.description ? { error: error.message, message: error.description } : { error: error.message };
	}
	return { ...base, error: error.message, ...info };
}

/** The error item of a failed input item. */
export function errorItem(this: IExecuteFunctions, itemIndex: number, error: NodeError, base?: IDataObject): INodeExecutionData {
	return { json: errorJson.call(this, error, base), pairedItem: { item: itemIndex } };
}

/**
 * Runs `run` for every input item with the contract above (`run` returns the item's output items, paired: see
 * jsonItems). `toError` turns what the run threw into the node error
 * (default: transport errors → NodeApiError, anything else → NodeOperationError, with the item index).
 */
export async function runPerItem(
	this: IExecuteFunctions,
	run: (itemIndex: number) => Promise<INodeExecutionData[]>,
	toError: (error: unknown, itemIndex: number) => NodeError = (error, itemIndex) => toNodeError(this.getNode(), error, itemIndex),
): Promise<INodeExecutionData[]> {
	const output: INodeExecutionData[] = [];
	const count = this.getInputData().length;
	for (let itemIndex = 0; itemIndex < count; itemIndex++) {
		try {
			output.push(...(await run(itemIndex)));
		} catch (error) {
			const nodeError = toError(error, itemIndex);
			if (!this.continueOnFail()) throw nodeError;
			output.push(errorItem.call(this, itemIndex, nodeError));
		}
	}
	return output;
}
