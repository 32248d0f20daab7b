/**
 * Check Setup (run once after entering credentials, e.g. from the shipped "Check Setup" workflow): both credentials,
 * the Halo settings the sync will use, where every Datto site lands, the Datto webhook URL and bodies to paste, and
 * whether the Halo webhook is registered, and the size of the workflow static data stores this n8n process has loaded
 * (nodes/shared/setup/checkSetup.ts). One item: the report as JSON and as a
 * readable HTML file in binary property `report`. Never contains a secret. Same checks: `halo-datto-check-setup`.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { checkSetup, type CheckSetupSettings } from '../../shared/setup/checkSetup';
import { loadedStaticStoreStats } from '../../shared/store';
import { renderSetupReportHtml } from '../../shared/setup/reportHtml';
import { getDattoClientForCredentials } from '../../shared/transport/datto';
import { haloClientFor } from '../../shared/transport/halo';
import { errorItem } from './context';

const show = { show: { operation: ['checkSetup'] } };

export const description: INodeProperties[] = [
	{
		// Makes n8n show the Datto RMM API credential for this operation (its display rule asks for this flag).
		displayName: 'Resolve Datto Alerts',
		name: 'resolveDattoAlerts',
		type: 'hidden',
		default: true,
		displayOptions: show,
	},
	{
		displayName: 'Datto RMM Trigger Production URL',
		name: 'dattoWebhookUrl',
		type: 'string',
		default: '',
		placeholder: 'https://n8n.example.com/webhook/…/datto-alert',
		description: "The Datto RMM Trigger's Production URL: the report shows it with the secret as a placeholder, ready to paste into Datto",
		displayOptions: show,
	},
	{
		displayName: 'HaloPSA Trigger Production URL',
		name: 'haloWebhookUrl',
		type: 'string',
		default: '',
		placeholder: 'https://n8n.example.com/webhook/…/halo',
		description: "The HaloPSA Trigger's Production URL: the report says whether a Halo webhook posts to it with the needed events",
		displayOptions: show,
	},
	{
		displayName: 'Settings to Check',
		name: 'checkSettings',
		type: 'collection',
		placeholder: 'Add Setting',
		default: {},
		displayOptions: show,
		options: [
			{ displayName: 'Agent ID', name: 'agentId', type: 'number', default: 0, description: 'Agent the sync assigns tickets to' },
			{ displayName: 'Catch-All Client ID', name: 'catchAllClientId', type: 'number', default: 0, description: 'Client for sites that match no rule' },
			{ displayName: 'Close Outcome ID', name: 'closeOutcomeId', type: 'number', default: 0, description: 'Empty: the note outcome chosen by name' },
			{ displayName: 'Closed Status ID', name: 'closedStatusId', type: 'number', default: 0, description: 'Empty: chosen by name' },
			{
				displayName: 'Datto Webhook Query Parameter Name',
				name: 'dattoQueryParameter',
				type: 'string',
				default: 'secret',
				description: 'Name of the query parameter that carries the Datto RMM Webhook credential\'s value (shown as a placeholder)',
			},
			{ displayName: 'Priority Map', name: 'priorityMap', type: 'string', default: '', placeholder: 'Critical=1, High=2, Moderate=3, Low=4' },
			{ displayName: 'Team ID', name: 'teamId', type: 'number', default: 0 },
			{ displayName: 'Ticket Type ID', name: 'ticketTypeId', type: 'number', default: 0 },
		],
	},
];

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const out: INodeExecutionData[] = [];
	try {
		const s = this.getNodeParameter('checkSettings', 0, {}) as IDataObject;
		const id = (v: unknown) => (typeof v === 'number' && v > 0 ? v : null);
		const settings: CheckSetupSettings = {
			closedStatusId: id(s.closedStatusId),
			closeOutcomeId: id(s.closeOutcomeId),
			priorityMap: typeof s.priorityMap === 'string' && s.priorityMap.trim() ? s.priorityMap : undefined,
			ticketTypeId: id(s.ticketTypeId),
			teamId: id(s.teamId),
			agentId: id(s.agentId),
			catchAllClientId: id(s.catchAllClientId),
			dattoSecretParameter: typeof s.dattoQueryParameter === 'string' ? s.dattoQueryParameter : undefined,
			dattoWebhookUrl: (this.getNodeParameter('dattoWebhookUrl', 0, '') as string).trim() || undefined,
			haloWebhookUrl: (this.getNodeParameter('haloWebhookUrl', 0, '') as string).trim() || undefined,
			staticStores: loadedStaticStoreStats(),
		};
		const halo = await haloClientFor(this, 0).catch(() => undefined);
		const dattoCredential = await this.getCredentials('dattoRmmApi', 0).catch(() => undefined);
		const datto = dattoCredential ? getDattoClientForCredentials(dattoCredential) : undefined;
		const report = await checkSetup({ halo, datto }, settings);
		const html = renderSetupReportHtml(report);
		const binary = await this.helpers.prepareBinaryData(Buffer.from(html, 'utf8'), 'check-setup.html', 'text/html');
		out.push({
			json: { summary: report.ok ? 'No problem found' : `${report.problems} problem(s) to fix`, ...report } as unknown as IDataObject,
			binary: { report: binary },
			pairedItem: { item: 0 },
		});
	} catch (error) {
		const failure = errorItem.call(this, out, error, 0);
		if (failure) throw failure;
	}
	return [out];
}
