/**
 * The shipped workflow "Datto ⇄ Halo self-healing" (workflows/datto-halo-self-healing.json; docs/self-healing.md):
 * the alert lifecycle of the all-in-one static-data workflow (shared helpers from definition.ts), plus
 *
 * - after the ticket is created: Datto RMM → Remediation → Start (first matching rule of the `remediationRules`
 *   table; cooldown, daily cap, once per alert, maintenance windows) → Wait (backoff) ⇄ Remediation → Check (bounded
 *   by the rule's timeout) → one private note on the ticket with the status and trimmed StdOut/StdErr;
 * - on resolve: the closing note says when a remediation ran and fixed it;
 * - a technician-started run from Halo: an authenticated n8n Webhook (Header Auth) that a Halo custom integration
 *   method / runbook posts `{ ticketId, component, deviceUid?, variables?, technician? }` to; the same wait/check/note
 *   path writes the result back.
 *
 * Off by default: the table is empty after import, so no component ever runs until rules are added.
 * Nothing here evaluates definition.ts exports at module load (build-workflows.ts imports both).
 */
import {
	BuiltWorkflow,
	cleanupSection,
	CORE_NODE_VERSIONS,
	CREDENTIALS,
	DATTO_CLOSE_NOTE,
	equals,
	haloClosedSection,
	lifecycleSection,
	NODE_TYPES,
	NODES,
	noOp,
	P,
	seedSection,
	stableUuid,
	switchNode,
	WorkflowBuilder,
	type Json,
	type WorkflowJson,
} from './definition';

export const SELF_HEALING_WORKFLOW_ID = 'HaloDattoHeal001';
export const SELF_HEALING_FILE = 'workflows/datto-halo-self-healing.json';
/** Path of the technician webhook (production URL: <n8n>/webhook/halo-datto-remediation). */
export const TECHNICIAN_WEBHOOK_PATH = 'halo-datto-remediation';

/** Credential of the technician webhook (n8n's own Header Auth credential type). */
export const TECHNICIAN_CREDENTIAL = { id: 'HaloRemedyHdr001', name: 'Halo remediation button' } as const;

export const HEAL_NODES = {
	start: 'Start remediation',
	next: 'Remediation next?',
	wait: 'Wait for the job',
	check: 'Check remediation',
	done: 'Job done?',
	note: 'Add remediation note',
	nothing: 'No remediation',
	getRemediation: 'Get remediation',
	rulesTrigger: 'Import remediation table (run manually)',
	rulesImport: 'Import remediation rules',
	technicianHook: 'Halo remediation button',
	technicianStart: 'Start technician remediation',
} as const;

/** An example rule; imported disabled (`"enabled": false`), so importing it runs nothing either. */
export const EXAMPLE_RULES_CSV =
	'key,value\n' +
	'restart-spooler,"{""id"": ""restart-spooler"", ""enabled"": false, ""alertType"": ""srvc_status_ctx"", ""condition"": ""srvc_status_ctx:Spooler"", ' +
	'""componentUid"": ""replace-with-a-component-uid"", ""componentName"": ""Restart Print Spooler"", ""cooldownMinutes"": 60, ""dailyCap"": 10, ""timeoutMinutes"": 10}"\n';

/** The closing note: names the remediation when one ran for the alert (succeeded, or still running when it resolved). */
export const CLOSE_NOTE_EXPRESSION =
	'={{ (() => { const r = $json.remediation?.found ? $json.remediation.record.value : null; ' +
	"return r && r.action === 'run' && r.jobUid && (r.outcome === 'success' || !r.outcome) " +
	"? 'The Datto RMM alert was resolved after self-healing: component \"' + r.componentName + '\" (Datto job ' + r.jobUid + ') fixed it. Closed by n8n.' " +
	`: ${JSON.stringify(DATTO_CLOSE_NOTE)}; })() }}`;

function remediationNode(
	b: WorkflowBuilder,
	name: string,
	at: [number, number],
	operation: 'start' | 'check',
	parameters: { [key: string]: Json },
): string {
	return b.add({
		name,
		type: NODE_TYPES.datto,
		typeVersion: 1,
		position: at,
		parameters: { resource: 'remediation', operation, backend: 'staticData', dryRun: false, ...parameters, settings: { pollSeconds: 10 } },
		credentials: { dattoRmmApi: { ...CREDENTIALS.dattoRmmApi } },
	});
}

