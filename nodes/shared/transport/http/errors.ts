/**
 * Transport-level error for a failed API call. Carries what a technician needs (API, HTTP status, the API's own
 * message, method and path) and nothing secret: messages are redacted before they get here.
 * n8n glue converts it to a NodeApiError (see ../n8n.ts).
 */
export type ApiName = 'HaloPSA' | 'Datto RMM';

export interface ApiRequestErrorDetails {
	api: ApiName;
	/** HTTP status; undefined for network errors and timeouts. */
	status?: number;
	/** The API's own message (e.g. Halo's "An Outcome must be entered for this Action"). */
	apiMessage: string;
	method: string;
	/** Path relative to the API base, without the query string. */
	path: string;
	/** Network error code such as ECONNRESET or ETIMEDOUT. */
	code?: string;
	/** Number of attempts made before giving up. */
	attempts?: number;
	/** A short hint on what to do about it. */
	hint?: string;
}

export class ApiRequestError extends Error {
	readonly api: ApiName;
	readonly status?: number;
	readonly apiMessage: string;
	readonly method: string;
	readonly path: string;
	readonly code?: string;
	readonly attempts?: number;
	readonly hint?: string;

	constructor(details: ApiRequestErrorDetails) {
		const where = `${details.method} ${details.path}`;
		const status = details.status !== undefined ? `${details.status}` : details.code ?? 'network error';
		super(`${details.api} API ${status}: ${details.apiMessage} (${where})`);
		this.name = 'ApiRequestError';
		this.api = details.api;
		this.status = details.status;
		this.apiMessage = details.apiMessage;
		this.method = details.method;
		this.path = details.path;
		this.code = details.code;
		this.attempts = details.attempts;
		this.hint = details.hint;
	}
}

export function isApiRequestError(error: unknown): error is ApiRequestError {
	return error instanceof ApiRequestError || (error as { name?: string })?.name === 'ApiRequestError';
}
