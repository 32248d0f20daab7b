/**
 * Self-healing decisions (nodes/shared/policy/remediation.ts, remediationLedger.ts): rule matching, cooldown, daily
 * cap, once per alert, maintenance windows, dry run, secrets and the note text. The ledger runs on the static-data
 * store (the Mapping Store backend the shipped workflow uses by default).
 */
import {
	matchRemediationRule,
	needsAlertContext,
	planRemediation,
	remediationClosingText,
	remediationNoteText,
	RemediationAlert,
	RemediationRule,
	RemediationState,
	trimOutput,
	validateRemediationRule,
	withAlertContext,
} from '../../nodes/shared/policy/remediation';
import { REMEDIATION_COLLECTIONS, RemediationLedger } from '../../nodes/shared/policy/remediationLedger';
import type { MaintenanceWindow } from '../../nodes/shared/policy/types';
import { StaticDataStore } from '../../nodes/shared/store';

const T0 = Date.parse('2026-12-01T10:00:00.000Z');
const MIN = 60_000;

function alert(overrides: Partial<RemediationAlert> = {}): RemediationAlert {
	return {
		alertUid: 'a-1',
		event: 'triggered',
		priority: 'High',
		message: 'Service Print Spooler (Spooler) is STOPPED on PC-01',
		condition: 'srvc_status_ctx:Spooler',
		device: { uid: 'dev-1', hostname: 'PC-01' },
		site: { uid: 'site-1', name: 'Contoso' },
		...overrides,
	};
}

const SPOOLER: RemediationRule = { id: 'spooler', condition: 'srvc_status_ctx:Spooler', componentUid: 'comp-spooler', componentName: 'Restart Print Spooler' };
const ANY_SERVICE: RemediationRule = {
	id: 'service',
	alertType: 'srvc_status_ctx',
	componentUid: 'comp-service',
	componentName: 'Restart Service',
	variables: { ServiceName: '{condition.detail}', Host: '{device.hostname}', AdminPassword: 'hunter22', Extra: 's3cr3t-value' },
	secretVariables: ['Extra'],
};
const DISK: RemediationRule = { id: 'disk', messagePattern: 'disk .* (9\\d|100)% full', componentUid: 'comp-temp', priorities: ['Critical', 'High'] };
const FRESH: RemediationState = { alreadyRanForAlert: false, lastRunOnDeviceAt: null, runsToday: 0 };

describe('matching', () => {
	const rules = [SPOOLER, ANY_SERVICE, DISK];
	test.each([
		['exact condition (case-insensitive)', alert({ condition: 'SRVC_STATUS_CTX:spooler' }), 'spooler'],
		['alert type from the condition', alert({ condition: 'srvc_status_ctx:W32Time' }), 'service'],
		['explicit alert type', alert({ condition: 'message:service # stopped', alertType: 'srvc_status_ctx' }), 'service'],
		["the webhook's alert type (\"srvc status\") is the same type", alert({ condition: 'srvc status', alertType: null }), 'service'],
		['message pattern + priority', alert({ condition: 'perf_disk_usage_ctx:C:', message: 'Disk C: 97% full' }), 'disk'],
		['message pattern, wrong priority', alert({ condition: 'perf_disk_usage_ctx:C:', message: 'Disk C: 97% full', priority: 'Low' }), null],
		['nothing matches', alert({ condition: 'online_offline_status_ctx', message: 'PC-01 is offline' }), null],
	])('%s', (_, a, expected) => {
		expect(matchRemediationRule(rules, a)?.id ?? null).toBe(expected);
	});

	test('a prefix condition, table order and disabled rules', () => {
		const prefix: RemediationRule = { id: 'prefix', condition: 'srvc_status_ctx:*', componentUid: 'x' };
		expect(matchRemediationRule([prefix, SPOOLER], alert())?.id).toBe('prefix');
		expect(matchRemediationRule([{ ...prefix, enabled: false }, SPOOLER], alert())?.id).toBe('spooler');
		expect(matchRemediationRule([{ id: 'p2', condition: 'srvc_status*', componentUid: 'x' }], alert({ condition: 'eventlog_ctx:System' }))).toBeNull();
	});

	test('invalid rules are reported and never match', () => {
		expect(validateRemediationRule({ id: 'x', componentUid: 'c' })).toEqual(['at least one of condition, alertType, messagePattern is required']);
		expect(validateRemediationRule({ id: 'x', componentUid: 'c', messagePattern: '(' })[0]).toMatch(/not a valid regular expression/);
		expect(validateRemediationRule({ id: 'x', condition: 'a', componentUid: '', cooldownMinutes: -1 })).toEqual(['componentUid is required', 'cooldownMinutes must be a number >= 0']);
		expect(matchRemediationRule([{ id: 'bad', messagePattern: '(', componentUid: 'c' } as RemediationRule], alert())).toBeNull();
	});
});

