/**
 * The shipped workflow JSON (workflows/datto-halo-sync.json, workflows/postgres/*.json and the policy variant
 * workflows/datto-halo-sync-policies.json):
 * - the committed files are exactly what scripts/workflows/definition.ts builds (run `npm run workflows` after a change);
 * - every parameter of this package's nodes is a parameter the node shows for that resource/operation (n8n's own
 *   NodeHelpers.getNodeParameters keeps it), with a valid option value;
 * - core nodes use typeVersions both n8n 1.123.x and 2.41.x know; ids, webhook ids and names are unique and fixed;
 *   connections point at existing nodes; credentials match the e2e/demo fixture;
 * - the static and the Postgres variants have the same nodes with the same parameters (apart from the backend);
 * - API economy: the close nodes name their closed status and outcome (no lookups on the hot path);
 * - the policy variant: wired as README.md#sync-policies-and-the-datto-halo-sync-policy-node describes, its four deciding Sync Policy nodes share one set of
 *   settings (the engine's defaults), and the nodes it shares with the plain workflow have the same parameters.
 */
import * as fs from 'fs';
import * as path from 'path';
import { NodeHelpers, type INode, type INodeProperties, type INodeType, type INodeParameters } from 'n8n-workflow';

import { DattoRmm } from '../../nodes/DattoRmm/DattoRmm.node';
import { DattoRmmTrigger } from '../../nodes/DattoRmmTrigger/DattoRmmTrigger.node';
import { HaloPsa } from '../../nodes/HaloPsa/HaloPsa.node';
import { HaloPsaTrigger } from '../../nodes/HaloPsaTrigger/HaloPsaTrigger.node';
import { MappingStore } from '../../nodes/MappingStore/MappingStore.node';
import { SyncPolicy } from '../../nodes/SyncPolicy/SyncPolicy.node';
import { DECISIONS, DEFAULT_POLICY_CONFIG, validateMaintenanceWindow } from '../../nodes/shared/policy';
import {
	CORE_NODE_VERSIONS,
	CREDENTIALS,
	NODES,
	NODE_TYPES,
	PACKAGE_NAME,
	DECISION_OUTPUT,
	EXAMPLE_WINDOWS_JSON,
	POLICY_DECIDING_NODES,
	POLICY_DEFAULTS,
	POLICY_NODES,
	POLICY_SETTINGS,
	SETTINGS,
	WORKFLOW_IDS,
	buildWorkflows,
	serialiseWorkflow,
	type WorkflowJson,
	type WorkflowNode,
} from '../../scripts/workflows/definition';

const root = path.join(__dirname, '..', '..');
const built = buildWorkflows();
const committed = built.map(({ file }) => ({
	file,
	text: fs.existsSync(path.join(root, file)) ? fs.readFileSync(path.join(root, file), 'utf8') : undefined,
}));
const workflows: WorkflowJson[] = built.map((b) => b.workflow);
const staticWf = workflows.find((w) => w.id === WORKFLOW_IDS.static) as WorkflowJson;
const policyWf = workflows.find((w) => w.id === WORKFLOW_IDS.policy) as WorkflowJson;
const postgresWfs = workflows.filter((w) => w.id !== WORKFLOW_IDS.static && w.id !== WORKFLOW_IDS.policy);

const packageNodes: Record<string, INodeType> = {
	[NODE_TYPES.dattoTrigger]: new DattoRmmTrigger(),
	[NODE_TYPES.datto]: new DattoRmm(),
	[NODE_TYPES.halo]: new HaloPsa(),
	[NODE_TYPES.haloTrigger]: new HaloPsaTrigger(),
	[NODE_TYPES.store]: new MappingStore(),
	[NODE_TYPES.syncPolicy]: new SyncPolicy(),
};

const isExpression = (value: unknown): boolean => typeof value === 'string' && value.startsWith('=');
const allNodes = (): Array<{ wf: WorkflowJson; node: WorkflowNode }> =>
	workflows.flatMap((wf) => wf.nodes.map((node) => ({ wf, node })));
