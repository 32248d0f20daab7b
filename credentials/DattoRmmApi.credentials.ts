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
	dattoApiBaseUrl,
	DATTO_PLATFORMS,
	DATTO_PUBLIC_CLIENT_AUTHORIZATION,
	DATTO_GRANT_PATH,
} from '../nodes/shared/transport/datto/config';
import { redactSecrets } from '../nodes/shared/transport/http/redact';

const text = (value: unknown): string => (typeof value === 'string' ? value.trim() : value == null ? '' : String(value).trim());

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
	let data = response?.data ?? (response as { body?: unknown } | undefined)?.body;
	if (typeof data === 'string') {
		try {
			data = JSON.parse(data);
		} catch {
			// plain text body
		}
	}
	const body = data && typeof data === 'object' ? (data as Record<string, unknown>) : undefined;
	const apiMessage =
		text(body?.error_description) || text(body?.message) || text(body?.error) || (typeof data === 'string' ? data.slice(0, 200) : '');
	return { status, message: apiMessage || text(e.message) || 'unknown error' };
}

/**
 * Datto RMM API v2: OAuth2 password grant with Datto's public client (Basic public-client:public); the API key is
 * the username and the API secret the password. n8n fetches the token in preAuthentication (hidden, expirable
 * `accessToken`), so the credential test really authenticates and calls GET /api/v2/account. The Datto nodes use
 * their own client (token cache, rate budget) built from the same fields.
 */
export class DattoRmmApi implements ICredentialType {
	name = 'dattoRmmApi';

	displayName = 'Datto RMM API';

	documentationUrl = 'https://git.example.com/n8n-nodes-halo-datto#datto-rmm-api-credential';

	icon = { light: 'file:../icons/datto.svg', dark: 'file:../icons/datto.dark.svg' } as const;

	properties: INodeProperties[] = [
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'hidden',
			typeOptions: { expirable: true, password: true },
			default: '',
		},
		{
			displayName: 'Platform',
			name: 'platform',
			type: 'options',
			options: [
				...DATTO_PLATFORMS.map((platform) => ({
					name: platform.charAt(0).toUpperCase() + platform.slice(1),
					value: platform,
					description: `https://${platform}-api.centrastage.net`,
				})),
				{ name: 'Custom API URL', value: 'custom', description: 'Enter the API URL yourself' },
			],
			default: 'pinotage',
			description:
				'The Datto RMM platform of your account. Datto shows the API URL under Setup > Users > (API user) > Generate API Keys.',
		},
		{
			displayName: 'API URL',
			name: 'customUrl',
			type: 'string',
			default: '',
			placeholder: 'https://merlot-api.centrastage.net',
			description: 'The API URL shown by Datto RMM (a trailing /api is removed)',
			displayOptions: { show: { platform: ['custom'] } },
			required: true,
		},
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
		},
		{
			displayName: 'API Secret Key',
			name: 'apiSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'Shown once when the API keys are generated; regenerating keys invalidates the old pair',
		},
	];

	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject): Promise<IDataObject> {
		const apiKey = text(credentials.apiKey);
		const apiSecret = text(credentials.apiSecret);
		const base = dattoApiBaseUrl({ platform: text(credentials.platform), customUrl: text(credentials.customUrl) });
		let response: unknown;
		try {
			response = await this.helpers.httpRequest({
				method: 'POST',
				url: `${base}${DATTO_GRANT_PATH}`,
				headers: {
					Authorization: DATTO_PUBLIC_CLIENT_AUTHORIZATION,
					'Content-Type': 'application/x-www-form-urlencoded',
					Accept: 'application/json',
				},
				body: new URLSearchParams({ grant_type: 'password', username: apiKey, password: apiSecret }).toString(),
			});
		} catch (error) {
			const { status, message } = describeFailure(error);
			const hint =
				status === 400 || status === 401
					? ': check the API key and secret (and that API access is enabled in Datto RMM)'
					: status === 403
						? ': access denied (API access disabled, or the IP is temporarily blocked after rate limiting)'
						: '';
			throw new Error(
				redactSecrets(`Datto RMM token request failed (${status ?? 'network error'}: ${message})${hint}`, [apiSecret, apiKey]),
			);
		}
		let data = response;
		if (typeof data === 'string') {
			try {
				data = JSON.parse(data);
			} catch {
				data = undefined;
			}
		}
		const accessToken = (data as { access_token?: unknown } | undefined)?.access_token;
		if (typeof accessToken !== 'string' || accessToken === '') {
			throw new Error('Datto RMM token request failed: the response has no access_token');
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
				'={{ $credentials.platform === "custom" ? String($credentials.customUrl).trim().replace(/\\/+$/, "").replace(/\\/api(\\/v2)?$/i, "") : "https://" + $credentials.platform + "-api.centrastage.net" }}',
			url: '/api/v2/account',
			method: 'GET',
		},
	};
}
