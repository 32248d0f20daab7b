/**
 * Self-healing (docs/self-healing.md): which Datto RMM component a triggered alert runs, whether it may run now, and
 * the Halo note that reports the result. Pure functions: no I/O, no n8n. The state they read (already ran for this
 * alert, last run on the device, runs today) is loaded by remediationLedger.ts from the Mapping Store.
 *
 * A remediation table is a list of rules. A rule matches an alert when every matcher it sets matches:
 * - `condition`: the alert's condition (part of the dedupe key, e.g. `srvc_status_ctx:Spooler`), case-insensitive;
 *   a trailing `*` matches by prefix (`srvc_status_ctx:*`).
 * - `alertType`: the alert context's `@class` (e.g. `srvc_status_ctx`) or the webhook's alert type, case-insensitive.
 * - `messagePattern`: a regular expression tested against the alert message, case-insensitive.
 * - `priorities`: optional list of Datto priorities.
 * The first enabled rule that matches wins (table order).
 *
 * The alert type and the condition's detail (e.g. the service name) come from the alert context, which Datto's
 * webhook does not carry (the recommended body has no alert type; [alert_type] is unconfirmed and has no detail). The
 * Datto RMM Trigger of the shipped workflows enriches from the API only when a ticket field is missing, so a complete
 * webhook alert arrives with a message-shape condition (`message:service spooler is stopped`). `needsAlertContext`
 * says when the remediation must read the alert's context from the API first, and `withAlertContext` adds it.
 */
import { conditionOf, describeAlertContext } from '../domain/dattoAlert';
import type { MaintenanceWindow } from './types';
import { activeWindows } from './windows';

export interface RemediationRule {
	/** Unique id (the Mapping Store key of the rule). */
	id: string;
	/** Default true. */
	enabled?: boolean;
	condition?: string;
	alertType?: string;
	messagePattern?: string;
	priorities?: string[];
	/** Datto component UID to run. */
	componentUid: string;
	/** For notes and logs (default: the UID). */
	componentName?: string;
	/**
	 * Component variables. Values may use {device.uid}, {device.hostname}, {site.uid}, {site.name}, {alert.uid},
	 * {alert.condition}, {condition.detail} (the part of the condition after the first ":", e.g. the service name).
	 */
	variables?: Record<string, string>;
	/** Variable names whose values are secrets (also: names containing password, secret, token, apikey, credential, pwd). */
	secretVariables?: string[];
	/** Per device: minutes after a run of this rule on a device before it runs there again. */
	cooldownMinutes?: number;
	/** Per rule (condition): runs per UTC day across all devices. */
	dailyCap?: number;
	/** How long the workflow waits for the job before it reports a timeout. */
	timeoutMinutes?: number;
}

export interface RemediationDefaults {
	cooldownMinutes: number;
	dailyCap: number;
	timeoutMinutes: number;
	/** Prefix of the Datto job name. */
	jobNamePrefix: string;
	/** Characters of stdout and of stderr kept in the note. */
	maxOutputChars: number;
}

export const DEFAULT_REMEDIATION: RemediationDefaults = {
	cooldownMinutes: 60,
	dailyCap: 10,
	timeoutMinutes: 10,
	jobNamePrefix: 'Self-healing',
	maxOutputChars: 1500,
};

export interface RemediationAlert {
	alertUid: string;
	event?: 'triggered' | 'resolved';
	priority?: string | null;
	message: string;
	condition: string;
	/** @class or the webhook's alert type; derived from the condition when missing. */
	alertType?: string | null;
	/**
	 * The condition the alert arrived with (its dedupe key's), when `condition` was replaced by the one of the alert
	 * context read from the API (withAlertContext). `condition` matchers accept either.
	 */
	webhookCondition?: string | null;
	device: { uid: string | null; hostname: string | null };
	site: { uid: string | null; name: string | null };
}

/** What the ledger knows about a rule for this alert and device. */
export interface RemediationState {
	alreadyRanForAlert: boolean;
	/** Epoch ms of the last run of the rule on the device, or null. */
	lastRunOnDeviceAt: number | null;
	/** Runs of the rule today (UTC day of `now`). */
	runsToday: number;
}

