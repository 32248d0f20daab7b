import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * Connection to the PostgreSQL database of the Mapping Store's Postgres backend; the same fields as n8n's built-in
 * Postgres credential (community nodes may not use built-in credential types). Tested by the Mapping Store node
 * (methods.credentialTest), which really connects and runs `SELECT 1`.
 */
export class MappingStorePostgresApi implements ICredentialType {
	name = 'mappingStorePostgresApi';

	displayName = 'Mapping Store Postgres';

	documentationUrl = 'https://git.example.com/n8n-nodes-halo-datto#mapping-store-postgres-credential';

	icon = { light: 'file:../icons/mappingStore.svg', dark: 'file:../icons/mappingStore.dark.svg' } as const;

	properties: INodeProperties[] = [
		{ displayName: 'Host', name: 'host', type: 'string', default: 'localhost', required: true },
		{ displayName: 'Database', name: 'database', type: 'string', default: 'postgres', required: true },
		{ displayName: 'User', name: 'user', type: 'string', default: 'postgres', required: true },
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
		},
		{
			displayName: 'Maximum Number of Connections',
			name: 'maxConnections',
			type: 'number',
			default: 20,
			typeOptions: { minValue: 1 },
			description:
				'Connections this n8n process may open to the database; each queue-mode worker has its own pool',
		},
		{
			displayName: 'SSL',
			name: 'ssl',
			type: 'options',
			options: [
				{ name: 'Allow', value: 'allow', description: 'Use SSL (pg cannot fall back to a plain connection)' },
				{ name: 'Disable', value: 'disable' },
				{ name: 'Require', value: 'require' },
			],
			default: 'disable',
		},
		{
			displayName: 'Ignore SSL Issues (Insecure)',
			name: 'ignoreSslIssues',
			type: 'boolean',
			default: false,
			description: 'Whether to connect even if the server certificate cannot be verified',
			displayOptions: { show: { ssl: ['allow', 'require'] } },
		},
		{ displayName: 'Port', name: 'port', type: 'number', default: 5432, required: true },
	];
}