const functional = (wf: WorkflowJson) => wf.nodes.filter((n) => n.type !== NODE_TYPES.sticky);

describe('committed workflow JSON', () => {
	test.each(committed.map((c) => [c.file, c.text]))('%s equals the builder output (npm run workflows)', (file, text) => {
		const expected = serialiseWorkflow(built.find((b) => b.file === file)!.workflow);
		expect(text).toBeDefined();
		// A plain equality check first: jest's diff of two 30 kB strings is unreadable, so fail with the file name.
		if (text !== expected) throw new Error(`${file} differs from scripts/workflows/definition.ts: run npm run workflows`);
	});

	test('workflows/ holds exactly the built files', () => {
		const onDisk = [
			...fs.readdirSync(path.join(root, 'workflows')).filter((f) => f.endsWith('.json')).map((f) => `workflows/${f}`),
			...fs.readdirSync(path.join(root, 'workflows', 'postgres')).map((f) => `workflows/postgres/${f}`),
		].sort();
		// workflows/datto-halo-self-healing.json: scripts/workflows/selfHealing.ts, checked by test/workflows/selfHealing.test.ts
		expect(onDisk).toEqual([...built.map((b) => b.file), 'workflows/datto-halo-self-healing.json'].sort());
	});

	test('the files are shipped in the npm package (package.json "files")', () => {
		const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { files: string[] };
		expect(pkg.files).toContain('workflows');
	});
});

describe('workflow structure', () => {
	test('fixed workflow ids of at most 16 characters, unique', () => {
		const ids = workflows.map((w) => w.id);
		expect(new Set(ids).size).toBe(ids.length);
		for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9]{1,16}$/);
		expect(workflows.every((w) => w.active === false && w.settings.executionOrder === 'v1')).toBe(true);
	});

	test('node ids are unique UUIDs; names unique per workflow; webhook ids unique across all workflows', () => {
		const ids = allNodes().map(({ node }) => node.id);
		expect(new Set(ids).size).toBe(ids.length);
		for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
		for (const wf of workflows) expect(new Set(wf.nodes.map((n) => n.name)).size).toBe(wf.nodes.length);
		const webhookIds = allNodes()
			.map(({ node }) => node.webhookId)
			.filter(Boolean);
		expect(webhookIds).toHaveLength(6); // Datto + Halo trigger in the static, the Postgres and the policy workflows
		expect(new Set(webhookIds).size).toBe(webhookIds.length);
	});

	test('only this package\'s nodes and core nodes at versions both n8n lines know', () => {
		for (const { node } of allNodes()) {
			if (node.type.startsWith(`${PACKAGE_NAME}.`)) {
				expect(packageNodes[node.type]).toBeDefined();
				// The HaloPSA Trigger is version 2 (registers its webhook in Halo); every other package node version 1.
				expect({ type: node.type, version: node.typeVersion }).toEqual({ type: node.type, version: node.type === NODE_TYPES.haloTrigger ? 2 : 1 });
			} else {
				expect({ type: node.type, version: node.typeVersion }).toEqual({
					type: node.type,
					version: CORE_NODE_VERSIONS[node.type as keyof typeof CORE_NODE_VERSIONS],
				});
			}
		}
	});

	test('connections join existing nodes; every node except triggers and notes has an input', () => {
		for (const wf of workflows) {
			const names = new Set(wf.nodes.map((n) => n.name));
			const targets = new Set<string>();
			for (const [from, { main }] of Object.entries(wf.connections)) {
				expect(names.has(from)).toBe(true);
				for (const output of main) {
					for (const c of output) {
						expect({ wf: wf.id, to: c.node, known: names.has(c.node) }).toEqual({ wf: wf.id, to: c.node, known: true });
						targets.add(c.node);
					}
				}
			}
			const triggers = [NODE_TYPES.dattoTrigger, NODE_TYPES.haloTrigger, NODE_TYPES.schedule, NODE_TYPES.manual] as string[];
			const orphans = functional(wf).filter((n) => !triggers.includes(n.type) && !targets.has(n.name));
			expect({ wf: wf.id, orphans: orphans.map((n) => n.name) }).toEqual({ wf: wf.id, orphans: [] });
		}
	});

	test('`n8n execute --id=…` runs the seed section: its Manual Trigger is the first node with a trigger method', () => {
		// n8n 2.41's CLI starts from the first Manual or Schedule Trigger in node order (webhook triggers do not count).
		for (const wf of [staticWf, postgresWfs.find((w) => w.id === WORKFLOW_IDS.pgLifecycle) as WorkflowJson, policyWf]) {
			const first = wf.nodes.find((n) => n.type === NODE_TYPES.manual || n.type === NODE_TYPES.schedule);
			expect(first?.name).toBe(NODES.seedTrigger);
		}
	});

	test('every section has a sticky note; every workflow explains its settings', () => {
		const notes = (wf: WorkflowJson) => wf.nodes.filter((n) => n.type === NODE_TYPES.sticky).map((n) => String(n.parameters.content));
		expect(notes(staticWf).map((c) => c.split('\n')[0]).sort()).toEqual([
			'# Datto RMM ⇄ HaloPSA sync',
			'## 1. Datto alert → Halo ticket (alert lifecycle)',
			'## 2. Halo ticket closed → resolve the Datto alert',
			'## 3. Daily cleanup',
			'## 4. Reconciliation every 15 minutes',
			'## Seed the site → client table',
		]);
		for (const wf of postgresWfs) expect(notes(wf).length).toBeGreaterThanOrEqual(2);
		expect(notes(staticWf)[0]).toContain('## After import');
	});

	test('credentials are the fixture\'s ids and types', () => {
		const fixture = JSON.parse(fs.readFileSync(path.join(root, 'test', 'e2e', 'fixtures', 'credentials.template.json'), 'utf8')) as Array<{
			id: string;
			type: string;
		}>;
		const byId = new Map(fixture.map((c) => [c.id, c.type]));
		for (const { node } of allNodes()) {
			for (const [type, ref] of Object.entries(node.credentials ?? {})) {
				expect({ node: node.name, id: ref.id, type: byId.get(ref.id) }).toEqual({ node: node.name, id: ref.id, type });
				expect(ref).toEqual(CREDENTIALS[type as keyof typeof CREDENTIALS]);
			}
		}
	});
});