export type RemediationSkip =
	| 'disabled'
	| 'not-triggered'
	| 'no-rule'
	| 'no-device'
	| 'maintenance-window'
	| 'already-ran-for-alert'
	| 'cooldown'
	| 'daily-cap';

export interface RemediationPlan {
	/** run: start the job; skip: a rule matched but may not run now; none: nothing to do (no rule, disabled, resolved). */
	action: 'run' | 'skip' | 'none';
	reason: RemediationSkip | 'run';
	/** One line for the decision log. */
	message: string;
	dryRun: boolean;
	alertUid: string;
	deviceUid: string | null;
	ruleId: string | null;
	componentUid: string | null;
	componentName: string | null;
	jobName: string | null;
	/** Values to send to Datto (may contain secrets: never log or write this). */
	variables: Array<{ name: string; value: string }>;
	/** The same with secret values replaced by "***" (safe for notes and logs). */
	safeVariables: Array<{ name: string; value: string }>;
	/** Secret values to scrub from stdout/stderr before they go anywhere. */
	secretValues: string[];
	timeoutMinutes: number;
	cooldownMinutes: number;
	dailyCap: number;
	/** UTC date (YYYY-MM-DD) the daily cap counts on. */
	day: string;
}

const SECRET_NAME = /pass(word)?|secret|token|api[-_ ]?key|credential|pwd|private/i;

function lower(value: unknown): string {
	return typeof value === 'string' ? value.trim().toLowerCase() : '';
}

/** A condition derived from an alert context (`<@class>[:detail…]`, e.g. `srvc_status_ctx:Spooler`). */
const CONTEXT_CONDITION = /^[a-z0-9]+(?:_[a-z0-9]+)*_ctx(?::|$)/i;

/** Whether the alert's condition comes from its alert context (so it names the @class and the detail). */
export function hasContextCondition(alert: Pick<RemediationAlert, 'condition'>): boolean {
	return CONTEXT_CONDITION.test(alert.condition);
}

function usesConditionVariable(rule: RemediationRule): boolean {
	return Object.values(rule.variables ?? {}).some((v) => /\{(condition\.detail|alert\.condition)\}/i.test(String(v)));
}

/**
 * Whether the alert must be completed from its alert context (Datto API) before the table can be applied: an enabled
 * rule matches by alert type or condition while the alert carries neither an alert type nor a context condition, or
 * a rule fills a variable from the condition (`{condition.detail}`, `{alert.condition}`) that the alert lacks.
 */
export function needsAlertContext(alert: RemediationAlert, rules: readonly RemediationRule[]): boolean {
	if (alert.event === 'resolved' || hasContextCondition(alert)) return false;
	const knowsType = Boolean(alert.alertType && alert.alertType.trim());
	return rules.some(
		(rule) =>
			rule.enabled !== false &&
			validateRemediationRule(rule).length === 0 &&
			(Boolean(rule.condition?.trim()) || (!knowsType && Boolean(rule.alertType?.trim())) || usesConditionVariable(rule)),
	);
}

/**
 * The alert with what its alert context (GET /v2/alert/{uid}: `alertContext`, `alertSourceInfo`, `diagnostics`) adds:
 * the @class as alert type, the context condition (the webhook's stays in `webhookCondition`), and the device, site and
 * message when the webhook lacked them. Unchanged when the API alert has no context.
 */
export function withAlertContext(alert: RemediationAlert, apiAlert: Record<string, unknown>): RemediationAlert {
	const context = apiAlert.alertContext && typeof apiAlert.alertContext === 'object' ? (apiAlert.alertContext as Record<string, unknown>) : undefined;
	if (!context || typeof context['@class'] !== 'string' || !context['@class'].trim()) return alert;
	const source = (apiAlert.alertSourceInfo ?? {}) as Record<string, unknown>;
	const text = (value: unknown) => (typeof value === 'string' && value.trim() ? value.trim() : null);
	const diagnostics = text(apiAlert.diagnostics);
	return {
		...alert,
		alertType: context['@class'].trim(),
		condition: conditionOf(context, null, alert.message),
		webhookCondition: alert.webhookCondition ?? alert.condition,
		message: alert.message || describeAlertContext(context, diagnostics),
		device: { uid: alert.device.uid ?? text(source.deviceUid), hostname: alert.device.hostname ?? text(source.deviceName) },
		site: { uid: alert.site.uid ?? text(source.siteUid), name: alert.site.name ?? text(source.siteName) },
	};
}

