import type { IExecuteFunctions } from 'n8n-workflow';

import { openRecordStore, type RecordStore } from '../store';
import { toPostgresConnection } from './postgresConnection';

export const POSTGRES_CREDENTIAL_TYPE = 'mappingStorePostgresApi';

export interface OpenStoreOptions {
	/**
	 * Static data backend: history entries a closed record keeps (default: only the newest, see StaticDataStore). The
	 * Sync Policy node keeps the full log: its explanations and status page read the decisions of closed records.
	 */
	closedHistoryLimit?: number;
}

/** Opens the store the node's backend fields select for item `itemIndex` (cheap: backends cache per process). */
export async function openStore(
	this: IExecuteFunctions,
	itemIndex: number,
	options: OpenStoreOptions = {},
): Promise<RecordStore> {
	const backend = this.getNodeParameter('backend', itemIndex) as 'staticData' | 'postgres';
	if (backend === 'postgres') {
		const table = this.getNodeParameter('table', itemIndex) as string;
		const credentials = await this.getCredentials(POSTGRES_CREDENTIAL_TYPE, itemIndex);
		return openRecordStore({ backend, table, connection: toPostgresConnection(credentials) });
	}
	return openRecordStore({
		backend: 'staticData',
		workflowId: this.getWorkflow().id ?? '',
		staticData: this.getWorkflowStaticData('global'),
		options: options.closedHistoryLimit === undefined ? {} : { closedHistoryLimit: options.closedHistoryLimit },
	});
}
