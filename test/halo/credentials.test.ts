/**
 * The HaloPSA credentials: preAuthentication (run with n8n's real httpRequest implementation) against the simulator,
 * the credential test request, and the field definitions the nodes and the trigger rely on.
 */
import { httpRequest } from '@n8n/backend-network/testing';
import { inspect } from 'node:util';
import { Workflow } from 'n8n-workflow';
import type { ICredentialDataDecryptedObject, IHttpRequestHelper, IHttpRequestOptions, INodeProperties, INodeTypes } from 'n8n-workflow';
import { HaloPsaApi } from '../../credentials/HaloPsaApi.credentials';
import { HaloPsaWebhookApi } from '../../credentials/HaloPsaWebhookApi.credentials';
import { haloConfigFromCredentials, haloClientFor, clearHaloClients } from '../../nodes/shared/transport/halo';
import { HaloSimulator } from '../../simulators/halo';
import { api, CLIENT_ID, SECRET, startSim } from './helpers';

// n8n's own httpRequest implementation (what this.helpers.httpRequest runs in n8n 2.x); typed against a nested n8n-workflow.
const n8nHttpRequest = httpRequest as unknown as (options: IHttpRequestOptions) => Promise<unknown>;
const helpers = { helpers: { httpRequest: n8nHttpRequest } } as unknown as IHttpRequestHelper;

function credentialsFor(sim: HaloSimulator, overrides: ICredentialDataDecryptedObject = {}): ICredentialDataDecryptedObject {
	return {
		accessToken: '',
		hosting: 'cloud',
		instanceUrl: sim.baseUrl,
		authUrl: '',
		resourceUrl: '',
		tenant: '',
		clientId: CLIENT_ID,
		clientSecret: SECRET,
		scope: 'all',
		requestsPerWindow: 300,
		windowSeconds: 300,
		...overrides,
	};
}

async function failure(promise: Promise<unknown>): Promise<Error> {
	try {
		await promise;
	} catch (error) {
		return error as Error;
	}
	throw new Error('expected a failure');
}

