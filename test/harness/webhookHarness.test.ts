import { HarnessTrigger } from '../fixtures/harness/HarnessTrigger';
import { callWebhook } from '../helpers/webhookHarness';

const base = {
	node: new HarnessTrigger(),
	credentials: { harnessWebhookApi: { secret: 's3cret' } },
};
const auth = { 'X-Harness-Secret': 's3cret' };

describe('callWebhook (n8n-core WebhookContext)', () => {
	it('401: the node writes the response itself and returns noWebhookResponse', async () => {
		const result = await callWebhook({ ...base, request: { headers: { 'X-Harness-Secret': 'wrong' }, body: { id: 1 } } });
		expect(result.webhookCalled).toBe(true);
		expect(result.webhookResult).toEqual({ noWebhookResponse: true });
		expect(result.respondedBy).toBe('node');
		expect(result.response).toMatchObject({ statusCode: 401, json: { error: 'Unauthorized' }, ended: true });
		expect(result.response.headers['content-type']).toBe('application/json; charset=utf-8');
		expect(result.workflowData).toBeUndefined();
		expect(result.staticDataChanged).toBe(false);
	});

	it('a JSON object starts the workflow; n8n answers "Workflow was started"', async () => {
		const result = await callWebhook({
			...base,
			parameters: { path: 'alerts', headerName: '={{ "X-Harness-" + "Secret" }}' },
			request: { headers: auth, query: { source: 'test' }, body: { id: 7, text: 'hi' } },
		});
		expect(result.error).toBeUndefined();
		expect(result.workflowData).toEqual([
			[
				{
					json: {
						body: { id: 7, text: 'hi' },
						query: { source: 'test' },
						contentType: 'application/json',
						rawLength: 20,
						url: 'http://localhost:5678/webhook/harness-webhook-id/alerts',
					},
				},
			],
		]);
		expect(result.respondedBy).toBe('n8n');
		expect(result.response).toMatchObject({ statusCode: 200, json: { message: 'Workflow was started' } });
		expect(result.request.path).toBe('/webhook/harness-webhook-id/alerts');
		expect(result.nodeStaticData).toEqual({ seen: ['7'] });
	});

	it('static data carries over between calls: a repeated id gets the node\'s webhookResponse', async () => {
		const first = await callWebhook({ ...base, request: { headers: auth, body: { id: 'a' } } });
		const second = await callWebhook({ ...base, staticData: first.staticData, request: { headers: auth, body: { id: 'a' } } });
		expect(second.workflowData).toBeUndefined();
		expect(second.response).toMatchObject({ statusCode: 200, json: { status: 'duplicate', id: 'a' } });
		expect(second.respondedBy).toBe('n8n');
	});

	it('malformed JSON is rejected by n8n with 422 before webhook() runs', async () => {
		const result = await callWebhook({
			...base,
			request: { headers: { ...auth, 'content-type': 'application/json' }, body: '{"id": 1,' },
		});
		expect(result.webhookCalled).toBe(false);
		expect(result.response.statusCode).toBe(422);
		expect(result.response.json).toMatchObject({ code: 422, message: 'Failed to parse request body' });
		expect((result.response.json as { hint: string }).hint).toMatch(/JSON/);
	});

	it('text/plain arrives as a string body', async () => {
		const result = await callWebhook({
			...base,
			request: { headers: { ...auth, 'content-type': 'text/plain; charset=utf-8' }, body: '{"id": 1}' },
		});
		expect(result.request.body).toBe('{"id": 1}');
		expect(result.response).toMatchObject({ statusCode: 400, json: { received: 'string' } });
	});

	it('an unknown content type leaves the body undefined (rawBody still read for typeVersion 1)', async () => {
		const result = await callWebhook({
			...base,
			request: { headers: { ...auth, 'content-type': 'application/vnd.api+json' }, body: '{"id": 1}' },
		});
		expect(result.request.body).toBeUndefined();
		expect(result.request.rawBody?.toString()).toBe('{"id": 1}');
		expect(result.response).toMatchObject({ statusCode: 400, json: { received: 'nothing' } });
	});

	it('form-urlencoded bodies are parsed like n8n (querystring)', async () => {
		const result = await callWebhook({
			...base,
			request: { headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' }, body: 'id=9&tag=a&tag=b' },
		});
		expect(result.workflowData?.[0][0].json.body).toEqual({ id: '9', tag: ['a', 'b'] });
	});

	it('XML is parsed with xml2js as n8n does (lowercased tags, no arrays)', async () => {
		const result = await callWebhook({
			...base,
			request: { headers: { ...auth, 'content-type': 'application/xml' }, body: '<Alert><ID>5</ID><Tag>x</Tag></Alert>' },
		});
		expect(result.workflowData?.[0][0].json.body).toEqual({ alert: { id: '5', tag: 'x' } });
	});

	it('typeVersion > 1 does not read non-parsable bodies (rawBody stays unset until readRawBody())', async () => {
		const result = await callWebhook({
			...base,
			typeVersion: 2,
			request: { headers: { ...auth, 'content-type': 'application/octet-stream' }, body: 'abc' },
		});
		expect(result.request.rawBody).toBeUndefined();
		await result.request.readRawBody();
		expect(result.request.rawBody?.toString()).toBe('abc');
	});

	it('missing credentials make webhook() throw; n8n answers 500 "could not be started"', async () => {
		const result = await callWebhook({ node: new HarnessTrigger(), request: { headers: auth, body: { id: 1 } } });
		expect(result.error).toMatchObject({ name: 'NodeOperationError', message: 'Node does not have any credentials set' });
		expect(result.response).toMatchObject({
			statusCode: 500,
			json: { code: 0, message: 'Workflow Webhook Error: Workflow could not be started!' },
		});
	});
});
