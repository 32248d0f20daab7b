import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * Secret of the HaloPSA Trigger. Halo does not sign outbound webhooks; its webhook configuration offers Basic
 * authentication (newer builds also a Bearer token), and Custom Integration methods can send any header. The trigger
 * compares what arrives with these values in constant time (wrong or missing → 401, no execution). There is no API
 * to test against: the values are checked on every delivery.
 */
// eslint-disable-next-line @n8n/community-nodes/credential-test-required -- nothing to call: Halo sends these values to n8n, the trigger checks them on each delivery
export class HaloPsaWebhookApi implements ICredentialType {
	name = 'haloPsaWebhookApi';

	displayName = 'HaloPSA Webhook API';

	documentationUrl = 'https://git.example.com/n8n-nodes-halo-datto#halopsa-webhook-credential';

	icon = { light: 'file:../icons/halo.svg', dark: 'file:../icons/halo.dark.svg' } as const;

	properties: INodeProperties[] = [
		{
			displayName: 'Authentication Method',
			name: 'authMethod',
			type: 'options',
			options: [
				{
					name: 'Basic Auth',
					value: 'basic',
					description: 'Halo webhook authentication "Basic": the username and password set on the Halo webhook',
				},
				{
					name: 'Bearer Token',
					value: 'bearer',
					description: 'Authorization: Bearer <token> (Halo webhook authentication "Bearer" on newer builds)',
				},
				{
					name: 'Shared Header',
					value: 'header',
					description: 'A custom header with a secret value (e.g. sent by a Custom Integration method)',
				},
			],
			default: 'basic',
		},
		{
			displayName: 'Username',
			name: 'username',
			type: 'string',
			default: '',
			required: true,
			displayOptions: { show: { authMethod: ['basic'] } },
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'Use a long random value; it is compared in constant time',
			displayOptions: { show: { authMethod: ['basic'] } },
		},
		{
			displayName: 'Token',
			name: 'token',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'The bearer token configured on the Halo webhook',
			displayOptions: { show: { authMethod: ['bearer'] } },
		},
		{
			displayName: 'Header Name',
			name: 'headerName',
			type: 'string',
			default: 'x-halo-webhook-secret',
			required: true,
			displayOptions: { show: { authMethod: ['header'] } },
		},
		// eslint-disable-next-line @n8n/community-nodes/credential-unnecessary-password -- the header value is the shared secret
		{
			displayName: 'Header Value',
			name: 'headerValue',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			displayOptions: { show: { authMethod: ['header'] } },
		},
	];
}