/** The @class part of a condition like `srvc_status_ctx:Spooler`, else the message shape prefix. */
export function alertTypeOf(alert: Pick<RemediationAlert, 'alertType' | 'condition'>): string {
	if (alert.alertType && alert.alertType.trim()) return alert.alertType.trim();
	return alert.condition.split(':')[0];
}

/**
 * Alert types compare without case, a trailing `_ctx` and the difference between `_` and spaces: the API's
 * `srvc_status_ctx` and the webhook's `[alert_type]` "srvc status" are the same type.
 */
export function alertTypeKey(type: string | null | undefined): string {
	return lower(type).replace(/_ctx$/, '').replace(/[_\s]+/g, ' ').trim();
}

/** Problems with a rule (empty when valid). */
export function validateRemediationRule(rule: unknown): string[] {
	const errors: string[] = [];
	if (!rule || typeof rule !== 'object' || Array.isArray(rule)) return ['a rule must be an object'];
	const r = rule as Record<string, unknown>;
	if (typeof r.id !== 'string' || !r.id.trim()) errors.push('id is required');
	if (typeof r.componentUid !== 'string' || !r.componentUid.trim()) errors.push('componentUid is required');
	const matchers = ['condition', 'alertType', 'messagePattern'].filter((k) => typeof r[k] === 'string' && (r[k] as string).trim() !== '');
	if (matchers.length === 0) errors.push('at least one of condition, alertType, messagePattern is required');
	if (typeof r.messagePattern === 'string' && r.messagePattern.trim()) {
		try {
			new RegExp(r.messagePattern, 'i');
		} catch (error) {
			errors.push(`messagePattern is not a valid regular expression: ${(error as Error).message}`);
		}
	}
	for (const key of ['cooldownMinutes', 'dailyCap', 'timeoutMinutes'] as const) {
		if (r[key] !== undefined && r[key] !== null && (typeof r[key] !== 'number' || !Number.isFinite(r[key]) || (r[key] as number) < 0)) {
			errors.push(`${key} must be a number >= 0`);
		}
	}
	if (r.variables !== undefined && r.variables !== null) {
		if (typeof r.variables !== 'object' || Array.isArray(r.variables)) errors.push('variables must be an object of name → value');
		else for (const [k, v] of Object.entries(r.variables)) if (typeof v !== 'string') errors.push(`variable ${k} must be a string`);
	}
	if (r.priorities !== undefined && !Array.isArray(r.priorities)) errors.push('priorities must be a list');
	return errors;
}

/** Whether one rule matches an alert (see the module comment). Invalid rules never match. */
export function ruleMatches(rule: RemediationRule, alert: RemediationAlert): boolean {
	if (rule.enabled === false || validateRemediationRule(rule).length > 0) return false;
	if (rule.condition && rule.condition.trim()) {
		const want = lower(rule.condition);
		const matches = (have: string) => (want.endsWith('*') ? have.startsWith(want.slice(0, -1)) : have === want);
		if (!matches(lower(alert.condition)) && !(alert.webhookCondition && matches(lower(alert.webhookCondition)))) return false;
	}
	if (rule.alertType && rule.alertType.trim() && alertTypeKey(rule.alertType) !== alertTypeKey(alertTypeOf(alert))) return false;
	if (rule.messagePattern && rule.messagePattern.trim() && !new RegExp(rule.messagePattern, 'i').test(alert.message ?? '')) return false;
	if (rule.priorities && rule.priorities.length > 0 && !rule.priorities.map(lower).includes(lower(alert.priority))) return false;
	return true;
}

/** The first enabled, valid rule that matches, in table order. */
export function matchRemediationRule(rules: readonly RemediationRule[], alert: RemediationAlert): RemediationRule | null {
	return rules.find((rule) => ruleMatches(rule, alert)) ?? null;
}