/** Every parameter set in the JSON survives n8n's own parameter resolution (shown for this operation, known option). */
function checkParameters(node: WorkflowNode): string[] {
	const type = packageNodes[node.type];
	const properties = type.description.properties;
	const resolved = NodeHelpers.getNodeParameters(
		properties,
		node.parameters as INodeParameters,
		true,
		false,
		{ ...node, parameters: node.parameters } as unknown as INode,
		type.description,
	) as Record<string, unknown>;
	const problems: string[] = [];
	for (const [key, value] of Object.entries(node.parameters)) {
		if (JSON.stringify(resolved?.[key]) !== JSON.stringify(value)) {
			problems.push(`${node.name}: parameter "${key}" is not shown or not kept (${JSON.stringify(value)} → ${JSON.stringify(resolved?.[key])})`);
			continue;
		}
		// Static option lists only: dropdowns filled by loadOptions (statuses, clients, …) take ids.
		const shown = properties.filter((p: INodeProperties) => p.name === key && p.type === 'options' && !p.typeOptions?.loadOptionsMethod);
		if (shown.length && !isExpression(value)) {
			const allowed = shown.flatMap((p) => (p.options ?? []).map((o) => (o as { value: unknown }).value));
			if (!allowed.includes(value)) problems.push(`${node.name}: "${key}" = ${JSON.stringify(value)} is not an option`);
		}
	}
	return problems;
}

