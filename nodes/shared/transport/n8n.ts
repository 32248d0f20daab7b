/**
 * n8n glue for the transport layer: converts ApiRequestError (and anything else thrown by a client)
 * into the error types n8n expects, with the HTTP status, the API's message and the item index.
 */
import { INode, JsonObject, NodeApiError, NodeOperationError } from 'n8n-workflow';
import { isApiRequestError } from './http/errors';
import { redactSecrets } from './http/redact';

export function toNodeError(node: INode, error: unknown, itemIndex?: number): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		if (itemIndex !== undefined && error.context) error.context.itemIndex ??= itemIndex;
		return error;
	}
	if (isApiRequestError(error)) {
		const status = error.status !== undefined ? String(error.status) : undefined;
		const payload: JsonObject = {
			api: error.api,
			message: error.message,
			apiMessage: error.apiMessage,
			method: error.method,
			path: error.path,
			...(status ? { httpCode: status } : {}),
			...(error.code ? { code: error.code } : {}),
		};
		return new NodeApiError(node, payload, {
			message: error.message,
			description: error.hint ?? `${error.api} answered ${status ?? error.code}: ${error.apiMessage}`,
			httpCode: status,
			itemIndex,
		});
	}
	const message = redactSecrets(error instanceof Error ? error.message : String(error));
	return new NodeOperationError(node, message, { itemIndex });
}
