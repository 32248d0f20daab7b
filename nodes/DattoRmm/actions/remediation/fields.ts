/**
 * Shared pieces of the self-healing operations (Remediation → Start / Check): the Mapping Store backend fields, the
 * settings, and how the operations read them. The decisions themselves live in nodes/shared/policy/remediation.ts.
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { backendProperties } from '../../../shared/n8n/storeBackend.description';
import { openStore } from '../../../shared/n8n/storeBackend';
import { DEFAULT_REMEDIATION, type RemediationDefaults } from '../../../shared/policy/remediation';
import { RemediationLedger } from '../../../shared/policy/remediationLedger';

const show = { resource: ['remediation'] };

/** Backend (static data / Postgres) and dry run, shown for both remediation operations. */
export const storeFields: INodeProperties[] = [
	...backendProperties
		.filter((p) => p.name !== 'collection')
		.map((p) => ({ ...p, displayOptions: { ...p.displayOptions, show: { ...p.displayOptions?.show, ...show } } })),
	{
		displayName: 'Dry Run',
		name: 'dryRun',
		type: 'boolean',
		default: false,
		description:
			'Whether to only decide and record which component would run (in the dryRun.* collections), without starting a job in Datto',
		displayOptions: { show },
	},
];

export const settingsField: INodeProperties = {
	displayName: 'Settings',
	name: 'settings',
	type: 'collection',
	placeholder: 'Add Setting',
	default: {},
	displayOptions: { show },
	options: [
		{
			displayName: 'Cooldown per Device (Minutes)',
			name: 'cooldownMinutes',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 60,
			description: 'Default for rules without cooldownMinutes: a rule runs on a device at most once in this time',
		},
		{
			displayName: 'Daily Cap per Rule',
			name: 'dailyCap',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 10,
			description: 'Default for rules without dailyCap: runs of a rule per UTC day, over all devices',
		},
		{
			displayName: 'Job Name Prefix',
			name: 'jobNamePrefix',
			type: 'string',
			default: 'Self-healing',
		},
		{
			displayName: 'Max Output Characters',
			name: 'maxOutputChars',
			type: 'number',
			typeOptions: { minValue: 100 },
			default: 1500,
			description: 'Characters of StdOut and of StdErr kept in the ticket note (the end of the output is kept)',
		},
		{
			displayName: 'Poll Interval (Seconds)',
			name: 'pollSeconds',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 10,
			description: 'First wait before the job is checked; each further wait is 1.5 times longer, at most 60 s, never past the timeout',
		},
		{
			displayName: 'Timeout (Minutes)',
			name: 'timeoutMinutes',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 10,
			description: 'Default for rules without timeoutMinutes: how long to wait for the job before the note says it did not finish',
		},
	],
};

export function readPollSeconds(this: IExecuteFunctions, itemIndex: number): number {
	const s = this.getNodeParameter('settings', itemIndex, {}) as IDataObject;
	return typeof s.pollSeconds === 'number' && s.pollSeconds >= 1 ? s.pollSeconds : 10;
}

/** The next wait: 1.5 times the previous one from `first`, at most 60 s, never past the deadline (at least 1 s). */
export function nextWaitSeconds(first: number, polls: number, now: number, deadline: number): number {
	const backoff = Math.min(60, first * 1.5 ** polls);
	const left = Math.max(1, Math.ceil((deadline - now) / 1000));
	return Math.max(1, Math.round(Math.min(backoff, left)));
}

export function readDefaults(this: IExecuteFunctions, itemIndex: number): RemediationDefaults {
	const s = this.getNodeParameter('settings', itemIndex, {}) as IDataObject;
	const n = (name: keyof RemediationDefaults) => (typeof s[name] === 'number' && Number.isFinite(s[name]) ? (s[name] as number) : (DEFAULT_REMEDIATION[name] as number));
	return {
		cooldownMinutes: n('cooldownMinutes'),
		dailyCap: n('dailyCap'),
		timeoutMinutes: n('timeoutMinutes'),
		maxOutputChars: n('maxOutputChars'),
		jobNamePrefix: typeof s.jobNamePrefix === 'string' && s.jobNamePrefix.trim() ? s.jobNamePrefix.trim() : DEFAULT_REMEDIATION.jobNamePrefix,
	};
}

/** Test only: an ISO time used as "now" (hidden parameter, like the Sync Policy node's). */
export const clockField: INodeProperties = {
	displayName: 'Clock Override (Test Only)',
	name: 'clockOverride',
	type: 'hidden',
	default: '',
	displayOptions: { show },
};

export function clockOf(this: IExecuteFunctions, itemIndex: number): () => number {
	const override = this.getNodeParameter('clockOverride', itemIndex, '') as string;
	const fixed = override ? Date.parse(override) : Number.NaN;
	return Number.isFinite(fixed) ? () => fixed : Date.now;
}

export async function ledgerFor(this: IExecuteFunctions, itemIndex: number): Promise<RemediationLedger> {
	const store = await openStore.call(this, itemIndex);
	const dryRun = this.getNodeParameter('dryRun', itemIndex, false) as boolean;
	return new RemediationLedger(store, { dryRun, now: clockOf.call(this, itemIndex) });
}

/** An object parameter (JSON text or an expression that returns an object). */
export function readObject(this: IExecuteFunctions, name: string, itemIndex: number): IDataObject {
	const raw = this.getNodeParameter(name, itemIndex, {}) as unknown;
	if (typeof raw === 'string') {
		if (raw.trim() === '') return {};
		const parsed = JSON.parse(raw) as unknown;
		return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as IDataObject) : {};
	}
	return raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as IDataObject) : {};
}
