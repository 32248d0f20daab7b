import type { INodeProperties } from 'n8n-workflow';

import { backendProperties } from '../../shared/n8n/storeBackend.description';
import * as checkSetup from './checkSetup.operation';
import * as decide from './decide.operation';
import * as explain from './explain.operation';
import * as health from './health.operation';
import * as replayFailed from './replayFailed.operation';
import * as statusPage from './statusPage.operation';
import { DECIDING_OPERATIONS, haloOptionsProperty, policySettingsProperty } from './settings';

/**
 * The node's outputs per operation, evaluated by n8n from the parameters (the function's source is inlined into
 * the expression, so it must not refer to anything outside itself). Deciding operations: one output per decision,
 * in the engine's order (DECISIONS in nodes/shared/policy/types.ts; a test checks they match).
 */
export const configuredOutputs = (parameters: { operation?: string }) => {
	if (parameters.operation === 'explain') return [{ type: 'main', displayName: 'timeline' }];
	if (parameters.operation === 'checkSetup') return [{ type: 'main', displayName: 'report' }];
	if (parameters.operation === 'statusPage') return [{ type: 'main', displayName: 'page' }];
	if (parameters.operation === 'health') {
		return [
			{ type: 'main', displayName: 'alarm' },
			{ type: 'main', displayName: 'ok' },
		];
	}
	return ['create', 'note', 'reopen', 'close', 'suppress', 'ignore', 'correlate', 'defer'].map((name) => ({ type: 'main', displayName: name }));
};

export const properties: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Check Health',
				value: 'health',
				description: 'Alarm when no Datto webhook arrived for hours, or failed events wait for replay',
				action: 'Check the health of the sync',
			},
			{
				name: 'Check Setup',
				value: 'checkSetup',
				description: 'Check credentials, Halo settings, site mapping and webhooks once after setup; report as JSON and HTML',
				action: 'Check the setup of the sync',
			},
			{
				name: 'Decide',
				value: 'decide',
				description: 'Apply the policies to a Datto alert or HaloPSA ticket event, write to Halo, route by decision',
				action: 'Decide what to do with an alert',
			},
			{
				name: 'Explain',
				value: 'explain',
				description: 'The decision timeline of an alert, a device + condition, or a ticket',
				action: 'Explain the decisions about an alert or ticket',
			},
			{
				name: 'Process Due',
				value: 'processDue',
				description: 'Grace closes that are due and alerts released from maintenance windows or business hours',
				action: 'Process due closes and releases',
			},
			{
				name: 'Replay Failed Events',
				value: 'replayFailed',
				description: 'Run events whose Halo or Datto writes failed again',
				action: 'Replay failed events',
			},
			{
				name: 'Status Page',
				value: 'statusPage',
				description: 'The sync status as an HTML page: open links, last deliveries, failed events, decisions, budget',
				action: 'Render the sync status page',
			},
		],
		default: 'decide',
	},
	...backendProperties.filter((p) => p.name !== 'collection'),
	{
		displayName: 'Dry Run',
		name: 'dryRun',
		type: 'boolean',
		default: false,
		description:
			'Whether to decide and record what would be done (in the dryRun.* collections) without writing to Halo or Datto. Explain and Check Health then read the dry-run records.',
		displayOptions: { show: { operation: [...DECIDING_OPERATIONS, 'explain', 'health', 'statusPage'] } },
	},
	...decide.description,
	{
		displayName: 'Fallback Client Name or ID',
		name: 'fallbackClientId',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getClients' },
		default: '',
		description:
			'Catch-all Halo client for tickets whose alert no rule maps (no Client ID, no Halo datto_id or unique name match). Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
		displayOptions: { show: { operation: DECIDING_OPERATIONS } },
	},
	{
		displayName: 'Resolve Datto Alerts',
		name: 'resolveDattoAlerts',
		type: 'boolean',
		default: false,
		description:
			'Whether a ticket closed by a technician in Halo resolves its open Datto alerts here (needs a Datto RMM API credential); off: the close output lists them in dattoAlertUids for a Datto RMM node',
		displayOptions: { show: { operation: DECIDING_OPERATIONS } },
	},
	policySettingsProperty,
	haloOptionsProperty,
	...replayFailed.description,
	...explain.description,
	...health.description,
	...checkSetup.description,
	...statusPage.description,
	{
		displayName: 'Clock Override (Test Only)',
		name: 'clockOverride',
		type: 'hidden',
		default: '',
		description: 'Test only: an ISO time used as "now" instead of the clock. Never set in production workflows.',
	},
];
