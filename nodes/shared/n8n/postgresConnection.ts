import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import type { PostgresConnectionConfig, PostgresSslMode } from '../store';

/** Maps the Mapping Store Postgres credential to the store's connection settings. */
export function toPostgresConnection(credentials: ICredentialDataDecryptedObject): PostgresConnectionConfig {
	return {
		host: String(credentials.host ?? 'localhost'),
		port: Number(credentials.port ?? 5432),
		database: String(credentials.database ?? 'postgres'),
		user: String(credentials.user ?? 'postgres'),
		password: String(credentials.password ?? ''),
		ssl: (credentials.ssl as PostgresSslMode | undefined) ?? 'disable',
		ignoreSslIssues: credentials.ignoreSslIssues === true,
		maxConnections: Number(credentials.maxConnections ?? 20),
	};
}
