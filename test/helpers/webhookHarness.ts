/**
 * Webhook harness for trigger nodes with a `webhook()` method.
 *
 * The node runs with n8n-core's real `WebhookContext` (parameters incl. expressions, credentials, static data,
 * getBodyData/getHeaderData/getQueryData/getRequestObject/getResponseObject), created the way n8n's
 * WebhookService.runWebhook creates it. Around it the harness mirrors what n8n 2.41's webhook HTTP layer does
 * (read from the installed n8n: dist/webhooks/webhook-helpers.js executeWebhook/parseRequestBody,
 * dist/middlewares/body-parser.js parseBody, dist/webhooks/webhook-request-handler.js, dist/response-helper.js):
 *
 * Body parsing (before webhook() is called; webhook routes are registered before n8n's global bodyParser, so
 * nothing else parses webhook bodies and Express 5 leaves `req.body` undefined):
 * - Content-Type is parsed into `req.contentType` (lowercased, parameters dropped) and `req.encoding` (charset,
 *   default 'utf-8'), as @n8n/backend-network's parseIncomingMessage does.
 * - Node typeVersion 1: the raw body is always read into `req.rawBody` (Buffer; gzip/deflate decoded; limit
 *   N8N_PAYLOAD_SIZE_MAX = 16 MiB) and then parsed by content type. typeVersion > 1: only JSON, text/plain,
 *   x-www-form-urlencoded and XML are read/parsed; otherwise `req.rawBody` stays unset until the node calls
 *   `await req.readRawBody()`. (typeVersion 1 with the Webhook node's `options.binaryData` skips parsing.)
 * - Parsing, only when the raw body is non-empty:
 *   `application/json` (exactly, charset allowed) -> JSON.parse of the BOM-stripped text (`application/vnd+json`
 *   etc. are NOT parsed); `text/plain` -> the string; `application/x-www-form-urlencoded` ->
 *   querystring.parse (maxKeys 1000); `* /xml` and `*+xml` -> xml2js (normalised, lowercased tags, no arrays).
 *   Anything else (including no Content-Type, octet-stream, empty body) leaves `req.body` undefined, so
 *   `getBodyData()` returns undefined.
 * - Malformed JSON (or an unknown charset) -> HTTP 422 `{"code":422,"message":"Failed to parse request body",
 *   "hint":"<parser message>"}`; webhook() is not called.
 * - Body over the size limit (or a broken gzip stream) -> HTTP 500 `{"code":0,"message":"There was a problem
 *   executing the workflow"}` (raw-body's 413 is not a ResponseError, so n8n wraps it); webhook() is not called.
 * - multipart/form-data is parsed by n8n with formidable; the harness does not support it (throws).
 *
 * After webhook() returns (responseMode 'onReceived', the default for trigger nodes):
 * - `noWebhookResponse: true` -> n8n writes nothing; the node must have answered via getResponseObject().
 * - no `workflowData` -> `webhookResponse` (string: res.send, else res.json) or `{"message":"Webhook call
 *   received"}`, with the description's responseCode (default 200); no execution starts.
 * - `workflowData` -> an execution starts (not simulated here) and n8n answers `webhookResponse` /
 *   description responseData / `{"message":"Workflow was started"}`.
 * - webhook() throws -> 500 `{"code":0,"message":"Workflow Webhook Error: Workflow could not be started!"}`.
 * - Request method not registered for the webhook -> 404 `{"code":404,"message":"This webhook is not registered
 *   for GET requests. Did you mean to make a POST request?"}` (server only).
 *
 * Verified against a running n8n 2.41.1 (Node 24, built-in Webhook node v1 and v2 -> Code node, curl): JSON
 * object, malformed JSON (422, hint "Unexpected end of JSON input"), text/plain (string), form-urlencoded
 * (`a=1&a=2` -> {a:['1','2']}), octet-stream / application/vnd.api+json / no Content-Type / empty JSON body
 * (body undefined for v1; Webhook v2 substitutes {} itself), `charset=iso-8859-1` (422 "Unknown encoding"),
 * GET on a POST webhook (404), 17 MB body (500). n8n outside NODE_ENV=production adds a `stacktrace` field to
 * these error bodies; the harness (like production) does not.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import querystring from 'node:querystring';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';

import { HookContext, WebhookContext } from 'n8n-core';
import { NodeHelpers, isNodeClassInstance, jsonParse, sanitizeXmlName } from 'n8n-workflow';
import type {
	IDataObject,
	INode,
	INodeExecutionData,
	IWebhookData,
	IWebhookDescription,
	IWebhookResponseData,
	IHttpRequestMethods,
	Workflow,
	WorkflowExecuteMode,
} from 'n8n-workflow';

import {
	HarnessCredentialsHelper,
	HarnessNodeTypes,
	createAdditionalData,
	createWorkflow,
	describeError,
	ensureN8nCore,
	prepareNode,
	readStaticData,
	takeLogs,
} from './nodeHarness';
import type { HarnessError, HarnessLogEntry, NodeSetup, PreparedNode } from './nodeHarness';

/** n8n's N8N_PAYLOAD_SIZE_MAX default (16, in MiB as raw-body reads '16mb'). */
export const PAYLOAD_SIZE_MAX_BYTES = 16 * 1024 * 1024;

