/**
 * Halo dates: "1900-01-01T00:00:00" (or any year ≤ 1900) means "no date"; timestamps usually lack a time zone
 * and are UTC. Output is ISO 8601 with Z, or null.
 */
export function haloDateToIso(value: unknown): string | null {
	if (value === undefined || value === null || value === '') return null;
	const text = String(value).trim();
	if (/^(1[0-8]\d\d|1900|0001)-/.test(text)) return null;
	const hasZone = /(Z|[+-]\d\d:?\d\d)$/i.test(text);
	const date = new Date(hasZone ? text : `${text.replace(' ', 'T')}Z`);
	return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** Formats a date for Halo (UTC, no zone suffix, as Halo returns them). */
export function isoToHaloDate(value: Date | string | number): string {
	return new Date(value).toISOString().replace(/\.\d{3}Z$/, '').replace(/Z$/, '');
}
