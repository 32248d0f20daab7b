/**
 * The HaloPSA Trigger's webhookMethods (n8n calls them on publish / unpublish): with "Register Webhook in Halo" on
 * (version 2, Use HaloPSA API on) the trigger's webhook is created or updated in Halo (nodes/shared/halo/
 * webhookRegistration.ts) and removed again. A refusal (permission) or an unreachable Halo never blocks publishing:
 * the trigger logs a warning naming the permission and the manual steps (also in the node's notice).
 *
 * Node static data: `haloWebhookId`, `haloWebhookUrl`, `haloWebhookCreated` (only a webhook this trigger created is
 * deleted on unpublish; one the user made by hand and the trigger merely updated is left in place).
 */
import type { ICredentialDataDecryptedObject, IDataObject, IHookFunctions } from 'n8n-workflow';

import {
	HALO_WEBHOOK_PERMISSION,
	haloEventNumbersFor,
	haloWebhookAuthFromCredential,
	haloWebhookManualSteps,
	haloWebhookStatus,
	isHaloPermissionDenied,
	registerHaloWebhook,
	removeHaloWebhook,
} from '../shared/halo';
import { haloClientFor } from '../shared/transport/halo';

/** Whether this node registers its webhook: version 2+, Use HaloPSA API and Register Webhook in Halo on. */
export function registersWebhook(context: IHookFunctions): boolean {
	if (context.getNode().typeVersion < 2) return false;
	if (!(context.getNodeParameter('useApi', true) as boolean)) return false;
	return context.getNodeParameter('registerWebhook', true) as boolean;
}

/** The name the webhook gets in Halo: names the workflow and carries its id, so two workflows never share one. */
export function haloWebhookName(context: IHookFunctions): string {
	const workflow = context.getWorkflow();
	const name = (workflow.name ?? 'workflow').slice(0, 60);
	return `n8n ${name} (${workflow.id ?? 'unsaved'})`;
}

function eventNumbers(context: IHookFunctions): number[] {
	return haloEventNumbersFor(context.getNodeParameter('events', []) as string[]);
}

function warn(context: IHookFunctions, what: string, error: unknown, url: string, authMethod: string): void {
	const reason = isHaloPermissionDenied(error)
		? `Halo refused it (403): ${HALO_WEBHOOK_PERMISSION}`
		: `HaloPSA API: ${(error as Error).message}`;
	context.logger.warn(
		`HaloPSA Trigger: could not ${what} the webhook in Halo. ${reason}. The trigger is active; deliveries arrive only once the webhook exists. ${haloWebhookManualSteps(url, eventNumbers(context), authMethod)}`,
	);
}

export const haloWebhookMethods = {
	async checkExists(this: IHookFunctions): Promise<boolean> {
		if (!registersWebhook(this)) return true;
		const data = this.getWorkflowStaticData('node');
		const url = this.getNodeWebhookUrl('default') ?? '';
		try {
			const status = await haloWebhookStatus(await haloClientFor(this), url, eventNumbers(this));
			// Re-register when missing, inactive or not subscribed to every event; credentials may have changed too,
			// which Halo cannot tell us (it never reads the password back): a stored URL that differs → update.
			return status.registered && status.active !== false && status.missingEvents.length === 0 && data.haloWebhookUrl === url;
		} catch {
			return false; // create() reports what is wrong
		}
	},

	async create(this: IHookFunctions): Promise<boolean> {
		if (!registersWebhook(this)) return true;
		const data = this.getWorkflowStaticData('node');
		const url = this.getNodeWebhookUrl('default') ?? '';
		const credential = await this.getCredentials<ICredentialDataDecryptedObject>('haloPsaWebhookApi');
		const authMethod = String(credential.authMethod ?? 'basic');
		try {
			const client = await haloClientFor(this);
			const result = await registerHaloWebhook(
				client,
				{ name: haloWebhookName(this), url, auth: haloWebhookAuthFromCredential(credential), eventNumbers: eventNumbers(this) },
				data.haloWebhookId as string | undefined,
			);
			const createdBefore = data.haloWebhookId === result.webhookId && data.haloWebhookCreated === true;
			Object.assign(data, {
				haloWebhookId: result.webhookId,
				haloWebhookUrl: url,
				haloWebhookCreated: result.created || createdBefore,
			} satisfies IDataObject);
			this.logger.info(
				`HaloPSA Trigger: webhook ${result.created ? 'created' : 'updated'} in Halo (${result.webhookId}), events ${result.eventNumbers.join(', ')}`,
			);
		} catch (error) {
			warn(this, 'register', error, url, authMethod);
		}
		return true;
	},

	async delete(this: IHookFunctions): Promise<boolean> {
		const data = this.getWorkflowStaticData('node');
		const id = data.haloWebhookId as string | undefined;
		if (!id) return true;
		if (data.haloWebhookCreated === true) {
			try {
				await removeHaloWebhook(await haloClientFor(this), id);
			} catch (error) {
				const credential = await this.getCredentials<ICredentialDataDecryptedObject>('haloPsaWebhookApi').catch(() => ({}) as IDataObject);
				warn(this, 'remove', error, String(data.haloWebhookUrl ?? ''), String(credential.authMethod ?? 'basic'));
				return true;
			}
		}
		delete data.haloWebhookId;
		delete data.haloWebhookUrl;
		delete data.haloWebhookCreated;
		return true;
	},
};
