import type {
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	INodeCredentialTestResult,
} from 'n8n-workflow';
import { Client } from 'pg';

import { toPoolConfig } from '../store';
import { toPostgresConnection } from './postgresConnection';

/** Connects with the credential being edited (not a cached pool) and runs `SELECT 1`. */
export async function mappingStorePostgresConnectionTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const client = new Client(toPoolConfig(toPostgresConnection(credential.data ?? {})));
	try {
		await client.connect();
		await client.query('SELECT 1');
		return { status: 'OK', message: 'Connection successful' };
	} catch (error) {
		return { status: 'Error', message: (error as Error).message };
	} finally {
		await client.end().catch(() => undefined);
	}
}
