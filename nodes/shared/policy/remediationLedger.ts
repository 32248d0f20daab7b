/**
 * Self-healing state in the Mapping Store (either backend; only the RecordStore interface, no n8n):
 *
 * - `remediationRules/<ruleId>` → RemediationRule (status `open` = enabled). The table: empty until filled, so the
 *   shipped workflow does nothing after import. Table order = `order` in the value, then key order.
 * - `remediations/<alertUid>` → RemediationRecord. Claimed atomically by the first decision about an alert that
 *   matched a rule (run or skip): a component runs at most once per alert, whatever the duplicate deliveries.
 *   Its history is the decision log (matched rule, job UID, outcome).
 * - `remediationCooldowns/<ruleId>|<deviceUid>` → { lastRunAt } (per-device cooldown).
 * - `remediationCaps/<ruleId>|<YYYY-MM-DD>` → { count } (daily cap per rule; read-modify-write, so concurrent
 *   runs of the same rule can exceed the cap by the number of parallel executions).
 *
 * Dry run: the state collections are prefixed with `dryRun.` (rules and maintenance windows are shared), so a dry run
 * shows which alerts would run which component without running anything or consuming the live cooldowns and caps.
 */
import type { JsonObject, JsonValue, RecordStore, StoreRecord } from '../store/types';
import { DRY_RUN_PREFIX, POLICY_COLLECTIONS } from './layout';
import {
	matchRemediationRule,
	planRemediation,
	RemediationAlert,
	RemediationDefaults,
	RemediationOutcome,
	RemediationPlan,
	RemediationRule,
	validateRemediationRule,
} from './remediation';
import type { MaintenanceWindow } from './types';

export type RemediationStore = Pick<RecordStore, 'get' | 'list' | 'set' | 'claim' | 'updateStatus'>;

export const REMEDIATION_COLLECTIONS = Object.freeze({
	rules: 'remediationRules',
	remediations: 'remediations',
	cooldowns: 'remediationCooldowns',
	caps: 'remediationCaps',
});

/** The value of `remediations/<alertUid>` (no secret values: variables are stored masked). */
export interface RemediationRecord {
	alertUid: string;
	ruleId: string | null;
	componentUid: string | null;
	componentName: string | null;
	deviceUid: string | null;
	/** run / skip decision. */
	action: 'run' | 'skip';
	reason: string;
	dryRun: boolean;
	jobUid: string | null;
	outcome: RemediationOutcome | null;
	deploymentStatus: string | null;
	safeVariables: Array<{ name: string; value: string }>;
	decidedAt: string;
	finishedAt: string | null;
	ticketId: number | null;
	startedBy: string;
}

export interface LedgerOptions {
	dryRun?: boolean;
	now?: () => number;
}

function objectValue<T>(record: StoreRecord | undefined): T | null {
	const v = record?.value;
	return v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v) ? (v as unknown as T) : null;
}

export interface RuleProblem {
	key: string;
	errors: string[];
}

export class RemediationLedger {
	private readonly dryRun: boolean;
	private readonly now: () => number;

	constructor(
		private readonly store: RemediationStore,
		options: LedgerOptions = {},
	) {
		this.dryRun = options.dryRun === true;
		this.now = options.now ?? Date.now;
	}

	private state(name: 'remediations' | 'cooldowns' | 'caps'): string {
		const collection = REMEDIATION_COLLECTIONS[name];
		return this.dryRun ? `${DRY_RUN_PREFIX}${collection}` : collection;
	}