describe('HaloPsaApi credential', () => {
	const credential = new HaloPsaApi();
	let sim: HaloSimulator;

	beforeAll(async () => {
		sim = await startSim({ tenant: 'yourco' });
	});
	afterAll(async () => await sim.close());
	beforeEach(() => sim.reset());

	it('preAuthentication discovers the auth server, fetches a token, and the token works on /api/Agent/me', async () => {
		const result = await credential.preAuthentication!.call(helpers, credentialsFor(sim));
		expect(typeof result.accessToken).toBe('string');
		expect(sim.counts().authInfoRequests).toBe(1);
		const tokenCall = sim.log.entries().find((e) => e.route === 'POST /auth/token');
		expect(tokenCall?.query.tenant).toBe('yourco');
		expect(tokenCall?.body).toMatchObject({ grant_type: 'client_credentials', client_id: CLIENT_ID, scope: 'all', client_secret: '***' });
		expect(JSON.stringify(sim.log.entries())).not.toContain(SECRET);
		const me = await api(sim, result.accessToken as string, 'GET', '/api/Agent/me');
		expect(me.status).toBe(200);
	});

	it('uses a configured auth URL and tenant without discovery', async () => {
		const result = await credential.preAuthentication!.call(
			helpers,
			credentialsFor(sim, { authUrl: `${sim.baseUrl}/auth/`, tenant: 'yourco' }),
		);
		expect(result.accessToken).toBeTruthy();
		expect(sim.counts().authInfoRequests).toBe(0);
	});

	it('fails on a wrong secret with the status and Halo\'s message, and without the secret', async () => {
		const wrong = 'Wr0ng-Halo-Secret-That-Must-Stay-Hidden';
		const error = await failure(credential.preAuthentication!.call(helpers, credentialsFor(sim, { clientSecret: wrong })));
		expect(error.message).toContain('401');
		expect(error.message).toContain('invalid_client');
		expect(error.message).toMatch(/check the client ID, client secret and tenant/);
		const text = [error.message, error.stack, JSON.stringify(error), inspect(error)].join('\n');
		expect(text).not.toContain(wrong);
		expect(text).not.toContain(encodeURIComponent(wrong));
	});

	it('fails on a wrong tenant and on an unreachable server', async () => {
		const tenant = await failure(
			credential.preAuthentication!.call(helpers, credentialsFor(sim, { authUrl: `${sim.baseUrl}/auth`, tenant: 'not-mine' })),
		);
		expect(tenant.message).toContain('401');
		const closed = await startSim();
		const url = closed.baseUrl;
		await closed.close();
		const network = await failure(credential.preAuthentication!.call(helpers, credentialsFor(sim, { instanceUrl: url })));
		expect(network.message).toMatch(/token request to .* failed \(network error/);
		expect(network.message).not.toContain(SECRET);
	});

	it('on-premise: no tenant on the token URL', async () => {
		const onPrem = await startSim({ onPremise: true, authInfo: false });
		try {
			const result = await credential.preAuthentication!.call(helpers, credentialsFor(onPrem, { hosting: 'onPremise' }));
			expect(result.accessToken).toBeTruthy();
			expect(onPrem.log.entries().find((e) => e.route === 'POST /auth/token')?.query).toEqual({});
		} finally {
			await onPrem.close();
		}
	});

	it('authenticates with the token as a bearer and tests GET {resource}/Agent/me', () => {
		expect(credential.authenticate).toEqual({
			type: 'generic',
			properties: { headers: { Authorization: '=Bearer {{$credentials.accessToken}}' } },
		});
		expect(credential.test.request.url).toBe('/Agent/me');
		const baseURL = String(credential.test.request.baseURL);
		// Evaluated by n8n's own expression engine with $credentials in scope, as the credential test does.
		const nodeTypes = {
			getByName: () => ({ description: { properties: [] } }),
			getByNameAndVersion: () => ({ description: { properties: [], inputs: [], outputs: [] } }),
			getKnownTypes: () => ({}),
		} as unknown as INodeTypes;
		const workflow = new Workflow({
			nodes: [{ id: '1', name: 'Temp', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [0, 0], parameters: {} }],
			connections: {},
			active: false,
			nodeTypes,
		});
		const evaluate = (creds: Record<string, unknown>): unknown =>
			workflow.expression.getParameterValue(baseURL, null, 0, 0, 'Temp', [], 'internal', { $credentials: creds });
		expect(evaluate({ instanceUrl: 'https://yourco.halopsa.com/', resourceUrl: '' })).toBe('https://yourco.halopsa.com/api');
		expect(evaluate({ instanceUrl: 'https://yourco.halopsa.com/api', resourceUrl: '' })).toBe('https://yourco.halopsa.com/api');
		expect(evaluate({ instanceUrl: 'https://a.example', resourceUrl: 'https://b.example/api/' })).toBe('https://b.example/api');
	});

	it('has the fields the nodes read, a hidden expirable token and password-protected secrets', () => {
		const byName = Object.fromEntries(credential.properties.map((p: INodeProperties) => [p.name, p]));
		expect(credential.name).toBe('haloPsaApi');
		expect(credential.displayName).toBe('HaloPSA Client Credentials API');
		expect(byName.accessToken).toMatchObject({ type: 'hidden', typeOptions: { expirable: true } });
		expect(credential.properties[0].name).toBe('accessToken');
		expect(byName.clientSecret.typeOptions).toMatchObject({ password: true });
		expect(byName.scope.default).toBe('all');
		expect(byName.requestsPerWindow.default).toBe(300);
		expect(byName.windowSeconds.default).toBe(300);
		expect(byName.hosting.options?.map((o) => (o as { value: string }).value)).toEqual(['cloud', 'onPremise']);
		const config = haloConfigFromCredentials(credentialsFor(sim, { requestsPerWindow: 120, windowSeconds: 180 }));
		expect(config).toMatchObject({ hosting: 'cloud', instanceUrl: sim.baseUrl, clientId: CLIENT_ID, requestsPerWindow: 120, windowSeconds: 180 });
	});

	it('nodes get a cached HaloClient from the credential (haloClientFor)', async () => {
		const context = { getCredentials: async <T>() => credentialsFor(sim, { tenant: 'yourco' }) as T };
		const a = await haloClientFor(context);
		const b = await haloClientFor(context);
		expect(b).toBe(a);
		expect((await a.me()).id).toBe(42);
		clearHaloClients();
	});
});

describe('HaloPsaWebhookApi credential', () => {
	it('offers Basic, Bearer and shared-header secrets, all password fields', () => {
		const credential = new HaloPsaWebhookApi();
		expect(credential.name).toBe('haloPsaWebhookApi');
		const byName = Object.fromEntries(credential.properties.map((p) => [p.name, p]));
		expect(byName.authMethod.options?.map((o) => (o as { value: string }).value)).toEqual(['basic', 'bearer', 'header']);
		for (const secret of ['password', 'token', 'headerValue']) expect(byName[secret].typeOptions).toMatchObject({ password: true });
		expect(byName.username.displayOptions).toEqual({ show: { authMethod: ['basic'] } });
		expect(byName.headerName.displayOptions).toEqual({ show: { authMethod: ['header'] } });
		expect(credential.icon).toEqual({ light: 'file:../icons/halo.svg', dark: 'file:../icons/halo.dark.svg' });
	});
});
