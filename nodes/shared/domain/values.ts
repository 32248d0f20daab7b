/** Pure value parsers shared by the operations and the policy runtime (no n8n imports). */
import { haloMarkerHtml } from './haloMarker';
import { textToHtml } from './html';

/** A whole-number id from a parameter value (number or numeric string); undefined when empty. */
export function optionalId(value: unknown): number | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	const n = typeof value === 'string' ? Number(value.trim()) : value;
	if (typeof n === 'number' && Number.isInteger(n) && n > 0) return n;
	return undefined;
}

/** Reads `a.b[0].c` from an object; undefined when any step is missing. An empty path returns the object. */
export function readPath(source: unknown, path: string): unknown {
	const trimmed = path.trim().replace(/^\$json\.?/, '');
	if (trimmed === '') return source;
	const steps = trimmed.replace(/\[(\d+)\]/g, '.$1').split('.').filter((s) => s !== '');
	let value: unknown = source;
	for (const step of steps) {
		if (value === null || typeof value !== 'object') return undefined;
		value = (value as Record<string, unknown>)[step];
	}
	return value;
}

/**
 * The note as HTML: text is escaped (line breaks kept) unless it is declared HTML; the marker footer appended
 * (`marker`: the installation's marker, HaloClient.marker; true = the legacy marker; false = none).
 */
export function noteHtml(note: string, options: { isHtml?: boolean; marker?: boolean | string }): string {
	const body = options.isHtml ? note : `<p>${textToHtml(note)}</p>`;
	if (options.marker === false) return body;
	return `${body}${haloMarkerHtml(undefined, typeof options.marker === 'string' ? options.marker : undefined)}`;
}

/** Custom fields from the `customFieldsUi` fixedCollection: `{ field: [{ name, value }] }`. */
export function customFieldsFrom(ui: unknown): Array<{ name?: string; id?: number; value: unknown }> {
	const rows = ((ui as Record<string, unknown> | undefined)?.field as Array<Record<string, unknown>> | undefined) ?? [];
	return rows
		.map((row) => {
			const key = String(row.name ?? '').trim();
			const id = /^\d+$/.test(key) ? Number(key) : undefined;
			return id !== undefined ? { id, value: row.value } : { name: key, value: row.value };
		})
		.filter((row) => ('id' in row && row.id) || ('name' in row && row.name));
}
