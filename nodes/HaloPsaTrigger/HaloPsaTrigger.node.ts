import {
	NodeConnectionTypes,
	type IHookFunctions,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import { triggerProperties } from './description';
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
		version: 1,
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

	webhookMethods = {
		default: {
			// Halo webhooks are configured by hand in Halo (see the notice); nothing to register here.
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return true;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await handleHaloWebhook.call(this);
	}
}