	/** Enabled rules in table order, and the records that are not valid rules (reported, never run). */
	async loadRules(): Promise<{ rules: RemediationRule[]; problems: RuleProblem[] }> {
		const records = await this.store.list(REMEDIATION_COLLECTIONS.rules, { status: 'open' });
		const rules: Array<RemediationRule & { order?: number }> = [];
		const problems: RuleProblem[] = [];
		for (const record of records) {
			const value = objectValue<RemediationRule & { order?: number }>(record);
			const rule = value ? { ...value, id: typeof value.id === 'string' && value.id ? value.id : record.key } : null;
			const errors = validateRemediationRule(rule);
			if (!rule || errors.length > 0) problems.push({ key: record.key, errors: errors.length ? errors : ['not an object'] });
			else rules.push(rule);
		}
		rules.sort((a, b) => (a.order ?? Number.MAX_SAFE_INTEGER) - (b.order ?? Number.MAX_SAFE_INTEGER));
		return { rules, problems };
	}

	async loadWindows(): Promise<MaintenanceWindow[]> {
		const records = await this.store.list(POLICY_COLLECTIONS.windows, { status: 'open' });
		return records.map((r) => objectValue<MaintenanceWindow>(r)).filter((w): w is MaintenanceWindow => w !== null);
	}

	async get(alertUid: string): Promise<StoreRecord | undefined> {
		return await this.store.get(this.state('remediations'), alertUid);
	}

	/**
	 * Decides for one alert and, when a rule matched, records the decision (atomic claim of the alert):
	 * returns the plan; `action: 'run'` means the caller starts the job (unless `plan.dryRun`).
	 */
	async decide(
		alert: RemediationAlert,
		options: { enabled: boolean; defaults?: Partial<RemediationDefaults>; clientId?: string | null; ticketId?: number | null; rules?: RemediationRule[] },
	): Promise<RemediationPlan> {
		const now = this.now();
		const rules = options.rules ?? (options.enabled ? (await this.loadRules()).rules : []);
		const rule = options.enabled ? matchRemediationRule(rules, alert) : null;
		if (!rule || !options.enabled || alert.event === 'resolved') {
			return planRemediation({ enabled: options.enabled, dryRun: this.dryRun, alert, rule, state: { alreadyRanForAlert: false, lastRunOnDeviceAt: null, runsToday: 0 }, now, defaults: options.defaults });
		}
		const day = new Date(now).toISOString().slice(0, 10);
		const [existing, cooldown, cap, windows] = await Promise.all([
			this.store.get(this.state('remediations'), alert.alertUid),
			alert.device.uid ? this.store.get(this.state('cooldowns'), `${rule.id}|${alert.device.uid}`) : undefined,
			this.store.get(this.state('caps'), `${rule.id}|${day}`),
			this.loadWindows(),
		]);
		const lastRunAt = objectValue<{ lastRunAt?: string }>(cooldown)?.lastRunAt;
		let plan = planRemediation({
			enabled: true,
			dryRun: this.dryRun,
			alert,
			rule,
			state: {
				alreadyRanForAlert: existing !== undefined,
				lastRunOnDeviceAt: lastRunAt ? Date.parse(lastRunAt) : null,
				runsToday: Number(objectValue<{ count?: number }>(cap)?.count ?? 0),
			},
			windows,
			clientId: options.clientId ?? null,
			now,
			defaults: options.defaults,
		});
		if (plan.action === 'none' || plan.reason === 'already-ran-for-alert') return plan;
		const decidedAt = new Date(now).toISOString();
		const value: RemediationRecord = {
			alertUid: alert.alertUid,
			ruleId: plan.ruleId,
			componentUid: plan.componentUid,
			componentName: plan.componentName,
			deviceUid: plan.deviceUid,
			action: plan.action === 'run' ? 'run' : 'skip',
			reason: plan.reason,
			dryRun: this.dryRun,
			jobUid: null,
			outcome: null,
			deploymentStatus: null,
			safeVariables: plan.safeVariables,
			decidedAt,
			finishedAt: null,
			ticketId: options.ticketId ?? null,
			startedBy: 'alert',
		};
		const claim = await this.store.claim(this.state('remediations'), alert.alertUid, {
			value: value as unknown as JsonValue,
			status: plan.action === 'run' ? 'running' : 'skipped',
			history: {
				event: plan.action === 'run' ? (this.dryRun ? 'remediationDryRun' : 'remediationPlanned') : 'remediationSkipped',
				reason: plan.message,
				data: { alertUid: alert.alertUid, ruleId: plan.ruleId, componentUid: plan.componentUid, deviceUid: plan.deviceUid, decidedAt } as JsonObject,
			},
		});
		if (!claim.claimed) {
			plan = { ...plan, action: 'skip', reason: 'already-ran-for-alert', message: `rule ${plan.ruleId} already ran for alert ${alert.alertUid}` };
			return plan;
		}
		if (plan.action === 'run' && alert.device.uid) {
			await this.store.set(this.state('cooldowns'), `${rule.id}|${alert.device.uid}`, { value: { lastRunAt: decidedAt, alertUid: alert.alertUid } });
			const count = Number(objectValue<{ count?: number }>(await this.store.get(this.state('caps'), `${rule.id}|${day}`))?.count ?? 0) + 1;
			await this.store.set(this.state('caps'), `${rule.id}|${day}`, { value: { count } });
		}
		return plan;
	}