/* ------------------------------------------------------------------------------------------------------------ */
/* Request                                                                                                       */
/* ------------------------------------------------------------------------------------------------------------ */

/** The express-like request a node sees through getRequestObject(). */
export interface HarnessRequest {
	method: string;
	url: string;
	path: string;
	headers: http.IncomingHttpHeaders;
	query: querystring.ParsedUrlQuery;
	params: Record<string, string>;
	body?: unknown;
	rawBody?: Buffer;
	contentType?: string;
	encoding?: string;
	ip: string;
	readRawBody(): Promise<void>;
	get(name: string): string | string[] | undefined;
	header(name: string): string | string[] | undefined;
}

export interface WebhookRequestInit {
	/** Default: the webhook's (first) HTTP method. */
	method?: string;
	headers?: Record<string, string | string[] | undefined>;
	query?: Record<string, string | string[]>;
	params?: Record<string, string>;
	/**
	 * What the client sends. Object/array/number/boolean/null -> JSON text (Content-Type application/json unless
	 * given); string/Buffer -> sent as-is (no Content-Type added). Parsed the way n8n parses it.
	 */
	body?: unknown;
	ip?: string;
}

class HttpFailure extends Error {
	constructor(
		readonly statusCode: number,
		readonly payload: IDataObject,
	) {
		super(String(payload.message));
	}
}

const unprocessable = (hint: string) =>
	new HttpFailure(422, { code: 422, message: 'Failed to parse request body', hint });
const problemExecuting = () => new HttpFailure(500, { code: 0, message: 'There was a problem executing the workflow' });

function lowerCaseHeaders(headers: Record<string, string | string[] | undefined> = {}): http.IncomingHttpHeaders {
	const out: http.IncomingHttpHeaders = {};
	for (const [key, value] of Object.entries(headers)) if (value !== undefined) out[key.toLowerCase()] = value;
	return out;
}

/** Like @n8n/backend-network parseIncomingMessage: `contentType` without parameters, `encoding` from charset. */
function applyContentType(req: HarnessRequest) {
	const header = req.headers['content-type'];
	if (!header) return;
	const [type, ...parameters] = header.split(';');
	req.contentType = type.toLowerCase();
	let charset = 'utf-8';
	for (const parameter of parameters) {
		const eq = parameter.indexOf('=');
		if (eq !== -1 && parameter.slice(0, eq).trim().toLowerCase() === 'charset') {
			charset = parameter.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
		}
	}
	req.encoding = charset.toLowerCase();
}

async function readStream(stream: Readable, declaredLength?: number): Promise<Buffer> {
	if (declaredLength !== undefined && declaredLength > PAYLOAD_SIZE_MAX_BYTES) throw problemExecuting();
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of stream) {
		size += (chunk as Buffer).length;
		if (size > PAYLOAD_SIZE_MAX_BYTES) throw problemExecuting();
		chunks.push(chunk as Buffer);
	}
	return Buffer.concat(chunks);
}

function decoded(stream: Readable, contentEncoding: string | undefined): Readable {
	if (contentEncoding === 'gzip') return stream.pipe(zlib.createGunzip());
	if (contentEncoding === 'deflate') return stream.pipe(zlib.createInflate());
	return stream;
}

