/** Reading and checking node parameters shared by the HaloPSA operations. */
import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';

import { textToHtml } from '../../shared/domain/html';
import { haloMarkerHtml } from '../../shared/domain/haloMarker';

/** A whole-number id from a parameter value (number or numeric string); undefined when empty. */
export function optionalId(value: unknown): number | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	const n = typeof value === 'string' ? Number(value.trim()) : value;
	if (typeof n === 'number' && Number.isInteger(n) && n > 0) return n;
	return undefined;
}

/** A required id parameter (ticket, client, site): a positive whole number, or a NodeOperationError naming it. */
export function requiredId(this: IExecuteFunctions, name: string, itemIndex: number, label: string): number {
	const raw = this.getNodeParameter(name, itemIndex) as unknown;
	const id = optionalId(raw);
	if (id === undefined) {
		throw new NodeOperationError(this.getNode(), `${label} must be a positive whole number, got ${JSON.stringify(raw ?? '')}`, {
			itemIndex,
			description: 'Halo accepts integer ids only',
		});
	}
	return id;
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

/** A JSON parameter (object) given as text or object. */
export function jsonObject(this: IExecuteFunctions, value: unknown, label: string, itemIndex: number): IDataObject {
	if (value === undefined || value === null || value === '') return {};
	let parsed = value;
	if (typeof value === 'string') {
		try {
			parsed = JSON.parse(value);
		} catch (error) {
			throw new NodeOperationError(this.getNode(), `${label} is not valid JSON: ${(error as Error).message}`, { itemIndex });
		}
	}
	if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
		throw new NodeOperationError(this.getNode(), `${label} must be a JSON object`, { itemIndex });
	}
	return parsed as IDataObject;
}

/** The note as HTML: text is escaped (line breaks kept) unless it is declared HTML; the marker footer appended. */
export function noteHtml(note: string, options: { isHtml?: boolean; marker?: boolean }): string {
	const body = options.isHtml ? note : `<p>${textToHtml(note)}</p>`;
	return options.marker === false ? body : `${body}${haloMarkerHtml()}`;
}

/** Custom fields from the `customFieldsUi` fixedCollection: `{ field: [{ name, value }] }`. */
export function customFieldsFrom(ui: unknown): Array<{ name?: string; id?: number; value: unknown }> {
	const rows = ((ui as IDataObject | undefined)?.field as IDataObject[] | undefined) ?? [];
	return rows
		.map((row) => {
			const key = String(row.name ?? '').trim();
			const id = /^\d+$/.test(key) ? Number(key) : undefined;
			return id !== undefined ? { id, value: row.value } : { name: key, value: row.value };
		})
		.filter((row) => ('id' in row && row.id) || ('name' in row && row.name));
}

/**
 * Outcome from the outcomeSource / outcomeName / outcomeId parameters: `{ outcome }` (a name, no lookup) or
 * `{ outcome_id }`. Halo itself enforces that an action has one ("An Outcome must be entered for this Action");
 * an empty choice is passed on so that Halo's own message reaches the user.
 */
export function readOutcome(this: IExecuteFunctions, itemIndex: number): { outcome?: string; outcome_id?: number } {
	const source = this.getNodeParameter('outcomeSource', itemIndex, 'name') as string;
	if (source === 'list') {
		const id = optionalId(this.getNodeParameter('outcomeId', itemIndex, ''));
		return id === undefined ? {} : { outcome_id: id };
	}
	const name = String(this.getNodeParameter('outcomeName', itemIndex, '') ?? '').trim();
	return name ? { outcome: name } : {};
}