	/** Records a technician-started run (no rule, no cooldown): claims `remediations/<key>` for the decision log. */
	async recordManual(key: string, input: { componentUid: string; componentName?: string | null; deviceUid: string; ticketId: number | null; startedBy: string; safeVariables: Array<{ name: string; value: string }> }): Promise<void> {
		const decidedAt = new Date(this.now()).toISOString();
		const value: RemediationRecord = {
			alertUid: key,
			ruleId: null,
			componentUid: input.componentUid,
			componentName: input.componentName ?? input.componentUid,
			deviceUid: input.deviceUid,
			action: 'run',
			reason: 'technician',
			dryRun: this.dryRun,
			jobUid: null,
			outcome: null,
			deploymentStatus: null,
			safeVariables: input.safeVariables,
			decidedAt,
			finishedAt: null,
			ticketId: input.ticketId,
			startedBy: input.startedBy,
		};
		await this.store.set(this.state('remediations'), key, {
			value: value as unknown as JsonValue,
			status: 'running',
			history: {
				event: 'remediationPlanned',
				reason: `${input.startedBy} started component ${value.componentName} on device ${input.deviceUid}${input.ticketId ? ` from ticket ${input.ticketId}` : ''}`,
				data: { componentUid: input.componentUid, deviceUid: input.deviceUid, ticketId: input.ticketId, decidedAt } as JsonObject,
			},
		});
	}

	/** The job was created in Datto. */
	async jobStarted(key: string, jobUid: string): Promise<void> {
		await this.store.updateStatus(this.state('remediations'), key, 'running', {
			event: 'remediationStarted',
			reason: `Datto job ${jobUid} created`,
			data: { jobUid, decidedAt: new Date(this.now()).toISOString() },
		}, { mergeValue: { jobUid } });
	}

	/** The job ended (or the wait ran out, or it could not be started). */
	async finished(
		key: string,
		input: { outcome: RemediationOutcome; jobUid?: string | null; deploymentStatus?: string | null; error?: string | null; ticketId?: number | null },
	): Promise<StoreRecord | undefined> {
		const at = new Date(this.now()).toISOString();
		const merge: JsonObject = { outcome: input.outcome, deploymentStatus: input.deploymentStatus ?? null, finishedAt: at };
		if (input.jobUid) merge.jobUid = input.jobUid;
		if (input.ticketId) merge.ticketId = input.ticketId;
		return await this.store.updateStatus(this.state('remediations'), key, input.outcome === 'success' ? 'succeeded' : input.outcome, {
			event: 'remediationFinished',
			reason: `job ${input.jobUid ?? '(none)'}: ${input.outcome}${input.deploymentStatus ? ` (Datto status ${input.deploymentStatus})` : ''}${input.error ? `: ${input.error}` : ''}`,
			data: { jobUid: input.jobUid ?? null, outcome: input.outcome, decidedAt: at },
		}, { mergeValue: merge });
	}
}