function buildRequest(
	base: Omit<HarnessRequest, 'readRawBody' | 'get' | 'header' | 'contentType' | 'encoding'>,
	source: () => Promise<Buffer>,
): HarnessRequest {
	const req = base as HarnessRequest;
	req.readRawBody = async () => {
		if (!req.rawBody) req.rawBody = await source();
	};
	req.get = req.header = (name: string) => req.headers[name.toLowerCase()];
	applyContentType(req);
	return req;
}

/** A request object for callWebhook(), with the body bytes a client would send. */
export function createRequest(init: WebhookRequestInit, defaults: { method: string; path: string }): HarnessRequest {
	const headers = lowerCaseHeaders(init.headers);
	let raw: Buffer | undefined;
	if (Buffer.isBuffer(init.body)) raw = init.body;
	else if (typeof init.body === 'string') raw = Buffer.from(init.body);
	else if (init.body !== undefined) {
		raw = Buffer.from(JSON.stringify(init.body));
		headers['content-type'] ??= 'application/json';
	}
	if (raw) headers['content-length'] ??= String(raw.length);
	const query = init.query ?? {};
	const search = querystring.stringify(query);
	const bytes = raw ?? Buffer.alloc(0);
	return buildRequest(
		{
			method: (init.method ?? defaults.method).toUpperCase(),
			url: search ? `${defaults.path}?${search}` : defaults.path,
			path: defaults.path,
			headers,
			query,
			params: init.params ?? {},
			ip: init.ip ?? '127.0.0.1',
		},
		async () => {
			const encoding = headers['content-encoding'];
			if (encoding !== 'gzip' && encoding !== 'deflate') return await readStream(Readable.from([bytes]), bytes.length);
			try {
				return await readStream(decoded(Readable.from([bytes]), encoding));
			} catch (error) {
				if (error instanceof HttpFailure) throw error;
				throw problemExecuting();
			}
		},
	);
}

function fromIncomingMessage(message: http.IncomingMessage): HarnessRequest {
	const url = new URL(message.url ?? '/', 'http://harness.local');
	const declared = message.headers['content-length'];
	return buildRequest(
		{
			method: message.method ?? 'GET',
			url: message.url ?? '/',
			path: url.pathname,
			headers: message.headers,
			query: querystring.parse(url.search.slice(1)),
			params: {},
			ip: message.socket.remoteAddress ?? '',
		},
		async () => {
			const encoding = message.headers['content-encoding'];
			try {
				return await readStream(
					decoded(message, encoding),
					encoding === 'gzip' || encoding === 'deflate' || declared === undefined ? undefined : Number(declared),
				);
			} catch (error) {
				if (error instanceof HttpFailure) throw error;
				throw problemExecuting();
			}
		},
	);
}

/* ------------------------------------------------------------------------------------------------------------ */
/* Body parsing as n8n 2.41 does it                                                                              */
/* ------------------------------------------------------------------------------------------------------------ */

const isParsableContentType = (contentType?: string) =>
	!!contentType &&
	(contentType.startsWith('application/json') ||
		contentType.startsWith('text/plain') ||
		contentType.startsWith('application/x-www-form-urlencoded') ||
		contentType.endsWith('/xml') ||
		contentType.endsWith('+xml'));

const stripBom = (text: string) => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);

async function parseXml(text: string): Promise<unknown> {
	// xml2js (what n8n uses) is a dependency of n8n-workflow; resolve it from there (no type declarations).
	const xml2js = require.resolve('xml2js', { paths: [require.resolve('n8n-workflow')] });
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { Parser } = require(xml2js) as {
		Parser: new (options: object) => { parseStringPromise(text: string): Promise<unknown> };
	};
	const parser = new Parser({
		async: true,
		normalize: true,
		normalizeTags: true,
		explicitArray: false,
		tagNameProcessors: [sanitizeXmlName],
		attrNameProcessors: [sanitizeXmlName],
	});
	return await parser.parseStringPromise(text);
}

