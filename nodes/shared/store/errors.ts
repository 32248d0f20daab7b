export type MappingStoreErrorCode =
	/** A key, collection, status, value or option the store cannot hold. */
	| 'invalidInput'
	/** A Postgres table name that is not a plain (optionally schema-qualified) identifier. */
	| 'invalidTableName'
	/** The static data backend was used with EXECUTIONS_MODE=queue. */
	| 'queueModeUnsupported'
	/** The workflow's static data holds something under the store's property that is not a mapping store. */
	| 'corruptStaticData'
	/** Import data (CSV or JSON) that cannot be read. */
	| 'invalidImportData';

/** A problem the caller can fix (bad input or configuration); `hint` says how. */
export class MappingStoreError extends Error {
	readonly code: MappingStoreErrorCode;
	readonly hint?: string;

	constructor(code: MappingStoreErrorCode, message: string, hint?: string) {
		super(message);
		this.name = 'MappingStoreError';
		this.code = code;
		this.hint = hint;
	}
}

export function isMappingStoreError(error: unknown): error is MappingStoreError {
	return error instanceof MappingStoreError;
}
