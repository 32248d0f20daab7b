/**
 * SQL of the Postgres backend. Every value is a bind parameter; the only text placed into statements is the validated,
 * double-quoted table name (identifiers.ts) and fixed fragments of this file.
 *
 * Table layout: primary key (collection, key) with collation "C" on both, so the key index serves exact lookups,
 * `LIKE 'prefix%'` scans and key order (Unicode code point order, as in the static data backend); a second index
 * (collection, status, closed_at) serves purge and status filters. value and history are JSONB.
 */
import { indexName, type TableName } from './identifiers';
import type { PgQueryable } from './postgresPool';
import { CLOSED_STATUS } from './types';

export const RECORD_COLUMNS = 'collection, key, value, status, created_at, updated_at, closed_at, history';

/** Closed-status literal for the fixed fragments below (a code constant, not input). */
const CLOSED = `'${CLOSED_STATUS}'`;

/**
 * Creates the table and its indexes if needed. Runs under a transaction-scoped advisory lock, because concurrent
 * `CREATE TABLE IF NOT EXISTS` from several n8n workers can otherwise fail with a duplicate-type error.
 */
export async function createSchema(pool: PgQueryable, table: TableName): Promise<void> {
	const client = await pool.connect();
	try {
		await client.query('BEGIN');
		await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
			`n8n-nodes-halo-datto:${table.qualified}`,
		]);
		await client.query(`CREATE TABLE IF NOT EXISTS ${table.quoted} (
			collection text COLLATE "C" NOT NULL,
			key text COLLATE "C" NOT NULL,
			value jsonb NOT NULL,
			status text NOT NULL,
			created_at timestamptz NOT NULL,
			updated_at timestamptz NOT NULL,
			closed_at timestamptz,
			history jsonb NOT NULL DEFAULT '[]'::jsonb,
			PRIMARY KEY (collection, key)
		)`);
		const purgeIndex = indexName(table, 'status_closed_idx');
		await client.query(
			`CREATE INDEX IF NOT EXISTS ${purgeIndex} ON ${table.quoted} (collection, status, closed_at)`,
		);
		await client.query('COMMIT');
	} catch (error) {
		await client.query('ROLLBACK').catch(() => undefined);
		throw error;
	} finally {
		client.release();
	}
}

/**
 * closed_at after a status change, as nextClosedAt() in records.ts: stamped with `now` when the record becomes
 * closed, kept while it stays closed, NULL otherwise. `r` is the stored row.
 */
export function closedAtSql(newStatus: string, now: string): string {
	return `CASE WHEN ${newStatus} = ${CLOSED} THEN
		CASE WHEN r.status = ${CLOSED} AND r.closed_at IS NOT NULL THEN r.closed_at ELSE ${now} END
	END`;
}

/** `history` JSONB array with `appended` (a JSONB array expression) appended, keeping the newest `limit` entries. */
export function boundedHistorySql(appended: string, limit: string): string {
	return `(SELECT COALESCE(jsonb_agg(kept.entry ORDER BY kept.ordinal), '[]'::jsonb)
		FROM (SELECT entry, ordinal
			FROM jsonb_array_elements(r.history || ${appended}) WITH ORDINALITY AS h(entry, ordinal)
			ORDER BY ordinal DESC LIMIT ${limit}) AS kept)`;
}

/** `value` after a write: a shallow JSONB merge when both sides are objects and `merge` is wanted, else the new one. */
export function mergedValueSql(merge: boolean): string {
	if (!merge) return 'EXCLUDED.value';
	return `CASE WHEN jsonb_typeof(r.value) = 'object' AND jsonb_typeof(EXCLUDED.value) = 'object'
		THEN r.value || EXCLUDED.value ELSE EXCLUDED.value END`;
}

/** `value` with the top-level properties of `object` (a JSONB object expression) merged in, as mergeValue() does. */
export function mergedObjectSql(object: string): string {
	return `CASE WHEN jsonb_typeof(r.value) = 'object' THEN r.value || ${object} ELSE ${object} END`;
}

/** A timestamptz as the ISO text JavaScript's toISOString() gives (UTC, milliseconds). */
export function isoTimestampSql(timestamp: string): string {
	return `to_char(${timestamp} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/**
 * The history entries a reclaim appends (a JSONB array whose first element is records.reclaimEntry()), with
 * `data.previousUpdatedAt` set from the stale row `r`.
 */
export function reclaimHistorySql(entries: string): string {
	return `jsonb_set(${entries}, '{0,data,previousUpdatedAt}', to_jsonb(${isoTimestampSql('r.updated_at')}))`;
}

/** Escapes LIKE wildcards so a key prefix is matched literally (the default escape character is `\`). */
export function likePrefix(prefix: string): string {
	return `${prefix.replace(/[\\%_]/g, '\\$&')}%`;
}
