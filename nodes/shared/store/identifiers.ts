/**
 * Postgres table-name validation. The table name is the only part of the store's SQL that cannot be a bind
 * parameter, so it is checked against a strict pattern before any SQL is built, and then always double-quoted (which
 * also makes reserved words such as `select` usable).
 */
import { createHash } from 'crypto';

import { MappingStoreError } from './errors';

export const DEFAULT_TABLE_NAME = 'halo_datto_mapping';

/** Lower-case letters, digits and underscores, not starting with a digit, at most 63 bytes (Postgres' limit). */
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;
const POSTGRES_MAX_IDENTIFIER_LENGTH = 63;

export interface TableName {
	schema?: string;
	table: string;
	/** `"schema"."table"` or `"table"`, ready to be placed in SQL. */
	quoted: string;
	/** `schema.table` or `table`, e.g. for advisory-lock keys and messages. */
	qualified: string;
}

/** Accepts `table` or `schema.table`; throws MappingStoreError('invalidTableName') for anything else. */
export function parseTableName(name: unknown): TableName {
	const parts = typeof name === 'string' ? name.split('.') : [];
	if (parts.length < 1 || parts.length > 2 || !parts.every((part) => IDENTIFIER.test(part))) {
		throw new MappingStoreError(
			'invalidTableName',
			`Invalid table name ${JSON.stringify(name)}`,
			'Use lower-case letters, digits and underscores (not starting with a digit, at most 63 characters), ' +
				'optionally prefixed by a schema name and a dot, e.g. "halo_datto_mapping" or "sync.halo_datto_mapping"',
		);
	}
	const [schema, table] = parts.length === 2 ? parts : [undefined, parts[0]];
	return {
		schema,
		table,
		quoted: parts.map((part) => `"${part}"`).join('.'),
		qualified: parts.join('.'),
	};
}

/**
 * Name for an index of `table` (created in the table's schema). Postgres would silently truncate names over 63
 * characters, which could make two long table names share an index name, so long names get a hash instead.
 */
export function indexName(table: TableName, suffix: string): string {
	const name = `${table.table}_${suffix}`;
	if (name.length <= POSTGRES_MAX_IDENTIFIER_LENGTH) return `"${name}"`;
	const hash = createHash('sha256').update(table.qualified).digest('hex').slice(0, 8);
	const head = table.table.slice(0, POSTGRES_MAX_IDENTIFIER_LENGTH - suffix.length - hash.length - 2);
	return `"${head}_${hash}_${suffix}"`;
}
