/** Halo error bodies → one readable message (pure; shared by the client and the credential). */
import { stripTags } from '../../domain/html';

const STATUS_TEXT: Record<number, string> = {
	400: 'Bad Request',
	401: 'Unauthorized',
	403: 'Forbidden',
	404: 'Not Found',
	405: 'Method Not Allowed',
	409: 'Conflict',
	429: 'Too Many Requests',
	500: 'Internal Server Error',
	502: 'Bad Gateway',
	503: 'Service Unavailable',
	504: 'Gateway Timeout',
};

/** Only the head of a long error body is read (the message is clipped to 500 characters anyway). */
const MAX_SCANNED = 64 * 1024;

const clip = (text: string, max = 500): string => (text.length > max ? `${text.slice(0, max)}…` : text);

/**
 * Halo's error message from a response body: plain text (429s, business rules such as "An Outcome must be entered
 * for this Action"), OAuth errors (`{"error":"invalid_client"}`), ASP.NET validation envelopes (`errors`), or
 * field-keyed objects (`{"[0].id": "..."}`).
 */
export function haloErrorMessage(status: number, body: unknown): string {
	const fallback = `HTTP ${status}${STATUS_TEXT[status] ? ` ${STATUS_TEXT[status]}` : ''}`;
	if (body === undefined || body === null) return fallback;
	if (typeof body === 'string') {
		const text = stripTags(body.length > MAX_SCANNED ? body.slice(0, MAX_SCANNED) : body)
			.replace(/\s+/g, ' ')
			.trim();
		return text ? clip(text) : fallback;
	}
	if (Array.isArray(body)) return body.length ? haloErrorMessage(status, body[0]) : fallback;
	if (typeof body !== 'object') return clip(String(body));
	const o = body as Record<string, unknown>;
	if (typeof o.error === 'string') {
		return clip(typeof o.error_description === 'string' && o.error_description ? `${o.error}: ${o.error_description}` : o.error);
	}
	if (o.errors && typeof o.errors === 'object') {
		const parts = Object.entries(o.errors as Record<string, unknown>).map(
			([key, value]) => `${key}: ${Array.isArray(value) ? value.join(' ') : String(value)}`,
		);
		const title = typeof o.title === 'string' ? o.title : 'Validation failed';
		return clip(parts.length ? `${title} ${parts.join('; ')}` : title);
	}
	for (const key of ['message', 'Message', 'error_message', 'detail', 'title']) {
		if (typeof o[key] === 'string' && o[key]) return clip(o[key] as string);
	}
	const fields = Object.entries(o).filter(([, v]) => typeof v === 'string' && v);
	if (fields.length) return clip(fields.map(([k, v]) => `${k}: ${v as string}`).join('; '));
	return clip(JSON.stringify(o));
}

