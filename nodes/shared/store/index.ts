/**
 * Public entry of the mapping store: pick a backend with openRecordStore(), then call the RecordStore methods.
 * Both backends keep their process-wide state (the static data backend's live copies, the Postgres pools) at module
 * level, so opening a store per item or per execution is cheap.
 */
import { DEFAULT_TABLE_NAME, parseTableName } from './identifiers';
import { getPool, type PostgresConnectionConfig } from './postgresPool';
import { PostgresStore } from './PostgresStore';
import { StaticDataStore, type StaticDataStoreOptions } from './StaticDataStore';
import type { RecordStore, StoreOptions } from './types';

export type RecordStoreConfig =
	| {
			backend: 'staticData';
			/** The workflow whose executions share the store. */
			workflowId: string;
			/** The execution's global workflow static data. */
			staticData: Record<string, unknown>;
			options?: StaticDataStoreOptions;
	  }
	| {
			backend: 'postgres';
			connection: PostgresConnectionConfig;
			/** `table` or `schema.table`; default `halo_datto_mapping`. */
			table?: string;
			options?: StoreOptions;
	  };

export function openRecordStore(config: RecordStoreConfig): RecordStore {
	if (config.backend === 'staticData') {
		return new StaticDataStore(config.workflowId, config.staticData, config.options);
	}
	const table = config.table ?? DEFAULT_TABLE_NAME;
	parseTableName(table); // before the pool exists: an invalid name never gets near a connection
	return new PostgresStore({ ...config.options, pool: getPool(config.connection), table });
}

export * from './types';
export { MappingStoreError, isMappingStoreError, type MappingStoreErrorCode } from './errors';
export { DEFAULT_TABLE_NAME, parseTableName } from './identifiers';
export { toKey } from './records';
export {
	closeAllPools,
	getPool,
	toPoolConfig,
	type PgQueryable,
	type PostgresConnectionConfig,
	type PostgresSslMode,
} from './postgresPool';
export { PostgresStore, type PostgresStoreOptions } from './PostgresStore';
export {
	DEFAULT_CLOSED_HISTORY_LIMIT,
	loadedStaticStoreStats,
	StaticDataStore,
	STATIC_DATA_PROPERTY,
	STATIC_STORE_WARN_RECORDS,
	staticStoreSizeWarning,
	type StaticDataStoreOptions,
	type StaticStoreStats,
} from './StaticDataStore';
export {
	lookupWithFallback,
	normaliseName,
	type LookupRequest,
	type LookupResult,
	type LookupRule,
} from './lookup';
export {
	decodeValueCell,
	encodeValueCell,
	parseImportCsv,
	parseImportJson,
	recordsToCsv,
	type TransferFormat,
} from './csv';