/** Fills {placeholders} in a variable value. */
export function fillVariable(template: string, alert: RemediationAlert): string {
	const detail = alert.condition.includes(':') ? alert.condition.slice(alert.condition.indexOf(':') + 1).split(':')[0] : '';
	const values: Record<string, string> = {
		'device.uid': alert.device.uid ?? '',
		'device.hostname': alert.device.hostname ?? '',
		'site.uid': alert.site.uid ?? '',
		'site.name': alert.site.name ?? '',
		'alert.uid': alert.alertUid,
		'alert.condition': alert.condition,
		'condition.detail': detail,
	};
	return template.replace(/\{([a-z]+\.[a-z]+)\}/gi, (whole, name: string) => values[name] ?? whole);
}

export function isSecretVariable(rule: Pick<RemediationRule, 'secretVariables'>, name: string): boolean {
	return SECRET_NAME.test(name) || (rule.secretVariables ?? []).some((s) => s.toLowerCase() === name.toLowerCase());
}

function utcDay(now: number): string {
	return new Date(now).toISOString().slice(0, 10);
}

function num(value: number | undefined, fallback: number): number {
	return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : fallback;
}

export interface PlanInput {
	enabled: boolean;
	dryRun?: boolean;
	alert: RemediationAlert;
	rule: RemediationRule | null;
	state: RemediationState;
	/** Enabled maintenance windows (the policy's `windows` collection). */
	windows?: readonly MaintenanceWindow[];
	/** Halo client id for client-scoped windows (null: client-scoped windows do not apply). */
	clientId?: string | null;
	now: number;
	defaults?: Partial<RemediationDefaults>;
}

/** Decides whether the matched rule runs now, and with what. */
export function planRemediation(input: PlanInput): RemediationPlan {
	const d = { ...DEFAULT_REMEDIATION, ...(input.defaults ?? {}) };
	const { alert, rule } = input;
	const base: RemediationPlan = {
		action: 'none',
		reason: 'no-rule',
		message: '',
		dryRun: input.dryRun === true,
		alertUid: alert.alertUid,
		deviceUid: alert.device.uid,
		ruleId: rule?.id ?? null,
		componentUid: rule?.componentUid ?? null,
		componentName: rule ? rule.componentName || rule.componentUid : null,
		jobName: null,
		variables: [],
		safeVariables: [],
		secretValues: [],
		timeoutMinutes: num(rule?.timeoutMinutes, d.timeoutMinutes),
		cooldownMinutes: num(rule?.cooldownMinutes, d.cooldownMinutes),
		dailyCap: num(rule?.dailyCap, d.dailyCap),
		day: utcDay(input.now),
	};
	const none = (reason: RemediationSkip, message: string): RemediationPlan => ({ ...base, action: 'none', reason, message });
	const skip = (reason: RemediationSkip, message: string): RemediationPlan => ({ ...base, action: 'skip', reason, message });
	if (!input.enabled) return none('disabled', 'self-healing is off');
	if (alert.event === 'resolved') return none('not-triggered', 'resolved alerts run nothing');
	if (!rule) return none('no-rule', `no remediation rule matches condition ${alert.condition}`);
	const what = `rule ${rule.id} (${base.componentName})`;
	if (!alert.device.uid) return skip('no-device', `${what} matched but the alert names no device UID`);
	const windows = activeWindows(input.windows ?? [], alert, input.clientId ?? null, input.now);
	if (windows.length > 0) return skip('maintenance-window', `${what} matched but maintenance window ${windows[0].window.id} is active`);
	if (input.state.alreadyRanForAlert) return skip('already-ran-for-alert', `${what} already ran for alert ${alert.alertUid}`);
	const last = input.state.lastRunOnDeviceAt;
	if (last !== null && base.cooldownMinutes > 0 && input.now - last < base.cooldownMinutes * 60_000) {
		return skip('cooldown', `${what} ran on this device ${Math.round((input.now - last) / 60_000)} min ago (cooldown ${base.cooldownMinutes} min)`);
	}
	if (input.state.runsToday >= base.dailyCap) {
		return skip('daily-cap', `${what} reached its daily cap (${input.state.runsToday}/${base.dailyCap} on ${base.day})`);
	}
	const variables = Object.entries(rule.variables ?? {}).map(([name, value]) => ({ name, value: fillVariable(String(value), alert) }));
	const secretValues = variables.filter((v) => isSecretVariable(rule, v.name) && v.value !== '').map((v) => v.value);
	return {
		...base,
		action: 'run',
		reason: 'run',
		message: `${input.dryRun ? 'dry run: would run' : 'running'} ${what} on ${alert.device.hostname ?? alert.device.uid}`,
		jobName: `${d.jobNamePrefix}: ${base.componentName} (alert ${alert.alertUid})`.slice(0, 200),
		variables,
		safeVariables: variables.map((v) => ({ name: v.name, value: isSecretVariable(rule, v.name) ? '***' : v.value })),
		secretValues,
	};
}

