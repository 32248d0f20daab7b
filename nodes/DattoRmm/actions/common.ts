/**
 * Shared pieces of the Datto RMM node's operations: the client for the node's credential, paging fields,
 * the site resource locator and the alert output formats.
 */
import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type ILoadOptionsFunctions,
	type INodeProperties,
} from 'n8n-workflow';

import { DEFAULT_ALERT_LINK_TEMPLATE, normaliseApiAlert } from '../../shared/domain/dattoAlert';
import { DattoClient, dattoPlatformOf, getDattoClientForCredentials } from '../../shared/transport/datto';
import type { DattoAlert } from '../../shared/transport/datto';
import { readReturnAllLimit, returnAllLimitFields } from '../../shared/n8n/descriptions';

export type DattoResource = 'alert' | 'site' | 'device' | 'job' | 'component' | 'remediation';

/** Runs one operation for one item; the router pairs the returned objects with the item. */
export type DattoOperationExecutor = (
	this: IExecuteFunctions,
	client: DattoClient,
	itemIndex: number,
) => Promise<IDataObject[]>;

export interface DattoOperationModule {
	description: INodeProperties[];
	execute: DattoOperationExecutor;
}

/** The process-wide client (token cache, rate budget) for the node's `dattoRmmApi` credential. */
export async function dattoClientFor(this: IExecuteFunctions | ILoadOptionsFunctions): Promise<DattoClient> {
	const credentials = await this.getCredentials('dattoRmmApi');
	return getDattoClientForCredentials(credentials);
}

/** Shows the properties only for one resource and operation (n8n-workflow's updateDisplayOptions). */
export function forOperation(resource: DattoResource, operation: string, properties: INodeProperties[]): INodeProperties[] {
	return updateDisplayOptions({ show: { resource: [resource], operation: [operation] } }, properties);
}

/** Return All / Limit with a hint on Datto's paging (nodes/shared/n8n/descriptions). */
export function returnAllFields(what: string): INodeProperties[] {
	return returnAllLimitFields({ hint: `Datto returns ${what} in pages of up to 250; the node follows the pages for you` });
}

/** Return All / Limit of item `itemIndex`; the Datto client reads limit 0 as "no limit". */
export function readPaging(this: IExecuteFunctions, itemIndex: number): { returnAll: boolean; limit: number } {
	const { returnAll, limit } = readReturnAllLimit.call(this, itemIndex);
	return { returnAll, limit: limit ?? 0 };
}

/** A site picked from a searchable list, or given by its UID. */
export function siteLocator(overrides: Partial<INodeProperties> = {}): INodeProperties {
	return {
		displayName: 'Site',
		name: 'site',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		description: 'The Datto RMM site',
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: 'Select a site...',
				typeOptions: { searchListMethod: 'searchSites', searchable: true, searchFilterRequired: false },
			},
			{
				displayName: 'By UID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. 7b3f8c1e-2a44-4c1b-9f1e-0d5a8e2b6c10',
			},
		],
		...overrides,
	};
}

/** A component picked from the account's components, or given by its UID. */
export function componentLocator(overrides: Partial<INodeProperties> = {}): INodeProperties {
	return {
		displayName: 'Component',
		name: 'component',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		description: 'The Datto RMM component (script) to run',
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: 'Select a component...',
				typeOptions: { searchListMethod: 'searchComponents', searchable: true, searchFilterRequired: false },
			},
			{
				displayName: 'By UID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. 2a6f0e52-4b6c-4f43-9a0b-3c1d2e4f5a6b',
			},
		],
		...overrides,
	};
}

/** The value of a resource locator (or a plain string), trimmed. */
export function readLocatorValue(this: IExecuteFunctions, name: string, itemIndex: number): string {
	const value = this.getNodeParameter(name, itemIndex, '', { extractValue: true }) as unknown;
	return typeof value === 'string' ? value.trim() : String(value ?? '').trim();
}

export function readSiteUid(this: IExecuteFunctions, itemIndex: number, name = 'site'): string {
	const value = this.getNodeParameter(name, itemIndex, '', { extractValue: true }) as unknown;
	return typeof value === 'string' ? value.trim() : String(value ?? '').trim();
}

export function readRequiredString(this: IExecuteFunctions, name: string, itemIndex: number): string {
	const value = this.getNodeParameter(name, itemIndex, '') as unknown;
	return typeof value === 'string' ? value.trim() : value === undefined || value === null ? '' : String(value).trim();
}

/* ------------------------------------------------------------------------------------------------------------ */
/* Alert output                                                                                                  */
/* ------------------------------------------------------------------------------------------------------------ */

export type AlertOutputFormat = 'raw' | 'normalised' | 'both';

export const alertOutputField: INodeProperties = {
	displayName: 'Output',
	name: 'output',
	type: 'options',
	default: 'raw',
	options: [
		{
			name: 'Datto Alert',
			value: 'raw',
			description: 'The alert as Datto returns it, plus ISO 8601 copies of its epoch-millisecond times',
		},
		{
			name: 'Datto Alert + Normalised',
			value: 'both',
			description: 'The Datto alert with a "normalised" property in the Datto RMM Trigger\'s shape',
		},
		{
			name: 'Normalised Alert',
			value: 'normalised',
			description:
				"The Datto RMM Trigger's shape (event, alertUid, priority, message, device, site, condition, dedupeKey, link); the Datto alert is under \"raw\"",
		},
	],
};

export const alertOutputOptionsField: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	displayOptions: { show: { output: ['normalised', 'both'] } },
	options: [
		{
			displayName: 'Link Template',
			name: 'linkTemplate',
			type: 'string',
			default: DEFAULT_ALERT_LINK_TEMPLATE,
			description: 'Portal link of a normalised alert; {platform} and {alertUid} are replaced',
		},
		{
			displayName: 'Platform',
			name: 'platform',
			type: 'string',
			default: '',
			placeholder: 'e.g. merlot',
			description:
				"Datto platform for links of normalised alerts. Empty: taken from the credential's platform (no link for a custom API URL).",
		},
	],
};

export interface AlertOutputSettings {
	format: AlertOutputFormat;
	platform: string | null;
	linkTemplate: string;
}

export function readAlertOutput(this: IExecuteFunctions, client: DattoClient, itemIndex: number): AlertOutputSettings {
	const format = this.getNodeParameter('output', itemIndex, 'raw') as AlertOutputFormat;
	const options = (format === 'raw' ? {} : this.getNodeParameter('options', itemIndex, {})) as IDataObject;
	const platform = typeof options.platform === 'string' && options.platform.trim() ? options.platform.trim().toLowerCase() : null;
	const linkTemplate =
		typeof options.linkTemplate === 'string' && options.linkTemplate.trim() ? options.linkTemplate.trim() : DEFAULT_ALERT_LINK_TEMPLATE;
	return { format, platform: platform ?? dattoPlatformOf(client.apiBaseUrl) ?? null, linkTemplate };
}

export function alertOutput(alert: DattoAlert, settings: AlertOutputSettings): IDataObject {
	if (settings.format === 'raw') return alert as IDataObject;
	const normalised = normaliseApiAlert(alert as Record<string, unknown>, settings.platform, {
		linkTemplate: settings.linkTemplate,
	}) as unknown as IDataObject;
	return settings.format === 'normalised' ? normalised : { ...(alert as IDataObject), normalised };
}
