/**
 * A small HTTP framework shared by the Halo and Datto simulators: case-insensitive routing, JSON/form
 * body parsing, a request log for assertions, fault injection on demand and an admin API (under /_sim)
 * so that tests in another process can drive a simulator started from the command line.
 */
import * as http from 'http';
import { AddressInfo } from 'net';
import { FaultInjector, FaultSettings } from './faults';
import { RequestLog } from './requestLog';

export interface SimRequest {
	method: string;
	/** Path as sent, without the query string. */
	path: string;
	query: Record<string, string>;
	headers: http.IncomingHttpHeaders;
	rawBody: string;
	/** Parsed JSON or form body; undefined when empty; the raw string when it does not parse. */
	body: unknown;
	params: Record<string, string>;
}

export interface SimResponse {
	status: number;
	headers?: Record<string, string>;
	/** Objects and arrays are sent as JSON, strings as text/plain, undefined as an empty body. */
	body?: unknown;
}

export type SimHandler = (req: SimRequest) => SimResponse | Promise<SimResponse>;

interface Route {
	method: string;
	regex: RegExp;
	keys: string[];
	handler: SimHandler;
	/** Name used in the request log (e.g. "GET /api/tickets/:id"). */
	name: string;
}

export const json = (status: number, body: unknown, headers?: Record<string, string>): SimResponse => ({
	status,
	body,
	headers,
});
export const text = (status: number, body: string, headers?: Record<string, string>): SimResponse => ({
	status,
	body,
	headers: { 'content-type': 'text/plain; charset=utf-8', ...headers },
});

export function compilePattern(pattern: string): { regex: RegExp; keys: string[] } {
	const keys: string[] = [];
	const source = pattern
		.split('/')
		.map((part) => {
			if (part.startsWith(':')) {
				keys.push(part.slice(1));
				return '([^/]+)';
			}
			return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
		})
		.join('/');
	return { regex: new RegExp(`^${source}/?$`, 'i'), keys };
}

export function parseBody(raw: string, contentType: string | undefined): unknown {
	if (raw.length === 0) return undefined;
	const type = (contentType ?? '').toLowerCase();
	if (type.includes('application/x-www-form-urlencoded')) {
		return Object.fromEntries(new URLSearchParams(raw));
	}
	try {
		return JSON.parse(raw);
	} catch {
		return raw;
	}
}

export interface SimServerOptions {
	/** Name printed in logs and returned by GET /_sim/info. */
	name: string;
	/** Maximum accepted request body in bytes (default 10 MB). */
	maxBodyBytes?: number;
}

export class SimServer {
	readonly name: string;
	readonly faults = new FaultInjector();
	readonly log = new RequestLog();
	private readonly routes: Route[] = [];
	private readonly adminRoutes: Route[] = [];
	private server?: http.Server;
	private readonly sockets = new Set<import('net').Socket>();
	private readonly maxBodyBytes: number;
	/** Hooks run before routing (after fault injection); return a response to short-circuit (auth, rate limits). */
	private readonly guards: Array<(req: SimRequest, route: Route) => SimResponse | undefined> = [];
	baseUrl = '';

	constructor(options: SimServerOptions) {
		this.name = options.name;
		this.maxBodyBytes = options.maxBodyBytes ?? 10 * 1024 * 1024;
		this.admin('GET', '/_sim/log', (req) =>
			json(200, { entries: this.log.entries(req.query.since ? Number(req.query.since) : 0), counts: this.log.counts() }),
		);
		this.admin('POST', '/_sim/log/clear', () => {
			this.log.clear();
			return json(200, { ok: true });
		});
		this.admin('GET', '/_sim/faults', () => json(200, this.faults.settings()));
		this.admin('POST', '/_sim/faults', (req) => {
			this.faults.configure((req.body ?? {}) as FaultSettings);
			return json(200, this.faults.settings());
		});
		this.admin('POST', '/_sim/faults/clear', () => {
			this.faults.clear();
			return json(200, this.faults.settings());
		});
		this.admin('GET', '/_sim/info', () => json(200, { name: this.name, baseUrl: this.baseUrl }));
	}

	route(method: string, pattern: string, handler: SimHandler): this {
		const { regex, keys } = compilePattern(pattern);
		this.routes.push({ method: method.toUpperCase(), regex, keys, handler, name: `${method.toUpperCase()} ${pattern}` });
		return this;
	}

	/** Admin routes bypass guards, faults and the request log. */
	admin(method: string, pattern: string, handler: SimHandler): this {
		const { regex, keys } = compilePattern(pattern);
		this.adminRoutes.push({ method: method.toUpperCase(), regex, keys, handler, name: `${method.toUpperCase()} ${pattern}` });
		return this;
	}

