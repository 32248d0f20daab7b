/**
 * Check Health (for a Schedule Trigger, e.g. hourly): alarm when no Datto webhook arrived for X hours (every Decide
 * of a Datto alert writes a heartbeat) or when failed events wait for replay. Two outputs: `alarm` (wire a HaloPSA
 * ticket, a mail, a chat message…) and `ok`. One alarm per incident unless told otherwise. Runs once per execution.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { checkHealth } from '../../shared/policy/runtime/health';
import { clockOf, errorItem, storeOf } from './context';

const show = { show: { operation: ['health'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'Max Hours Without Datto Webhook',
		name: 'maxHoursWithoutWebhook',
		type: 'number',
		typeOptions: { minValue: 0.1 },
		default: 6,
		description: 'Alarm when the last Datto RMM alert reached a Decide more than this many hours ago (or none ever did)',
		displayOptions: show,
	},
	{
		displayName: 'Alarm On Failed Events',
		name: 'alarmOnFailedEvents',
		type: 'boolean',
		default: true,
		description: 'Whether failed events waiting for replay raise the alarm too',
		displayOptions: show,
	},
	{
		displayName: 'Alarm Once Per Incident',
		name: 'alarmOncePerIncident',
		type: 'boolean',
		default: true,
		description: 'Whether an incident goes to the alarm output only once, until a check finds everything healthy again (later checks go to ok with alreadyAlarmed: true)',
		displayOptions: show,
	},
	{
		displayName: 'Failed Events to List',
		name: 'listFailed',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 20,
		description: 'How many of the newest failed events the report lists',
		displayOptions: show,
	},
];

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const outputs: INodeExecutionData[][] = [[], []];
	let failure: Error | null = null;
	try {
		const store = await storeOf.call(this, 0);
		const report = await checkHealth(store, clockOf.call(this, 0), {
			maxHoursWithoutDattoWebhook: this.getNodeParameter('maxHoursWithoutWebhook', 0, 6) as number,
			alarmOnFailedEvents: this.getNodeParameter('alarmOnFailedEvents', 0, true) as boolean,
			alarmOncePerIncident: this.getNodeParameter('alarmOncePerIncident', 0, true) as boolean,
			listFailed: this.getNodeParameter('listFailed', 0, 20) as number,
			dryRun: this.getNodeParameter('dryRun', 0, false) as boolean,
		});
		const summary = report.healthy ? 'healthy' : `${report.alarm ? 'ALARM' : 'still unhealthy'}: ${report.reasons.join('; ')}`;
		outputs[report.alarm ? 0 : 1].push({ json: { summary, ...report } as unknown as IDataObject, pairedItem: { item: 0 } });
	} catch (error) {
		failure = errorItem.call(this, outputs[0], error, 0);
	}
	if (failure) throw failure;
	return outputs;
}
