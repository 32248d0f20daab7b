import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { backendProperties } from '../shared/n8n/storeBackend.description';
import { outputProperties } from './actions/output';
import { recordProperties } from './actions/record/Record.resource';
import { router } from './actions/router';
import { mappingStorePostgresConnectionTest } from '../shared/n8n/postgresCredentialTest';

/** The memory of the sync: alert → ticket and site → client records in workflow static data or Postgres. */
export class MappingStore implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Mapping Store',
		name: 'mappingStore',
		icon: { light: 'file:../../icons/mappingStore.svg', dark: 'file:../../icons/mappingStore.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"]}}',
		description: 'Keep alert → ticket and site → client records in workflow static data or Postgres',
		defaults: { name: 'Mapping Store' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				name: 'mappingStorePostgresApi',
				required: true,
				testedBy: 'mappingStorePostgresConnectionTest',
				displayOptions: { show: { backend: ['postgres'] } },
			},
		],
		properties: [...backendProperties, ...recordProperties, ...outputProperties],
	};

	methods = { credentialTest: { mappingStorePostgresConnectionTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