describe('alerts from the webhook (no alert context)', () => {
	// What the Datto RMM Trigger emits for the recommended webhook body: no alert type, a message-shape condition.
	const fromWebhook = alert({ condition: 'message:service spooler is stopped', message: 'Service Spooler is STOPPED', alertType: null });
	const apiAlert = {
		alertUid: 'a-1',
		alertContext: { '@class': 'srvc_status_ctx', serviceName: 'Spooler', status: 'STOPPED' },
		alertSourceInfo: { deviceUid: 'dev-1', deviceName: 'PC-01', siteUid: 'site-1', siteName: 'Contoso' },
	};

	test('rules by alert type or condition cannot match it as it came; with the alert context they do', () => {
		expect(matchRemediationRule([SPOOLER, ANY_SERVICE], fromWebhook)).toBeNull();
		const completed = withAlertContext(fromWebhook, apiAlert);
		expect(completed).toMatchObject({ alertType: 'srvc_status_ctx', condition: 'srvc_status_ctx:Spooler', webhookCondition: 'message:service spooler is stopped', message: 'Service Spooler is STOPPED' });
		expect(matchRemediationRule([SPOOLER], completed)?.id).toBe('spooler');
		expect(matchRemediationRule([ANY_SERVICE], completed)?.id).toBe('service');
		// A rule written for the condition the alert arrived with (its dedupe key's) still matches.
		expect(matchRemediationRule([{ id: 'as-sent', condition: 'message:service spooler*', componentUid: 'c' }], completed)?.id).toBe('as-sent');
		const plan = planRemediation({ enabled: true, alert: completed, rule: ANY_SERVICE, state: FRESH, now: T0 });
		expect(plan.safeVariables.find((v) => v.name === 'ServiceName')?.value).toBe('Spooler');
	});

	test('the context is read only when a rule needs it', () => {
		expect(needsAlertContext(fromWebhook, [SPOOLER])).toBe(true);
		expect(needsAlertContext(fromWebhook, [ANY_SERVICE])).toBe(true);
		expect(needsAlertContext(fromWebhook, [DISK])).toBe(false);
		expect(needsAlertContext(fromWebhook, [{ ...DISK, variables: { Drive: '{condition.detail}' } }])).toBe(true);
		expect(needsAlertContext(fromWebhook, [{ ...SPOOLER, enabled: false }, DISK])).toBe(false);
		expect(needsAlertContext(fromWebhook, [])).toBe(false);
		// The webhook's [alert_type] is enough for an alert-type rule without condition variables.
		expect(needsAlertContext({ ...fromWebhook, condition: 'srvc status', alertType: 'srvc status' }, [{ ...ANY_SERVICE, variables: {} }])).toBe(false);
		// Enriched alerts (context condition) and resolved alerts need nothing.
		expect(needsAlertContext(alert(), [SPOOLER, ANY_SERVICE])).toBe(false);
		expect(needsAlertContext({ ...fromWebhook, event: 'resolved' }, [SPOOLER])).toBe(false);
	});

	test('an API alert without a context changes nothing; missing device and site are filled', () => {
		expect(withAlertContext(fromWebhook, { alertUid: 'a-1' })).toBe(fromWebhook);
		const bare = alert({ condition: 'message:x', message: '', alertType: null, device: { uid: null, hostname: null }, site: { uid: null, name: null } });
		expect(withAlertContext(bare, apiAlert)).toMatchObject({ device: { uid: 'dev-1', hostname: 'PC-01' }, site: { uid: 'site-1', name: 'Contoso' }, message: 'Service Spooler is stopped' });
	});
});

