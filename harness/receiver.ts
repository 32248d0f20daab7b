/* A tiny local HTTP receiver that records every request (webhook targets of the simulators' emitters in tests). */
import * as http from 'http';
import type { AddressInfo } from 'net';

export interface ReceivedRequest {
	method: string;
	url: string;
	headers: http.IncomingHttpHeaders;
	body: string;
	/** The body parsed as JSON, undefined when it is not JSON. */
	json: unknown;
}

export interface Receiver {
	/** `http://127.0.0.1:<port><path>` */
	url: string;
	received: ReceivedRequest[];
	close: () => Promise<void>;
}

/** Listens on a free port of 127.0.0.1 and answers every request with `status` and `{"ok":true}`. */
export async function startReceiver(status = 200, urlPath = '/hook'): Promise<Receiver> {
	const received: ReceivedRequest[] = [];
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			const body = Buffer.concat(chunks).toString('utf8');
			let parsed: unknown;
			try {
				parsed = JSON.parse(body);
			} catch {
				parsed = undefined;
			}
			received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, json: parsed });
			res.writeHead(status, { 'content-type': 'application/json' });
			res.end('{"ok":true}');
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}${urlPath}`,
		received,
		close: async () => {
			server.closeAllConnections?.();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}
