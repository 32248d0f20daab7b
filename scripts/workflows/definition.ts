/**
 * The shipped sync workflows, defined once. `scripts/build-workflows.ts` writes them to workflows/ (committed JSON),
 * and test/workflows/workflows.test.ts fails when the committed files differ from what this module builds, so the
 * all-in-one static-data workflow and the four Postgres workflows cannot drift apart.
 *
 * Variants:
 * - static: ONE workflow (`workflows/datto-halo-sync.json`) holding the four flows as sections, every Mapping Store node
 *   on the workflow-static-data backend. The static-data store is per workflow, which is why the flows that share
 *   links must live in one workflow. One n8n instance in regular mode.
 * - postgres: the same flows as four workflows (`workflows/postgres/*.json`), every Mapping Store node on the Postgres
 *   backend (credential `mappingStorePostgresApi`), for several n8n processes or queue mode.
 * - policy: ONE static-data workflow (`workflows/datto-halo-sync-policies.json`) on the Datto-Halo Sync Policy node
 *   (flap dedupe, reopen window, close rules, grace close, storm correlation, maintenance windows, health), wired as
 *   README.md#sync-policies-and-the-datto-halo-sync-policy-node describes; built by policyWorkflow() below, sharing the plain workflow's trigger, client-lookup
 *   and seed nodes.
 *
 * Only this package's nodes and n8n core nodes, at typeVersions both n8n 1.123.x and 2.41.x know (CORE_NODE_VERSIONS).
 * Node ids and webhook ids are fixed UUIDs derived from the workflow id and node name (stable across builds).
 */
import { createHash } from 'crypto';

export const PACKAGE_NAME = 'n8n-nodes-halo-datto';

/** Fixed workflow ids (n8n's CLI accepts ids of up to 21 characters; these are 16). */
export const WORKFLOW_IDS = {
	static: 'HaloDattoSync001',
	pgLifecycle: 'HaloDattoPgAlert',
	pgHaloClosed: 'HaloDattoPgClose',
	pgCleanup: 'HaloDattoPgClean',
	pgReconcile: 'HaloDattoPgRecon',
	/** The all-in-one static-data workflow on the Sync Policy node (workflows/datto-halo-sync-policies.json). */
	policy: 'HaloDattoPolicy1',
} as const;

/**
 * Credentials the workflows reference. The ids are the ones test/e2e/fixtures/credentials.template.json (and the demo)
 * create; on import n8n links a credential by id, else by exactly this name and type, else the user picks one.
 */
export const CREDENTIALS = {
	haloPsaApi: { id: 'HaloSimCred00001', name: 'HaloPSA account' },
	dattoRmmApi: { id: 'DattoSimCred0001', name: 'Datto RMM account' },
	dattoRmmWebhookApi: { id: 'DattoHookCred001', name: 'Datto RMM webhook secret' },
	haloPsaWebhookApi: { id: 'HaloHookCred0001', name: 'HaloPSA webhook auth' },
	mappingStorePostgresApi: { id: 'MapStorePgCred01', name: 'Mapping store Postgres' },
} as const;

/**
 * The HaloPSA Trigger of the shipped workflows: version 2 with Use HaloPSA API and Register Webhook in Halo on, so
 * publishing creates its authenticated webhook in Halo (events Closed and Ticket Status Changed) and unpublishing
 * removes it (docs/setup.md). Own closes are recognised by the API agent's id (GET /Agent/me, cached) and the marker.
 */
export const HALO_TRIGGER_VERSION = 2;
export const HALO_TRIGGER_PARAMETERS: { [key: string]: Json } = {
	events: ['closed'],
	suppressEcho: true,
	ignoreAgentIds: '',
	useApi: true,
	registerWebhook: true,
	refetch: 'incomplete',
	options: {},
};

/**
 * n8n core node typeVersions used here: each exists in n8n 1.123.x (n8n-nodes-base 1.121.x) and in 2.41.x. Newer ones
 * exist (If 2.3, Switch 3.4, Schedule 1.3/1.4), but 1.x lacks some of them; these are the conservative picks.
 */
export const CORE_NODE_VERSIONS = {
	'n8n-nodes-base.if': 2.2,
	'n8n-nodes-base.switch': 3.2,
	'n8n-nodes-base.scheduleTrigger': 1.2,
	'n8n-nodes-base.manualTrigger': 1,
	'n8n-nodes-base.noOp': 1,
	'n8n-nodes-base.stickyNote': 1,
} as const;

export const NODE_TYPES = {
	dattoTrigger: `${PACKAGE_NAME}.dattoRmmTrigger`,
	datto: `${PACKAGE_NAME}.dattoRmm`,
	halo: `${PACKAGE_NAME}.haloPsa`,
	haloTrigger: `${PACKAGE_NAME}.haloPsaTrigger`,
	store: `${PACKAGE_NAME}.mappingStore`,
	syncPolicy: `${PACKAGE_NAME}.syncPolicy`,
	if: 'n8n-nodes-base.if',
	switch: 'n8n-nodes-base.switch',
	schedule: 'n8n-nodes-base.scheduleTrigger',
	manual: 'n8n-nodes-base.manualTrigger',
	noOp: 'n8n-nodes-base.noOp',
	sticky: 'n8n-nodes-base.stickyNote',
} as const;

/** Defaults users change after import (documented in README.md#shipped-workflows and the workflows' sticky notes). */
export const SETTINGS = {
	/**
	 * Catch-all Halo client: tickets of alerts that no rule maps (no `sites` row, no Halo site/client with the Datto
	 * site UID in datto_id, no unique client name). The only id to set after import (docs/mapping.md).
	 */
	catchAllClientId: 1,
	priorityMap: 'Critical=1, High=2, Moderate=3, Low=4, Information=4',
	defaultPriorityId: 3,
	/** A claim still `pending` after this many minutes is taken over (its execution died). */
	reclaimAfterMinutes: 10,
	/**
	 * Closed links are purged after this many hours (3 days; 7 before issue 19): the static data store's cost per alert
	 * grows with its records, and a closed link is needed only for late duplicate deliveries and explanations.
	 */
	purgeAfterHours: 72,
	/** Reconciliation: a link is closed only when its alert was resolved at least this long ago. */
	resolveGraceMinutes: 5,
	reconcileEveryMinutes: 15,
	cleanupAtHour: 3,
	table: 'halo_datto_mapping',
} as const;

export const DATTO_CLOSE_NOTE = 'The Datto RMM alert was resolved. Closed by n8n.';
export const RECONCILE_CLOSE_NOTE =
	'The Datto RMM alert was resolved (found by the reconciliation; no resolved webhook arrived). Closed by n8n.';

export const SEED_CSV =
	'key,value\n' +
	'replace-with-a-datto-site-uid,"{""clientId"": 12, ""name"": ""Contoso Ltd""}"\n' +
	'Fabrikam Inc,"{""clientId"": 13, ""siteId"": 36}"\n';

// ---------------------------------------------------------------------------------------------------------------
// Workflow JSON shapes

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface WorkflowNode {
	id: string;
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: { [key: string]: Json };
	credentials?: { [type: string]: { id: string; name: string } };
	webhookId?: string;
	onError?: 'continueRegularOutput' | 'continueErrorOutput' | 'stopWorkflow';
	/** n8n's "Execute Once": the node runs for the first input item only (its expressions may read all of them). */
	executeOnce?: boolean;
	notes?: string;
	notesInFlow?: boolean;
	/** n8n's "Deactivate": never set in shipped workflows (test transforms use it). */
	disabled?: boolean;
}

export interface Connection {
	node: string;
	type: 'main';
	index: number;
}

export interface WorkflowJson {
	id: string;
	name: string;
	active: false;
	nodes: WorkflowNode[];
	connections: { [from: string]: { main: Connection[][] } };
	settings: { executionOrder: 'v1' };
	pinData: Record<string, never>;
	meta: { templateCredsSetupCompleted: boolean };
	tags: never[];
}

export type Variant = 'static' | 'postgres';

