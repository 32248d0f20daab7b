/**
 * Output shaping for HaloPSA records: Halo dates (zone-less UTC, `1900-01-01T00:00:00` = no date) become ISO 8601
 * strings with `Z`, or null. Converted in place, for every top-level string that looks like a Halo timestamp
 * (dateoccurred, datecreated, dateclosed, last_update, lastactiondate, deadlinedate, datetime, …) and inside
 * nested objects such as `lastaction`. Other values are untouched.
 */
import { haloDateToIso } from './haloDates';

const HALO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

export function isHaloTimestamp(value: unknown): value is string {
	return typeof value === 'string' && HALO_TIMESTAMP.test(value.trim());
}

/** A copy of a Halo record with every timestamp converted to ISO (or null for "no date"), recursively (depth 3). */
export function withIsoDates<T>(record: T, depth = 3): T {
	if (depth < 0 || record === null || typeof record !== 'object') return record;
	if (Array.isArray(record)) return record.map((r) => withIsoDates(r, depth - 1)) as unknown as T;
	const out: Record<string, unknown> = {};
	for (const [key, value] of Object.entries(record as Record<string, unknown>)) {
		if (isHaloTimestamp(value)) out[key] = haloDateToIso(value);
		else if (value !== null && typeof value === 'object') out[key] = withIsoDates(value, depth - 1);
		else out[key] = value;
	}
	return out as T;
}
