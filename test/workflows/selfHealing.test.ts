/**
 * The shipped self-healing workflow (workflows/datto-halo-self-healing.json, scripts/workflows/selfHealing.ts): the
 * committed file is what the builder writes, its package-node parameters are ones n8n shows and keeps, the wait/check
 * loop and both entries (alert, Halo technician webhook) are wired, the close names the remediation, and the shipped
 * remediation table runs nothing (its only example rule is disabled).
 */
import * as fs from 'fs';
import * as path from 'path';
import { NodeHelpers, type INode, type INodeParameters } from 'n8n-workflow';

import { DattoRmm } from '../../nodes/DattoRmm/DattoRmm.node';
import { matchRemediationRule, type RemediationRule } from '../../nodes/shared/policy/remediation';
import { NODES, serialiseWorkflow, type WorkflowNode } from '../../scripts/workflows/definition';
import {
	buildSelfHealingWorkflows,
	CLOSE_NOTE_EXPRESSION,
	EXAMPLE_RULES_CSV,
	HEAL_NODES,
	SELF_HEALING_FILE,
} from '../../scripts/workflows/selfHealing';

const root = path.join(__dirname, '..', '..');
const [built] = buildSelfHealingWorkflows();
const wf = built.workflow;
const node = (name: string) => wf.nodes.find((n) => n.name === name) as WorkflowNode;
const targets = (from: string, output: number) => (wf.connections[from]?.main[output] ?? []).map((c) => c.node);

test('the committed JSON equals the builder output (npm run workflows)', () => {
	expect(built.file).toBe(SELF_HEALING_FILE);
	const text = fs.readFileSync(path.join(root, SELF_HEALING_FILE), 'utf8');
	if (text !== serialiseWorkflow(wf)) throw new Error(`${SELF_HEALING_FILE} differs from scripts/workflows/selfHealing.ts: run npm run workflows`);
});

test('Datto RMM remediation nodes: every parameter is one n8n shows and keeps', () => {
	const datto = new DattoRmm();
	const problems: string[] = [];
	for (const n of wf.nodes.filter((x) => x.parameters.resource === 'remediation')) {
		const resolved = NodeHelpers.getNodeParameters(datto.description.properties, n.parameters as INodeParameters, true, false, n as unknown as INode, datto.description) as Record<string, unknown>;
		for (const [key, value] of Object.entries(n.parameters)) {
			if (JSON.stringify(resolved?.[key]) !== JSON.stringify(value)) problems.push(`${n.name}: ${key}`);
		}
	}
	expect(problems).toEqual([]);
	expect(wf.nodes.filter((x) => x.parameters.resource === 'remediation').map((x) => x.name).sort()).toEqual(
		[HEAL_NODES.start, HEAL_NODES.check, HEAL_NODES.technicianStart].sort(),
	);
});

test('wiring: ticket → start → wait ⇄ check → one note; the technician webhook joins the same path', () => {
	expect(targets(NODES.saveTicketLink, 0)).toEqual([HEAL_NODES.start]);
	// Create From Alert outputs the normalised alert under "alert" (Save alert link passes it through).
	expect(node(HEAL_NODES.start).parameters.alert).toBe(`={{ $('${NODES.saveAlertLink}').item.json.alert }}`);
	expect(targets(HEAL_NODES.start, 0)).toEqual([HEAL_NODES.next]);
	expect([targets(HEAL_NODES.next, 0), targets(HEAL_NODES.next, 1), targets(HEAL_NODES.next, 2)]).toEqual([[HEAL_NODES.wait], [HEAL_NODES.note], [HEAL_NODES.nothing]]);
	expect(targets(HEAL_NODES.wait, 0)).toEqual([HEAL_NODES.check]);
	expect([targets(HEAL_NODES.done, 0), targets(HEAL_NODES.done, 1)]).toEqual([[HEAL_NODES.note], [HEAL_NODES.wait]]);
	expect(targets(HEAL_NODES.technicianHook, 0)).toEqual([HEAL_NODES.technicianStart]);
	expect(targets(HEAL_NODES.technicianStart, 0)).toEqual([HEAL_NODES.next]);
	expect(node(HEAL_NODES.technicianHook).parameters).toMatchObject({ authentication: 'headerAuth', httpMethod: 'POST', responseMode: 'onReceived' });
	expect(node(HEAL_NODES.note).parameters).toMatchObject({ operation: 'addAction', hiddenFromUser: true, note: '={{ $json.remediation.noteText }}' });
});

test('the resolved path reads the remediation before the close, whose note names it', () => {
	expect(targets(NODES.linkState, 0)).toEqual([HEAL_NODES.getRemediation]);
	expect(targets(HEAL_NODES.getRemediation, 0)).toEqual([NODES.close]);
	expect(node(NODES.close).parameters.note).toBe(CLOSE_NOTE_EXPRESSION);
	// The expression body, evaluated like n8n would for three stored remediation records.
	const body = CLOSE_NOTE_EXPRESSION.slice(3, -2);
	const evaluate = (remediation: unknown) => new Function('$json', `return ${body}`)({ remediation }) as string;
	const value = { action: 'run', jobUid: 'job-1', componentName: 'Restart Print Spooler' };
	expect(evaluate({ found: true, record: { value: { ...value, outcome: 'success' } } })).toBe(
		'The Datto RMM alert was resolved after self-healing: component "Restart Print Spooler" (Datto job job-1) fixed it. Closed by n8n.',
	);
	expect(evaluate({ found: true, record: { value: { ...value, outcome: 'failure' } } })).toBe('The Datto RMM alert was resolved. Closed by n8n.');
	expect(evaluate({ found: false })).toBe('The Datto RMM alert was resolved. Closed by n8n.');
});

test('off by default: the shipped table holds one disabled example rule, which matches nothing', () => {
	const rows = EXAMPLE_RULES_CSV.trim().split('\n').slice(1);
	expect(rows).toHaveLength(1);
	const value = JSON.parse(rows[0].slice(rows[0].indexOf(',') + 2, -1).replace(/""/g, '"')) as RemediationRule;
	expect(value.enabled).toBe(false);
	const alert = { alertUid: 'a', message: 'Spooler stopped', condition: 'srvc_status_ctx:Spooler', device: { uid: 'd', hostname: null }, site: { uid: null, name: null } };
	expect(matchRemediationRule([value], alert)).toBeNull();
	expect(matchRemediationRule([{ ...value, enabled: true }], alert)?.id).toBe('restart-spooler');
	expect(wf.active).toBe(false);
});