/** Replaces every secret value in a text by "***". */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
	let out = text;
	for (const secret of [...secrets].filter((s) => s.length >= 3).sort((a, b) => b.length - a.length)) out = out.split(secret).join('***');
	return out;
}

/** Keeps the last `max` characters (the end of a script's output says how it went), marking the cut. */
export function trimOutput(text: string | null | undefined, max: number): string {
	const t = (text ?? '').replace(/\r\n/g, '\n').trim();
	if (t.length <= max) return t;
	return `[… ${t.length - max} characters cut]\n${t.slice(t.length - max)}`;
}

export type RemediationOutcome = 'success' | 'failure' | 'timeout' | 'error';

export interface NoteInput {
	plan: Pick<RemediationPlan, 'ruleId' | 'componentName' | 'componentUid' | 'safeVariables' | 'secretValues' | 'timeoutMinutes'>;
	outcome: RemediationOutcome;
	jobUid?: string | null;
	/** Datto's jobDeploymentStatus (Success, Failure, Running, …). */
	deploymentStatus?: string | null;
	stdout?: string | null;
	stderr?: string | null;
	/** Error message when the job could not be started or read. */
	error?: string | null;
	/** Who started it: the alert (automatic) or a technician. */
	startedBy?: string;
	maxOutputChars?: number;
}

const OUTCOME_TEXT: Record<RemediationOutcome, string> = {
	success: 'succeeded',
	failure: 'failed',
	timeout: 'did not finish in time',
	error: 'could not be run',
};

/** The one private note a remediation writes on the ticket (plain text; the Halo writer escapes it). */
export function remediationNoteText(input: NoteInput): string {
	const max = input.maxOutputChars ?? DEFAULT_REMEDIATION.maxOutputChars;
	const secrets = input.plan.secretValues ?? [];
	const clean = (text: string | null | undefined) => scrubSecrets(trimOutput(scrubSecrets(text ?? '', secrets), max), secrets);
	const lines = [
		`Self-healing: component "${input.plan.componentName ?? input.plan.componentUid}" ${OUTCOME_TEXT[input.outcome]}` +
			(input.outcome === 'timeout' ? ` (waited ${input.plan.timeoutMinutes} min; Datto status ${input.deploymentStatus ?? 'unknown'})` : '') +
			'.',
		`Rule: ${input.plan.ruleId ?? '(technician)'}${input.startedBy ? ` · started by ${input.startedBy}` : ''}`,
		`Datto job: ${input.jobUid ?? '(none)'}${input.deploymentStatus ? ` · status ${input.deploymentStatus}` : ''}`,
	];
	if (input.plan.safeVariables.length > 0) lines.push(`Variables: ${input.plan.safeVariables.map((v) => `${v.name}=${v.value}`).join(', ')}`);
	if (input.error) lines.push(`Error: ${scrubSecrets(input.error, secrets)}`);
	const stdout = clean(input.stdout);
	const stderr = clean(input.stderr);
	if (stdout) lines.push('', 'StdOut:', stdout);
	if (stderr) lines.push('', 'StdErr:', stderr);
	return lines.join('\n');
}

/** The sentence the closing note adds when the alert resolved after a successful remediation. */
export function remediationClosingText(record: { componentName?: string | null; jobUid?: string | null; outcome?: string | null } | null): string | null {
	if (!record || record.outcome !== 'success') return null;
	return `Resolved after self-healing: component "${record.componentName ?? '?'}" (Datto job ${record.jobUid ?? '?'}) fixed it.`;
}
