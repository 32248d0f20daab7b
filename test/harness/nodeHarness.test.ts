import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { EchoNode } from '../fixtures/harness/EchoNode';
import { HarnessHttpNode, HarnessTokenApi } from '../fixtures/harness/HarnessHttp';
import { HarnessEchoApi } from '../fixtures/harness/HarnessEchoApi.credentials';
import { runNode } from '../helpers/nodeHarness';

const node = new EchoNode();

describe('runNode (n8n-core WorkflowExecute)', () => {
	it('resolves expressions per item and keeps pairedItem', async () => {
		const result = await runNode({
			node,
			parameters: { operation: 'echo', message: '={{ "hello " + $json.name + " #" + $itemIndex }}' },
			input: [{ json: { name: 'ada' } }, { json: { name: 'bob' } }],
		});
		expect(result.status).toBe('success');
		expect(result.error).toBeUndefined();
		expect(result.items).toEqual([
			{ json: { message: 'hello ada #0', index: 0 }, pairedItem: { item: 0 } },
			{ json: { message: 'hello bob #1', index: 1 }, pairedItem: { item: 1 } },
		]);
	});

	it('resolves expressions that follow pairedItem back to the input node', async () => {
		const result = await runNode({
			node,
			parameters: { operation: 'echo', message: "={{ $('Input').item.json.name.toUpperCase() }}" },
			input: [{ json: { name: 'ada' } }, { json: { name: 'bob' } }],
		});
		expect(result.items.map((i) => i.json.message)).toEqual(['ADA', 'BOB']);
	});

	it('without continueOnFail the NodeApiError surfaces with its class, httpCode and itemIndex', async () => {
		const result = await runNode({
			node,
			parameters: { operation: 'echo', message: 'x', shouldFail: '={{ $json.fail === true }}' },
			input: [{ json: {} }, { json: { fail: true } }, { json: {} }],
		});
		expect(result.status).toBe('error');
		expect(result.items).toEqual([]);
		expect(result.error).toMatchObject({
			name: 'NodeApiError',
			message: 'Item 1 not found',
			httpCode: '404',
			itemIndex: 1,
		});
		expect(result.error!.thrown).toBeInstanceOf(NodeApiError);
		// n8n stores a plain copy of the error in the run data and as the execution error
		expect(result.run.data.resultData.error?.message).toBe('Item 1 not found');
	});

	it('continueOnFail turns failing items into error items and keeps the others', async () => {
		const result = await runNode({
			node,
			continueOnFail: true,
			parameters: { operation: 'echo', message: 'ok', shouldFail: '={{ $json.fail === true }}' },
			input: [{ json: {} }, { json: { fail: true } }, { json: {} }],
		});
		expect(result.status).toBe('success');
		expect(result.error).toBeUndefined();
		expect(result.items).toEqual([
			{ json: { message: 'ok', index: 0 }, pairedItem: { item: 0 } },
			{ json: { error: 'Item 1 not found' }, pairedItem: { item: 1 } },
			{ json: { message: 'ok', index: 2 }, pairedItem: { item: 2 } },
		]);
	});

	it("onError 'continueErrorOutput' routes error items to n8n's error output", async () => {
		const result = await runNode({
			node,
			onError: 'continueErrorOutput',
			parameters: { operation: 'echo', message: 'ok', shouldFail: '={{ $json.fail === true }}' },
			input: [{ json: { fail: true } }, { json: {} }],
		});
		expect(result.outputs).toHaveLength(2);
		expect(result.outputs[0]).toEqual([{ json: { message: 'ok', index: 1 }, pairedItem: { item: 1 } }]);
		// n8n merges the paired input item into the error item on the error output
		expect(result.outputs[1]).toEqual([
			{ json: { fail: true, error: 'Item 0 not found' }, pairedItem: { item: 0 } },
		]);
	});

	it('NodeOperationError keeps its class and itemIndex', async () => {
		const result = await runNode({
			node,
			parameters: { operation: 'validate', message: '={{ $json.text }}' },
			input: [{ json: { text: 'fine' } }, { json: { text: '' } }],
		});
		expect(result.error).toMatchObject({ name: 'NodeOperationError', message: 'Message must not be empty', itemIndex: 1 });
		expect(result.error!.thrown).toBeInstanceOf(NodeOperationError);
	});

	it('passes credentials in, with defaults from the credential type', async () => {
		const result = await runNode({
			node,
			parameters: { operation: 'whoAmI' },
			credentials: { harnessEchoApi: { user: 'alice' } },
			credentialTypes: [new HarnessEchoApi()],
		});
		expect(result.items).toEqual([{ json: { user: 'alice', region: 'eu' }, pairedItem: { item: 0 } }]);
	});

	it('missing credentials fail the way n8n fails them', async () => {
		const result = await runNode({ node, parameters: { operation: 'whoAmI' } });
		expect(result.status).toBe('error');
		expect(result.error).toMatchObject({ name: 'NodeOperationError', message: 'Node does not have any credentials set' });
	});

	it('returns updated static data and the logs written through this.logger', async () => {
		const result = await runNode({
			node,
			parameters: { operation: 'echo', message: 'x' },
			staticData: { 'node:Echo': { runs: 41 }, global: { keep: true } },
		});
		expect(result.nodeStaticData).toEqual({ runs: 42 });
		expect(result.staticData).toEqual({ 'node:Echo': { runs: 42 }, global: { keep: true } });
		expect(result.staticDataChanged).toBe(true);
		expect(result.logs).toContainEqual({ level: 'info', message: 'echo run', meta: { runs: 42, items: 1 } });
	});

	it('static data of a custom node name lives under node:<name>', async () => {
		const first = await runNode({ node, name: 'My Echo', parameters: { operation: 'echo' } });
		const second = await runNode({ node, name: 'My Echo', parameters: { operation: 'echo' }, staticData: first.staticData });
		expect(first.staticData).toEqual({ 'node:My Echo': { runs: 1 } });
		expect(second.nodeStaticData).toEqual({ runs: 2 });
	});

	it('n8n HTTP helpers: preAuthentication fetches a token, generic authenticate sends it', async () => {
		const seen: string[] = [];
		const api = http.createServer((req, res) => {
			seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? '-'}`);
			res.setHeader('content-type', 'application/json');
			res.end(JSON.stringify(req.url === '/token' ? { token: 'tok-1' } : { me: 'api-user' }));
		});
		await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
		const baseUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
		try {
			const result = await runNode({
				node: new HarnessHttpNode(),
				input: [{ json: {} }, { json: {} }],
				credentials: { harnessTokenApi: { baseUrl, clientSecret: 'cs' } },
				credentialTypes: [new HarnessTokenApi()],
			});
			expect(result.error).toBeUndefined();
			expect(result.items.map((i) => i.json)).toEqual([{ me: 'api-user' }, { me: 'api-user' }]);
			// one token request, then the token is persisted (as n8n does) and reused
			expect(seen).toEqual(['POST /token -', 'GET /me Bearer tok-1', 'GET /me Bearer tok-1']);
			expect(result.credentialUpdates.at(-1)?.data).toMatchObject({ sessionToken: 'tok-1' });
		} finally {
			api.close();
		}
	});
});
