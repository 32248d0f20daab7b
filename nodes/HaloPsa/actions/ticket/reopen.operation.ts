import { updateDisplayOptions, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';

import type { HaloClient } from '../../../shared/transport/halo';
import { statusChange, statusChangeProperties } from './statusChange';

export const description = updateDisplayOptions({ show: { resource: ['ticket'], operation: ['reopen'] } }, statusChangeProperties('reopen'));

/** Note and reopen status in ONE POST /Actions. Output: `{ ticketId, reopened: true, statusId, statusName, action }`. */
export async function execute(this: IExecuteFunctions, itemIndex: number, client: HaloClient): Promise<IDataObject> {
	return await statusChange.call(this, itemIndex, client, 'reopen');
}
