/** Helpers for tests that drive a simulator running in another process through its /_sim admin API. */
import type { RequestLogEntry } from './requestLog';
import type { FaultSettings } from './faults';

async function call<T>(baseUrl: string, method: string, path: string, body?: unknown): Promise<T> {
	const res = await fetch(`${baseUrl}${path}`, {
		method,
		headers: body === undefined ? undefined : { 'content-type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	if (!res.ok) throw new Error(`${method} ${path} -> ${res.status}: ${await res.text()}`);
	return (await res.json()) as T;
}

export class SimAdminClient {
	constructor(readonly baseUrl: string) {}
	log(since = 0) {
		return call<{ entries: RequestLogEntry[]; counts: Record<string, number> }>(this.baseUrl, 'GET', `/_sim/log?since=${since}`);
	}
	clearLog() {
		return call(this.baseUrl, 'POST', '/_sim/log/clear');
	}
	setFaults(settings: FaultSettings) {
		return call(this.baseUrl, 'POST', '/_sim/faults', settings);
	}
	clearFaults() {
		return call(this.baseUrl, 'POST', '/_sim/faults/clear');
	}
	get<T = unknown>(path: string) {
		return call<T>(this.baseUrl, 'GET', path);
	}
	post<T = unknown>(path: string, body?: unknown) {
		return call<T>(this.baseUrl, 'POST', path, body);
	}
}