describe('node parameters', () => {
	test('every parameter of the package\'s nodes is one n8n shows and keeps for that operation', () => {
		const problems = allNodes()
			.filter(({ node }) => packageNodes[node.type])
			.flatMap(({ wf, node }) => checkParameters(node).map((p) => `${wf.id}: ${p}`));
		expect(problems).toEqual([]);
	});

	test('the checker catches a parameter that is not shown for the operation', () => {
		const close = staticWf.nodes.find((n) => n.name === NODES.close) as WorkflowNode;
		expect(checkParameters(close)).toEqual([]);
		expect(checkParameters({ ...close, parameters: { ...close.parameters, clientIdField: 'x' } })).toEqual([
			expect.stringContaining('"clientIdField" is not shown'),
		]);
		expect(checkParameters({ ...close, parameters: { ...close.parameters, closedStatus: 'nope' } })).toContainEqual(
			expect.stringContaining('"closedStatus" = "nope" is not an option'),
		);
		expect(checkParameters({ ...close, parameters: { ...close.parameters, options: { nope: 1 } } })).toEqual([
			expect.stringContaining('"options" is not shown or not kept'),
		]);
	});

	test('Mapping Store backend: static data without credentials in the static workflow, Postgres everywhere else', () => {
		for (const { wf, node } of allNodes().filter(({ node }) => node.type === NODE_TYPES.store)) {
			if (wf.id === WORKFLOW_IDS.static || wf.id === WORKFLOW_IDS.policy) {
				expect({ node: node.name, backend: node.parameters.backend, credentials: node.credentials }).toEqual({
					node: node.name,
					backend: 'staticData',
					credentials: undefined,
				});
			} else {
				expect({ node: node.name, backend: node.parameters.backend, table: node.parameters.table }).toEqual({
					node: node.name,
					backend: 'postgres',
					table: SETTINGS.table,
				});
				expect(node.credentials).toEqual({ mappingStorePostgresApi: CREDENTIALS.mappingStorePostgresApi });
			}
		}
	});

	test('safe defaults: closes use the tenant status and outcome (Auto, cached); create maps automatically with a catch-all; the trigger enriches only when needed', () => {
		const closes = allNodes().filter(({ node }) => node.type === NODE_TYPES.halo && node.parameters.operation === 'close');
		expect(closes.length).toBe(4);
		for (const { node } of closes) {
			expect(node.parameters).toMatchObject({ closedStatus: 'auto', outcomeSource: 'auto' });
			// Never a hard-coded status id or outcome name (status 9 is not Closed in every tenant).
			expect(node.parameters.closedStatusId).toBeUndefined();
			expect(node.parameters.outcomeName).toBeUndefined();
		}
		const creates = allNodes().filter(({ node }) => node.parameters.operation === 'createFromAlert');
		expect(creates.length).toBe(3); // static (shared by webhook and reconciliation), Postgres lifecycle, Postgres reconciliation
		for (const { node } of creates) {
			expect(node.parameters).toMatchObject({
				clientMapping: 'auto',
				clientIdField: 'client.value.clientId',
				fallbackClientId: SETTINGS.catchAllClientId,
				alertField: '',
			});
		}
		// The site table is an override: no fallback in the lookups (the automatic mapping and the catch-all follow).
		const lookups = allNodes().filter(({ node }) => node.parameters.operation === 'lookup');
		expect(lookups.length).toBeGreaterThan(0);
		for (const { node } of lookups) expect(node.parameters.fallbackValue).toBe('');
		const triggers = allNodes().filter(({ node }) => node.type === NODE_TYPES.dattoTrigger);
		for (const { node } of triggers) expect(node.parameters).toMatchObject({ events: 'both', enrich: 'whenMissing', respond: 'onReceived' });
		const haloTriggers = allNodes().filter(({ node }) => node.type === NODE_TYPES.haloTrigger);
		for (const { node } of haloTriggers) expect(node.parameters).toMatchObject({ events: ['closed'], suppressEcho: true, useApi: true, registerWebhook: true });
		// Use HaloPSA API needs the API credential on the trigger (registration, API agent, status names).
		for (const { node } of haloTriggers) expect(Object.keys(node.credentials ?? {}).sort()).toEqual(['haloPsaApi', 'haloPsaWebhookApi']);
	});

	// Expressions are field references only (mostly the Mapping Store keys), no logic: at most 46 (one routes the resolved deliveries Datto did not confirm, three record and retry failed Datto resolves, seven in the reconciliation's branch D for tickets closed in Halo while n8n missed the webhook), each a one-liner.
	test('few expressions: at most 46 in the all-in-one workflow, each a short one-liner', () => {
		const expressions: string[] = [];
		const walk = (value: unknown): void => {
			if (isExpression(value)) expressions.push(value as string);
			else if (value && typeof value === 'object') Object.values(value).forEach(walk);
		};
		for (const node of staticWf.nodes) walk(node.parameters);
		expect(expressions.length).toBeLessThanOrEqual(46);
		for (const e of expressions) expect(e.length).toBeLessThan(110);
	});
});

