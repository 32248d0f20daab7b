import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { mappingStorePostgresConnectionTest } from '../shared/n8n/postgresCredentialTest';
import * as haloOptions from '../shared/n8n/haloLoadOptions';
import { configuredOutputs, properties } from './actions/node.description';
import { router } from './actions/router';

/**
 * The sync policies of nodes/shared/policy as a workflow step: decides what a Datto alert (or a Halo ticket event)
 * means — new ticket, note, reopen, close, suppressed, ignored, correlated into a storm, deferred — writes it to
 * Halo, remembers it in the mapping store, and routes the item to the output named after the decision.
 */
export class SyncPolicy implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Datto-Halo Sync Policy',
		name: 'syncPolicy',
		icon: { light: 'file:../../icons/syncPolicy.svg', dark: 'file:../../icons/syncPolicy.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ($parameter["dryRun"] ? " (dry run)" : "")}}',
		description:
			'Flap dedupe, reopen window, close rules, grace close, storm correlation, maintenance windows for Datto RMM alerts in HaloPSA, routed by decision',
		defaults: { name: 'Sync Policy' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: `={{(${configuredOutputs})($parameter)}}`,
		credentials: [
			{
				name: 'mappingStorePostgresApi',
				required: true,
				testedBy: 'mappingStorePostgresConnectionTest',
				displayOptions: { show: { backend: ['postgres'] } },
			},
			{
				name: 'haloPsaApi',
				required: false,
				displayOptions: { show: { operation: ['decide', 'processDue', 'replayFailed', 'checkSetup', 'statusPage'] } },
			},
			{
				name: 'dattoRmmApi',
				required: true,
				displayOptions: { show: { operation: ['decide', 'processDue', 'replayFailed', 'checkSetup'], resolveDattoAlerts: [true] } },
			},
		],
		properties,
	};

	methods = {
		credentialTest: { mappingStorePostgresConnectionTest },
		loadOptions: {
			getAgents: haloOptions.getAgents,
			getClients: haloOptions.getClients,
			getStatuses: haloOptions.getStatuses,
			getTeams: haloOptions.getTeams,
			getTicketTypes: haloOptions.getTicketTypes,
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
