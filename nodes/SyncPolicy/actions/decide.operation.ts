/**
 * Decide: one webhook item (a Datto alert from the Datto RMM Trigger, or a Halo ticket event from the HaloPSA
 * Trigger) → the policies → the Halo writes → the store, and the item on the output named after the decision.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { readPath } from '../../shared/n8n/params';
import { eventFromInput } from '../../shared/policy/runtime/input';
import { recordHeartbeat } from '../../shared/policy/runtime/health';
import { runPolicyEvent } from '../../shared/policy/runtime/runner';
import { decisionOutputs, errorItem, IGNORE, route, runEnvironment, withApiAgent } from './context';

export const description: INodeProperties[] = [
	{
		displayName: 'Input Field',
		name: 'inputField',
		type: 'string',
		default: '',
		placeholder: 'e.g. alert',
		description:
			'Path of the Datto alert (or HaloPSA ticket event) in the input item; empty = the item itself (Datto RMM Trigger, HaloPSA Trigger, or a Mapping Store node with Output "Input Item With Result in a Field")',
		displayOptions: { show: { operation: ['decide'] } },
	},
	{
		displayName: 'Client ID',
		name: 'clientId',
		type: 'string',
		default: '',
		placeholder: 'e.g. {{ $json.client.value.clientId }}',
		description:
			"The Halo client of the alert's site, e.g. from a Mapping Store Lookup on the site (sites collection). Used for new tickets and for client maintenance windows and business hours. Empty → Fallback Client.",
		displayOptions: { show: { operation: ['decide'] } },
	},
];

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const outputs = decisionOutputs();
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		let failure: Error | null = null;
		try {
			const env = await runEnvironment.call(this, itemIndex);
			const value = readPath(items[itemIndex].json, this.getNodeParameter('inputField', itemIndex, '') as string);
			const clientId = String(this.getNodeParameter('clientId', itemIndex, '') ?? '').trim() || null;
			const event = eventFromInput(value, env.now, clientId);
			await recordHeartbeat(env.store, event.type === 'alert' ? 'datto' : 'halo', env.now, {
				id: event.type === 'alert' ? event.alert.alertUid : event.type === 'haloTicket' ? String(event.ticket.ticketId) : null,
				event: event.type === 'alert' ? event.alert.event : event.type === 'haloTicket' ? event.ticket.event : null,
			});
			const outcome = await runPolicyEvent(event, event.type === 'haloTicket' ? await withApiAgent(env) : env.options);
			const extra: IDataObject =
				event.type === 'alert' ? { event: 'alert', alert: value as IDataObject } : { event: 'haloTicket', haloEvent: value as IDataObject };
			failure = route.call(this, outputs, outcome, itemIndex, extra);
		} catch (error) {
			failure = errorItem.call(this, outputs[IGNORE], error, itemIndex);
		}
		if (failure) throw failure;
	}
	return outputs;
}
