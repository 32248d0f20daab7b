import { gzipSync } from 'node:zlib';

import { HarnessTrigger } from '../fixtures/harness/HarnessTrigger';
import { PAYLOAD_SIZE_MAX_BYTES, startWebhookServer } from '../helpers/webhookHarness';
import type { WebhookServer } from '../helpers/webhookHarness';

const auth = { 'x-harness-secret': 's3cret' };
let server: WebhookServer;

beforeAll(async () => {
	server = await startWebhookServer({
		node: new HarnessTrigger(),
		parameters: { path: 'datto/alerts' },
		credentials: { harnessWebhookApi: { secret: 's3cret' } },
	});
});
afterAll(async () => await server.close());

async function post(body: string | Buffer, headers: Record<string, string>, url = server.url, method = 'POST') {
	const res = await fetch(url, { method, headers, body: method === 'GET' ? undefined : typeof body === 'string' ? body : new Uint8Array(body) });
	const text = await res.text();
	return { status: res.status, text, json: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

describe('startWebhookServer (real HTTP)', () => {
	it('serves the webhook under n8n\'s production path', () => {
		expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/webhook\/harness-webhook-id\/datto\/alerts$/);
	});

	it('valid JSON starts the workflow', async () => {
		const res = await post(JSON.stringify({ id: 'x1' }), { ...auth, 'content-type': 'application/json; charset=utf-8' });
		expect(res).toMatchObject({ status: 200, json: { message: 'Workflow was started' } });
		const call = server.calls.at(-1)!;
		expect(call.workflowData?.[0][0].json.body).toEqual({ id: 'x1' });
	});

	it('static data persists across requests (duplicate detected)', async () => {
		const res = await post(JSON.stringify({ id: 'x1' }), { ...auth, 'content-type': 'application/json' });
		expect(res).toMatchObject({ status: 200, json: { status: 'duplicate', id: 'x1' } });
		expect(server.staticData()).toEqual({ 'node:Harness Trigger': { seen: ['x1'] } });
	});

	it('wrong secret: 401 written by the node', async () => {
		const res = await post('{}', { 'x-harness-secret': 'nope', 'content-type': 'application/json' });
		expect(res).toMatchObject({ status: 401, json: { error: 'Unauthorized' } });
	});

	it('malformed JSON: 422 from n8n, webhook() not called', async () => {
		const before = server.calls.length;
		const res = await post('{"id": ', { ...auth, 'content-type': 'application/json' });
		expect(res.status).toBe(422);
		expect(res.json).toMatchObject({ code: 422, message: 'Failed to parse request body' });
		expect(server.calls[before].webhookCalled).toBe(false);
	});

	it('gzip-encoded JSON is decoded', async () => {
		const res = await post(gzipSync(JSON.stringify({ id: 'gz' })), {
			...auth,
			'content-type': 'application/json',
			'content-encoding': 'gzip',
		});
		expect(res).toMatchObject({ status: 200, json: { message: 'Workflow was started' } });
	});

	it('octet-stream: body stays undefined, the node answers 400', async () => {
		const res = await post('{"id":"z"}', { ...auth, 'content-type': 'application/octet-stream' });
		expect(res).toMatchObject({ status: 400, json: { received: 'nothing' } });
		expect(server.calls.at(-1)!.request.rawBody?.toString()).toBe('{"id":"z"}');
	});

	it('a body over the payload limit is answered 500 by n8n', async () => {
		const huge = Buffer.alloc(PAYLOAD_SIZE_MAX_BYTES + 10, 'a');
		const res = await post(huge, { ...auth, 'content-type': 'application/json' });
		expect(res).toMatchObject({ status: 500, json: { code: 0, message: 'There was a problem executing the workflow' } });
	});

	it('wrong method / unknown path: 404 like n8n', async () => {
		const get = await post('', auth, server.url, 'GET');
		expect(get).toMatchObject({
			status: 404,
			json: { code: 404, message: 'This webhook is not registered for GET requests. Did you mean to make a POST request?' },
		});
		const other = await post('{}', auth, `${server.baseUrl}/webhook/other`);
		expect(other.status).toBe(404);
	});
});
