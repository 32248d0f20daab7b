import {
	NodeConnectionTypes,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import { triggerProperties } from './description';
import { haloWebhookMethods } from './registration';
import { handleHaloWebhook } from './webhook';

export class HaloPsaTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'HaloPSA Trigger',
		name: 'haloPsaTrigger',
		icon: {
			light: 'file:../../icons/halo.svg',
			dark: 'file:../../icons/halo.dark.svg',
		},
		group: ['trigger'],
		version: [1, 2],
		defaultVersion: 2,
		subtitle: '={{($parameter["events"] || []).join(", ")}}',
		description: 'Starts the workflow when HaloPSA posts a ticket webhook (new ticket, status changed, closed)',
		defaults: { name: 'HaloPSA Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'haloPsaWebhookApi', required: true },
			{
				name: 'haloPsaApi',
				required: true,
				displayOptions: { show: { useApi: [true] } },
			},
		],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				path: 'halo',
			},
		],
		properties: triggerProperties,
	};

	webhookMethods = { default: haloWebhookMethods };

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await handleHaloWebhook.call(this);
	}
}
