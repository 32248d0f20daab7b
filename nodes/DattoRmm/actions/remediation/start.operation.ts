import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import {
	isSecretVariable,
	needsAlertContext,
	planRemediation,
	RemediationAlert,
	remediationNoteText,
	withAlertContext,
	type RemediationPlan,
	type RemediationRule,
} from '../../../shared/policy/remediation';
import { openStore } from '../../../shared/n8n/storeBackend';
import { isApiRequestError } from '../../../shared/transport/http';
import type { DattoClient } from '../../../shared/transport/datto';
import { forOperation } from '../common';
import { clockOf, ledgerFor, nextWaitSeconds, readDefaults, readObject, readPollSeconds, settingsField } from './fields';
import { deviceOfTicket, remediationContext, secretValuesOf } from './state';

export const description: INodeProperties[] = forOperation('remediation', 'start', [
	{
		displayName: 'Started By',
		name: 'source',
		type: 'options',
		default: 'alert',
		options: [
			{ name: 'Alert (Remediation Table)', value: 'alert', description: 'The first matching rule of the remediation table runs' },
			{ name: 'Technician (From Halo)', value: 'technician', description: 'A component listed in the remediation table, started from a ticket' },
		],
	},
	{
		displayName: 'Alert',
		name: 'alert',
		type: 'json',
		default: '={{ $json }}',
		description: 'The normalised alert (Datto RMM Trigger output: alertUid, event, message, condition, device, site, priority)',
		displayOptions: { show: { source: ['alert'] } },
	},
	{
		displayName: 'Ticket ID',
		name: 'ticketId',
		type: 'string',
		default: '={{ $json.ticketId }}',
		description: 'The Halo ticket the result note goes to',
	},
	{
		displayName: 'Component',
		name: 'component',
		type: 'string',
		default: '={{ $json.body.component }}',
		description: 'UID or name of a component that a rule of the remediation table uses (others are refused)',
		displayOptions: { show: { source: ['technician'] } },
	},
	{
		displayName: 'Device UID',
		name: 'deviceUid',
		type: 'string',
		default: '={{ $json.body.deviceUid }}',
		description: "Empty: the device of the alert linked to the ticket (from the sync's alert → ticket links)",
		displayOptions: { show: { source: ['technician'] } },
	},
	{
		displayName: 'Variables',
		name: 'variables',
		type: 'json',
		default: '={{ $json.body.variables ?? {} }}',
		description: "Component variables (name → value) on top of the rule's",
		displayOptions: { show: { source: ['technician'] } },
	},
	{
		displayName: 'Technician',
		name: 'startedBy',
		type: 'string',
		default: '={{ $json.body.technician ?? "a technician" }}',
		displayOptions: { show: { source: ['technician'] } },
	},
	settingsField,
]);

function ticketNumber(value: unknown): number | null {
	const n = typeof value === 'number' ? value : Number(String(value ?? '').trim());
	return Number.isInteger(n) && n > 0 ? n : null;
}

function text(value: unknown): string | null {
	return typeof value === 'string' && value.trim() ? value.trim() : null;
}

function alertFrom(raw: IDataObject): RemediationAlert {
	const device = (raw.device ?? {}) as IDataObject;
	const site = (raw.site ?? {}) as IDataObject;
	const source = (raw.raw ?? {}) as IDataObject;
	const context = (source.alertContext ?? {}) as IDataObject;
	const alertType = text(raw.alertType) ?? text(context['@class']) ?? text(source.alertType) ?? text(source.alert_type);
	return {
		alertUid: text(raw.alertUid) ?? '',
		event: raw.event === 'resolved' ? 'resolved' : 'triggered',
		priority: text(raw.priority),
		message: text(raw.message) ?? '',
		condition: text(raw.condition) ?? 'unknown',
		alertType,
		device: { uid: text(device.uid), hostname: text(device.hostname) },
		site: { uid: text(site.uid), name: text(site.name) },
	};
}

/**
 * The alert with its alert context from the Datto API when the table needs it and the webhook did not carry it
 * (needsAlertContext): Datto's webhook has no alert type and no condition detail. A failed read leaves the alert as it
 * came (rules by message pattern still match) and says why in `contextWarning`.
 */
async function completeAlert(client: DattoClient, alert: RemediationAlert, rules: RemediationRule[]): Promise<{ alert: RemediationAlert; contextFrom: string; contextWarning?: string }> {
	if (!needsAlertContext(alert, rules)) return { alert, contextFrom: 'input' };
	try {
		return { alert: withAlertContext(alert, (await client.getAlert(alert.alertUid)) as unknown as Record<string, unknown>), contextFrom: 'api' };
	} catch (error) {
		const message = isApiRequestError(error) ? `${error.status ?? ''} ${error.apiMessage}`.trim() : (error as Error).message;
		return { alert, contextFrom: 'input', contextWarning: `The alert context could not be read from the Datto RMM API: ${message}` };
	}
}

/**
 * Remediation → Start: decides (remediation table, cooldown, daily cap, once per alert, maintenance windows), records
 * the decision, and starts the quick job. `remediation.next` says what the workflow does next: `wait` (then Check),
 * `report` (write remediation.noteText: the job could not be started), `nothing`.
 */