	guard(fn: (req: SimRequest, route: Route) => SimResponse | undefined): this {
		this.guards.push(fn);
		return this;
	}

	async listen(port = 0, host = '127.0.0.1'): Promise<string> {
		this.server = http.createServer((req, res) => void this.handle(req, res));
		this.server.keepAliveTimeout = 5000;
		this.server.on('connection', (socket) => {
			this.sockets.add(socket);
			socket.on('close', () => this.sockets.delete(socket));
		});
		await new Promise<void>((resolve, reject) => {
			this.server!.once('error', reject);
			this.server!.listen(port, host, () => resolve());
		});
		const address = this.server.address() as AddressInfo;
		this.baseUrl = `http://${host}:${address.port}`;
		return this.baseUrl;
	}

	get port(): number {
		return (this.server?.address() as AddressInfo | null)?.port ?? 0;
	}

	async close(): Promise<void> {
		if (!this.server) return;
		const server = this.server;
		this.server = undefined;
		this.faults.clear();
		for (const socket of this.sockets) socket.destroy();
		await new Promise<void>((resolve) => server.close(() => resolve()));
	}

	private match(routes: Route[], method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
		for (const route of routes) {
			if (route.method !== method) continue;
			const m = route.regex.exec(path);
			if (!m) continue;
			const params: Record<string, string> = {};
			route.keys.forEach((key, i) => (params[key] = decodeURIComponent(m[i + 1])));
			return { route, params };
		}
		return undefined;
	}

	private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const started = Date.now();
		const url = new URL(req.url ?? '/', 'http://localhost');
		const method = (req.method ?? 'GET').toUpperCase();
		const chunks: Buffer[] = [];
		let size = 0;
		let tooLarge = false;
		for await (const chunk of req) {
			size += (chunk as Buffer).length;
			if (size > this.maxBodyBytes) tooLarge = true;
			else chunks.push(chunk as Buffer);
		}
		const rawBody = Buffer.concat(chunks).toString('utf8');
		const query: Record<string, string> = {};
		url.searchParams.forEach((value, key) => (query[key] = value));
		const simReq: SimRequest = {
			method,
			path: url.pathname,
			query,
			headers: req.headers,
			rawBody,
			body: parseBody(rawBody, req.headers['content-type']),
			params: {},
		};

		const admin = this.match(this.adminRoutes, method, url.pathname);
		if (admin) {
			simReq.params = admin.params;
			this.send(res, await admin.route.handler(simReq));
			return;
		}

		const matched = this.match(this.routes, method, url.pathname);
		const routeName = matched?.route.name ?? `${method} ${url.pathname}`;
		let response: SimResponse | undefined;
		if (tooLarge) response = text(413, 'Request body too large');

		if (!response) {
			const fault = await this.faults.apply(url.pathname, method);
			if (fault === 'hang') {
				// Simulated timeout: never answer; the socket is destroyed when the server closes.
				this.log.add({ at: started, method, path: url.pathname, route: routeName, status: 0, ms: 0, query, body: simReq.body, fault: 'timeout' });
				return;
			}
			if (fault) response = fault;
		}
		if (!response && !matched) response = json(404, { message: `No route for ${method} ${url.pathname}` });
		if (!response && matched) {
			simReq.params = matched.params;
			for (const guard of this.guards) {
				response = guard(simReq, matched.route);
				if (response) break;
			}
			if (!response) {
				try {
					response = await matched.route.handler(simReq);
				} catch (error) {
					response = json(500, { message: `Simulator error: ${(error as Error).message}` });
				}
			}
		}
		this.log.add({
			at: started,
			method,
			path: url.pathname,
			route: routeName,
			status: response!.status,
			ms: Date.now() - started,
			query,
			body: simReq.body,
			authorization: typeof req.headers.authorization === 'string' ? req.headers.authorization : undefined,
		});
		this.send(res, response!);
	}

	private send(res: http.ServerResponse, response: SimResponse): void {
		const headers: Record<string, string> = { ...(response.headers ?? {}) };
		let payload = '';
		if (response.body !== undefined) {
			if (typeof response.body === 'string') {
				payload = response.body;
				headers['content-type'] ??= 'text/plain; charset=utf-8';
			} else {
				payload = JSON.stringify(response.body);
				headers['content-type'] ??= 'application/json; charset=utf-8';
			}
		}
		headers['content-length'] = String(Buffer.byteLength(payload));
		res.writeHead(response.status, headers);
		res.end(payload);
	}
}