/** n8n's parseRequestBody() + parseBody(); throws HttpFailure with n8n's status/body. */
export async function parseWebhookBody(req: HarnessRequest, node: INode): Promise<void> {
	if (node.typeVersion === 1 && (node.parameters.options as IDataObject | undefined)?.binaryData) return;
	const { contentType } = req;
	if (contentType === 'multipart/form-data') {
		throw new Error('Harness: multipart/form-data bodies are not supported (n8n parses them with formidable)');
	}
	if (node.typeVersion > 1 && !isParsableContentType(contentType)) return;
	await req.readRawBody();
	const { rawBody, encoding } = req;
	if (!rawBody?.length) return;
	try {
		const text = () => rawBody.toString(encoding as BufferEncoding);
		if (contentType === 'application/json') req.body = jsonParse(stripBom(text()));
		else if (contentType?.endsWith('/xml') || contentType?.endsWith('+xml')) req.body = await parseXml(text());
		else if (contentType === 'application/x-www-form-urlencoded') {
			req.body = querystring.parse(stripBom(text()), undefined, undefined, { maxKeys: 1000 });
		} else if (contentType === 'text/plain') req.body = text();
	} catch (error) {
		throw unprocessable((error as Error).message);
	}
}

/* ------------------------------------------------------------------------------------------------------------ */
/* Response                                                                                                      */
/* ------------------------------------------------------------------------------------------------------------ */

export interface RecordedResponse {
	statusCode: number;
	headers: Record<string, string | string[] | number>;
	/** Body as text. */
	body: string;
	/** Body parsed as JSON when the content type is JSON. */
	json?: unknown;
	ended: boolean;
}

/**
 * Express-like response (status, set/header, type, json, send, sendStatus, write, end, writeHead) that records
 * everything and, in server mode, also writes it to the real ServerResponse.
 */
export class HarnessResponse {
	statusCode = 200;

	headersSent = false;

	writableEnded = false;

	readonly headers: Record<string, string | string[] | number> = {};

	private readonly chunks: Buffer[] = [];

	constructor(private readonly sink?: http.ServerResponse) {}

	get finished() {
		return this.writableEnded;
	}

	status(code: number) {
		this.statusCode = code;
		return this;
	}

	setHeader(name: string, value: string | string[] | number) {
		this.headers[name.toLowerCase()] = value;
		return this;
	}

	set(field: string | Record<string, string>, value?: string) {
		if (typeof field === 'string') return this.setHeader(field, value ?? '');
		for (const [k, v] of Object.entries(field)) this.setHeader(k, v);
		return this;
	}

	header(field: string | Record<string, string>, value?: string) {
		return this.set(field, value);
	}

	getHeader(name: string) {
		return this.headers[name.toLowerCase()];
	}

	getHeaders() {
		return { ...this.headers };
	}

	removeHeader(name: string) {
		delete this.headers[name.toLowerCase()];
	}

	type(contentType: string) {
		const full = contentType.includes('/') ? contentType : contentType === 'json' ? 'application/json' : `text/${contentType}`;
		return this.setHeader('content-type', full);
	}

	writeHead(code: number, headers?: Record<string, string>) {
		this.statusCode = code;
		if (headers) this.set(headers);
		this.flushHead();
		return this;
	}

	json(body: unknown): this {
		if (this.getHeader('content-type') === undefined) this.setHeader('content-type', 'application/json; charset=utf-8');
		return this.send(body === undefined ? '' : JSON.stringify(body));
	}

	send(body?: unknown): this {
		if (body !== null && typeof body === 'object' && !Buffer.isBuffer(body)) return this.json(body);
		if (this.getHeader('content-type') === undefined) {
			if (typeof body === 'string') this.setHeader('content-type', 'text/html; charset=utf-8');
			else if (Buffer.isBuffer(body)) this.setHeader('content-type', 'application/octet-stream');
		}
		return this.end(body === undefined || body === null ? undefined : (body as string | Buffer));
	}

	sendStatus(code: number) {
		this.statusCode = code;
		if (this.getHeader('content-type') === undefined) this.setHeader('content-type', 'text/plain; charset=utf-8');
		return this.end(http.STATUS_CODES[code] ?? String(code));
	}