describe('planning', () => {
	const plan = (state: Partial<RemediationState> = {}, extra: Partial<Parameters<typeof planRemediation>[0]> = {}) =>
		planRemediation({ enabled: true, alert: alert(), rule: SPOOLER, state: { ...FRESH, ...state }, now: T0, ...extra });

	test.each([
		['runs when nothing stands in the way', {}, {}, 'run', 'run'],
		['off by default: disabled', {}, { enabled: false }, 'none', 'disabled'],
		['no rule', {}, { rule: null }, 'none', 'no-rule'],
		['resolved alerts run nothing', {}, { alert: alert({ event: 'resolved' }) }, 'none', 'not-triggered'],
		['no device UID', {}, { alert: alert({ device: { uid: null, hostname: 'PC-01' } }) }, 'skip', 'no-device'],
		['once per alert', { alreadyRanForAlert: true }, {}, 'skip', 'already-ran-for-alert'],
		['cooldown: ran 59 min ago (60 min)', { lastRunOnDeviceAt: T0 - 59 * MIN }, {}, 'skip', 'cooldown'],
		['cooldown over: ran 60 min ago', { lastRunOnDeviceAt: T0 - 60 * MIN }, {}, 'run', 'run'],
		['rule cooldown 0 disables it', { lastRunOnDeviceAt: T0 - MIN }, { rule: { ...SPOOLER, cooldownMinutes: 0 } }, 'run', 'run'],
		['daily cap reached (10)', { runsToday: 10 }, {}, 'skip', 'daily-cap'],
		['daily cap not reached', { runsToday: 9 }, {}, 'run', 'run'],
		['rule daily cap 1', { runsToday: 1 }, { rule: { ...SPOOLER, dailyCap: 1 } }, 'skip', 'daily-cap'],
		['defaults override', { runsToday: 2 }, { defaults: { dailyCap: 2 } }, 'skip', 'daily-cap'],
	] as Array<[string, Partial<RemediationState>, Partial<Parameters<typeof planRemediation>[0]>, string, string]>)('%s', (_, state, extra, action, reason) => {
		const p = plan(state, extra);
		expect([p.action, p.reason]).toEqual([action, reason]);
		expect(p.message).not.toBe('');
	});

	test('a maintenance window on the site (or device) blocks it; a window elsewhere does not', () => {
		const window = (scope: MaintenanceWindow['scope']): MaintenanceWindow =>
			({ id: 'w1', scope, kind: 'oneOff', start: '2026-12-01T09:00:00Z', end: '2026-12-01T11:00:00Z', timeZone: 'UTC' }) as MaintenanceWindow;
		expect(plan({}, { windows: [window({ level: 'site', id: 'site-1' })] }).reason).toBe('maintenance-window');
		expect(plan({}, { windows: [window({ level: 'device', id: 'pc-01' })] }).reason).toBe('maintenance-window');
		expect(plan({}, { windows: [window({ level: 'site', id: 'site-2' })] }).reason).toBe('run');
		expect(plan({}, { windows: [window({ level: 'site', id: 'site-1' })], now: Date.parse('2026-12-01T11:00:00Z') }).reason).toBe('run');
	});

	test('variables are filled; secrets are masked in safeVariables and listed for scrubbing', () => {
		const p = planRemediation({ enabled: true, alert: alert({ condition: 'srvc_status_ctx:W32Time' }), rule: ANY_SERVICE, state: FRESH, now: T0 });
		expect(p.variables).toEqual([
			{ name: 'ServiceName', value: 'W32Time' },
			{ name: 'Host', value: 'PC-01' },
			{ name: 'AdminPassword', value: 'hunter22' },
			{ name: 'Extra', value: 's3cr3t-value' },
		]);
		expect(p.safeVariables).toEqual([
			{ name: 'ServiceName', value: 'W32Time' },
			{ name: 'Host', value: 'PC-01' },
			{ name: 'AdminPassword', value: '***' },
			{ name: 'Extra', value: '***' },
		]);
		expect(p.secretValues.sort()).toEqual(['hunter22', 's3cr3t-value']);
		expect(p.jobName).toBe('Self-healing: Restart Service (alert a-1)');
		expect(p.day).toBe('2026-12-01');
	});
});