describe('variants do not drift', () => {
	test('the Postgres workflows hold the static workflow\'s nodes, with the same parameters apart from the backend', () => {
		const strip = (node: WorkflowNode) => {
			const { backend: _b, table: _t, ...parameters } = node.parameters;
			return { type: node.type, typeVersion: node.typeVersion, parameters, onError: node.onError };
		};
		const staticNodes = new Map(functional(staticWf).map((n) => [n.name, strip(n)]));
		const pgNames = new Set<string>();
		for (const wf of postgresWfs) {
			for (const node of functional(wf)) {
				pgNames.add(node.name);
				expect({ name: node.name, ...strip(node) }).toEqual({ name: node.name, ...staticNodes.get(node.name) });
			}
		}
		expect([...pgNames].sort()).toEqual([...staticNodes.keys()].sort());
	});

	// Chaos soak (bench/chaos.bench.ts, issue 18): a technician closed a ticket while n8n was being restarted; Halo's
	// Ticket Closed webhook was refused and never sent again, and the Datto alert stayed open for good, because the
	// reconciliation only asked Datto. Branch D asks Halo, once per run, which tickets of the open links are closed.
	test('the reconciliation carries a Halo close that n8n missed to Datto: one Halo request, then the steps of flow 2', () => {
		for (const wf of [staticWf, postgresWfs.find((w) => w.id === WORKFLOW_IDS.pgReconcile) as WorkflowJson]) {
			const byName = (name: string) => wf.nodes.find((n) => n.name === name) as WorkflowNode;
			const out = (from: string) => (wf.connections[from]?.main ?? []).map((targets) => targets.map((t) => t.node));
			// Every open ticket link (a flow 2 cut off after its first write left the alert link closed, the ticket link open).
			expect(out(NODES.reconcileSchedule)[0]).toContain(NODES.listOpenTicketLinks);
			expect(byName(NODES.listOpenTicketLinks).parameters).toMatchObject({ operation: 'list', collection: 'tickets', filters: { status: 'open' } });
			expect(out(NODES.listOpenTicketLinks)).toEqual([[NODES.getClosedTickets]]);
			const list = byName(NODES.getClosedTickets);
			expect(list.executeOnce).toBe(true); // one Halo request per run, not one per open link
			expect(list.parameters).toMatchObject({ resource: 'ticket', operation: 'getMany', returnAll: true, filters: { state: 'closed' } });
			expect(String((list.parameters.filters as { ticketIds: string }).ticketIds)).toContain('$input.all()');
			expect(out(NODES.getClosedTickets)).toEqual([[NODES.getClosedTicketLink]]);
			expect(out(NODES.getClosedTicketLink)).toEqual([[NODES.closedInHalo]]);
			expect(out(NODES.closedInHalo)[0]).toEqual([NODES.markAlertClosedInHalo]);
			expect(out(NODES.markAlertClosedInHalo)).toEqual([[NODES.markTicketClosedInHalo]]);
			expect(out(NODES.markTicketClosedInHalo)).toEqual([[NODES.resolveClosedInHalo]]);
			// Links closed first (as flow 2 does), then Datto (Check First); a failed resolve lands in failedEvents (branch C).
			expect(byName(NODES.resolveClosedInHalo).parameters).toMatchObject({ operation: 'resolve', options: { checkFirst: true } });
			expect(out(NODES.resolveClosedInHalo)[1]).toEqual([NODES.recordClosedInHaloFailure]);
			expect(byName(NODES.recordClosedInHaloFailure).parameters).toMatchObject({ collection: 'failedEvents', status: 'open' });
		}
	});

	test('the reconciliation joins the same create chain as the webhook (static: the same nodes; Postgres: a copy)', () => {
		const into = (wf: WorkflowJson, target: string) =>
			Object.entries(wf.connections)
				.filter(([, c]) => c.main.some((o) => o.some((x) => x.node === target)))
				.map(([from]) => from)
				.sort();
		expect(into(staticWf, NODES.claim)).toEqual([NODES.withoutLink, NODES.eventSwitch].sort());
		const recon = postgresWfs.find((w) => w.id === WORKFLOW_IDS.pgReconcile) as WorkflowJson;
		expect(into(recon, NODES.claim)).toEqual([NODES.withoutLink]);
		expect(recon.nodes.some((n) => n.name === NODES.saveTicketLink)).toBe(true);
	});
});