	write(chunk: string | Buffer) {
		this.flushHead();
		const buffer = Buffer.from(chunk);
		this.chunks.push(buffer);
		this.sink?.write(buffer);
		return true;
	}

	end(chunk?: string | Buffer | (() => void)) {
		if (this.writableEnded) return this;
		if (chunk !== undefined && typeof chunk !== 'function') this.write(chunk);
		this.flushHead();
		this.writableEnded = true;
		this.sink?.end();
		return this;
	}

	recorded(): RecordedResponse {
		const body = Buffer.concat(this.chunks).toString('utf8');
		const contentType = String(this.headers['content-type'] ?? '');
		let json: unknown;
		if (contentType.includes('json') && body !== '') {
			try {
				json = JSON.parse(body);
			} catch {
				json = undefined;
			}
		}
		return { statusCode: this.statusCode, headers: { ...this.headers }, body, json, ended: this.writableEnded };
	}

	private flushHead() {
		if (this.headersSent) return;
		this.headersSent = true;
		if (this.sink && !this.sink.headersSent) this.sink.writeHead(this.statusCode, this.headers);
	}
}

/* ------------------------------------------------------------------------------------------------------------ */
/* Running webhook()                                                                                             */
/* ------------------------------------------------------------------------------------------------------------ */

export interface WebhookSetup extends NodeSetup {
	/** Which entry of `description.webhooks` to run; default 'default'. */
	webhookName?: string;
	/** 'webhook' (production URL, default) or 'manual' (test URL). */
	mode?: WorkflowExecuteMode;
}

export interface CallWebhookOptions extends WebhookSetup {
	request?: WebhookRequestInit;
}

export interface WebhookCallResult {
	/** What webhook() returned (undefined if it was not called or threw). */
	webhookResult?: IWebhookResponseData;
	/** `webhookResult.workflowData`: the items the execution would start with. */
	workflowData?: INodeExecutionData[][];
	/** Error thrown by webhook(). */
	error?: HarnessError;
	/** Everything written to the HTTP response, by the node and/or by n8n afterwards. */
	response: RecordedResponse;
	/** Who wrote the response: the node (getResponseObject), n8n (after webhook() / on a parse error) or nobody. */
	respondedBy: 'node' | 'n8n' | 'none';
	/** Whether webhook() was called (false on body-parse failures / unknown method). */
	webhookCalled: boolean;
	request: HarnessRequest;
	staticData: IDataObject;
	nodeStaticData?: IDataObject;
	staticDataChanged: boolean;
	logs: HarnessLogEntry[];
}

interface WebhookEnvironment {
	prepared: PreparedNode;
	nodeTypes: HarnessNodeTypes;
	workflow: Workflow;
	credentialsHelper: HarnessCredentialsHelper;
	description: IWebhookDescription;
	mode: WorkflowExecuteMode;
	/** Request path as n8n would route it, e.g. '/webhook/<webhookId>/<path>'. */
	routePath: string;
	methods: string[];
}

function createEnvironment(setup: WebhookSetup): WebhookEnvironment {
	ensureN8nCore();
	const prepared = prepareNode(
		{ ...setup, nodeSettings: { webhookId: 'harness-webhook-id', ...setup.nodeSettings } },
		[0, 0],
	);
	const webhookName = setup.webhookName ?? 'default';
	const description = prepared.nodeType.description.webhooks?.find((w) => w.name === webhookName);
	if (!description || !prepared.nodeType.webhook) {
		throw new Error(`Harness: node type has no webhook "${webhookName}" / no webhook() method`);
	}
	const nodeTypes = new HarnessNodeTypes({ [prepared.type]: setup.node });
	const { workflow } = createWorkflow(setup, [prepared.node], {}, nodeTypes);
	const mode = setup.mode ?? 'webhook';
	const credentialsHelper = new HarnessCredentialsHelper(structuredClone(setup.credentials ?? {}), setup.credentialTypes);
	const evaluate = (key: string, fallback?: string | boolean) =>
		workflow.expression.getSimpleParameterValue(prepared.node, description[key] as string, mode, {}, undefined, fallback);
	const path = String(evaluate('path') ?? '').trim().replace(/^\/|\/$/g, '');
	const isFullPath = evaluate('isFullPath', false) as boolean;
	const nodePath = NodeHelpers.getNodeWebhookPath(workflow.id, prepared.node, path, isFullPath);
	const methods = String(evaluate('httpMethod', 'GET')).split(',').map((m) => m.trim().toUpperCase());
	return {
		prepared,
		nodeTypes,
		workflow,
		credentialsHelper,
		description,
		mode,
		routePath: `/${mode === 'manual' ? 'webhook-test' : 'webhook'}/${nodePath}`,
		methods,
	};
}