/** A stable UUID (version-5 layout) from text: node ids and webhook ids never change between builds. */
export function stableUuid(text: string): string {
	const h = createHash('sha1').update(`n8n-nodes-halo-datto:${text}`).digest('hex');
	const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
	return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const COL = 260;
const ROW = 180;

export class WorkflowBuilder {
	readonly nodes: WorkflowNode[] = [];
	readonly connections: WorkflowJson['connections'] = {};

	constructor(
		readonly id: string,
		readonly name: string,
		readonly variant: Variant,
	) {}

	add(node: Omit<WorkflowNode, 'id'>): string {
		if (this.nodes.some((n) => n.name === node.name)) throw new Error(`duplicate node name "${node.name}" in ${this.id}`);
		this.nodes.push({ id: stableUuid(`${this.id}/node/${node.name}`), ...node });
		return node.name;
	}

	/** Connects `from` (output `output`) to `to` (input 0). */
	connect(from: string, to: string, output = 0): void {
		const entry = (this.connections[from] ??= { main: [] });
		while (entry.main.length <= output) entry.main.push([]);
		entry.main[output].push({ node: to, type: 'main', index: 0 });
	}

	chain(...names: string[]): void {
		for (let i = 1; i < names.length; i++) this.connect(names[i - 1], names[i]);
	}

	sticky(name: string, content: string, position: [number, number], size: [number, number], color: number): void {
		this.add({
			name,
			type: NODE_TYPES.sticky,
			typeVersion: CORE_NODE_VERSIONS[NODE_TYPES.sticky],
			position,
			parameters: { content, width: size[0], height: size[1], color },
		});
	}

	/** A Mapping Store node on this workflow's backend. */
	store(
		name: string,
		at: [number, number],
		operation: string,
		collection: string,
		parameters: { [key: string]: Json },
	): string {
		const backend: { [key: string]: Json } =
			this.variant === 'postgres' ? { backend: 'postgres', table: SETTINGS.table } : { backend: 'staticData' };
		return this.add({
			name,
			type: NODE_TYPES.store,
			typeVersion: 1,
			position: at,
			parameters: { ...backend, collection, resource: 'record', operation, ...parameters },
			...(this.variant === 'postgres' ? { credentials: { mappingStorePostgresApi: { ...CREDENTIALS.mappingStorePostgresApi } } } : {}),
		});
	}

	json(): WorkflowJson {
		return {
			id: this.id,
			name: this.name,
			active: false,
			nodes: this.nodes,
			connections: this.connections,
			settings: { executionOrder: 'v1' },
			pinData: {},
			meta: { templateCredsSetupCompleted: false },
			tags: [],
		};
	}
}

// ---------------------------------------------------------------------------------------------------------------
// Conditions (IF 2.2 / Switch 3.2 filter parameters, filter version 2); condition ids derive from the node name

interface Condition {
	left: string;
	operator: { type: 'string' | 'boolean' | 'number'; operation: string; singleValue?: boolean };
	right?: Json;
}

function filter(owner: string, conditions: Condition[], combinator: 'and' | 'or' = 'and'): Json {
	return {
		options: { caseSensitive: true, leftValue: '', typeValidation: 'strict', version: 2 },
		conditions: conditions.map((c, i) => ({
			id: stableUuid(`${owner}/condition/${i}`),
			leftValue: c.left,
			rightValue: c.right ?? '',
			operator: c.operator,
		})),
		combinator,
	};
}

const isTrue = (left: string): Condition => ({ left, operator: { type: 'boolean', operation: 'true', singleValue: true } });
const isFalse = (left: string): Condition => ({ left, operator: { type: 'boolean', operation: 'false', singleValue: true } });
export const equals = (left: string, right: string): Condition => ({ left, right, operator: { type: 'string', operation: 'equals' } });

function ifNode(
	b: WorkflowBuilder,
	name: string,
	at: [number, number],
	conditions: Condition[],
	combinator: 'and' | 'or' = 'and',
): string {
	return b.add({
		name,
		type: NODE_TYPES.if,
		typeVersion: CORE_NODE_VERSIONS[NODE_TYPES.if],
		position: at,
		parameters: { conditions: filter(name, conditions, combinator), options: {} },
	});
}

export function switchNode(
	b: WorkflowBuilder,
	name: string,
	at: [number, number],
	rules: Array<{ output: string; conditions: Condition[] }>,
	fallback?: string,
): string {
	return b.add({
		name,
		type: NODE_TYPES.switch,
		typeVersion: CORE_NODE_VERSIONS[NODE_TYPES.switch],
		position: at,
		parameters: {
			rules: {
				values: rules.map((rule) => ({
					conditions: filter(`${name}/${rule.output}`, rule.conditions),
					renameOutput: true,
					outputKey: rule.output,
				})),
			},
			options: fallback ? { fallbackOutput: 'extra', renameFallbackOutput: fallback } : {},
		},
	});
}

function schedule(b: WorkflowBuilder, name: string, at: [number, number], interval: { [key: string]: Json }): string {
	return b.add({
		name,
		type: NODE_TYPES.schedule,
		typeVersion: CORE_NODE_VERSIONS[NODE_TYPES.schedule],
		position: at,
		parameters: { rule: { interval: [interval] } },
	});
}

function haloClose(b: WorkflowBuilder, name: string, at: [number, number], ticketId: string, note: string): string {
	return b.add({
		name,
		type: NODE_TYPES.halo,
		typeVersion: 1,
		position: at,
		parameters: {
			resource: 'ticket',
			operation: 'close',
			ticketId,
			note,
			// The tenant's own closed status and note outcome, looked up by name and cached (never a hard-coded id).
			closedStatus: 'auto',
			outcomeSource: 'auto',
			hiddenFromUser: true,
			sendEmail: false,
			options: {},
		},
		credentials: { haloPsaApi: { ...CREDENTIALS.haloPsaApi } },
	});
}

export const P = (origin: [number, number], col: number, row: number): [number, number] => [
	origin[0] + Math.round(col * COL),
	origin[1] + Math.round(row * ROW),
];

/** A Datto RMM action node on the workflow's Datto RMM API credential. */
export function dattoNode(
	b: WorkflowBuilder,
	name: string,
	at: [number, number],
	parameters: { [key: string]: Json },
	onError?: WorkflowNode['onError'],
): string {
	return b.add({
		name,
		type: NODE_TYPES.datto,
		typeVersion: 1,
		position: at,
		parameters,
		credentials: { dattoRmmApi: { ...CREDENTIALS.dattoRmmApi } },
		...(onError ? { onError } : {}),
	});
}

// ---------------------------------------------------------------------------------------------------------------
// Node names (tests and docs refer to them)

export const NODES = {
	dattoTrigger: 'Datto alert',
	eventSwitch: 'Triggered or resolved?',
	claim: 'Claim alert',
	firstDelivery: 'First delivery?',
	recordDuplicate: 'Record duplicate delivery',
	lookup: 'Look up Halo client',
	create: 'Create Halo ticket',
	saveAlertLink: 'Save alert link',
	saveTicketLink: 'Save ticket link',
	getAlertLink: 'Get alert link',
	linkState: 'Link state',
	close: 'Close Halo ticket',
	markAlertClosed: 'Mark alert link closed',
	markTicketClosed: 'Mark ticket link closed',
	recordUnknown: 'Record unknown alert',
	nothingToDo: 'Already closed or still pending',
	seedTrigger: 'Seed site table (run manually)',
	seedImport: 'Import site → client table',
	haloTrigger: 'Halo ticket closed',
	getTicketLink: 'Get ticket link',
	linkedOpen: 'Linked and open?',
	markAlertClosedByHalo: 'Mark alert link closed by Halo',
	markTicketClosedByHalo: 'Mark ticket link closed by Halo',
	resolveDatto: 'Resolve Datto alert',
	recordResolveFailure: 'Record failed Datto resolve',
	cleanupSchedule: 'Every day at 03:00',
	purgeAlerts: 'Purge closed alert links',
	purgeTickets: 'Purge closed ticket links',
	listUnknown: 'List unknown alerts',
	expireUnknown: 'Close unknown alert records',
	reconcileSchedule: 'Every 15 minutes',
	openDattoAlerts: 'Get open Datto alerts',
	findLink: 'Find alert link',
	withoutLink: 'No link or stale claim?',
	listOpenLinks: 'List open alert links',
	getDattoAlert: 'Get Datto alert',
	resolvedInDatto: 'Resolved in Datto?',
	closeReconciled: 'Close reconciled ticket',
	markAlertReconciled: 'Mark alert link closed (reconciled)',
	markTicketReconciled: 'Mark ticket link closed (reconciled)',
	listFailedResolves: 'List failed Datto resolves',
	retryResolve: 'Retry Datto resolve',
	markResolveRetried: 'Mark failed resolve done',
	listOpenTicketLinks: 'List open ticket links',
	getClosedTickets: 'Get tickets closed in Halo',
	getClosedTicketLink: 'Get ticket link (closed in Halo)',
	closedInHalo: 'Closed in Halo, link open?',
	markAlertClosedInHalo: 'Mark alert link closed (closed in Halo)',
	markTicketClosedInHalo: 'Mark ticket link closed (closed in Halo)',
	resolveClosedInHalo: 'Resolve Datto alert (closed in Halo)',
	recordClosedInHaloFailure: 'Record failed Datto resolve (closed in Halo)',
} as const;

// ---------------------------------------------------------------------------------------------------------------
// Sections

const SETTINGS_NOTE = (variant: Variant): string =>
	`## After import\n` +
	`1. **Credentials**: HaloPSA account, Datto RMM account, Datto RMM webhook secret, HaloPSA webhook auth` +
	(variant === 'postgres' ? ', Mapping store Postgres (every Mapping Store node; table `${SETTINGS.table}`)' : '') +
	`.\n` +
	`2. **Catch-all client**: *${NODES.create}* → Fallback Client (${SETTINGS.catchAllClientId} here). Nothing else to map: sites find their Halo client/site through Halo's Datto RMM integration (datto_id), else a unique client name (docs/mapping.md).\n` +
	`3. **Closed status and outcome**: Auto (the tenant's "Closed" status and note outcome, looked up by name and cached); pick them in *${NODES.close}* and *${NODES.closeReconciled}* only to override.\n` +
	`4. **Priorities**: *${NODES.create}* → Priority Map (your Halo priority ids).\n` +
	`5. **Site → client table** (optional override): see "Seed the site → client table".\n` +
	`6. Schedules and the purge age if wanted. Publish, then paste the Datto RMM Trigger's production URL with \`?secret=…\` into Datto (both bodies) and nothing into Halo: the HaloPSA Trigger registers its webhook in Halo on publish (API application with the admin scope; else the manual steps in its notice).\n` +
	`Details: README.md#shipped-workflows.`;

// Pieces every shipped workflow has (the plain workflows' sections and the policy workflow use the same ones).

/** The Datto RMM Trigger: triggered and resolved alerts, enriched when a field is missing, resolves verified. */
function dattoAlertTrigger(b: WorkflowBuilder, at: [number, number]): string {
	return b.add({
		name: NODES.dattoTrigger,
		type: NODE_TYPES.dattoTrigger,
		typeVersion: 1,
		position: at,
		webhookId: stableUuid(`${b.id}/webhook/${NODES.dattoTrigger}`),
		parameters: {
			events: 'both',
			enrich: 'whenMissing',
			respond: 'onReceived',
			// Verify resolves (docs/security.md#integrity): a resolved delivery Datto does not confirm closes nothing.
			triggerOptions: { verifyResolved: true },
			options: { binaryData: true },
		},
		credentials: {
			dattoRmmWebhookApi: { ...CREDENTIALS.dattoRmmWebhookApi },
			dattoRmmApi: { ...CREDENTIALS.dattoRmmApi },
		},
	});
}

/**
 * The HaloPSA Trigger for closed tickets (version 2, registers its webhook in Halo on publish); closes made by this
 * integration (its marker) are dropped.
 */
function haloClosedTrigger(b: WorkflowBuilder, at: [number, number]): string {
	return b.add({
		name: NODES.haloTrigger,
		type: NODE_TYPES.haloTrigger,
		typeVersion: HALO_TRIGGER_VERSION,
		position: at,
		webhookId: stableUuid(`${b.id}/webhook/${NODES.haloTrigger}`),
		parameters: { ...HALO_TRIGGER_PARAMETERS },
		credentials: { haloPsaWebhookApi: { ...CREDENTIALS.haloPsaWebhookApi }, haloPsaApi: { ...CREDENTIALS.haloPsaApi } },
	});
}

/** The optional site → client override: `sites` by site UID, then name; no row → the automatic mapping. */
function siteLookup(b: WorkflowBuilder, at: [number, number]): string {
	return b.store(NODES.lookup, at, 'lookup', 'sites', {
		lookupKey: '={{ $json.site.uid }}',
		lookupName: '={{ $json.site.name }}',
		// No fallback: a site without a row is mapped automatically through Halo (the table is an override).
		fallbackValue: '',
		output: 'inputWithResult',
		resultField: 'client',
	});
}

/**
 * A manual trigger and a Mapping Store CSV import into `collection` connected to it, on one row (`row`) of a section:
 * the seed steps. Returns the import node's name.
 */
export function manualCsvImport(
	b: WorkflowBuilder,
	origin: [number, number],
	row: number,
	names: { trigger: string; import: string },
	collection: string,
	csv: string,
	reason: string,
): string {
	b.add({
		name: names.trigger,
		type: NODE_TYPES.manual,
		typeVersion: CORE_NODE_VERSIONS[NODE_TYPES.manual],
		position: P(origin, 0, row),
		parameters: {},
	});
	b.store(names.import, P(origin, 1.2, row), 'import', collection, { format: 'csv', csv, history: { event: 'seeded', reason } });
	b.connect(names.trigger, names.import);
	return names.import;
}

/**
 * The seed section's manual trigger and the import of the site → client CSV. First in the node list of a workflow:
 * `n8n execute --id=…` starts from the first Manual/Schedule Trigger.
 */
function seedSites(b: WorkflowBuilder, origin: [number, number]): string {
	const names = { trigger: NODES.seedTrigger, import: NODES.seedImport };
	return manualCsvImport(b, origin, 0.3, names, 'sites', SEED_CSV, 'Imported by the seed step');
}

function reconcileSchedule(b: WorkflowBuilder, at: [number, number]): string {
	return schedule(b, NODES.reconcileSchedule, at, {
		field: 'minutes',
		minutesInterval: SETTINGS.reconcileEveryMinutes,
	});
}

function dailyCleanupSchedule(b: WorkflowBuilder, at: [number, number]): string {
	return schedule(b, NODES.cleanupSchedule, at, {
		field: 'days',
		daysInterval: 1,
		triggerAtHour: SETTINGS.cleanupAtHour,
		triggerAtMinute: 0,
	});
}

/** Every `open` record of `alerts` (the reconciliation's check of resolved alerts). */
function listOpenAlertRecords(b: WorkflowBuilder, name: string, at: [number, number]): string {
	return b.store(name, at, 'list', 'alerts', { returnAll: true, filters: { status: 'open' } });
}

/** The Datto alert of each listed record (`key`), `output` as the section needs it; a failed read goes on. */
function getDattoAlert(b: WorkflowBuilder, at: [number, number], output: { [key: string]: Json }): string {
	return dattoNode(b, NODES.getDattoAlert, at, { resource: 'alert', operation: 'get', alertUid: '={{ $json.key }}', ...output }, 'continueRegularOutput');
}

/** Every open alert of the Datto account (the reconciliation's search for lost webhooks). */
function openDattoAlerts(b: WorkflowBuilder, at: [number, number]): string {
	return dattoNode(b, NODES.openDattoAlerts, at, {
		resource: 'alert',
		operation: 'getManyOpen',
		scope: 'account',
		returnAll: true,
		filters: {},
		output: 'normalised',
		options: {},
	});
}

/** The `alerts` record of each open Datto alert, into `known`. */
function findAlertRecord(b: WorkflowBuilder, name: string, at: [number, number]): string {
	return b.store(name, at, 'get', 'alerts', {
		key: '={{ $json.alertUid }}',
		output: 'inputWithResult',
		resultField: 'known',
	});
}

/**
 * After a ticket closed: its alert link (`alert.key`, result into `alertLink`) and then its ticket link
 * (`$json.ticketId`; result into `ticket.resultField` when given) are marked `closed`, recording who closed it.
 */
function markLinksClosed(
	b: WorkflowBuilder,
	alert: { name: string; at: [number, number]; key: string },
	ticket: { name: string; at: [number, number]; resultField?: string },
	close: { closedBy: string; event: string; alertReason: string; ticketReason: string },
): void {
	const mergeValue = `{"closedBy": "${close.closedBy}"}`;
	b.store(alert.name, alert.at, 'updateStatus', 'alerts', {
		key: alert.key,
		status: 'closed',
		mergeValue,
		history: { event: close.event, reason: close.alertReason },
		output: 'inputWithResult',
		resultField: 'alertLink',
	});
	b.store(ticket.name, ticket.at, 'updateStatus', 'tickets', {
		key: '={{ $json.ticketId }}',
		status: 'closed',
		mergeValue,
		history: { event: close.event, reason: close.ticketReason },
		...(ticket.resultField ? { output: 'inputWithResult', resultField: ticket.resultField } : {}),
	});
}

/** Section 1 + the seed section. Returns the name of the claim node (the entry of the create chain). */
export function lifecycleSection(b: WorkflowBuilder, origin: [number, number]): void {
	b.sticky(
		'Note: alert lifecycle',
		'## 1. Datto alert → Halo ticket (alert lifecycle)\n' +
			'**Triggered:** claim the alert UID in `alerts` (status `pending`; a claim still pending after ' +
			`${SETTINGS.reclaimAfterMinutes} min is taken over) → a duplicate delivery only adds a history entry, no second ticket → ` +
			'look up the Datto site in `sites` (an optional override: site UID, then site name) → ' +
			'create the ticket (1 Halo call) on the client/site/asset of the automatic mapping (`sites` row, else Halo\'s datto_id, else a unique client name, else the catch-all; cached index, no extra call) → save alert → ticket (status `open`) and ticket → alert.\n' +
			'**Resolved:** find the link. Open: close the ticket with a note and the closed status in ONE Halo call, mark both ' +
			'links `closed`. Unknown alert: recorded with status `unknown`, no error. Already closed (e.g. closed in Halo) or ' +
			'still pending: nothing to do.',
		P(origin, -0.4, -1.3),
		[Math.round(8.6 * COL), Math.round(6.1 * ROW)],
		7,
	);
	dattoAlertTrigger(b, P(origin, 0, 1.5));
	// The trigger emits only "triggered" and "resolved": the resolved ones Datto did not confirm (Confirm Resolved
	// Alerts With the API) end here, open, for the reconciliation; the other resolved ones take the fallback output.
	switchNode(
		b,
		NODES.eventSwitch,
		P(origin, 1, 1.5),
		[
			{ output: 'triggered', conditions: [equals('={{ $json.event }}', 'triggered')] },
			{ output: 'resolve not confirmed', conditions: [equals('={{ String($json.resolveConfirmed) }}', 'false')] },
		],
		'resolved',
	);
	b.connect(NODES.dattoTrigger, NODES.eventSwitch);

	createChain(b, origin);
	b.connect(NODES.eventSwitch, NODES.claim, 0);

	// Resolved
	b.store(NODES.getAlertLink, P(origin, 2, 3), 'get', 'alerts', {
		key: '={{ $json.alertUid }}',
		output: 'inputWithResult',
		resultField: 'link',
	});
	b.connect(NODES.eventSwitch, NODES.getAlertLink, 2);
	switchNode(
		b,
		NODES.linkState,
		P(origin, 3, 3),
		[
			{
				output: 'open',
				conditions: [
					equals('={{ $json.link.record?.status }}', 'open'),
					{ left: '={{ $json.link.record?.value?.ticketId }}', operator: { type: 'number', operation: 'exists', singleValue: true } },
				],
			},
			{ output: 'unknown alert', conditions: [isFalse('={{ $json.link.found }}')] },
		],
		'closed or pending',
	);
	b.connect(NODES.getAlertLink, NODES.linkState);
	haloClose(b, NODES.close, P(origin, 4, 2.5), '={{ $json.link.record.value.ticketId }}', DATTO_CLOSE_NOTE);
	markLinksClosed(
		b,
		{ name: NODES.markAlertClosed, at: P(origin, 5, 2.5), key: `={{ $('${NODES.getAlertLink}').item.json.alertUid }}` },
		{ name: NODES.markTicketClosed, at: P(origin, 6, 2.5) },
		{
			closedBy: 'datto',
			event: 'ticketClosed',
			alertReason: 'The Datto alert was resolved; the Halo ticket was closed',
			ticketReason: 'Closed because the Datto alert was resolved',
		},
	);
	b.connect(NODES.linkState, NODES.close, 0);
	b.chain(NODES.close, NODES.markAlertClosed, NODES.markTicketClosed);
	b.store(NODES.recordUnknown, P(origin, 4, 3.5), 'set', 'alerts', {
		key: '={{ $json.alertUid }}',
		value: '{}',
		mode: 'merge',
		status: 'unknown',
		history: { event: 'resolvedUnknown', reason: 'Resolved for an unknown alert (no ticket was linked to it)' },
	});
	b.connect(NODES.linkState, NODES.recordUnknown, 1);
	b.add({
		name: NODES.nothingToDo,
		type: NODE_TYPES.noOp,
		typeVersion: CORE_NODE_VERSIONS[NODE_TYPES.noOp],
		position: P(origin, 4, 4.5),
		parameters: {},
	});
	b.connect(NODES.linkState, NODES.nothingToDo, 2);
}

/**
 * The create chain shared by the webhook path and the reconciliation: claim → first delivery? → client lookup →
 * create ticket → save both links; a lost claim records the duplicate. Entry node: NODES.claim.
 */
function createChain(b: WorkflowBuilder, origin: [number, number]): void {
	b.store(NODES.claim, P(origin, 2, 0.5), 'claim', 'alerts', {
		key: '={{ $json.alertUid }}',
		value: '{}',
		status: 'pending',
		reclaimAfterMinutes: SETTINGS.reclaimAfterMinutes,
		pendingStatus: 'pending',
		history: { event: 'alertReceived', reason: 'Claimed for ticket creation' },
		output: 'inputWithResult',
		resultField: 'claim',
	});
	ifNode(b, NODES.firstDelivery, P(origin, 3, 0.5), [isTrue('={{ $json.claim.claimed }}')]);
	b.store(NODES.recordDuplicate, P(origin, 4, 1.2), 'set', 'alerts', {
		key: '={{ $json.alertUid }}',
		value: '{}',
		mode: 'merge',
		status: '',
		history: { event: 'duplicateDelivery', reason: 'Delivered again while already claimed: no second ticket' },
		// A repeat (Datto retry, reconciliation run) must not restart the stale-claim clock of a claim whose execution died.
		keepUpdatedAt: true,
	});
	siteLookup(b, P(origin, 4, 0));
	b.add({
		name: NODES.create,
		type: NODE_TYPES.halo,
		typeVersion: 1,
		position: P(origin, 5, 0),
		parameters: {
			resource: 'ticket',
			operation: 'createFromAlert',
			alertSource: 'field',
			alertField: '',
			clientMapping: 'auto',
			clientIdField: 'client.value.clientId',
			fallbackClientId: SETTINGS.catchAllClientId,
			siteIdField: 'client.value.siteId',
			priorityMap: SETTINGS.priorityMap,
			defaultPriorityId: SETTINGS.defaultPriorityId,
			externalRef: 'field',
			externalRefField: 'third_party_id_string',
			ticketFields: {},
			// A claim taken over from a run that died may already have its ticket: find it instead of creating a second.
			options: { findExisting: '={{ $json.claim.reclaimed === true }}' },
		},
		credentials: { haloPsaApi: { ...CREDENTIALS.haloPsaApi } },
	});
	b.store(NODES.saveAlertLink, P(origin, 6, 0), 'set', 'alerts', {
		key: '={{ $json.alertUid }}',
		value: '={{ { ticketId: $json.ticketId, clientId: $json.clientId, dedupeKey: $json.dedupeKey } }}',
		mode: 'merge',
		status: 'open',
		history: { event: 'ticketCreated', reason: 'Halo ticket created for the alert' },
		output: 'inputWithResult',
		resultField: 'link',
	});
	b.store(NODES.saveTicketLink, P(origin, 7, 0), 'set', 'tickets', {
		key: '={{ $json.ticketId }}',
		value: '={{ { alertUid: $json.alertUid } }}',
		mode: 'replace',
		status: 'open',
		history: { event: 'ticketCreated', reason: 'Created from a Datto RMM alert' },
	});
	b.connect(NODES.claim, NODES.firstDelivery);
	b.connect(NODES.firstDelivery, NODES.lookup, 0);
	b.connect(NODES.firstDelivery, NODES.recordDuplicate, 1);
	b.chain(NODES.lookup, NODES.create, NODES.saveAlertLink, NODES.saveTicketLink);
}

export function seedSection(b: WorkflowBuilder, origin: [number, number]): void {
	const how =
		b.variant === 'static'
			? `click *Execute workflow* on *${NODES.seedTrigger}* in the editor (the records are saved with the next production ` +
				`execution, at the latest the next reconciliation), or run \`n8n execute --id=${b.id}\` while n8n is stopped`
			: `click *Execute workflow* on *${NODES.seedTrigger}* in the editor, or run \`n8n execute --id=${b.id}\``;
	b.sticky(
		'Note: seed the site table',
		'## Seed the site → client table\n' +
			`Edit the CSV in *${NODES.seedImport}*: one row per Datto site, key = the Datto site UID (or the site name), ` +
			'value = `{"clientId": <Halo client id>}` (optionally `"siteId"`). Then ' +
			`${how}. Running it again updates the rows. Sites without a row get the catch-all client.`,
		P(origin, -0.4, -1.2),
		[Math.round(3.2 * COL), Math.round(2.6 * ROW)],
		5,
	);
	seedSites(b, origin);
}

export function haloClosedSection(b: WorkflowBuilder, origin: [number, number]): void {
	b.sticky(
		'Note: ticket closed in Halo',
		'## 2. Halo ticket closed → resolve the Datto alert\n' +
			'The Halo webhook the trigger registers on publish (events Closed and Ticket Status Changed) starts this. Closes made by this integration carry the marker ' +
			'[n8n-halo-datto] and are dropped by the trigger (Ignore Own Changes), so they never loop. For a ticket linked to an ' +
			'open alert both links are marked `closed` FIRST (so the resolved webhook Datto sends afterwards finds a closed ' +
			'link and does nothing), then the alert is resolved in Datto (Check First: already resolved is fine).',
		P(origin, -0.4, -1.3),
		[Math.round(6.6 * COL), Math.round(3.4 * ROW)],
		6,
	);
	haloClosedTrigger(b, P(origin, 0, 0.5));
	b.store(NODES.getTicketLink, P(origin, 1, 0.5), 'get', 'tickets', {
		key: '={{ $json.ticketId }}',
		output: 'inputWithResult',
		resultField: 'link',
	});
	ifNode(b, NODES.linkedOpen, P(origin, 2, 0.5), [equals('={{ $json.link.record?.status }}', 'open')]);
	markLinksClosed(
		b,
		{ name: NODES.markAlertClosedByHalo, at: P(origin, 3, 0.3), key: '={{ $json.link.record.value.alertUid }}' },
		{ name: NODES.markTicketClosedByHalo, at: P(origin, 4, 0.3), resultField: 'ticketLink' },
		{
			closedBy: 'halo',
			event: 'ticketClosedInHalo',
			alertReason: 'The Halo ticket was closed in Halo; resolving the Datto alert',
			ticketReason: 'Closed in Halo',
		},
	);
	dattoNode(
		b,
		NODES.resolveDatto,
		P(origin, 5, 0.3),
		{ resource: 'alert', operation: 'resolve', alertUid: '={{ $json.link.record.value.alertUid }}', options: { checkFirst: true } },
		'continueErrorOutput',
	);
	// A failed resolve (Datto down, 403 IP block, rate limit) lands in the failed-event list; the reconciliation retries it.
	b.store(NODES.recordResolveFailure, P(origin, 6, 0.9), 'set', 'failedEvents', {
		key: `={{ $('${NODES.getTicketLink}').item.json.link.record.value.alertUid }}`,
		value: '{"kind": "dattoResolve"}',
		mode: 'merge',
		status: 'open',
		history: { event: 'dattoResolveFailed', reason: 'Resolving the Datto alert after the Halo close failed; the reconciliation retries it' },
	});
	b.chain(NODES.haloTrigger, NODES.getTicketLink, NODES.linkedOpen);
	b.connect(NODES.linkedOpen, NODES.markAlertClosedByHalo, 0);
	b.chain(NODES.markAlertClosedByHalo, NODES.markTicketClosedByHalo, NODES.resolveDatto);
	b.connect(NODES.resolveDatto, NODES.recordResolveFailure, 1);
}

export function cleanupSection(b: WorkflowBuilder, origin: [number, number]): void {
	b.sticky(
		'Note: daily cleanup',
		'## 3. Daily cleanup\n' +
			`Deletes links that have been \`closed\` for more than ${SETTINGS.purgeAfterHours} hours (${SETTINGS.purgeAfterHours / 24} days; change it in both ` +
			'Purge nodes) from `alerts` and `tickets`. Records of alerts resolved without a known ticket (`unknown`) are ' +
			'closed here and purged one retention period later. Claims left `pending` are retried (taken over) by the next ' +
			'delivery or reconciliation, never purged.',
		P(origin, -0.4, -1.3),
		[Math.round(5.6 * COL), Math.round(2.8 * ROW)],
		4,
	);
	dailyCleanupSchedule(b, P(origin, 0, 0.3));
	b.store(NODES.purgeAlerts, P(origin, 1, 0.3), 'purge', 'alerts', { olderThanHours: SETTINGS.purgeAfterHours });
	b.store(NODES.purgeTickets, P(origin, 2, 0.3), 'purge', 'tickets', { olderThanHours: SETTINGS.purgeAfterHours });
	b.store(NODES.listUnknown, P(origin, 3, 0.3), 'list', 'alerts', { returnAll: true, filters: { status: 'unknown' } });
	b.store(NODES.expireUnknown, P(origin, 4, 0.3), 'updateStatus', 'alerts', {
		key: '={{ $json.key }}',
		status: 'closed',
		mergeValue: '{}',
		history: { event: 'expired', reason: 'Unknown alert record closed by the daily cleanup' },
	});
	b.chain(NODES.cleanupSchedule, NODES.purgeAlerts, NODES.purgeTickets, NODES.listUnknown, NODES.expireUnknown);
}

/**
 * Section 4. `chainOrigin`: where to place the create chain when this workflow has none (Postgres); in the static
 * workflow the "without link" branch joins the lifecycle's own chain.
 */
function reconcileSection(b: WorkflowBuilder, origin: [number, number], ownChain: boolean): void {
	b.sticky(
		'Note: reconciliation',
		`## 4. Reconciliation every ${SETTINGS.reconcileEveryMinutes} minutes\n` +
			'**A.** Open Datto alerts without a link (or whose claim is still `pending`, e.g. its execution failed while Halo ' +
			'was down) go through the same claim → client → ticket → link chain as the webhook ' +
			`(${ownChain ? 'a copy of it below' : 'the lifecycle section\'s own nodes'}; the claim makes it idempotent: a webhook and the reconciliation ` +
			`never both create a ticket, and a pending claim is taken over only after ${SETTINGS.reclaimAfterMinutes} minutes).\n` +
			'**B.** Open links whose Datto alert has been resolved for more than ' +
			`${SETTINGS.resolveGraceMinutes} minutes (the resolved webhook had its chance) get their ticket closed with a ` +
			'note. One Datto read per open link; a ticket is closed only when Datto says its alert is resolved, never because ' +
			'an alert is missing from a list.\n' +
			'**C.** Datto resolves that failed after a Halo close (flow 2 records them in `failedEvents`) are retried.\n' +
			'**D.** Tickets a technician closed in Halo while n8n could not take the Ticket Closed webhook (n8n or its ' +
			'database down; Halo does not send it again): ONE Halo request lists which tickets of the open ticket links are closed; ' +
			'each gets its links marked `closed` and its Datto alert resolved (Check First), as flow 2 would have done.',
		P(origin, -0.4, -1.3),
		[Math.round(11 * COL), Math.round((ownChain ? 7.0 : 5.4) * ROW)],
		3,
	);
	reconcileSchedule(b, P(origin, 0, 1));
	// B: close tickets whose alert was resolved without a webhook (listed first: it runs first in v1 order).
	listOpenAlertRecords(b, NODES.listOpenLinks, P(origin, 1, 0.2));
	getDattoAlert(b, P(origin, 2, 0.2), { output: 'raw' });
	ifNode(b, NODES.resolvedInDatto, P(origin, 3, 0.2), [
		isTrue('={{ $json.resolved }}'),
		{
			left: '={{ $json.resolvedOn }}',
			right: `={{ $now.minus({ minutes: ${SETTINGS.resolveGraceMinutes} }).toMillis() }}`,
			operator: { type: 'number', operation: 'lt' },
		},
	]);
	haloClose(
		b,
		NODES.closeReconciled,
		P(origin, 4, 0.2),
		`={{ $('${NODES.listOpenLinks}').item.json.value.ticketId }}`,
		RECONCILE_CLOSE_NOTE,
	);
	markLinksClosed(
		b,
		{ name: NODES.markAlertReconciled, at: P(origin, 5, 0.2), key: `={{ $('${NODES.listOpenLinks}').item.json.key }}` },
		{ name: NODES.markTicketReconciled, at: P(origin, 6, 0.2) },
		{
			closedBy: 'reconciliation',
			event: 'ticketClosed',
			alertReason: 'The reconciliation found the Datto alert resolved; the Halo ticket was closed',
			ticketReason: 'Closed by the reconciliation (alert resolved in Datto)',
		},
	);
	b.connect(NODES.reconcileSchedule, NODES.listOpenLinks);
	b.chain(NODES.listOpenLinks, NODES.getDattoAlert, NODES.resolvedInDatto);

	// C: Datto resolves that failed after a Halo close (flow 2) are retried; a retry that fails again stays listed.
	b.store(NODES.listFailedResolves, P(origin, 1, -0.8), 'list', 'failedEvents', { returnAll: true, filters: { status: 'open' } });
	dattoNode(
		b,
		NODES.retryResolve,
		P(origin, 2, -0.8),
		{ resource: 'alert', operation: 'resolve', alertUid: '={{ $json.key }}', options: { checkFirst: true } },
		'continueErrorOutput',
	);
	b.store(NODES.markResolveRetried, P(origin, 3, -0.8), 'updateStatus', 'failedEvents', {
		key: `={{ $('${NODES.listFailedResolves}').item.json.key }}`,
		status: 'closed',
		mergeValue: '{}',
		history: { event: 'dattoResolveRetried', reason: 'The reconciliation resolved the Datto alert' },
	});
	b.connect(NODES.reconcileSchedule, NODES.listFailedResolves);
	b.chain(NODES.listFailedResolves, NODES.retryResolve, NODES.markResolveRetried);
	b.connect(NODES.resolvedInDatto, NODES.closeReconciled, 0);
	b.chain(NODES.closeReconciled, NODES.markAlertReconciled, NODES.markTicketReconciled);

	// D: open ticket links whose ticket a technician closed in Halo while the Ticket Closed webhook could not be taken
	// (n8n down, its database down, the execution cut off): Halo does not send it again. ONE Halo request (Execute Once)
	// for all of them, closed ones only; then the same steps as flow 2 for each. The ticket links, not the alert links:
	// a flow 2 cut off after its first write leaves the alert link closed and the ticket link open.
	b.store(NODES.listOpenTicketLinks, P(origin, 3, 1.0), 'list', 'tickets', { returnAll: true, filters: { status: 'open' } });
	b.add({
		name: NODES.getClosedTickets,
		type: NODE_TYPES.halo,
		typeVersion: 1,
		position: P(origin, 4, 1.0),
		executeOnce: true,
		parameters: {
			resource: 'ticket',
			operation: 'getMany',
			returnAll: true,
			filters: { state: 'closed', ticketIds: `={{ $input.all().map((l) => l.json.key).join() }}` },
		},
		credentials: { haloPsaApi: { ...CREDENTIALS.haloPsaApi } },
	});
	b.store(NODES.getClosedTicketLink, P(origin, 5, 1.0), 'get', 'tickets', {
		key: '={{ $json.id }}',
		output: 'inputWithResult',
		resultField: 'link',
	});
	// Halo's own closed flag as well as the closed-only request, and a link still open (flow 2 may have been faster).
	ifNode(b, NODES.closedInHalo, P(origin, 6, 1.0), [isTrue(`={{ $json.hasbeenclosed === true && $json.link.record?.status === 'open' }}`)]);
	b.store(NODES.markAlertClosedInHalo, P(origin, 7, 1.0), 'updateStatus', 'alerts', {
		key: '={{ $json.link.record.value.alertUid }}',
		status: 'closed',
		mergeValue: '{"closedBy": "halo"}',
		history: { event: 'ticketClosedInHalo', reason: 'The reconciliation found the Halo ticket closed; resolving the Datto alert' },
		output: 'inputWithResult',
		resultField: 'alertLink',
	});
	b.store(NODES.markTicketClosedInHalo, P(origin, 8, 1.0), 'updateStatus', 'tickets', {
		key: '={{ $json.id }}',
		status: 'closed',
		mergeValue: '{"closedBy": "halo"}',
		history: { event: 'ticketClosedInHalo', reason: 'Closed in Halo (found by the reconciliation)' },
		output: 'inputWithResult',
		resultField: 'ticketLink',
	});
	b.add({
		name: NODES.resolveClosedInHalo,
		type: NODE_TYPES.datto,
		typeVersion: 1,
		position: P(origin, 9, 1.0),
		parameters: { resource: 'alert', operation: 'resolve', alertUid: '={{ $json.link.record.value.alertUid }}', options: { checkFirst: true } },
		credentials: { dattoRmmApi: { ...CREDENTIALS.dattoRmmApi } },
		onError: 'continueErrorOutput',
	});
	b.store(NODES.recordClosedInHaloFailure, P(origin, 10, 1.3), 'set', 'failedEvents', {
		key: `={{ $('${NODES.getClosedTicketLink}').item.json.link.record.value.alertUid }}`,
		value: '{"kind": "dattoResolve"}',
		mode: 'merge',
		status: 'open',
		history: { event: 'dattoResolveFailed', reason: 'Resolving the Datto alert of a ticket closed in Halo failed; the reconciliation retries it' },
	});
	b.connect(NODES.reconcileSchedule, NODES.listOpenTicketLinks);
	b.chain(NODES.listOpenTicketLinks, NODES.getClosedTickets, NODES.getClosedTicketLink, NODES.closedInHalo);
	b.connect(NODES.closedInHalo, NODES.markAlertClosedInHalo, 0);
	b.chain(NODES.markAlertClosedInHalo, NODES.markTicketClosedInHalo, NODES.resolveClosedInHalo);
	b.connect(NODES.resolveClosedInHalo, NODES.recordClosedInHaloFailure, 1);

	// A: open alerts without a link → the create chain.
	openDattoAlerts(b, P(origin, 1, 1.8));
	findAlertRecord(b, NODES.findLink, P(origin, 2, 1.8));
	// No record yet, or a claim still `pending` (its execution may have died): the claim decides (a pending claim younger
	// than the reclaim time loses and is only noted; an older one is taken over and the ticket created).
	ifNode(
		b,
		NODES.withoutLink,
		P(origin, 3, 1.8),
		[isFalse('={{ $json.known.found }}'), equals('={{ $json.known.record?.status }}', 'pending')],
		'or',
	);
	b.connect(NODES.reconcileSchedule, NODES.openDattoAlerts);
	b.chain(NODES.openDattoAlerts, NODES.findLink, NODES.withoutLink);
	if (ownChain) createChain(b, P(origin, 2, 2.8));
	b.connect(NODES.withoutLink, NODES.claim, 0);
}

// ---------------------------------------------------------------------------------------------------------------
// The policy variant: the all-in-one static-data workflow on the Datto-Halo Sync Policy node
// (workflows/datto-halo-sync-policies.json; README.md#sync-policies-and-the-datto-halo-sync-policy-node, "The shipped policy workflow")

/** Settings of the policy workflow that users change after import (its sticky notes and README.md#sync-policies-and-the-datto-halo-sync-policy-node name them). */
export const POLICY_SETTINGS = {
	/** Catch-all Halo client of tickets whose alert no rule maps (closed and reopen statuses and the outcome are the tenant's, by name). */
	fallbackClientId: SETTINGS.catchAllClientId,
	/** Halo client of the health alarm ticket: the MSP's own client. */
	alarmClientId: 1,
	/**
	 * Reconciliation A: an open Datto alert the policies never saw is decided only when it is at least this old, so that
	 * its triggered webhook had its chance (the API's alert shape has another dedupe key than the webhook's, so a
	 * reconciliation that raced a webhook in flight would open a ticket beside the flap dedupe).
	 */
	reconcileAfterMinutes: 5,
	/** Process Due runs this often: grace closes and window ends happen at most this late. */
	processDueEveryMinutes: 1,
	/** Alarm when no Datto webhook reached the policies for this many hours. */
	maxHoursWithoutWebhook: 6,
	/** Failed events replayed per hourly run. */
	replayLimit: 50,
	/** Closed alert, ticket and condition records and replayed failed events are purged after this many hours (3 days; must stay above the reopen window + 1 day). */
	purgeAfterHours: 72,
} as const;

/**
 * Policy Settings of every deciding Sync Policy node: the engine's defaults (DEFAULT_POLICY_CONFIG; the unit test
 * checks they match), written out so that the editor shows each policy and its setting without "Add option".
 */
export const POLICY_DEFAULTS = {
	// In the order n8n keeps a collection's values (its options' order), so the JSON is what the editor saves.
	businessHours: true,
	outsideHours: 'defer',
	closeRules: true,
	flapDedupe: true,
	foldMinutes: 10,
	graceClose: true,
	graceMinutes: 5,
	maintenance: true,
	reopenWindow: true,
	reopenHours: 24,
	storm: true,
	stormAttachAs: 'note',
	stormThreshold: 5,
	stormWindowMinutes: 10,
	technicianCheck: 'haloApi',
} as const;

/** An example maintenance window for the seed step: disabled (status other than "open") until the user edits it. */
export const EXAMPLE_WINDOWS_JSON = JSON.stringify(
	[
		{
			key: 'example-patch-night',
			status: 'disabled',
			value: {
				id: 'example-patch-night',
				name: 'Patch night (example: set the site, then status "open")',
				scope: { level: 'site', id: 'replace-with-a-datto-site-uid' },
				kind: 'weekly',
				days: ['tue'],
				startTime: '22:00',
				endTime: '02:00',
				timeZone: 'Europe/Berlin',
			},
		},
	],
	null,
	2,
);

/** Node names of the policy workflow (tests and docs refer to them). Shared names are the plain workflow's. */
export const POLICY_NODES = {
	seedTrigger: NODES.seedTrigger,
	seedImport: NODES.seedImport,
	seedWindows: 'Import maintenance windows',
	dattoTrigger: NODES.dattoTrigger,
	lookup: NODES.lookup,
	decide: 'Apply sync policies',
	outNew: 'New ticket',
	outNote: 'Note on the open ticket',
	outReopen: 'Ticket reopened',
	outClose: 'Ticket closed',
	outSuppress: 'Suppressed (maintenance window)',
	outStorm: 'Site storm (parent ticket)',
	outDefer: 'Deferred (grace or business hours)',
	processSchedule: 'Every minute',
	processDue: 'Process due closes and windows',
	dueClosed: 'Closed after the grace period',
	dueReleased: 'Processed after the window',
	haloTrigger: NODES.haloTrigger,
	haloDecide: 'Apply policies to the Halo close',
	haloClosed: 'Closed by a technician',
	reconcileSchedule: NODES.reconcileSchedule,
	openDattoAlerts: NODES.openDattoAlerts,
	findRecord: 'Find alert record',
	noRecord: 'Unknown and older than 5 minutes?',
	listOpen: 'List open alert records',
	getDattoAlert: NODES.getDattoAlert,
	resolvedInDatto: NODES.resolvedInDatto,
	cleanupSchedule: NODES.cleanupSchedule,
	purgeAlerts: 'Purge closed alert records',
	purgeTickets: 'Purge closed ticket records',
	purgeConditions: 'Purge closed condition records',
	purgeFailed: 'Purge replayed failed events',
	healthSchedule: 'Every hour',
	replay: 'Replay failed events',
	health: 'Check sync health',
	alarmTicket: 'Create alarm ticket in Halo',
} as const;

/** The Sync Policy nodes that decide (and write): they must share Policy Settings and HaloPSA Ticket Options. */
export const POLICY_DECIDING_NODES = [POLICY_NODES.decide, POLICY_NODES.processDue, POLICY_NODES.haloDecide, POLICY_NODES.replay] as const;

/** Closed/reopen status and outcome are left empty: the tenant's own, chosen by name and cached. */
const POLICY_HALO_OPTIONS: { [key: string]: Json } = {
	automaticMapping: true,
	defaultPriorityId: SETTINGS.defaultPriorityId,
	priorityMap: SETTINGS.priorityMap,
};

function syncPolicyNode(
	b: WorkflowBuilder,
	name: string,
	at: [number, number],
	operation: 'decide' | 'processDue' | 'replayFailed' | 'explain' | 'health',
	parameters: { [key: string]: Json },
	options: { resolveDatto?: boolean; onError?: WorkflowNode['onError'] } = {},
): string {
	const deciding = operation === 'decide' || operation === 'processDue' || operation === 'replayFailed';
	const credentials: NonNullable<WorkflowNode['credentials']> = {};
	if (deciding) credentials.haloPsaApi = { ...CREDENTIALS.haloPsaApi };
	if (deciding && options.resolveDatto) credentials.dattoRmmApi = { ...CREDENTIALS.dattoRmmApi };
	return b.add({
		name,
		type: NODE_TYPES.syncPolicy,
		typeVersion: 1,
		position: at,
		parameters: {
			operation,
			backend: 'staticData',
			dryRun: false,
			...parameters,
			...(deciding
				? {
						fallbackClientId: POLICY_SETTINGS.fallbackClientId,
						resolveDattoAlerts: options.resolveDatto ?? false,
						policySettings: { ...POLICY_DEFAULTS },
						haloOptions: { ...POLICY_HALO_OPTIONS },
					}
				: {}),
		},
		...(Object.keys(credentials).length ? { credentials } : {}),
		...(options.onError ? { onError: options.onError } : {}),
	});
}

export function noOp(b: WorkflowBuilder, name: string, at: [number, number]): string {
	return b.add({ name, type: NODE_TYPES.noOp, typeVersion: CORE_NODE_VERSIONS[NODE_TYPES.noOp], position: at, parameters: {} });
}

/** Output index of a decision on the deciding operations (the node's order: create, note, reopen, close, suppress, ignore, correlate, defer). */
export const DECISION_OUTPUT = { create: 0, note: 1, reopen: 2, close: 3, suppress: 4, ignore: 5, correlate: 6, defer: 7 } as const;

const POLICY_SETTINGS_NOTE =
	'## After import\n' +
	'1. **Credentials**: HaloPSA account, Datto RMM account, Datto RMM webhook secret, HaloPSA webhook auth.\n' +
	`2. **Catch-all client**: Fallback Client in the four deciding Sync Policy nodes ` +
	`(*${POLICY_NODES.decide}*, *${POLICY_NODES.processDue}*, *${POLICY_NODES.haloDecide}*, *${POLICY_NODES.replay}*). ` +
	"Sites map themselves through Halo's datto_id (else a unique client name); the `sites` table is an optional override (docs/mapping.md).\n" +
	'3. **Statuses, outcome, priorities**: Closed/Reopen Status and Outcome are the tenant\'s own (by name, cached); set them in the ' +
	'same four nodes → HaloPSA Ticket Options only to override. Priority Map: your Halo priority ids.\n' +
	'4. **Policy Settings**: the defaults are on; change them in all four nodes alike (see "The policies").\n' +
	'5. **Site → client table, maintenance windows**: see "Seed".\n' +
	`6. **Health alarm**: *${POLICY_NODES.alarmTicket}* → Client = your own client.\n` +
	'7. Publish, then paste the Datto RMM Trigger\'s production URL with `?secret=…` into Datto (both bodies); the HaloPSA ' +
	'Trigger registers its own webhook in Halo on publish (API application with the admin scope; else the manual steps in its notice).\n' +
	'**Try it first without writing**: switch on Dry Run in every Sync Policy node (and deactivate ' +
	`*${POLICY_NODES.alarmTicket}*): the executions and Explain show what would have happened. Details: README.md#sync-policies-and-the-datto-halo-sync-policy-node.`;

function policyWorkflow(): WorkflowJson {
	const b = new WorkflowBuilder(WORKFLOW_IDS.policy, 'Datto RMM ⇄ HaloPSA sync with policies (all-in-one, static data)', 'static');
	const N = POLICY_NODES;
	b.sticky(
		'Note: about',
		'# Datto RMM ⇄ HaloPSA sync with policies\n' +
			'The all-in-one workflow on the **Datto-Halo Sync Policy** node: flap dedupe, reopen window, close rules, grace ' +
			'close, storm correlation, maintenance windows, business hours, a decision log and a health check. Sections: ' +
			'**1** alert → policies, **2** due closes and window ends (every minute), **3** ticket closed in Halo, ' +
			'**4** reconciliation, **5** daily cleanup, **6** health. One workflow because the static-data store is per ' +
			'workflow; ONE n8n instance in regular mode (queue mode: Backend = Postgres in every Mapping Store and Sync ' +
			'Policy node, one table). Use it **instead of** datto-halo-sync.json, never both on the same accounts.\n\n' +
			POLICY_SETTINGS_NOTE,
		[-1240, -1760],
		[900, 1020],
		1,
	);

	// Seed section first in the node list: `n8n execute --id=…` starts from the first Manual/Schedule Trigger.
	const seed: [number, number] = [-1100, 700];
	b.sticky(
		'Note: seed',
		'## Seed the site → client table and maintenance windows\n' +
			`*${N.seedImport}*: one CSV row per Datto site, key = the Datto site UID (or the site name), value = ` +
			'`{"clientId": <Halo client id>}`. Sites without a row get the catch-all client.\n' +
			`*${N.seedWindows}*: maintenance windows (collection \`windows\`, key = window id, status \`open\` = enabled), ` +
			'one-off (`"kind": "oneOff", "start", "end"`) or weekly (`"days", "startTime", "endTime"`), scope `client` (Halo ' +
			'client id), `site` (Datto site UID) or `device` (Datto device UID or hostname). The example is disabled. ' +
			'Business-hours calendars: the same way into collection `businessHours` (README.md#sync-policies-and-the-datto-halo-sync-policy-node).\n' +
			`Then click *Execute workflow* on *${N.seedTrigger}* (saved with the next production execution, at the latest ` +
			`the next *${N.processSchedule}* run), or run \`n8n execute --id=${b.id}\` while n8n is stopped. Rows are upserted.`,
		P(seed, -0.4, -1.6),
		[Math.round(3.9 * COL), Math.round(3.0 * ROW)],
		5,
	);
	seedSites(b, seed);
	b.store(N.seedWindows, P(seed, 2.4, 0.3), 'import', 'windows', {
		format: 'json',
		json: EXAMPLE_WINDOWS_JSON,
		history: { event: 'seeded', reason: 'Imported by the seed step' },
	});
	b.connect(N.seedImport, N.seedWindows);

	// 4. Reconciliation (above section 1: its branches join section 1's lookup and decide nodes).
	const recon: [number, number] = [0, -1420];
	b.sticky(
		'Note: reconciliation',
		`## 4. Reconciliation every ${SETTINGS.reconcileEveryMinutes} minutes\n` +
			`**A.** Open Datto alerts the policies never saw, raised more than ${POLICY_SETTINGS.reconcileAfterMinutes} minutes ago ` +
			`(the webhook got lost) → *${N.lookup}* → *${N.decide}*, as if the webhook had come. Alerts the policies know ` +
			'(also suppressed or deferred ones) are skipped; younger ones wait for their webhook (the API\'s alert has another ' +
			'dedupe key than the webhook\'s, so deciding it early could open a ticket beside a flapping condition\'s).\n' +
			'**B.** Alert records still `open` whose Datto alert is resolved (the resolved webhook got lost) → ' +
			`*${N.decide}* as a resolution: note, grace and close rules as usual. A late webhook or a second run is ` +
			'recognised and ignored. One Datto read per open alert.',
		P(recon, -0.4, -1.0),
		[Math.round(4.6 * COL), Math.round(3.9 * ROW)],
		3,
	);
	reconcileSchedule(b, P(recon, 0, 1));
	listOpenAlertRecords(b, N.listOpen, P(recon, 1, 0.2));
	getDattoAlert(b, P(recon, 2, 0.2), { output: 'normalised', options: {} });
	ifNode(b, N.resolvedInDatto, P(recon, 3, 0.2), [equals('={{ $json.event }}', 'resolved')]);
	openDattoAlerts(b, P(recon, 1, 1.8));
	findAlertRecord(b, N.findRecord, P(recon, 2, 1.8));
	ifNode(b, N.noRecord, P(recon, 3, 1.8), [
		isFalse('={{ $json.known.found }}'),
		{
			left: '={{ new Date($json.occurredAt).getTime() }}',
			right: `={{ $now.minus({ minutes: ${POLICY_SETTINGS.reconcileAfterMinutes} }).toMillis() }}`,
			operator: { type: 'number', operation: 'lt' },
		},
	]);
	b.connect(N.reconcileSchedule, N.listOpen);
	b.connect(N.reconcileSchedule, N.openDattoAlerts);
	b.chain(N.listOpen, N.getDattoAlert, N.resolvedInDatto);
	b.chain(N.openDattoAlerts, N.findRecord, N.noRecord);

	// 1. Datto alert → policies.
	const main: [number, number] = [0, 0];
	b.sticky(
		'Note: alert lifecycle',
		'## 1. Datto alert → sync policies → Halo\n' +
			`*${N.dattoTrigger}* (triggered and resolved) → *${N.lookup}* (the Halo client of the Datto site: \`sites\` by site ` +
			`UID, then name, else the catch-all client) → *${N.decide}*: decides per alert — new ticket, note on the open ` +
			'ticket, reopen, close after the grace period unless a technician touched it, suppress in maintenance windows, ' +
			'one parent ticket per site storm — **writes it to Halo itself** and records it (decision log).\n' +
			'**Outputs**: the work is done when an item leaves the node; the outputs are for extending (a chat message on ' +
			`*${N.outStorm}*, a page on a Critical *${N.outNew}*, a log of *${N.outSuppress}*) and for reading executions. ` +
			'`ignore` (duplicate deliveries, folded repeats, unknown resolutions) is left unconnected. Why a decision was ' +
			'taken: the item\'s `reason`, or the node\'s Explain operation.',
		P(main, -0.4, -1.55),
		[Math.round(5.0 * COL), Math.round(6.6 * ROW)],
		7,
	);
	dattoAlertTrigger(b, P(main, 0, 1));
	siteLookup(b, P(main, 1, 1));
	syncPolicyNode(b, N.decide, P(main, 2.2, 1), 'decide', { inputField: '', clientId: '={{ $json.client?.value?.clientId }}' });
	const outputs: Array<[string, keyof typeof DECISION_OUTPUT]> = [
		[N.outNew, 'create'],
		[N.outNote, 'note'],
		[N.outReopen, 'reopen'],
		[N.outClose, 'close'],
		[N.outSuppress, 'suppress'],
		[N.outStorm, 'correlate'],
		[N.outDefer, 'defer'],
	];
	outputs.forEach(([name, decision], i) => {
		noOp(b, name, P(main, 3.7, 1 + (i - 2) * 0.8));
		b.connect(N.decide, name, DECISION_OUTPUT[decision]);
	});
	b.chain(N.dattoTrigger, N.lookup, N.decide);
	b.connect(N.noRecord, N.lookup, 0);
	b.connect(N.resolvedInDatto, N.decide, 0);

	const d = POLICY_DEFAULTS;
	b.sticky(
		'Note: policies',
		'## The policies and their settings\n' +
			`Policy Settings of the four deciding Sync Policy nodes (*${N.decide}*, *${N.processDue}*, *${N.haloDecide}*, ` +
			`*${N.replay}*): keep them the same. Each policy can be switched off.\n` +
			`- **Flap dedupe** (on, fold ${d.foldMinutes} min): one open ticket per device + condition; a repeat adds a note ` +
			`with an occurrence counter; repeats within ${d.foldMinutes} min of the last note are counted into the next one.\n` +
			`- **Reopen window** (on, ${d.reopenHours} h): a recurrence up to ${d.reopenHours} h after the close reopens that ` +
			'ticket (Reopen Status) with a note instead of a new ticket.\n' +
			'- **Close rules** (on, Technician Check = HaloPSA API): a clearance always adds a note; the ticket closes only ' +
			'if no technician touched it since it was (re)opened (note, status change, reassignment); else it stays open.\n' +
			`- **Grace close** (on, ${d.graceMinutes} min): the close waits ${d.graceMinutes} min (section 2 does it); a ` +
			're-fire meanwhile cancels it: no close/reopen churn.\n' +
			`- **Storm correlation** (on, ${d.stormThreshold} devices within ${d.stormWindowMinutes} min, attach as note): ` +
			'a site going offline gets ONE parent ticket; the first tickets are linked to it, the rest become notes on it.\n' +
			'- **Maintenance windows** (on): alerts inside a window (collection `windows`, see "Seed") get no ticket; still ' +
			'open when the window ends → processed then.\n' +
			'- **Business hours** (on, outside hours: defer): only for clients with a calendar (collection ' +
			'`businessHours`): Low / Information alerts outside hours wait for the next opening.\n' +
			'- **Dry Run** (off): decide and record without writing to Halo or Datto.\n' +
			'- **Decision log** (always): every decision and its reason; the Explain operation returns the timeline.',
		P(main, 4.75, -1.55),
		[Math.round(3.6 * COL), Math.round(6.6 * ROW)],
		6,
	);

	// 2. Every minute: due closes and window ends.
	const due: [number, number] = [0, 1200];
	b.sticky(
		'Note: process due',
		'## 2. Every minute: due closes and window ends\n' +
			`*${N.processDue}* closes tickets whose grace period is over (close rules checked again: a ticket a technician ` +
			'touched meanwhile stays open, with a note) and processes alerts whose maintenance window ended or whose ' +
			'business hours began (still open → as if they had just fired; resolved meanwhile → nothing). Without this ' +
			'section grace closes and window ends never happen. Nothing waits in an execution: the due items are records.',
		P(due, -0.4, -1.05),
		[Math.round(4.4 * COL), Math.round(2.9 * ROW)],
		4,
	);
	schedule(b, N.processSchedule, P(due, 0, 0.3), { field: 'minutes', minutesInterval: POLICY_SETTINGS.processDueEveryMinutes });
	syncPolicyNode(b, N.processDue, P(due, 1.2, 0.3), 'processDue', {});
	noOp(b, N.dueClosed, P(due, 2.8, -0.1));
	noOp(b, N.dueReleased, P(due, 2.8, 0.7));
	b.connect(N.processSchedule, N.processDue);
	b.connect(N.processDue, N.dueClosed, DECISION_OUTPUT.close);
	b.connect(N.processDue, N.dueReleased, DECISION_OUTPUT.create);

	// 3. Ticket closed in Halo.
	const halo: [number, number] = [0, 1820];
	b.sticky(
		'Note: ticket closed in Halo',
		'## 3. Ticket closed in Halo → resolve the Datto alerts\n' +
			'The Halo webhook the trigger registers on publish (events Closed and Ticket Status Changed) starts this; closes made by this integration carry the marker ' +
			`[n8n-halo-datto] and are dropped by the trigger (Ignore Own Changes). *${N.haloDecide}* (Resolve Datto Alerts on) ` +
			'records the close (the reopen window starts, a pending grace close is cancelled) and resolves the ticket\'s ' +
			'open Datto alerts. Tickets the policies did not open are ignored.',
		P(halo, -0.4, -1.05),
		[Math.round(4.4 * COL), Math.round(2.9 * ROW)],
		6,
	);
	haloClosedTrigger(b, P(halo, 0, 0.3));
	syncPolicyNode(b, N.haloDecide, P(halo, 1.2, 0.3), 'decide', { inputField: '', clientId: '' }, { resolveDatto: true });
	noOp(b, N.haloClosed, P(halo, 2.8, 0.3));
	b.connect(N.haloTrigger, N.haloDecide);
	b.connect(N.haloDecide, N.haloClosed, DECISION_OUTPUT.close);

	// 5. Daily cleanup.
	const cleanup: [number, number] = [0, 2440];
	b.sticky(
		'Note: daily cleanup',
		'## 5. Daily cleanup\n' +
			`Deletes records \`closed\` for more than ${POLICY_SETTINGS.purgeAfterHours} hours (${POLICY_SETTINGS.purgeAfterHours / 24} days): resolved alerts, ` +
			'closed tickets and conditions (keep these longer than the reopen window + 1 day, or recurrences open new ' +
			'tickets), and replayed failed events. Open records, windows, calendars and `sites` are never touched.',
		P(cleanup, -0.4, -1.05),
		[Math.round(5.4 * COL), Math.round(2.3 * ROW)],
		4,
	);
	dailyCleanupSchedule(b, P(cleanup, 0, 0.3));
	b.store(N.purgeAlerts, P(cleanup, 1, 0.3), 'purge', 'alerts', { olderThanHours: POLICY_SETTINGS.purgeAfterHours });
	b.store(N.purgeTickets, P(cleanup, 2, 0.3), 'purge', 'tickets', { olderThanHours: POLICY_SETTINGS.purgeAfterHours });
	b.store(N.purgeConditions, P(cleanup, 3, 0.3), 'purge', 'conditions', { olderThanHours: POLICY_SETTINGS.purgeAfterHours });
	b.store(N.purgeFailed, P(cleanup, 4, 0.3), 'purge', 'failedEvents', { olderThanHours: POLICY_SETTINGS.purgeAfterHours });
	b.chain(N.cleanupSchedule, N.purgeAlerts, N.purgeTickets, N.purgeConditions, N.purgeFailed);

	// 6. Health.
	const health: [number, number] = [0, 3020];
	b.sticky(
		'Note: health',
		'## 6. Health check every hour\n' +
			`*${N.replay}* retries the events whose Halo or Datto writes failed (oldest first, ${POLICY_SETTINGS.replayLimit} ` +
			`per run). *${N.health}* raises the alarm when no Datto webhook reached the policies for ` +
			`${POLICY_SETTINGS.maxHoursWithoutWebhook} hours (or none ever did) or failed events still wait, once per incident: ` +
			`*${N.alarmTicket}* opens a Halo ticket for it (set Client to your own client), or wire \`alarm\` to a mail or ` +
			'chat node instead. `ok` is left unconnected.',
		P(health, -0.4, -1.05),
		[Math.round(4.4 * COL), Math.round(3.9 * ROW)],
		2,
	);
	schedule(b, N.healthSchedule, P(health, 0, 0.7), { field: 'hours', hoursInterval: 1 });
	// Above the health check: in v1 order it runs first, so the check reports what is still failing.
	syncPolicyNode(b, N.replay, P(health, 1.2, -0.3), 'replayFailed', { limit: POLICY_SETTINGS.replayLimit }, {
		resolveDatto: true,
		onError: 'continueRegularOutput',
	});
	syncPolicyNode(b, N.health, P(health, 1.2, 1.5), 'health', {
		maxHoursWithoutWebhook: POLICY_SETTINGS.maxHoursWithoutWebhook,
		alarmOnFailedEvents: true,
		alarmOncePerIncident: true,
		listFailed: 20,
	});
	b.add({
		name: N.alarmTicket,
		type: NODE_TYPES.halo,
		typeVersion: 1,
		position: P(health, 2.8, 1.4),
		parameters: {
			resource: 'ticket',
			operation: 'create',
			summary: '=n8n Datto sync: {{ $json.summary }}',
			clientId: POLICY_SETTINGS.alarmClientId,
			additionalFields: {
				details:
					'=The n8n Datto RMM → HaloPSA sync needs attention: {{ $json.summary }}. ' +
					'Last Datto webhook: {{ $json.datto.lastWebhookAt }}. Failed events: {{ $json.failedEvents.count }}.',
			},
		},
		credentials: { haloPsaApi: { ...CREDENTIALS.haloPsaApi } },
	});
	b.connect(N.healthSchedule, N.replay);
	b.connect(N.healthSchedule, N.health);
	b.connect(N.health, N.alarmTicket, 0);
	return b.json();
}

// ---------------------------------------------------------------------------------------------------------------
// Workflows

export interface BuiltWorkflow {
	/** Path relative to the package root. */
	file: string;
	workflow: WorkflowJson;
}

function staticWorkflow(): WorkflowJson {
	const b = new WorkflowBuilder(
		WORKFLOW_IDS.static,
		'Datto RMM ⇄ HaloPSA sync (all-in-one, static data)',
		'static',
	);
	b.sticky(
		'Note: about',
		'# Datto RMM ⇄ HaloPSA sync\n' +
			'Four flows in one workflow, because the Mapping Store\'s static-data backend keeps one store per workflow and ' +
			'the flows share the alert ↔ ticket links: **1** alert lifecycle, **2** ticket closed in Halo, **3** daily ' +
			'cleanup, **4** reconciliation. Works on ONE n8n instance in regular mode. For several n8n processes or queue ' +
			'mode use the Postgres workflows (workflows/postgres/).\n\n' +
			SETTINGS_NOTE('static'),
		[-1200, -1540],
		[860, 760],
		1,
	);
	// The seed section comes first in the node list: `n8n execute --id=…` starts from the first node that has a trigger
	// method in that order (Manual and Schedule Triggers have one, webhook triggers do not), whatever the CLI's docs say.
	seedSection(b, [-1100, 860]);
	// The reconciliation sits above the lifecycle: its "no link" branch joins the lifecycle's Claim alert just below.
	reconcileSection(b, [0, -1300], false);
	lifecycleSection(b, [0, 0]);
	haloClosedSection(b, [0, 1340]);
	cleanupSection(b, [0, 2200]);
	return b.json();
}

function postgresWorkflows(): BuiltWorkflow[] {
	const about = (what: string): string =>
		`# Datto RMM ⇄ HaloPSA sync (Postgres) — ${what}\n` +
		'One of four workflows sharing the Mapping Store\'s Postgres table (safe with several n8n processes and queue ' +
		'mode): alert lifecycle, ticket closed in Halo, daily cleanup, reconciliation. Import and publish all four.\n\n';

	const lifecycle = new WorkflowBuilder(
		WORKFLOW_IDS.pgLifecycle,
		'Datto RMM ⇄ HaloPSA: alert lifecycle (Postgres)',
		'postgres',
	);
	lifecycle.sticky('Note: about', about('alert lifecycle') + SETTINGS_NOTE('postgres'), [-1200, -240], [860, 800], 1);
	seedSection(lifecycle, [-1100, 860]); // first: see staticWorkflow()
	lifecycleSection(lifecycle, [0, 0]);

	const closed = new WorkflowBuilder(
		WORKFLOW_IDS.pgHaloClosed,
		'Datto RMM ⇄ HaloPSA: ticket closed in Halo (Postgres)',
		'postgres',
	);
	closed.sticky('Note: about', about('ticket closed in Halo'), [-1200, -240], [860, 300], 1);
	haloClosedSection(closed, [0, 0]);

	const cleanup = new WorkflowBuilder(WORKFLOW_IDS.pgCleanup, 'Datto RMM ⇄ HaloPSA: daily cleanup (Postgres)', 'postgres');
	cleanup.sticky('Note: about', about('daily cleanup'), [-1200, -240], [860, 300], 1);
	cleanupSection(cleanup, [0, 0]);

	const reconcile = new WorkflowBuilder(
		WORKFLOW_IDS.pgReconcile,
		'Datto RMM ⇄ HaloPSA: reconciliation (Postgres)',
		'postgres',
	);
	reconcile.sticky(
		'Note: about',
		about('reconciliation') +
			`Settings: *${NODES.create}* (catch-all client, priority map) and *${NODES.closeReconciled}* ` +
			'(closed status, outcome) must match the lifecycle workflow.',
		[-1200, -240],
		[860, 360],
		1,
	);
	reconcileSection(reconcile, [0, 0], true);

	return [
		{ file: 'workflows/postgres/1-alert-lifecycle.json', workflow: lifecycle.json() },
		{ file: 'workflows/postgres/2-halo-ticket-closed.json', workflow: closed.json() },
		{ file: 'workflows/postgres/3-daily-cleanup.json', workflow: cleanup.json() },
		{ file: 'workflows/postgres/4-reconciliation.json', workflow: reconcile.json() },
	];
}

/** Every shipped workflow with its file path. */
export function buildWorkflows(): BuiltWorkflow[] {
	return [
		{ file: 'workflows/datto-halo-sync.json', workflow: staticWorkflow() },
		...postgresWorkflows(),
		{ file: 'workflows/datto-halo-sync-policies.json', workflow: policyWorkflow() },
	];
}

/** The file content for a workflow: tab-indented JSON with a final newline. */
export function serialiseWorkflow(workflow: WorkflowJson): string {
	return `${JSON.stringify(workflow, null, '\t')}\n`;
}