/** Start → next? → wait ⇄ check → note. The entry is HEAL_NODES.start (alert) and HEAL_NODES.technicianStart. */
function remediationSection(b: WorkflowBuilder, origin: [number, number]): void {
	b.sticky(
		'Note: self-healing',
		'## 2. Self-healing (off until the remediation table has rules)\n' +
			`After the ticket is created, *${HEAL_NODES.start}* runs the component of the first matching enabled rule in the ` +
			'`remediationRules` collection on the alert\'s device (per-device cooldown, daily cap per rule, at most once per ' +
			'alert, nothing during a maintenance window of the `windows` collection). The workflow waits for the Datto job ' +
			`(*${HEAL_NODES.wait}* ⇄ *${HEAL_NODES.check}*, backoff up to 60 s, bounded by the rule's timeoutMinutes) and adds ` +
			`ONE private note with the status and the trimmed StdOut/StdErr (*${HEAL_NODES.note}*). Secrets in variables are ` +
			'masked. Decision log: collection `remediations` (history per alert). **Dry run**: set Dry Run on both ' +
			'remediation nodes: decisions go to `dryRun.remediations`, no job runs. Table format: docs/self-healing.md.',
		P(origin, -0.4, -1.4),
		[Math.round(7.4 * 260), Math.round(1.3 * 180)],
		4,
	);
	remediationNode(b, HEAL_NODES.start, P(origin, 0, 0), 'start', {
		source: 'alert',
		alert: `={{ $('${NODES.saveAlertLink}').item.json.alert }}`,
		ticketId: `={{ $('${NODES.saveAlertLink}').item.json.ticketId }}`,
	});
	switchNode(
		b,
		HEAL_NODES.next,
		P(origin, 1, 0),
		[
			{ output: 'wait', conditions: [equals('={{ $json.remediation.next }}', 'wait')] },
			{ output: 'report', conditions: [equals('={{ $json.remediation.next }}', 'report')] },
		],
		'nothing',
	);
	b.add({
		name: HEAL_NODES.wait,
		type: 'n8n-nodes-base.wait',
		typeVersion: 1.1,
		position: P(origin, 2, -0.3),
		webhookId: stableUuid(`${b.id}/webhook/${HEAL_NODES.wait}`),
		parameters: { resume: 'timeInterval', amount: '={{ $json.remediation.waitSeconds }}', unit: 'seconds' },
	});
	remediationNode(b, HEAL_NODES.check, P(origin, 3, -0.3), 'check', { remediation: '={{ $json.remediation }}' });
	switchNode(
		b,
		HEAL_NODES.done,
		P(origin, 4, -0.3),
		[{ output: 'report', conditions: [equals('={{ $json.remediation.next }}', 'report')] }],
		'wait',
	);
	b.add({
		name: HEAL_NODES.note,
		type: NODE_TYPES.halo,
		typeVersion: 1,
		position: P(origin, 5, 0.3),
		parameters: {
			resource: 'ticket',
			operation: 'addAction',
			ticketId: '={{ $json.remediation.ticketId }}',
			note: '={{ $json.remediation.noteText }}',
			// The tenant's note outcome, chosen by name and cached (docs/mapping.md, safe defaults).
			outcomeSource: 'auto',
			hiddenFromUser: true,
			sendEmail: false,
			options: {},
		},
		credentials: { haloPsaApi: { ...CREDENTIALS.haloPsaApi } },
	});
	noOp(b, HEAL_NODES.nothing, P(origin, 2, 0.7));
	b.connect(HEAL_NODES.start, HEAL_NODES.next);
	b.connect(HEAL_NODES.next, HEAL_NODES.wait, 0);
	b.connect(HEAL_NODES.next, HEAL_NODES.note, 1);
	b.connect(HEAL_NODES.next, HEAL_NODES.nothing, 2);
	b.chain(HEAL_NODES.wait, HEAL_NODES.check, HEAL_NODES.done);
	b.connect(HEAL_NODES.done, HEAL_NODES.note, 0);
	b.connect(HEAL_NODES.done, HEAL_NODES.wait, 1);
	b.connect(NODES.saveTicketLink, HEAL_NODES.start);
}

function technicianSection(b: WorkflowBuilder, origin: [number, number]): void {
	b.sticky(
		'Note: technician',
		'## 3. Started from a Halo ticket\n' +
			`A Halo custom integration method (run by a runbook / custom button) POSTs \`{"ticketId": <<ticket^id>>, "component": "<name or UID>"}\` ` +
			`(optional \`deviceUid\`, \`variables\`, \`technician\`) to this webhook's production URL with the header of the ` +
			`*${TECHNICIAN_CREDENTIAL.name}* credential. Only components used by a rule of the remediation table are accepted; ` +
			'the device is the one of the alert linked to the ticket unless deviceUid is given. Step by step: docs/self-healing.md.',
		P(origin, -0.4, -1.2),
		[Math.round(4.4 * 260), Math.round(1.1 * 180)],
		6,
	);
	b.add({
		name: HEAL_NODES.technicianHook,
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		position: P(origin, 0, 0),
		webhookId: stableUuid(`${b.id}/webhook/${HEAL_NODES.technicianHook}`),
		parameters: { httpMethod: 'POST', path: TECHNICIAN_WEBHOOK_PATH, authentication: 'headerAuth', responseMode: 'onReceived', options: {} },
		credentials: { httpHeaderAuth: { ...TECHNICIAN_CREDENTIAL } },
	});
	remediationNode(b, HEAL_NODES.technicianStart, P(origin, 1, 0), 'start', {
		source: 'technician',
		ticketId: '={{ $json.body.ticketId }}',
		component: '={{ $json.body.component }}',
		deviceUid: '={{ $json.body.deviceUid ?? "" }}',
		variables: '={{ $json.body.variables ?? {} }}',
		startedBy: '={{ $json.body.technician ?? "a technician" }}',
	});
	b.connect(HEAL_NODES.technicianHook, HEAL_NODES.technicianStart);
	b.connect(HEAL_NODES.technicianStart, HEAL_NODES.next);
}