describe('policy variant (workflows/datto-halo-sync-policies.json)', () => {
	const byName = (name: string) => {
		const found = policyWf.nodes.find((n) => n.name === name);
		if (!found) throw new Error(`no node "${name}" in the policy workflow`);
		return found;
	};
	/** Connections out of `from`: [output index, target] pairs. */
	const out = (from: string) =>
		(policyWf.connections[from]?.main ?? []).flatMap((targets, index) => targets.map((t) => [index, t.node] as [number, string]));
	const syncPolicyNodes = () => policyWf.nodes.filter((n) => n.type === NODE_TYPES.syncPolicy);

	test('a sticky note per section, the policies and their settings, and the after-import settings', () => {
		const notes = policyWf.nodes.filter((n) => n.type === NODE_TYPES.sticky).map((n) => String(n.parameters.content));
		expect(notes.map((c) => c.split('\n')[0]).sort()).toEqual([
			'# Datto RMM ⇄ HaloPSA sync with policies',
			'## 1. Datto alert → sync policies → Halo',
			'## 2. Every minute: due closes and window ends',
			'## 3. Ticket closed in Halo → resolve the Datto alerts',
			'## 4. Reconciliation every 15 minutes',
			'## 5. Daily cleanup',
			'## 6. Health check every hour',
			'## Seed the site → client table and maintenance windows',
			'## The policies and their settings',
		]);
		const about = notes.find((c) => c.startsWith('# '))!;
		expect(about).toContain('## After import');
		const policies = notes.find((c) => c.startsWith('## The policies'))!;
		for (const policy of ['Flap dedupe', 'Reopen window', 'Close rules', 'Grace close', 'Storm correlation', 'Maintenance windows', 'Business hours', 'Dry Run', 'Decision log']) {
			expect(policies).toContain(`**${policy}**`);
		}
		expect(policies).toContain(`fold ${DEFAULT_POLICY_CONFIG.flapDedupe.foldMinutes} min`);
		expect(policies).toContain(`${DEFAULT_POLICY_CONFIG.graceClose.minutes} min`);
	});

	test('wiring: alert → client lookup → Decide; reconciliation into the same nodes; Halo close, Process Due, health', () => {
		const N = POLICY_NODES;
		expect(out(N.dattoTrigger)).toEqual([[0, N.lookup]]);
		expect(out(N.lookup)).toEqual([[0, N.decide]]);
		expect(out(N.noRecord)).toEqual([[0, N.lookup]]); // A: alerts the policies never saw
		expect(out(N.resolvedInDatto)).toEqual([[0, N.decide]]); // B: resolutions without a webhook
		// A waits until the triggered webhook had its chance (the API's alert shape has another dedupe key).
		const a = JSON.stringify(byName(N.noRecord).parameters.conditions);
		expect(a).toContain('$json.known.found');
		expect(a).toContain(`$now.minus({ minutes: ${POLICY_SETTINGS.reconcileAfterMinutes} })`);
		expect((byName(N.noRecord).parameters.conditions as { combinator: string }).combinator).toBe('and');
		expect(out(N.reconcileSchedule).map(([, t]) => t).sort()).toEqual([N.listOpen, N.openDattoAlerts].sort());
		expect(out(N.haloTrigger)).toEqual([[0, N.haloDecide]]);
		expect(out(N.processSchedule)).toEqual([[0, N.processDue]]);
		expect(out(N.healthSchedule).map(([, t]) => t).sort()).toEqual([N.health, N.replay].sort());
		expect(out(N.health)).toEqual([[0, N.alarmTicket]]); // output 0 = alarm
		expect(byName(N.alarmTicket).parameters).toMatchObject({ resource: 'ticket', operation: 'create', clientId: POLICY_SETTINGS.alarmClientId });
		// Replay sits above the health check: in execution order v1 it runs first.
		expect(byName(N.replay).position[1]).toBeLessThan(byName(N.health).position[1]);
		expect(byName(N.replay).onError).toBe('continueRegularOutput');
		// Decide's outputs go to No Op ends named after the decisions; the engine's output order is the node's.
		expect(DECISIONS.map((d, i) => [d, i])).toEqual(Object.entries(DECISION_OUTPUT));
		expect(out(N.decide)).toEqual(
			[
				[DECISION_OUTPUT.create, N.outNew],
				[DECISION_OUTPUT.note, N.outNote],
				[DECISION_OUTPUT.reopen, N.outReopen],
				[DECISION_OUTPUT.close, N.outClose],
				[DECISION_OUTPUT.suppress, N.outSuppress],
				[DECISION_OUTPUT.correlate, N.outStorm],
				[DECISION_OUTPUT.defer, N.outDefer],
			].sort((a, b) => (a[0] as number) - (b[0] as number)),
		);
		for (const [, target] of out(N.decide)) expect(byName(target).type).toBe(NODE_TYPES.noOp);
		expect(out(N.processDue)).toEqual([
			[DECISION_OUTPUT.create, N.dueReleased],
			[DECISION_OUTPUT.close, N.dueClosed],
		]);
		expect(out(N.haloDecide)).toEqual([[DECISION_OUTPUT.close, N.haloClosed]]);
		expect(out(N.cleanupSchedule)).toEqual([[0, N.purgeAlerts]]);
		expect([N.purgeAlerts, N.purgeTickets, N.purgeConditions, N.purgeFailed].map((n) => byName(n).parameters.collection)).toEqual([
			'alerts',
			'tickets',
			'conditions',
			'failedEvents',
		]);
	});

	test('the Sync Policy nodes: operations, one backend, live (no dry run, no test clock), credentials where they write', () => {
		const N = POLICY_NODES;
		expect(syncPolicyNodes().map((n) => [n.name, n.parameters.operation]).sort()).toEqual(
			[
				[N.decide, 'decide'],
				[N.haloDecide, 'decide'],
				[N.processDue, 'processDue'],
				[N.replay, 'replayFailed'],
				[N.health, 'health'],
			].sort(),
		);
		for (const node of syncPolicyNodes()) {
			expect({ name: node.name, backend: node.parameters.backend, dryRun: node.parameters.dryRun, clock: node.parameters.clockOverride }).toEqual({
				name: node.name,
				backend: 'staticData',
				dryRun: false,
				clock: undefined,
			});
		}
		for (const name of POLICY_DECIDING_NODES) expect(byName(name).credentials?.haloPsaApi).toEqual(CREDENTIALS.haloPsaApi);
		expect(byName(N.health).credentials).toBeUndefined();
		// Halo closes resolve the Datto alerts in the node (and so do their replays); alerts never need it.
		expect([N.decide, N.processDue, N.haloDecide, N.replay].map((n) => byName(n).parameters.resolveDattoAlerts)).toEqual([false, false, true, true]);
		expect(byName(N.haloDecide).credentials?.dattoRmmApi).toEqual(CREDENTIALS.dattoRmmApi);
		expect(byName(N.decide).credentials?.dattoRmmApi).toBeUndefined();
		expect(byName(N.decide).parameters.clientId).toBe('={{ $json.client?.value?.clientId }}');
	});

	test('the four deciding nodes share Policy Settings (the engine defaults), HaloPSA Ticket Options and the fallback client', () => {
		const [first, ...rest] = POLICY_DECIDING_NODES.map((name) => byName(name).parameters);
		for (const p of rest) {
			expect({ policySettings: p.policySettings, haloOptions: p.haloOptions, fallbackClientId: p.fallbackClientId }).toEqual({
				policySettings: first.policySettings,
				haloOptions: first.haloOptions,
				fallbackClientId: first.fallbackClientId,
			});
		}
		expect(first.policySettings).toEqual(POLICY_DEFAULTS);
		const d = DEFAULT_POLICY_CONFIG;
		expect(POLICY_DEFAULTS).toEqual({
			flapDedupe: d.flapDedupe.enabled,
			foldMinutes: d.flapDedupe.foldMinutes,
			reopenWindow: d.reopenWindow.enabled,
			reopenHours: d.reopenWindow.hours,
			closeRules: d.closeRules.enabled,
			technicianCheck: 'haloApi',
			graceClose: d.graceClose.enabled,
			graceMinutes: d.graceClose.minutes,
			storm: d.storm.enabled,
			stormThreshold: d.storm.threshold,
			stormWindowMinutes: d.storm.windowMinutes,
			stormAttachAs: d.storm.attachAs,
			maintenance: d.maintenance.enabled,
			businessHours: d.businessHours.enabled,
			outsideHours: d.businessHours.outsideHours,
		});
		// Safe defaults: the tenant's statuses and outcome (by name, cached), the automatic mapping, a catch-all client.
		expect(first.haloOptions).toEqual({ automaticMapping: true, defaultPriorityId: SETTINGS.defaultPriorityId, priorityMap: SETTINGS.priorityMap });
		expect(first.fallbackClientId).toBe(SETTINGS.catchAllClientId);
	});

	test('retention keeps closed tickets and conditions longer than the reopen window + 1 day', () => {
		for (const name of [POLICY_NODES.purgeTickets, POLICY_NODES.purgeConditions]) {
			expect(byName(name).parameters.olderThanHours as number).toBeGreaterThanOrEqual(POLICY_DEFAULTS.reopenHours + 24);
		}
	});

	test('the nodes it shares with the plain workflow have the same parameters (triggers, client lookup, seed)', () => {
		for (const name of [NODES.dattoTrigger, NODES.haloTrigger, NODES.lookup, NODES.seedImport, NODES.seedTrigger, NODES.openDattoAlerts]) {
			const plain = staticWf.nodes.find((n) => n.name === name)!;
			const policy = byName(name);
			expect({ name, type: policy.type, parameters: policy.parameters, credentials: policy.credentials }).toEqual({
				name,
				type: plain.type,
				parameters: plain.parameters,
				credentials: plain.credentials,
			});
		}
		// Its own webhook ids (both workflows can be imported; only one should be published).
		expect(byName(NODES.dattoTrigger).webhookId).not.toBe(staticWf.nodes.find((n) => n.name === NODES.dattoTrigger)!.webhookId);
	});

	test('the example maintenance window of the seed step is valid and disabled', () => {
		const rows = JSON.parse(EXAMPLE_WINDOWS_JSON) as Array<{ key: string; status: string; value: unknown }>;
		expect(byName(POLICY_NODES.seedWindows).parameters).toMatchObject({ operation: 'import', collection: 'windows', format: 'json', json: EXAMPLE_WINDOWS_JSON });
		expect(rows).toHaveLength(1);
		expect(validateMaintenanceWindow(rows[0].value)).toEqual([]);
		expect(rows[0].status).not.toBe('open');
	});

	test('few expressions: at most 15, each a short one-liner or a template text', () => {
		const expressions: string[] = [];
		const walk = (value: unknown): void => {
			if (isExpression(value)) expressions.push(value as string);
			else if (value && typeof value === 'object') Object.values(value).forEach(walk);
		};
		for (const node of policyWf.nodes) walk(node.parameters);
		expect(expressions.length).toBeLessThanOrEqual(15);
		for (const e of expressions) expect(e.length).toBeLessThan(200);
	});
});