/** Runs one request through body parsing, WebhookContext + webhook(), and n8n's follow-up response. */
async function handleRequest(env: WebhookEnvironment, req: HarnessRequest, res: HarnessResponse): Promise<WebhookCallResult> {
	takeLogs();
	const { prepared, workflow, description, mode } = env;
	const node = prepared.node;
	let webhookResult: IWebhookResponseData | undefined;
	let error: HarnessError | undefined;
	let webhookCalled = false;
	let respondedBy: WebhookCallResult['respondedBy'] = 'none';
	const finish = (): WebhookCallResult => {
		const { staticData, staticDataChanged } = readStaticData(workflow);
		return {
			webhookResult,
			workflowData: webhookResult?.workflowData,
			error,
			response: res.recorded(),
			respondedBy,
			webhookCalled,
			request: req,
			staticData,
			nodeStaticData: staticData[`node:${node.name}`] as IDataObject | undefined,
			staticDataChanged,
			logs: takeLogs(),
		};
	};
	const n8nResponds = (statusCode: number, body: unknown) => {
		if (res.writableEnded) return;
		res.status(statusCode);
		if (typeof body === 'string') res.send(body);
		else res.json(body);
		respondedBy = 'n8n';
	};

	try {
		await parseWebhookBody(req, node);
	} catch (failure) {
		if (!(failure instanceof HttpFailure)) throw failure;
		n8nResponds(failure.statusCode, failure.payload);
		return finish();
	}

	const additionalData = createAdditionalData(env.credentialsHelper, {
		httpRequest: req as never,
		httpResponse: res as never,
	});
	const webhookData: IWebhookData = {
		httpMethod: req.method as IHttpRequestMethods,
		node: node.name,
		path: env.routePath,
		webhookDescription: description,
		workflowId: workflow.id,
		workflowExecuteAdditionalData: additionalData,
		webhookId: node.webhookId,
		isTest: mode === 'manual',
	};
	const closeFunctions: Array<() => Promise<void>> = [];
	const context = new WebhookContext(workflow, node, additionalData, mode, webhookData, closeFunctions, null);
	const nodeType = env.nodeTypes.getByNameAndVersion(node.type, node.typeVersion);
	webhookCalled = true;
	try {
		webhookResult = isNodeClassInstance(nodeType)
			? await nodeType.webhook!(context)
			: await nodeType.webhook!.call(context);
	} catch (thrown) {
		error = describeError(undefined, thrown);
	} finally {
		await Promise.allSettled(closeFunctions.map(async (fn) => await fn()));
	}
	if (res.headersSent) respondedBy = 'node';

	if (error) {
		n8nResponds(500, { code: 0, message: 'Workflow Webhook Error: Workflow could not be started!' });
		return finish();
	}
	const evaluate = (key: string, fallback?: string | number) =>
		description[key] === undefined
			? fallback
			: workflow.expression.getSimpleParameterValue(node, description[key] as string, mode, {}, undefined, fallback);
	const responseCode = Number(evaluate('responseCode', 200));
	if (webhookResult?.noWebhookResponse === true) return finish();
	if (webhookResult?.workflowData === undefined) {
		n8nResponds(responseCode, webhookResult?.webhookResponse ?? { message: 'Webhook call received' });
		return finish();
	}
	const responseMode = evaluate('responseMode', 'onReceived');
	if (responseMode === 'onReceived') {
		const responseData = evaluate('responseData');
		const body =
			responseData === 'noData'
				? undefined
				: (responseData ?? webhookResult.webhookResponse ?? { message: 'Workflow was started' });
		n8nResponds(responseCode, body);
	}
	// responseMode 'lastNode' / 'responseNode': n8n answers when the execution ends; not simulated.
	return finish();
}