export async function execute(this: IExecuteFunctions, client: DattoClient, itemIndex: number): Promise<IDataObject[]> {
	const input = this.getInputData()[itemIndex]?.json ?? {};
	const source = this.getNodeParameter('source', itemIndex, 'alert') as 'alert' | 'technician';
	const ledger = await ledgerFor.call(this, itemIndex);
	const defaults = readDefaults.call(this, itemIndex);
	const now = clockOf.call(this, itemIndex);
	const ticketId = ticketNumber(this.getNodeParameter('ticketId', itemIndex, ''));
	const { rules } = await ledger.loadRules();

	let plan: RemediationPlan;
	let key: string;
	let startedBy = 'alert';
	let matchedOn: IDataObject = {};
	if (source === 'alert') {
		const given = alertFrom(readObject.call(this, 'alert', itemIndex));
		if (!given.alertUid) throw new Error('The alert has no alertUid');
		key = given.alertUid;
		const { alert, contextFrom, contextWarning } = await completeAlert(client, given, rules);
		// What the table was applied to: without it, an alert that matched nothing does not say why.
		matchedOn = { alert: { condition: alert.condition, alertType: alert.alertType ?? null, contextFrom, ...(contextWarning ? { contextWarning } : {}) } };
		plan = await ledger.decide(alert, { enabled: true, defaults, ticketId, rules });
	} else {
		if (!ticketId) throw new Error('A Halo ticket ID is required to start a remediation from Halo');
		const wanted = (this.getNodeParameter('component', itemIndex, '') as string).trim().toLowerCase();
		const rule = rules.find((r) => r.componentUid.toLowerCase() === wanted || (r.componentName ?? '').toLowerCase() === wanted);
		if (!wanted || !rule) {
			throw new Error(`The component "${wanted}" is not listed in the remediation table; only components of its rules can be started from Halo`);
		}
		const store = await openStore.call(this, itemIndex);
		const given = (this.getNodeParameter('deviceUid', itemIndex, '') as string | null)?.trim() || (await deviceOfTicket(store, ticketId));
		if (!given) throw new Error(`No device: give deviceUid, or start it on a ticket that the sync created from an alert (ticket ${ticketId} has no link)`);
		startedBy = text(this.getNodeParameter('startedBy', itemIndex, '')) ?? 'a technician';
		const extra = readObject.call(this, 'variables', itemIndex);
		key = `ticket-${ticketId}-${now()}`;
		const alert: RemediationAlert = { alertUid: key, message: '', condition: 'technician', device: { uid: given, hostname: null }, site: { uid: null, name: null } };
		const base = planRemediation({ enabled: true, alert, rule: { ...rule, variables: { ...(rule.variables ?? {}), ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, String(v ?? '')])) } }, state: { alreadyRanForAlert: false, lastRunOnDeviceAt: null, runsToday: 0 }, now: now(), defaults, dryRun: this.getNodeParameter('dryRun', itemIndex, false) as boolean });
		plan = { ...base, ruleId: null, message: `${startedBy} starts ${base.componentName} on device ${given}`, jobName: `${defaults.jobNamePrefix}: ${base.componentName} (ticket ${ticketId})` };
		await ledger.recordManual(key, { componentUid: rule.componentUid, componentName: plan.componentName, deviceUid: given, ticketId, startedBy, safeVariables: plan.safeVariables });
		plan.secretValues = [...plan.secretValues, ...plan.variables.filter((v) => isSecretVariable(rule, v.name)).map((v) => v.value)];
	}

	const context = { ...remediationContext(plan, { key, ticketId, startedBy, now: now() }), ...matchedOn };
	if (plan.action !== 'run' || plan.dryRun) {
		return [{ ...input, remediation: { ...context, next: 'nothing' } }];
	}
	try {
		const job = await client.runQuickJob(plan.deviceUid!, { componentUid: plan.componentUid!, jobName: plan.jobName!, variables: plan.variables });
		await ledger.jobStarted(key, job.jobUid);
		const deadline = now() + plan.timeoutMinutes * 60_000;
		return [
			{
				...input,
				remediation: { ...context, jobUid: job.jobUid, deadline: new Date(deadline).toISOString(), polls: 0, waitSeconds: nextWaitSeconds(readPollSeconds.call(this, itemIndex), 0, now(), deadline), next: 'wait' },
			},
		];
	} catch (error) {
		const message = isApiRequestError(error) ? `${error.status ?? ''} ${error.apiMessage}`.trim() : (error as Error).message;
		await ledger.finished(key, { outcome: 'error', error: message, ticketId });
		const secrets = [...plan.secretValues, ...secretValuesOf(rules, plan)];
		const noteText = remediationNoteText({ plan: { ...plan, secretValues: secrets }, outcome: 'error', error: message, startedBy: startedBy === 'alert' ? undefined : startedBy, maxOutputChars: defaults.maxOutputChars });
		return [{ ...input, remediation: { ...context, outcome: 'error', noteText, next: 'report' } }];
	}
}