describe('note text', () => {
	const p = planRemediation({ enabled: true, alert: alert({ condition: 'srvc_status_ctx:W32Time' }), rule: ANY_SERVICE, state: FRESH, now: T0 });

	test('status, rule, job, masked variables, trimmed output; secrets scrubbed even when the script echoes them', () => {
		const note = remediationNoteText({
			plan: p,
			outcome: 'success',
			jobUid: 'job-1',
			deploymentStatus: 'Success',
			stdout: `Using password hunter22\n${'x'.repeat(3000)}\nRestarted W32Time`,
			stderr: 'warning: s3cr3t-value expired',
			maxOutputChars: 100,
		});
		expect(note).toContain('Self-healing: component "Restart Service" succeeded.');
		expect(note).toContain('Rule: service');
		expect(note).toContain('Datto job: job-1 · status Success');
		expect(note).toContain('Variables: ServiceName=W32Time, Host=PC-01, AdminPassword=***, Extra=***');
		expect(note).toMatch(/StdOut:\n\[… \d+ characters cut\]\nx+\nRestarted W32Time/);
		expect(note).toContain('StdErr:\nwarning: *** expired');
		expect(note).not.toContain('hunter22');
		expect(note).not.toContain('s3cr3t-value');
	});

	test('timeout and error notes say so', () => {
		expect(remediationNoteText({ plan: p, outcome: 'timeout', jobUid: 'job-2', deploymentStatus: 'Running' })).toContain(
			'did not finish in time (waited 10 min; Datto status Running)',
		);
		expect(remediationNoteText({ plan: p, outcome: 'error', error: 'HTTP 400 hunter22 rejected' })).toMatch(/could not be run[\s\S]*Error: HTTP 400 \*\*\* rejected/);
	});

	test('trimOutput keeps the end; the closing text names the remediation only after a success', () => {
		expect(trimOutput('abc', 5)).toBe('abc');
		expect(trimOutput('abcdefgh', 3)).toBe('[… 5 characters cut]\nfgh');
		expect(remediationClosingText({ componentName: 'Restart Service', jobUid: 'j', outcome: 'success' })).toBe(
			'Resolved after self-healing: component "Restart Service" (Datto job j) fixed it.',
		);
		expect(remediationClosingText({ componentName: 'Restart Service', jobUid: 'j', outcome: 'failure' })).toBeNull();
		expect(remediationClosingText(null)).toBeNull();
	});
});