function rulesSeedSection(b: WorkflowBuilder, origin: [number, number]): void {
	b.sticky(
		'Note: remediation table',
		'## Remediation table\n' +
			`Edit the CSV in *${HEAL_NODES.rulesImport}* (one row per rule: key = rule id, value = the rule JSON; set ` +
			'`"enabled": true`), then click *Execute workflow* on the manual trigger. Format and examples: docs/self-healing.md.',
		P(origin, -0.4, -1.2),
		[Math.round(3.2 * 260), Math.round(1.1 * 180)],
		5,
	);
	b.add({
		name: HEAL_NODES.rulesTrigger,
		type: NODE_TYPES.manual,
		typeVersion: CORE_NODE_VERSIONS[NODE_TYPES.manual],
		position: P(origin, 0, 0),
		parameters: {},
	});
	b.store(HEAL_NODES.rulesImport, P(origin, 1.2, 0), 'import', 'remediationRules', {
		format: 'csv',
		csv: EXAMPLE_RULES_CSV,
		history: { event: 'seeded', reason: 'Imported by the remediation table step' },
	});
	b.connect(HEAL_NODES.rulesTrigger, HEAL_NODES.rulesImport);
}

/** Puts "Get remediation" between the lifecycle's "Link state" (open) and the close, and names the remediation in the note. */
function closeWithRemediation(b: WorkflowBuilder, at: [number, number]): void {
	b.store(HEAL_NODES.getRemediation, at, 'get', 'remediations', {
		key: `={{ $('${NODES.getAlertLink}').item.json.alertUid }}`,
		output: 'inputWithResult',
		resultField: 'remediation',
	});
	const outputs = b.connections[NODES.linkState].main;
	outputs[0] = outputs[0].map((c) => (c.node === NODES.close ? { ...c, node: HEAL_NODES.getRemediation } : c));
	b.connect(HEAL_NODES.getRemediation, NODES.close);
	const close = b.nodes.find((n) => n.name === NODES.close);
	if (!close) throw new Error(`${NODES.close} not found`);
	close.parameters = { ...close.parameters, note: CLOSE_NOTE_EXPRESSION };
	close.position = [close.position[0] + 120, close.position[1] + 90];
}

function selfHealingWorkflow(): WorkflowJson {
	const b = new WorkflowBuilder(SELF_HEALING_WORKFLOW_ID, 'Datto ⇄ Halo self-healing (static data)', 'static');
	b.sticky(
		'Note: about',
		'# Datto ⇄ Halo self-healing\n' +
			'The alert lifecycle of datto-halo-sync.json (**1**; ticket closed in Halo and the daily cleanup included) plus ' +
			'**2** self-healing: a Datto RMM component runs for alerts that match the remediation table, its result is ' +
			'noted on the ticket, and **3** a technician can start a listed component from a Halo ticket. Use it **instead ' +
			'of** datto-halo-sync.json (one store per workflow). The remediation table is empty after import: no component ' +
			'runs until you add rules. ONE n8n instance in regular mode. Docs: docs/self-healing.md.',
		[-1200, -1000],
		[860, 420],
		1,
	);
	seedSection(b, [-1100, 860]); // first: `n8n execute --id=…` starts from the first trigger node (see staticWorkflow())
	rulesSeedSection(b, [-1100, 1500]);
	lifecycleSection(b, [0, 0]);
	closeWithRemediation(b, P([0, 0], 3.6, 2.1));
	remediationSection(b, P([0, 0], 8.3, 0.3));
	technicianSection(b, P([0, 0], 8.3, -1.8));
	haloClosedSection(b, [0, 1340]);
	cleanupSection(b, [0, 2200]);
	return b.json();
}

export function buildSelfHealingWorkflows(): BuiltWorkflow[] {
	return [{ file: SELF_HEALING_FILE, workflow: selfHealingWorkflow() }];
}