/**
 * Calls a trigger node's webhook() once, in-process, with a request built from `options.request`.
 *
 * @example
 * const result = await callWebhook({
 * 	node: new DattoRmmTrigger(),
 * 	parameters: { path: 'datto' },
 * 	credentials: { dattoRmmWebhookApi: { secret: 's3cret' } },
 * 	request: { headers: { 'x-datto-secret': 'wrong' }, body: { alertUid: 'a1' } },
 * });
 * expect(result.response.statusCode).toBe(401);
 * expect(result.webhookResult).toEqual({ noWebhookResponse: true });
 */
export async function callWebhook(options: CallWebhookOptions): Promise<WebhookCallResult> {
	const env = createEnvironment(options);
	const req = createRequest(options.request ?? {}, { method: env.methods[0], path: env.routePath });
	return await handleRequest(env, req, new HarnessResponse());
}

export interface WebhookServer {
	/** Full URL of the webhook, e.g. http://127.0.0.1:PORT/webhook/harness-webhook-id/datto */
	url: string;
	/** http://127.0.0.1:PORT */
	baseUrl: string;
	/** One entry per request that reached the webhook route, in arrival order. */
	calls: WebhookCallResult[];
	/** Workflow static data now (persists across requests, like an active workflow's). */
	staticData(): IDataObject;
	/**
	 * Runs one of the node's webhookMethods (checkExists / create / delete) as n8n does on publish / unpublish, on the
	 * same workflow (same static data), with the production URL pointing at this server. Returns the result and the
	 * log lines the node wrote.
	 */
	hook(method: 'checkExists' | 'create' | 'delete'): Promise<{ result: boolean; logs: HarnessLogEntry[] }>;
	close(): Promise<void>;
}

/**
 * Serves the node's webhook on 127.0.0.1 (random port) so tests can send real HTTP requests: malformed JSON,
 * wrong content types, gzip, huge bodies. One workflow (and so one static data object) for the server's lifetime.
 */
export async function startWebhookServer(options: WebhookSetup): Promise<WebhookServer> {
	const env = createEnvironment(options);
	const calls: WebhookCallResult[] = [];
	const server = http.createServer((message, serverResponse) => {
		const res = new HarnessResponse(serverResponse);
		const req = fromIncomingMessage(message);
		const notFound = (text: string) => {
			message.resume();
			res.status(404).json({ code: 404, message: text });
		};
		if (req.path !== env.routePath) return notFound(`The requested webhook "${req.method} ${req.path}" is not registered.`);
		if (!env.methods.includes(req.method)) {
			const list = env.methods.length === 1 ? env.methods[0] : `${env.methods.slice(0, -1).join(', ')} or ${env.methods.at(-1)}`;
			return notFound(`This webhook is not registered for ${req.method} requests. Did you mean to make a ${list} request?`);
		}
		handleRequest(env, req, res)
			.then((result) => {
				calls.push(result);
				// n8n would leave the connection open; end it so a test sees the problem instead of hanging.
				if (!res.writableEnded) res.end();
				if (!message.complete) message.resume();
			})
			.catch((error: unknown) => {
				if (!res.writableEnded) res.status(500).json({ code: 0, message: `Harness error: ${(error as Error).message}` });
			});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	const baseUrl = `http://127.0.0.1:${port}`;
	return {
		url: `${baseUrl}${env.routePath}`,
		baseUrl,
		calls,
		staticData: () => readStaticData(env.workflow).staticData,
		hook: async (method) => {
			takeLogs();
			const node = env.prepared.node;
			const nodeType = env.nodeTypes.getByNameAndVersion(node.type, node.typeVersion);
			const fn = nodeType.webhookMethods?.[env.description.name]?.[method];
			if (!fn) throw new Error(`Harness: the node has no webhookMethods.${env.description.name}.${method}`);
			const additionalData = createAdditionalData(env.credentialsHelper, { webhookBaseUrl: `${baseUrl}/webhook` });
			const context = new HookContext(env.workflow, node, additionalData, 'trigger', 'activate');
			const result = await fn.call(context);
			return { result, logs: takeLogs() };
		},
		close: async () => {
			server.closeAllConnections();
			await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
		},
	};
}
