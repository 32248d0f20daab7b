/** Reading and checking node parameters shared by the operations of every node (n8n side; pure parsers in domain/values). */
import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';

import { optionalId } from '../domain/values';

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
