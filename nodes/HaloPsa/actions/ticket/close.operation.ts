import { updateDisplayOptions, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';

import type { HaloClient } from '../../../shared/transport/halo';
import { statusChange, statusChangeProperties } from './statusChange';

export const description = updateDisplayOptions({ show: { resource: ['ticket'], operation: ['close'] } }, statusChangeProperties('closed'));

/**
 * Closing note and closed status in ONE POST /Actions (`new_status`). Output:
 * `{ ticketId, closed: true, statusId, statusName, action }` (+ `ticket` with Return Ticket).
 */
export async function execute(this: IExecuteFunctions, itemIndex: number, client: HaloClient): Promise<IDataObject> {
	return await statusChange.call(this, itemIndex, client, 'closed');
}
