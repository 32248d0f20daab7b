/** What the Start and Check operations pass along in `remediation` (never a secret value), and store look-ups. */
import type { IDataObject } from 'n8n-workflow';

import { fillVariable, isSecretVariable, type RemediationPlan, type RemediationRule } from '../../../shared/policy/remediation';
import type { RecordStore } from '../../../shared/store';

export interface RemediationContext extends IDataObject {
	key: string;
	action: string;
	reason: string;
	message: string;
	dryRun: boolean;
	ruleId: string | null;
	componentUid: string | null;
	componentName: string | null;
	deviceUid: string | null;
	ticketId: number | null;
	startedBy: string;
	timeoutMinutes: number;
	safeVariables: Array<{ name: string; value: string }>;
	startedAt: string;
}

export function remediationContext(plan: RemediationPlan, extra: { key: string; ticketId: number | null; startedBy: string; now: number }): RemediationContext {
	return {
		key: extra.key,
		action: plan.action,
		reason: plan.reason,
		message: plan.message,
		dryRun: plan.dryRun,
		ruleId: plan.ruleId,
		componentUid: plan.componentUid,
		componentName: plan.componentName,
		deviceUid: plan.deviceUid,
		ticketId: extra.ticketId,
		startedBy: extra.startedBy,
		timeoutMinutes: plan.timeoutMinutes,
		safeVariables: plan.safeVariables,
		startedAt: new Date(extra.now).toISOString(),
	};
}

/** The secret values of the rule behind a remediation (to scrub them from output), re-read from the table. */
export function secretValuesOf(rules: readonly RemediationRule[], context: Pick<RemediationContext, 'ruleId' | 'componentUid' | 'deviceUid'>): string[] {
	const rule = rules.find((r) => (context.ruleId ? r.id === context.ruleId : r.componentUid === context.componentUid));
	if (!rule) return [];
	const alert = { alertUid: '', message: '', condition: '', device: { uid: context.deviceUid, hostname: null }, site: { uid: null, name: null } };
	return Object.entries(rule.variables ?? {})
		.filter(([name]) => isSecretVariable(rule, name))
		.map(([, value]) => fillVariable(String(value), alert))
		.filter((value) => value !== '');
}

function objectOf(value: unknown): Record<string, unknown> | null {
	return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

/**
 * The Datto device of a ticket the sync created: `tickets/<ticketId>` → alertUid → `alerts/<alertUid>` → dedupeKey
 * (`<deviceUid>|<condition>`). Null when the ticket has no link or the device is only known by hostname.
 */
export async function deviceOfTicket(store: Pick<RecordStore, 'get'>, ticketId: number): Promise<string | null> {
	const ticket = objectOf((await store.get('tickets', ticketId))?.value);
	const alertUid = typeof ticket?.alertUid === 'string' ? ticket.alertUid : null;
	if (!alertUid) return null;
	const alert = objectOf((await store.get('alerts', alertUid))?.value);
	const dedupeKey = typeof alert?.dedupeKey === 'string' ? alert.dedupeKey : '';
	const device = dedupeKey.split('|')[0];
	return device && !device.startsWith('host:') && device !== 'unknown-device' ? device : null;
}
