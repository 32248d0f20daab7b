import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import * as alert from './actions/alert/Alert.resource';
import * as component from './actions/component/Component.resource';
import * as device from './actions/device/Device.resource';
import * as job from './actions/job/Job.resource';
import * as remediation from './actions/remediation/Remediation.resource';
import { router } from './actions/router';
import * as site from './actions/site/Site.resource';
import { listSearch } from './methods';
import { mappingStorePostgresConnectionTest } from '../shared/n8n/postgresCredentialTest';

/** Datto RMM API v2: alerts (get, resolve, list open / resolved), sites, devices (incl. quick jobs), jobs, components. */
export class DattoRmm implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Datto RMM',
		name: 'dattoRmm',
		icon: { light: 'file:../../icons/datto.svg', dark: 'file:../../icons/datto.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Read and resolve Datto RMM alerts, look up sites and devices, run components as quick jobs',
		defaults: { name: 'Datto RMM' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'dattoRmmApi', required: true },
			{
				name: 'mappingStorePostgresApi',
				required: true,
				testedBy: 'mappingStorePostgresConnectionTest',
				displayOptions: { show: { resource: ['remediation'], backend: ['postgres'] } },
			},
		],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Alert', value: 'alert' },
					{ name: 'Component', value: 'component' },
					{ name: 'Device', value: 'device' },
					{ name: 'Job', value: 'job' },
					{ name: 'Remediation (Self-Healing)', value: 'remediation' },
					{ name: 'Site', value: 'site' },
				],
				default: 'alert',
			},
			...alert.description,
			...site.description,
			...device.description,
			...job.description,
			...component.description,
			...remediation.description,
		],
	};

	methods = {
		listSearch: { searchSites: listSearch.searchSites, searchComponents: listSearch.searchComponents },
		credentialTest: { mappingStorePostgresConnectionTest },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
