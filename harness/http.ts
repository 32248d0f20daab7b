/* HTTP for the harness (node's http module: works the same under jest on Node 20 and in scripts). */
import * as http from 'http';

import { log } from './log';
import { sleep } from './wait';

export interface HttpResponse {
	status: number;
	headers: Record<string, string>;
	/** Set-Cookie headers, one per cookie. */
	cookies: string[];
	text: string;
	json?: unknown;
}

/**
 * One request. `json` is sent as JSON (Content-Type application/json unless given); `body` is sent as it is, with no
 * Content-Type of its own (bad-input tests send any bytes, with any or no Content-Type).
 */
export function httpRequest(
	method: string,
	url: string,
	options: { json?: unknown; body?: string | Buffer; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<HttpResponse> {
	return new Promise((resolve, reject) => {
		const headers: Record<string, string> = { ...(options.headers ?? {}) };
		let payload: Buffer | undefined;
		if (options.json !== undefined) {
			payload = Buffer.from(JSON.stringify(options.json));
			headers['content-type'] ??= 'application/json';
		} else if (options.body !== undefined) {
			payload = Buffer.isBuffer(options.body) ? options.body : Buffer.from(options.body, 'utf8');
		}
		if (payload) headers['content-length'] = String(payload.length);
		// agent: false = no keep-alive sockets left open after a test (jest would wait for them).
		const req = http.request(url, { method, headers, agent: false, timeout: options.timeoutMs ?? 30_000 }, (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (c: Buffer) => chunks.push(c));
			res.on('end', () => {
				const text = Buffer.concat(chunks).toString('utf8');
				const flat: Record<string, string> = {};
				for (const [k, v] of Object.entries(res.headers)) {
					if (v !== undefined) flat[k] = Array.isArray(v) ? v.join(', ') : v;
				}
				let json: unknown;
				try {
					json = text ? JSON.parse(text) : undefined;
				} catch {
					json = undefined;
				}
				resolve({ status: res.statusCode ?? 0, headers: flat, cookies: res.headers['set-cookie'] ?? [], text, json });
			});
			res.on('error', reject);
		});
		req.on('timeout', () => req.destroy(new Error(`timeout: ${method} ${url}`)));
		req.on('error', reject);
		if (payload) req.write(payload);
		req.end();
	});
}

/**
 * Repeats a REST / public-API request while n8n answers 503 "Database is not ready!". n8n pings its database every
 * 2 s with a 5 s timeout and, when a ping times out (SQLite busy: seen on 1.123.81 right after start, with several
 * schedules firing), refuses every request in a middleware before any handler runs, until the next ping succeeds.
 * The request was therefore not processed and repeating it is safe, also for POSTs. Gives up after `limitMs`.
 */
export async function whileDatabaseNotReady(request: () => Promise<HttpResponse>, limitMs = 60_000): Promise<HttpResponse> {
	const deadline = Date.now() + limitMs;
	let attempt = 0;
	for (;;) {
		const res = await request();
		if (res.status !== 503 || !/Database is not ready/i.test(res.text) || Date.now() > deadline) return res;
		attempt++;
		if (attempt === 1 || attempt % 10 === 0) log(`n8n answered 503 (${res.text.slice(0, 80)}); retrying (attempt ${attempt})`);
		await sleep(500);
	}
}
