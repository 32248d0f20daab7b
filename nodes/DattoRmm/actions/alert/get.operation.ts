import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { DattoClient } from '../../../shared/transport/datto';
import {
	alertOutput,
	alertOutputField,
	alertOutputOptionsField,
	forOperation,
	readAlertOutput,
	readRequiredString,
} from '../common';
import { alertUidField } from './fields';

export const description: INodeProperties[] = forOperation('alert', 'get', [
	alertUidField,
	alertOutputField,
	alertOutputOptionsField,
]);

/** GET /v2/alert/{uid}: open or resolved alert. */
export async function execute(this: IExecuteFunctions, client: DattoClient, itemIndex: number): Promise<IDataObject[]> {
	const alertUid = readRequiredString.call(this, 'alertUid', itemIndex);
	const alert = await client.getAlert(alertUid);
	return [alertOutput(alert, readAlertOutput.call(this, client, itemIndex))];
}
