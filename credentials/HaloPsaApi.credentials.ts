import type {
	IAuthenticateGeneric,
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IDataObject,
	IHttpRequestHelper,
	INodeProperties,
} from 'n8n-workflow';
import {
	defaultHaloAuthUrl,
	haloConfigFromCredentials,
	haloTokenUrl,
	resolveHaloConfig,
} from '../nodes/shared/transport/halo/config';
import { haloErrorMessage } from '../nodes/shared/transport/halo/messages';
import { redactSecrets } from '../nodes/shared/transport/http/redact';

function parseJson(data: unknown): unknown {
	if (typeof data !== 'string') return data;
	try {
		return JSON.parse(data);
	} catch {
		return data;
	}
}

/** Status and Halo's message from an error thrown by n8n's httpRequest (axios-like or NodeApiError-like). */
function describeFailure(error: unknown): { status?: number; message: string } {
	const e = error as {
		httpCode?: string | number;
		status?: number;
		response?: { status?: number; data?: unknown; body?: unknown };
		cause?: { response?: { status?: number; data?: unknown } };
		message?: string;
	};
	const response = e.response ?? e.cause?.response;
	const status = Number(response?.status ?? e.status ?? e.httpCode) || undefined;
	const data = parseJson(response?.data ?? (response as { body?: unknown } | undefined)?.body);
	if (data !== undefined && data !== null && data !== '') return { status, message: haloErrorMessage(status ?? 0, data) };
	return { status, message: String(e.message ?? 'unknown error') };
}

/**
 * HaloPSA API with an application of type "Client ID and Secret (Services)" (Configuration > Integrations >
 * Halo API > View Applications), logged in as a dedicated API agent. n8n fetches a token in preAuthentication
 * (hidden, expirable `accessToken`) so the credential test really authenticates and calls GET /api/Agent/me.
 * The HaloPSA nodes use their own client built from the same fields (token cache, request budget, retries).
 */
export class HaloPsaApi implements ICredentialType {
	name = 'haloPsaApi';

	displayName = 'HaloPSA Client Credentials API';

	documentationUrl = 'https://git.example.com/n8n-nodes-halo-datto#halopsa-api-credential';

	icon = { light: 'file:../icons/halo.svg', dark: 'file:../icons/halo.dark.svg' } as const;

	properties: INodeProperties[] = [
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'hidden',
			typeOptions: { expirable: true, password: true },
			default: '',
		},
		{
			displayName: 'Hosting',
			name: 'hosting',
			type: 'options',
			options: [
				{ name: 'Hosted by Halo (Cloud)', value: 'cloud', description: 'e.g. https://yourco.halopsa.com' },
				{ name: 'On-Premise', value: 'onPremise', description: 'Self-hosted Halo; the token URL has no tenant' },
			],
			default: 'cloud',
		},
		{
			displayName: 'Instance URL',
			name: 'instanceUrl',
			type: 'string',
			default: '',
			placeholder: 'https://yourco.halopsa.com',
			required: true,
			description: 'The address of your Halo web app',
		},
		{
			displayName: 'Authorisation Server URL',
			name: 'authUrl',
			type: 'string',
			default: '',
			placeholder: 'https://yourco.halopsa.com/auth',
			description:
				'Shown in Halo under Configuration > Integrations > Halo API > API Details. Leave empty to discover it from {instance}/api/authinfo (falls back to {instance}/auth).',
		},
		{
			displayName: 'Resource Server URL',
			name: 'resourceUrl',
			type: 'string',
			default: '',
			placeholder: 'https://yourco.halopsa.com/api',
			description: 'Leave empty to use {instance}/api',
		},
		{
			displayName: 'Tenant',
			name: 'tenant',
			type: 'string',
			default: '',
			placeholder: 'yourco',
			description:
				'Tenant name from API Details (sent as ?tenant= to the token endpoint). Leave empty to take it from {instance}/api/authinfo.',
			displayOptions: { show: { hosting: ['cloud'] } },
		},
		{
			displayName: 'Client ID',
			name: 'clientId',
			type: 'string',
			default: '',
			required: true,
		},
		{
			displayName: 'Client Secret',
			name: 'clientSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
		},
		{
			displayName: 'Scope',
			name: 'scope',
			type: 'string',
			default: 'all',
			description: 'Space-separated scopes granted to the application (e.g. "all", or "read:tickets edit:tickets read:customers")',
		},
		{
			displayName: 'Requests per Window',
			name: 'requestsPerWindow',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 300,
			description:
				"Request budget shared by everything using this credential in one n8n process. Halo's limit differs per tenant (300 per 5 minutes is the most common figure); leave room for other integrations.",
		},
		{
			displayName: 'Window (Seconds)',
			name: 'windowSeconds',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 300,
			description: 'Length of the rolling window of the request budget',
		},
	];

	/**
	 * Fetches a client-credentials token (discovering the authorisation server when none is configured). Errors name
	 * the HTTP status and Halo's message, never the secret.
	 */
	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject): Promise<IDataObject> {
		const config = resolveHaloConfig(haloConfigFromCredentials(credentials));
		let authUrl = config.authUrl;
		let tenant = config.tenant;
		if (!authUrl) {
			try {
				const info = parseJson(
					await this.helpers.httpRequest({ method: 'GET', url: `${config.instanceUrl}/api/authinfo`, json: true }),
				) as { auth_url?: unknown; tenant_id?: unknown } | undefined;
				authUrl = typeof info?.auth_url === 'string' && info.auth_url.trim() ? info.auth_url.trim().replace(/\/+$/, '') : undefined;
				if (!tenant && typeof info?.tenant_id === 'string' && info.tenant_id.trim()) tenant = info.tenant_id.trim();
			} catch {
				authUrl = undefined; // older builds have no /api/authinfo: use the default below
			}
			authUrl ??= defaultHaloAuthUrl(config.instanceUrl);
		}
		const url = haloTokenUrl(authUrl, config.hosting, tenant);
		let response: unknown;
		try {
			response = await this.helpers.httpRequest({
				method: 'POST',
				url,
				headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
				body: new URLSearchParams({
					grant_type: 'client_credentials',
					client_id: config.clientId,
					client_secret: config.clientSecret,
					scope: config.scope,
				}).toString(),
			});
		} catch (error) {
			const { status, message } = describeFailure(error);
			const hint =
				status === 400 || status === 401
					? ': check the client ID, client secret and tenant (and that the application uses "Client ID and Secret (Services)")'
					: status === 404
						? ': check the authorisation server URL'
						: '';
			throw new Error(
				redactSecrets(`HaloPSA token request to ${url.split('?')[0]} failed (${status ?? 'network error'}: ${message})${hint}`, [
					config.clientSecret,
				]),
			);
		}
		const accessToken = (parseJson(response) as { access_token?: unknown } | undefined)?.access_token;
		if (typeof accessToken !== 'string' || accessToken === '') {
			throw new Error('HaloPSA token request failed: the response has no access_token');
		}
		return { accessToken };
	}

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { Authorization: '=Bearer {{$credentials.accessToken}}' } },
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL:
				'={{ String($credentials.resourceUrl || "").trim() ? String($credentials.resourceUrl).trim().replace(/\\/+$/, "") : String($credentials.instanceUrl).trim().replace(/\\/+$/, "").replace(/\\/api$/i, "") + "/api" }}',
			url: '/Agent/me',
			method: 'GET',
		},
	};
}
