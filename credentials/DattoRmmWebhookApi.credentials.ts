import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * Shared secret of the Datto RMM Trigger. Datto RMM does not sign webhooks and, as far as is known, cannot add
 * headers, so the secret travels in the webhook URL's query string (…/webhook/<path>?secret=<secret>); a proxy in
 * front of n8n may send it in a header instead ("Header Only" then refuses it in the URL). There is no API to test it
 * against: the Datto RMM Trigger's credential test checks the policy (at least 16 characters), and the trigger checks
 * it on every delivery (short secret → 500, wrong or missing → 401; no execution). Rotation: docs/security.md.
 */
export class DattoRmmWebhookApi implements ICredentialType {
	name = 'dattoRmmWebhookApi';

	displayName = 'Datto RMM Webhook API';

	documentationUrl = 'https://git.example.com/n8n-nodes-halo-datto#datto-rmm-webhook-credential';

	icon = { light: 'file:../icons/datto.svg', dark: 'file:../icons/datto.dark.svg' } as const;

	properties: INodeProperties[] = [
		{
			displayName: 'Webhook Secret',
			name: 'secret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'A long random value (at least 16 characters, refused otherwise; letters, digits, "-", "_", "." and "~" keep the URL valid). Append it to the webhook URL you paste into Datto RMM.',
		},
		{
			displayName: 'Previous Webhook Secret',
			name: 'previousSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Only while rotating the secret: the old value, still accepted until every Datto webhook URL carries the new one. Empty it afterwards.',
		},
		{
			displayName: 'Accept Secret In',
			name: 'acceptIn',
			type: 'options',
			options: [
				{ name: 'URL or Header', value: 'queryOrHeader', description: 'What Datto RMM can send: the secret in the webhook URL' },
				{
					name: 'Header Only',
					value: 'headerOnly',
					description: 'Behind a proxy that adds the header: a secret in the URL is refused (401), so it never sits in access logs',
				},
			],
			default: 'queryOrHeader',
		},
		{
			displayName: 'Query Parameter Name',
			name: 'queryParameter',
			type: 'string',
			default: 'secret',
			description: 'Name of the query parameter that carries the secret, e.g. …/webhook/datto?secret=…',
		},
		{
			displayName: 'Header Name',
			name: 'headerName',
			type: 'string',
			default: 'x-webhook-secret',
			description: 'Header that carries the secret when a proxy in front of n8n adds one (Datto itself sends none)',
		},
	];
}
