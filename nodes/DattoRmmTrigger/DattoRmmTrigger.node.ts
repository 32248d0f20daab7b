import {
	NodeConnectionTypes,
	type IHookFunctions,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import { dattoRmmWebhookSecretTest } from './credentialTest';
import { triggerProperties } from './description';
import { handleDattoWebhook } from './webhook';

/**
 * Starts a workflow for each Datto RMM alert webhook (alert triggered and alert resolved, one URL). Datto has no
 * webhook registration API, so the URL and bodies are pasted into Datto by hand (see the node's notice).
 */
export class DattoRmmTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Datto RMM Trigger',
		name: 'dattoRmmTrigger',
		icon: { light: 'file:../../icons/datto.svg', dark: 'file:../../icons/datto.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{"Alerts: " + $parameter["events"]}}',
		description: 'Starts the workflow when Datto RMM sends an alert triggered or alert resolved webhook',
		defaults: { name: 'Datto RMM Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'dattoRmmWebhookApi', required: true, testedBy: 'dattoRmmWebhookSecretTest' },
			{ name: 'dattoRmmApi', required: true, displayOptions: { show: { enrich: ['whenMissing', 'always'] } } },
		],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: '={{$parameter["respond"]}}',
				path: 'datto-alert',
			},
		],
		properties: triggerProperties,
	};

	methods = { credentialTest: { dattoRmmWebhookSecretTest } };

	webhookMethods = {
		default: {
			// Datto RMM has no API to register webhooks: the user pastes the URL into Datto (see the notice).
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
		return await handleDattoWebhook.call(this);
	}
}
