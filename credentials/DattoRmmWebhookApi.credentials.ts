import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * Shared secret of the Datto RMM Trigger. Datto RMM does not sign webhooks and, as far as is known, cannot add
 * headers, so the secret travels in the webhook URL's query string (…/webhook/<path>?secret=<secret>); a proxy in
 * front of n8n may send it in a header instead. There is no API to test it against: the Datto RMM Trigger checks it
 * on every delivery (wrong or missing → 401, no execution).
 */
// eslint-disable-next-line @n8n/community-nodes/credential-test-required -- nothing to call: the secret is checked by the trigger on each delivery
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
				'A long random value (at least 16 characters; letters, digits, "-", "_", "." and "~" keep the URL valid). Append it to the webhook URL you paste into Datto RMM.',
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
