/** Shared setup for the Datto tests: an in-process simulator on port 0, a client with short waits, a webhook receiver. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DattoClient, DattoTuningOverrides } from '../../nodes/shared/transport/datto';
import { DattoSimulator, DattoSimulatorOptions } from '../../simulators/datto';

let counter = 0;

/** Unique API key per test, so process-wide budgets and caches never leak between tests. */
export function uniqueKey(): string {
	counter++;
	return `key-${process.pid}-${Date.now().toString(36)}-${counter}`;
}

export const SECRET = 'S3cr3t-Datto-API-Secret-value-0001';

export const FAST: DattoTuningOverrides = {
	retry: { maxAttempts: 6, baseDelayMs: 10, maxDelayMs: 50, maxTotalWaitMs: 5_000 },
	timeoutMs: 5_000,
};

export async function startSim(options: DattoSimulatorOptions = {}): Promise<DattoSimulator> {
	const sim = new DattoSimulator({ apiKey: uniqueKey(), apiSecret: SECRET, nearLimitDelayMs: 0, ...options });
	await sim.listen(0);
	return sim;
}

export function clientFor(sim: DattoSimulator, tuning: DattoTuningOverrides = {}, secret = sim.config.apiSecret): DattoClient {
	return new DattoClient({
		apiUrl: sim.baseUrl,
		apiKey: sim.config.apiKey,
		apiSecret: secret,
		tuning: { ...FAST, ...tuning, retry: { ...FAST.retry, ...(tuning.retry ?? {}) } },
	});
}

/** Largest number of timestamps inside any window of `windowMs`. */
export function maxInWindow(stamps: number[], windowMs: number): number {
	const sorted = [...stamps].sort((a, b) => a - b);
	let best = 0;
	let start = 0;
	for (let end = 0; end < sorted.length; end++) {
		while (sorted[end] - sorted[start] >= windowMs) start++;
		best = Math.max(best, end - start + 1);
	}
	return best;
}

export const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

export interface ReceivedWebhook {
	method: string;
	url: string;
	headers: http.IncomingHttpHeaders;
	body: string;
}

/** A tiny HTTP receiver that records every request and answers 200 (or `status`). */
export async function startReceiver(status = 200): Promise<{ url: string; received: ReceivedWebhook[]; close: () => Promise<void> }> {
	const received: ReceivedWebhook[] = [];
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
			res.writeHead(status, { 'content-type': 'application/json' });
			res.end('{"ok":true}');
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}/webhook/datto`,
		received,
		close: async () => {
			server.closeAllConnections?.();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}
