/** Reading and checking node parameters shared by the operations of every node (n8n side; pure parsers in domain/values). */
import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import { optionalId } from '../domain/values';
import { autoNoteOutcome } from '../halo';
import type { HaloClient } from '../transport/halo';

export { customFieldsFrom, noteHtml, optionalId, readPath } from '../domain/values';

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

/**
 * An id from a resource locator parameter (list or id mode), also accepting a plain value (workflows saved before the
 * parameter became a locator). Throws like requiredId when it is not a whole number.
 */
export function locatorId(this: IExecuteFunctions, name: string, itemIndex: number, label: string): number {
	let raw = this.getNodeParameter(name, itemIndex, '', { extractValue: true }) as unknown;
	if (raw && typeof raw === 'object' && 'value' in raw) raw = (raw as { value: unknown }).value;
	const id = optionalId(raw);
	if (id === undefined) {
		throw new NodeOperationError(this.getNode(), `${label} must be a positive whole number, got ${JSON.stringify(raw ?? '')}`, {
			itemIndex,
			description: 'Halo accepts integer ids only',
		});
	}
	return id;
}

/** A resource locator parameter: "From List" (searchable) or "By ID". */
export function idLocator(name: string, displayName: string, searchListMethod: string, extra: Partial<INodeProperties> = {}): INodeProperties {
	return {
		displayName,
		name,
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		modes: [
			{ displayName: 'From List', name: 'list', type: 'list', typeOptions: { searchListMethod, searchable: true } },
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. 12',
				validation: [{ type: 'regex', properties: { regex: '^\\s*\\d+\\s*$', errorMessage: 'Not a valid Halo ID (a whole number)' } }],
			},
		],
		...extra,
	};
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

/**
 * Outcome from the outcomeSource / outcomeName / outcomeId parameters: the tenant's note outcome (`auto`, one cached
 * GET /Outcome per 10 minutes), `{ outcome }` (a name, no lookup) or `{ outcome_id }`. Halo itself enforces that an action has one ("An Outcome must be entered for this Action");
 * an empty choice is passed on so that Halo's own message reaches the user.
 */
export async function readOutcome(this: IExecuteFunctions, itemIndex: number, client: HaloClient): Promise<{ outcome?: string; outcome_id?: number }> {
	const source = this.getNodeParameter('outcomeSource', itemIndex, 'auto') as string;
	if (source === 'auto') return { outcome_id: (await autoNoteOutcome(client)).id };
	if (source === 'list') {
		const id = optionalId(this.getNodeParameter('outcomeId', itemIndex, ''));
		return id === undefined ? {} : { outcome_id: id };
	}
	const name = String(this.getNodeParameter('outcomeName', itemIndex, '') ?? '').trim();
	return name ? { outcome: name } : {};
}
