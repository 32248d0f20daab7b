/**
 * The Datto RMM credentials: preAuthentication against the simulator (right and wrong secret), and the credential
 * test request (`test` + `authenticate`, expressions resolved by n8n-workflow's real expression engine) reaching
 * GET /api/v2/account with the fetched token.
 */
import axios from 'axios';
import { Workflow } from 'n8n-workflow';
import type { ICredentialDataDecryptedObject, IHttpRequestHelper, IHttpRequestOptions, INode } from 'n8n-workflow';
import { DattoRmmApi } from '../../credentials/DattoRmmApi.credentials';
import { DattoRmmWebhookApi } from '../../credentials/DattoRmmWebhookApi.credentials';
import { dattoConfigFromCredentials, getDattoClientForCredentials, resetDattoClients } from '../../nodes/shared/transport/datto';
import type { DattoSimulator } from '../../simulators/datto';
import { HarnessInput, HarnessNodeTypes, INPUT_NODE_NAME, INPUT_NODE_TYPE } from '../helpers/nodeHarness';
import { SECRET, startSim } from './helpers';

/** helpers.httpRequest as n8n provides it: axios, throws on non-2xx with the response attached. */
const httpHelper: IHttpRequestHelper = {
	helpers: {
		httpRequest: async (options: IHttpRequestOptions) => {
			const response = await axios.request({
				method: options.method,
				url: options.url,
				baseURL: options.baseURL,
				headers: options.headers as Record<string, string>,
				data: options.body,
				params: options.qs,
			});
			return response.data as unknown;
		},
	} as IHttpRequestHelper['helpers'],
};

const node: INode = { id: '1', name: INPUT_NODE_NAME, type: INPUT_NODE_TYPE, typeVersion: 1, position: [0, 0], parameters: {} };
const workflow = new Workflow({
	nodes: [node],
	connections: {},
	active: false,
	nodeTypes: new HarnessNodeTypes({ [INPUT_NODE_TYPE]: new HarnessInput() }),
});
/** How n8n resolves credential expressions (CredentialsHelper.resolveValue / RoutingNode): `$credentials` as additional key. */
const resolve = (value: string, credentials: ICredentialDataDecryptedObject): unknown =>
	workflow.expression.getParameterValue(value, null, 0, 0, node.name, [], 'internal', {
		$credentials: credentials,
	} as never);

let sim: DattoSimulator;
beforeEach(async () => {
	sim = await startSim();
});
afterEach(async () => {
	await sim.close();
	resetDattoClients();
});

const credentialType = new DattoRmmApi();
const fields = (overrides: Partial<Record<string, string>> = {}): ICredentialDataDecryptedObject => ({
	platform: 'custom',
	customUrl: `${sim.baseUrl}/api/`,
	apiKey: sim.config.apiKey,
	apiSecret: SECRET,
	accessToken: '',
	...overrides,
});

test('preAuthentication fetches a token that the credential test request uses for GET /api/v2/account', async () => {
	const credentials = fields();
	const output = await credentialType.preAuthentication.call(httpHelper, credentials);
	expect(typeof output.accessToken).toBe('string');
	expect(sim.tokenRequestCount()).toBe(1);
	const withToken = { ...credentials, ...output } as ICredentialDataDecryptedObject;

	const request = credentialType.test.request;
	const baseURL = resolve(request.baseURL!, withToken) as string;
	expect(baseURL).toBe(sim.baseUrl);
	const authorization = resolve(credentialType.authenticate.properties.headers!.Authorization as string, withToken);
	expect(authorization).toBe(`Bearer ${String(output.accessToken)}`);
	const response = await axios.request({ baseURL, url: request.url, method: request.method, headers: { Authorization: authorization as string } });
	expect(response.status).toBe(200);
	expect(response.data).toMatchObject({ uid: 'ab1c0002', name: 'Simulated MSP' });
	expect(sim.log.count('GET /api/v2/account', 200)).toBe(1);
});

test('preAuthentication with a wrong secret fails with a clear message and without the secret', async () => {
	const wrong = 'Definitely-Wrong-Secret-777';
	const attempt = credentialType.preAuthentication.call(httpHelper, fields({ apiSecret: wrong }));
	await expect(attempt).rejects.toThrow(/Datto RMM token request failed \(401: Bad credentials\): check the API key and secret/);
	const message = await attempt.catch((e: Error) => `${e.message} ${JSON.stringify(e)}`);
	expect(message).not.toContain(wrong);
	expect(message).not.toContain(sim.config.apiKey);
	expect(sim.counters.tokenRejections).toBe(1);
});

test('the test request goes to https://<platform>-api.centrastage.net for a platform, and trims a custom URL', () => {
	const baseURL = credentialType.test.request.baseURL!;
	expect(resolve(baseURL, { platform: 'merlot' })).toBe('https://merlot-api.centrastage.net');
	expect(resolve(baseURL, { platform: 'syrah' })).toBe('https://syrah-api.centrastage.net');
	expect(resolve(baseURL, { platform: 'custom', customUrl: ' https://concord-api.centrastage.net/api/v2/ ' })).toBe(
		'https://concord-api.centrastage.net',
	);
	const platforms = (credentialType.properties.find((p) => p.name === 'platform')!.options as Array<{ value: string }>).map((o) => o.value);
	expect(platforms).toEqual(['pinotage', 'merlot', 'concord', 'vidal', 'zinfandel', 'syrah', 'custom']);
	const hidden = credentialType.properties.find((p) => p.name === 'accessToken')!;
	expect(hidden).toMatchObject({ type: 'hidden', typeOptions: { expirable: true } });
	expect(credentialType.properties.find((p) => p.name === 'apiSecret')!.typeOptions?.password).toBe(true);
});

test('the nodes build their DattoClient from the same credential fields', async () => {
	expect(dattoConfigFromCredentials({ platform: 'vidal', apiKey: ' k ', apiSecret: 's' })).toEqual({
		apiUrl: 'https://vidal-api.centrastage.net',
		apiKey: 'k',
		apiSecret: 's',
	});
	const client = getDattoClientForCredentials(fields());
	expect(getDattoClientForCredentials(fields())).toBe(client);
	await expect(client.getAccount()).resolves.toMatchObject({ uid: 'ab1c0002' });
});

test('webhook secret credential fields', () => {
	const webhook = new DattoRmmWebhookApi();
	expect(webhook.name).toBe('dattoRmmWebhookApi');
	const byName = Object.fromEntries(webhook.properties.map((p) => [p.name, p]));
	expect(byName.secret.typeOptions?.password).toBe(true);
	expect(byName.queryParameter.default).toBe('secret');
	expect(byName.headerName.default).toBe('x-webhook-secret');
});