describe('ledger (Mapping Store)', () => {
	let now = T0;
	let data: Record<string, unknown>;
	let workflow = 0;
	const store = () => new StaticDataStore(`wf-selfheal-${workflow}`, data, { clock: () => new Date(now), executionsMode: 'regular' });
	const ledger = (dryRun = false) => new RemediationLedger(store(), { dryRun, now: () => now });

	beforeEach(async () => {
		now = T0;
		data = {};
		workflow++;
		const s = store();
		await s.set(REMEDIATION_COLLECTIONS.rules, 'spooler', { value: { ...SPOOLER, dailyCap: 2, cooldownMinutes: 30 } as never });
		await s.set(REMEDIATION_COLLECTIONS.rules, 'broken', { value: { id: 'broken', componentUid: 'x' } as never });
	});

	test('an empty table runs nothing (the shipped workflow after import)', async () => {
		data = {};
		workflow++;
		const p = await ledger().decide(alert(), { enabled: true });
		expect([p.action, p.reason]).toEqual(['none', 'no-rule']);
		expect(await store().list(REMEDIATION_COLLECTIONS.remediations)).toEqual([]);
	});

	test('once per alert under concurrent deliveries, then the cooldown, then the daily cap; all in the decision log', async () => {
		const l = ledger();
		const { rules, problems } = await l.loadRules();
		expect(rules.map((r) => r.id)).toEqual(['spooler']);
		expect(problems).toEqual([{ key: 'broken', errors: ['at least one of condition, alertType, messagePattern is required'] }]);
		const concurrent = await Promise.all([1, 2, 3].map(async () => await l.decide(alert(), { enabled: true })));
		expect(concurrent.filter((p) => p.action === 'run')).toHaveLength(1);
		expect(concurrent.filter((p) => p.reason === 'already-ran-for-alert')).toHaveLength(2);

		await l.jobStarted('a-1', 'job-1');
		const done = await l.finished('a-1', { outcome: 'success', jobUid: 'job-1', deploymentStatus: 'Success' });
		expect(done).toMatchObject({ status: 'succeeded', value: { ruleId: 'spooler', jobUid: 'job-1', outcome: 'success', componentName: 'Restart Print Spooler' } });
		expect(done!.history.map((h) => h.event)).toEqual(['remediationPlanned', 'remediationStarted', 'remediationFinished']);
		expect(done!.history[2].reason).toBe('job job-1: success (Datto status Success)');

		now += 10 * MIN;
		const cooled = await l.decide(alert({ alertUid: 'a-2' }), { enabled: true });
		expect(cooled.reason).toBe('cooldown');
		expect((await l.get('a-2'))?.history[0]).toMatchObject({ event: 'remediationSkipped', reason: expect.stringContaining('cooldown 30 min') });

		expect((await l.decide(alert({ alertUid: 'a-3', device: { uid: 'dev-2', hostname: 'PC-02' } }), { enabled: true })).action).toBe('run');
		const capped = await l.decide(alert({ alertUid: 'a-4', device: { uid: 'dev-3', hostname: 'PC-03' } }), { enabled: true });
		expect(capped.reason).toBe('daily-cap');
		now += 24 * 60 * MIN;
		expect((await l.decide(alert({ alertUid: 'a-5', device: { uid: 'dev-3', hostname: 'PC-03' } }), { enabled: true })).action).toBe('run');
	});

	test('dry run decides the same but writes only dryRun.* state; the live state stays untouched', async () => {
		const p = await ledger(true).decide(alert(), { enabled: true });
		expect([p.action, p.dryRun]).toEqual(['run', true]);
		expect(p.message).toMatch(/^dry run: would run rule spooler/);
		expect(await store().list(REMEDIATION_COLLECTIONS.remediations)).toEqual([]);
		expect((await store().get('dryRun.remediations', 'a-1'))?.history[0].event).toBe('remediationDryRun');
		expect((await ledger().decide(alert(), { enabled: true })).action).toBe('run');
	});

	test('a maintenance window stored for the policies blocks the run', async () => {
		await store().set('windows', 'w1', { value: { id: 'w1', scope: { level: 'site', id: 'site-1' }, kind: 'oneOff', start: '2026-12-01T09:00:00Z', end: '2026-12-01T12:00:00Z' } as never });
		expect((await ledger().decide(alert(), { enabled: true })).reason).toBe('maintenance-window');
	});

	test('no secret value is stored in the state (only in the table, which is configuration)', async () => {
		await store().set(REMEDIATION_COLLECTIONS.rules, 'service', { value: { ...ANY_SERVICE, order: 0 } as never });
		const p = await ledger().decide(alert({ condition: 'srvc_status_ctx:W32Time' }), { enabled: true });
		expect(p.ruleId).toBe('service');
		const state = JSON.stringify(await store().list(REMEDIATION_COLLECTIONS.remediations)) + JSON.stringify(await store().list(REMEDIATION_COLLECTIONS.cooldowns));
		expect(state).toContain('AdminPassword');
		expect(state).not.toContain('hunter22');
		expect(state).not.toContain('s3cr3t-value');
	});
});
