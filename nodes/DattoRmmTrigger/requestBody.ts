/**
 * Reads what Datto sent. The trigger prefers the raw bytes (n8n keeps them in `req.rawBody`, or reads them on
 * `req.readRawBody()`), so JSON, JSON in a string, form-encoded text and broken JSON are all handled by the same
 * tolerant parser whatever the Content-Type. When no raw body is available (an n8n version that does not expose
 * it), the body n8n parsed (`getBodyData()`) is used instead.
 */
import type { IWebhookFunctions } from 'n8n-workflow';

import { AlertInputError } from '../shared/domain/dattoAlert';

interface RawBodyRequest {
	headers?: Record<string, string | string[] | undefined>;
	rawBody?: unknown;
	readRawBody?: () => Promise<void>;
	encoding?: string;
}

function tooLarge(size: number | string, maxBytes: number): AlertInputError {
	return new AlertInputError(`Body too large: ${size} bytes (limit ${maxBytes})`, 413);
}

function decode(buffer: Buffer, encoding: string | undefined): string {
	const wanted = (encoding ?? 'utf8').toLowerCase();
	const name = wanted === 'iso-8859-1' ? 'latin1' : wanted;
	const text = buffer.toString(Buffer.isEncoding(name) ? (name as BufferEncoding) : 'utf8');
	return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * The payload to hand to parseWebhookPayload: the raw text when available, else n8n's parsed body.
 * Throws AlertInputError 413 above `maxBytes` (checked on Content-Length before reading anything).
 */
export async function readRequestPayload(context: IWebhookFunctions, maxBytes: number): Promise<unknown> {
	const req = context.getRequestObject() as unknown as RawBodyRequest;
	const declared = Number(req.headers?.['content-length']);
	if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(declared, maxBytes);
	if (!Buffer.isBuffer(req.rawBody) && typeof req.readRawBody === 'function') {
		// A read failure becomes the HTTP answer (413 / 400), not a node error.
		let failure: { status?: number; statusCode?: number; type?: string; message?: string } | undefined;
		try {
			await req.readRawBody();
		} catch (error) {
			failure = (error ?? {}) as typeof failure;
		}
		if (failure) {
			if (failure.status === 413 || failure.statusCode === 413 || failure.type === 'entity.too.large') {
				throw tooLarge('more than the limit', maxBytes);
			}
			throw new AlertInputError(`Could not read the request body: ${failure.message ?? 'unknown error'}`);
		}
	}
	if (Buffer.isBuffer(req.rawBody)) {
		if (req.rawBody.length > maxBytes) throw tooLarge(req.rawBody.length, maxBytes);
		return decode(req.rawBody, req.encoding);
	}
	return context.getBodyData();
}
