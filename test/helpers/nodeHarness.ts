/**
 * Node test harness: runs our nodes through n8n's real execution engine.
 *
 * `runNode()` builds a two-node workflow (harness input node -> node under test) with n8n-workflow's `Workflow`
 * and executes it with n8n-core's `WorkflowExecute.processRunExecutionData()`, the same entry point n8n's own
 * (unpublished) NodeTestHarness uses (packages/core/nodes-testing/node-test-harness.ts). Everything a node sees is
 * therefore n8n's: `ExecuteContext`, parameter resolution incl. expressions, `continueOnFail()`, `onError`
 * handling and the error output, automatic `pairedItem` assignment, credential checks, workflow static data.
 *
 * What is substituted, and why:
 * - `InstanceSettings`, `Logger` and `ErrorReporter` in n8n-core's DI container: the real ones read/write ~/.n8n and
 *   print to the console. The stub logger records entries (returned as `logs`).
 * - `ICredentialsHelper`: returns the decrypted credential data given to the harness (like n8n's test helper),
 *   filling defaults from `credentialTypes` when given; `authenticate` (function / generic `$credentials`
 *   expressions) and `preAuthentication` (expirable hidden field) follow n8n 2.41's CLI CredentialsHelper, so
 *   `this.helpers.httpRequestWithAuthentication` works as in n8n. Credential updates are returned.
 * - The start node: a trigger-group node with a `webhook` method and no `execute`, which WorkflowExecute runs as a
 *   pass-through of the items on the execution stack - exactly how a real webhook execution starts.
 *
 * Works on Node 20 even though n8n-core 2.41 declares engines node>=24 (verified: require + execute + webhook context).
 */
import path from 'node:path';
import os from 'node:os';

import { ErrorReporter, ExecutionLifecycleHooks, InstanceSettings, WorkflowExecute } from 'n8n-core';
import {
	ICredentialsHelper,
	NodeConnectionTypes,
	NodeHelpers,
	Workflow,
	createRunExecutionData,
	isExpression,
	isNodeClassInstance,
} from 'n8n-workflow';
import type {
	ExecutionStatus,
	ICredentialDataDecryptedObject,
	ICredentials,
	ICredentialType,
	IConnections,
	IDataObject,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INode,
	INodeCredentialsDetails,
	INodeExecutionData,
	INodeParameters,
	INodeProperties,
	INodeType,
	INodeTypes,
	IRequestOptionsSimplified,
	IRun,
	IRunData,
	IVersionedNodeType,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
	WorkflowExecuteMode,
} from 'n8n-workflow';

export type AnyNodeType = INodeType | IVersionedNodeType;

/* ------------------------------------------------------------------------------------------------------------ */
/* n8n-core environment                                                                                          */
/* ------------------------------------------------------------------------------------------------------------ */

export interface HarnessLogEntry {
	level: 'error' | 'warn' | 'info' | 'debug';
	message: string;
	meta?: unknown;
}

/** Log entries written through n8n-core's `Logger` (e.g. `this.logger` in a node) since the last `takeLogs()`. */
const logSink: HarnessLogEntry[] = [];

export function takeLogs(): HarnessLogEntry[] {
	return logSink.splice(0, logSink.length);
}

/**
 * n8n-core ships its own copy of @n8n/di (and @n8n/backend-common), so their singletons must be taken from
 * n8n-core's dependency tree, not from whatever `require('@n8n/di')` resolves to at the package root.
 * `require.resolve` with `paths` keeps loading inside jest's module registry (same instances as n8n-core's).
 */
function requireFromCore<T>(id: string): T {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	return require(require.resolve(id, { paths: [path.dirname(require.resolve('n8n-core'))] })) as T;
}

let coreReady = false;

export function ensureN8nCore(): void {
	if (coreReady) return;
	const { Container } = requireFromCore<typeof import('@n8n/di')>('@n8n/di');
	const { Logger } = requireFromCore<{ Logger: new (...args: never[]) => unknown }>('@n8n/backend-common');

	const n8nFolder = path.join(os.tmpdir(), 'n8n-nodes-halo-datto-harness');
	Container.set(InstanceSettings, {
		instanceId: 'harness-instance',
		hmacSignatureSecret: 'harness-hmac-secret',
		n8nFolder,
		staticCacheDir: path.join(n8nFolder, 'cache'),
		instanceType: 'main',
		instanceRole: 'leader',
		isLeader: true,
	} as unknown as InstanceSettings);

	const log = (level: HarnessLogEntry['level']) => (message: string, meta?: unknown) =>
		void logSink.push({ level, message, meta });
	const logger = {
		error: log('error'),
		warn: log('warn'),
		info: log('info'),
		debug: log('debug'),
		scoped: () => logger,
	};
	Container.set(Logger as never, logger as never);
	// ErrorReporter would log node errors to the console; n8n's error tracking is not what we test.
	Container.set(ErrorReporter, { error() {}, warn() {}, info() {} } as unknown as ErrorReporter);
	coreReady = true;
}

/* ------------------------------------------------------------------------------------------------------------ */
/* Node types                                                                                                    */
/* ------------------------------------------------------------------------------------------------------------ */

export const PACKAGE_PREFIX = 'n8n-nodes-halo-datto';
export const INPUT_NODE_TYPE = 'n8n-nodes-harness.input';
export const INPUT_NODE_NAME = 'Input';

/**
 * Start node of harness workflows. It has `webhook` and no `execute`, so WorkflowExecute passes the items placed
 * on the execution stack through unchanged (the same path a real webhook-started execution takes).
 */
export class HarnessInput implements INodeType {
	description: INodeType['description'] = {
		displayName: 'Harness Input',
		name: 'harnessInput',
		group: ['trigger'],
		version: 1,
		description: 'Feeds the test items into the workflow',
		defaults: { name: INPUT_NODE_NAME },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	};

	async webhook() {
		return {};
	}
}

/** Latest version of a node type: `defaultVersion` of a versioned type, else the highest `description.version`. */
export function latestVersion(nodeType: AnyNodeType): number {
	if ('nodeVersions' in nodeType) return nodeType.currentVersion;
	const v = nodeType.description.version;
	return Array.isArray(v) ? Math.max(...v) : v;
}

/** The INodeType for a version (resolves versioned node types). */
export function resolveVersion(nodeType: AnyNodeType, version?: number): INodeType {
	return NodeHelpers.getVersionedNodeType(nodeType, version ?? latestVersion(nodeType));
}

/**
 * INodeTypes for one run. Every node type's `execute`/`webhook` is wrapped so the harness keeps the exact error
 * instance a node threw (n8n stores only a spread copy `{ ...error, message, stack }` in the run data).
 */
export class HarnessNodeTypes implements INodeTypes {
	readonly thrown = new Map<string, unknown>();

	private readonly wrapped = new WeakMap<INodeType, INodeType>();

	constructor(private readonly types: Record<string, AnyNodeType>) {}

	getByName(type: string): AnyNodeType {
		const nodeType = this.types[type];
		if (!nodeType) throw new Error(`Harness: unknown node type "${type}" (known: ${Object.keys(this.types).join(', ')})`);
		return nodeType;
	}

	getByNameAndVersion(type: string, version?: number): INodeType {
		return this.watch(NodeHelpers.getVersionedNodeType(this.getByName(type), version));
	}

	getKnownTypes() {
		return {};
	}

	private watch(nodeType: INodeType): INodeType {
		let proxy = this.wrapped.get(nodeType);
		if (proxy) return proxy;
		// Object.create keeps the prototype chain, so `instanceof Node` (class-style nodes) still holds.
		proxy = Object.create(nodeType) as INodeType;
		for (const method of ['execute', 'webhook'] as const) {
			const original = nodeType[method] as ((...args: unknown[]) => Promise<unknown>) | undefined;
			if (typeof original !== 'function') continue;
			const thrown = this.thrown;
			const classStyle = isNodeClassInstance(nodeType);
			(proxy as unknown as Record<string, unknown>)[method] = async function (this: unknown, ...args: unknown[]) {
				try {
					return await original.apply(this, args);
				} catch (error) {
					// Legacy nodes get the context as `this`; class-style nodes (n8n-workflow `Node`) as argument.
					const context = (classStyle ? args[0] : this) as { getNode?: () => INode };
					thrown.set(context.getNode?.().name ?? '?', error);
					throw error;
				}
			};
		}
		this.wrapped.set(nodeType, proxy);
		return proxy;
	}
}

/* ------------------------------------------------------------------------------------------------------------ */
/* Credentials                                                                                                   */
/* ------------------------------------------------------------------------------------------------------------ */

/**
 * ICredentialsHelper serving the given decrypted credentials (type -> data). Mirrors the parts of n8n's
 * CredentialsHelper our nodes can reach: defaults from the credential type, `authenticate` (function or generic),
 * `preAuthentication` for expirable properties (the returned data is kept for the rest of the run).
 */
export class HarnessCredentialsHelper extends ICredentialsHelper {
	readonly updates: Array<{ type: string; data: ICredentialDataDecryptedObject }> = [];

	private readonly credentialTypes: Map<string, ICredentialType>;

	constructor(
		private readonly data: Record<string, ICredentialDataDecryptedObject>,
		credentialTypes: ICredentialType[] = [],
	) {
		super();
		this.credentialTypes = new Map(credentialTypes.map((t) => [t.name, t]));
	}

	getParentTypes(name: string): string[] {
		return this.credentialTypes.get(name)?.extends ?? [];
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	getCredentialsProperties(type: string): INodeProperties[] {
		return this.credentialTypes.get(type)?.properties ?? [];
	}

	async getDecrypted(
		_additionalData: IWorkflowExecuteAdditionalData,
		_nodeCredentials: INodeCredentialsDetails,
		type: string,
	): Promise<ICredentialDataDecryptedObject> {
		const stored = this.data[type];
		if (stored === undefined) throw new Error(`Harness: no credentials of type "${type}" were given`);
		const copy = structuredClone(stored);
		const credentialType = this.credentialTypes.get(type);
		if (!credentialType) return copy;
		const withDefaults = NodeHelpers.getNodeParameters(
			credentialType.properties,
			copy as INodeParameters,
			true,
			false,
			null,
			null,
		);
		return { ...copy, ...(withDefaults as ICredentialDataDecryptedObject) };
	}

	/** As n8n's CredentialsHelper.authenticate: function, or generic with `={{ $credentials.x }}` values. */
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow?: Workflow,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		const options = requestOptions as IHttpRequestOptions;
		const auth = this.credentialTypes.get(typeName)?.authenticate;
		if (!auth) return options;
		if (typeof auth === 'function') return await auth(credentials, options);
		if (!workflow || !node) throw new Error('Harness: generic credential authentication needs workflow and node');
		const resolve = (value: unknown) => {
			if (!isExpression(value)) return value;
			const resolved = workflow.expression.getSimpleParameterValue(
				node,
				value,
				'internal',
				{ $credentials: credentials },
				undefined,
				'',
			);
			return resolved ? resolved.toString() : '';
		};
		options.headers ??= {};
		const target = options as unknown as Record<string, Record<string, unknown> | undefined>;
		for (const [section, values] of Object.entries(auth.properties)) {
			for (const [key, value] of Object.entries(values as Record<string, unknown>)) {
				target[section] ??= {};
				target[section]![resolve(key) as string] = resolve(value);
			}
		}
		return options;
	}

	/** As n8n's: runs the type's preAuthentication when the expirable field is '' or the call got a 401. */
	async preAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		_node: INode,
		credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const credentialType = this.credentialTypes.get(typeName);
		const expirable = credentialType?.properties.find((p) => p.type === 'hidden' && p.typeOptions?.expirable === true);
		if (!credentialType?.preAuthentication || !expirable) return undefined;
		if (credentials[expirable.name] !== '' && !credentialsExpired) return undefined;
		const output = await credentialType.preAuthentication.call(helpers, credentials);
		if (output[expirable.name] === undefined) return undefined;
		this.data[typeName] = { ...this.data[typeName], ...output } as ICredentialDataDecryptedObject;
		this.updates.push({ type: typeName, data: this.data[typeName] });
		return Object.assign(credentials, output);
	}

	async runPreAuthentication(): Promise<ICredentialDataDecryptedObject | undefined> {
		return undefined;
	}

	async getCredentials(): Promise<ICredentials> {
		throw new Error('Harness: getCredentials (encrypted credentials) is not available');
	}

	async updateCredentials(_details: INodeCredentialsDetails, type: string, data: ICredentialDataDecryptedObject) {
		this.data[type] = data;
		this.updates.push({ type, data });
	}

	async updateCredentialsOauthTokenData(
		details: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	) {
		await this.updateCredentials(details, type, data);
	}
}

/* ------------------------------------------------------------------------------------------------------------ */
/* Additional data                                                                                               */
/* ------------------------------------------------------------------------------------------------------------ */

export const BASE_URL = 'http://localhost:5678';

export function createAdditionalData(
	credentialsHelper: ICredentialsHelper,
	extra: Partial<IWorkflowExecuteAdditionalData> = {},
): IWorkflowExecuteAdditionalData {
	const unsupported = (what: string) => async () => {
		throw new Error(`Harness: ${what} is not supported`);
	};
	return {
		credentialsHelper,
		executionId: 'harness-execution',
		currentNodeExecutionIndex: 0,
		restApiUrl: `${BASE_URL}/rest`,
		instanceBaseUrl: `${BASE_URL}/`,
		formBaseUrl: `${BASE_URL}/form`,
		formWaitingBaseUrl: `${BASE_URL}/form-waiting`,
		formTestBaseUrl: `${BASE_URL}/form-test`,
		webhookBaseUrl: `${BASE_URL}/webhook`,
		webhookWaitingBaseUrl: `${BASE_URL}/webhook-waiting`,
		webhookTestBaseUrl: `${BASE_URL}/webhook-test`,
		mcpBaseUrl: `${BASE_URL}/mcp`,
		mcpTestBaseUrl: `${BASE_URL}/mcp-test`,
		variables: {},
		executeWorkflow: unsupported('executeWorkflow (sub-workflows)'),
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		logAiEvent: () => {},
		startRunnerTask: unsupported('startRunnerTask (Code node task runners)'),
		...extra,
	} as IWorkflowExecuteAdditionalData;
}

/* ------------------------------------------------------------------------------------------------------------ */
/* Static data                                                                                                   */
/* ------------------------------------------------------------------------------------------------------------ */

export function readStaticData(workflow: Workflow) {
	const observable = workflow.staticData as IDataObject & { __dataChanged?: boolean };
	return {
		staticData: JSON.parse(JSON.stringify(observable)) as IDataObject,
		staticDataChanged: observable.__dataChanged === true,
	};
}

/* ------------------------------------------------------------------------------------------------------------ */
/* Errors                                                                                                        */
/* ------------------------------------------------------------------------------------------------------------ */

export interface HarnessError {
	/** Class name of the thrown error, e.g. 'NodeApiError', 'NodeOperationError', 'WorkflowHasIssuesError'. */
	name: string;
	message: string;
	description?: string | null;
	/** NodeApiError's HTTP code (a string in n8n, e.g. '404'). */
	httpCode?: string | null;
	/** `context.itemIndex` as set by `new NodeApiError(node, err, { itemIndex })`. */
	itemIndex?: number;
	context: IDataObject;
	/** The instance the node threw (`instanceof NodeApiError` works); undefined if the engine raised it. */
	thrown?: unknown;
	/** What n8n stored in the run data (a plain-object copy of the error). */
	stored?: unknown;
}

export function describeError(stored: unknown, thrown: unknown): HarnessError {
	const source = (thrown ?? stored ?? {}) as Record<string, unknown>;
	const copy = (stored ?? thrown ?? {}) as Record<string, unknown>;
	const context = ((source.context ?? copy.context ?? {}) as IDataObject) ?? {};
	const name =
		thrown instanceof Error
			? thrown.constructor.name
			: String(copy.name ?? (copy.constructor as { name?: string } | undefined)?.name ?? 'Error');
	return {
		name,
		message: String(source.message ?? copy.message ?? ''),
		description: (source.description ?? copy.description) as string | null | undefined,
		httpCode: (source.httpCode ?? copy.httpCode) as string | null | undefined,
		itemIndex: typeof context.itemIndex === 'number' ? context.itemIndex : undefined,
		context,
		thrown,
		stored,
	};
}

/* ------------------------------------------------------------------------------------------------------------ */
/* Node setup shared by runNode and the webhook harness                                                          */
/* ------------------------------------------------------------------------------------------------------------ */

export type OnErrorSetting = 'stopWorkflow' | 'continueRegularOutput' | 'continueErrorOutput';

export interface NodeSetup {
	/** The node under test (class instance; versioned types allowed). */
	node: AnyNodeType;
	/** Node type name; default `n8n-nodes-halo-datto.<description.name>`. */
	type?: string;
	/** Default: the latest version. */
	typeVersion?: number;
	/** Node name; default `description.defaults.name`. Static data of the node lives under `node:<name>`. */
	name?: string;
	parameters?: INodeParameters;
	/** Decrypted credential data per credential type name; the node gets a credential reference per type. */
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	/** Credential type classes, for property defaults / authenticate / preAuthentication. */
	credentialTypes?: ICredentialType[];
	/** Workflow static data before the run, e.g. `{ global: {...}, 'node:My Node': {...} }`. */
	staticData?: IDataObject;
	/** Any further INode settings (alwaysOutputData, executeOnce, retryOnFail, webhookId, ...). */
	nodeSettings?: Partial<INode>;
	timezone?: string;
}

export interface PreparedNode {
	node: INode;
	/** The INodeType for the node's version. */
	nodeType: INodeType;
	type: string;
}

/** Numbers the harness's credential ids (see prepareNode). */
let credentialSerial = 0;

export function prepareNode(setup: NodeSetup, position: [number, number] = [200, 0]): PreparedNode {
	const typeVersion = setup.typeVersion ?? latestVersion(setup.node);
	const nodeType = resolveVersion(setup.node, typeVersion);
	const { description } = nodeType;
	const type = setup.type ?? `${PACKAGE_PREFIX}.${description.name}`;
	const node: INode = {
		id: 'node-under-test',
		name: setup.name ?? description.defaults.name ?? description.displayName,
		type,
		typeVersion,
		position,
		parameters: setup.parameters ?? {},
		...(setup.credentials && {
			credentials: Object.fromEntries(
				// A new credential id per prepared node: each setup's credential data is a credential of its own, as it is in
				// n8n (processes cache credentials by id, e.g. the triggers' webhook credential cache).
				Object.keys(setup.credentials).map((t) => [t, { id: `${t}-id-${++credentialSerial}`, name: `${t} (harness)` }]),
			),
		}),
		...setup.nodeSettings,
	};
	return { node, nodeType, type };
}

export function createWorkflow(
	setup: Pick<NodeSetup, 'staticData' | 'timezone'>,
	nodes: INode[],
	connections: IConnections,
	nodeTypes: INodeTypes,
): { workflow: Workflow; workflowData: IWorkflowBase } {
	const settings = { executionOrder: 'v1' as const, ...(setup.timezone && { timezone: setup.timezone }) };
	const workflow = new Workflow({
		id: 'harness-workflow',
		name: 'Harness workflow',
		nodes,
		connections,
		nodeTypes,
		active: false,
		staticData: structuredClone(setup.staticData ?? {}),
		settings,
	});
	const workflowData: IWorkflowBase = {
		id: workflow.id,
		name: 'Harness workflow',
		nodes,
		connections,
		active: false,
		isArchived: false,
		activeVersionId: null,
		settings,
		createdAt: new Date(),
		updatedAt: new Date(),
	};
	return { workflow, workflowData };
}

/* ------------------------------------------------------------------------------------------------------------ */
/* runNode                                                                                                       */
/* ------------------------------------------------------------------------------------------------------------ */

export interface RunNodeOptions extends NodeSetup {
	/** Items fed into the node (pairedItem on them is kept). Default: one empty item. */
	input?: INodeExecutionData[];
	/** Shorthand for `onError: 'continueRegularOutput'` (what n8n's "On Error: Continue" setting stores). */
	continueOnFail?: boolean;
	onError?: OnErrorSetting;
	/** Execution mode; default 'manual' (as n8n's harness). Use 'trigger' / 'webhook' for production paths. */
	mode?: WorkflowExecuteMode;
	/** Other node types the run needs (type name -> implementation). */
	extraNodeTypes?: Record<string, AnyNodeType>;
}

export interface RunNodeResult {
	/** Output items of the node under test per output index (error output included for continueErrorOutput). */
	outputs: INodeExecutionData[][];
	/** `outputs[0]` (or []). */
	items: INodeExecutionData[];
	/** Run status: 'success' | 'error' | ... */
	status: ExecutionStatus;
	/** The error the node under test ended with (also set when onError continued), or the execution error. */
	error?: HarnessError;
	/** Workflow static data after the run (plain JSON). */
	staticData: IDataObject;
	/** `staticData['node:<name>']`. */
	nodeStaticData?: IDataObject;
	staticDataChanged: boolean;
	/** Credential data written back during the run (preAuthentication / OAuth token updates). */
	credentialUpdates: Array<{ type: string; data: ICredentialDataDecryptedObject }>;
	runData: IRunData;
	run: IRun;
	logs: HarnessLogEntry[];
	/** The INode that was executed. */
	node: INode;
}

/**
 * Runs one node through n8n-core's WorkflowExecute: Input (harness) -> node under test.
 *
 * @example
 * const result = await runNode({
 * 	node: new HaloPsa(),
 * 	parameters: { resource: 'ticket', operation: 'get', ticketId: '={{ $json.id }}' },
 * 	input: [{ json: { id: 7 } }],
 * 	credentials: { haloPsaApi: { baseUrl: sim.url, clientId: 'id', clientSecret: 's' } },
 * 	continueOnFail: true,
 * });
 * expect(result.items[0]).toMatchObject({ json: { id: 7 }, pairedItem: { item: 0 } });
 */
export async function runNode(options: RunNodeOptions): Promise<RunNodeResult> {
	ensureN8nCore();
	takeLogs();
	const { node, type } = prepareNode({
		...options,
		nodeSettings: {
			...(options.continueOnFail && { onError: 'continueRegularOutput' as const }),
			...(options.onError && { onError: options.onError }),
			...options.nodeSettings,
		},
	});
	const inputNode: INode = {
		id: 'harness-input',
		name: INPUT_NODE_NAME,
		type: INPUT_NODE_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
	const nodeTypes = new HarnessNodeTypes({
		[INPUT_NODE_TYPE]: new HarnessInput(),
		...options.extraNodeTypes,
		[type]: options.node,
	});
	const { workflow, workflowData } = createWorkflow(
		options,
		[inputNode, node],
		{ [INPUT_NODE_NAME]: { main: [[{ node: node.name, type: NodeConnectionTypes.Main, index: 0 }]] } },
		nodeTypes,
	);

	const mode = options.mode ?? 'manual';
	const credentialsHelper = new HarnessCredentialsHelper(
		structuredClone(options.credentials ?? {}),
		options.credentialTypes,
	);
	const hooks = new ExecutionLifecycleHooks(mode, 'harness-execution', workflowData);
	const additionalData = createAdditionalData(credentialsHelper, { hooks });
	const runExecutionData = createRunExecutionData({
		executionData: {
			nodeExecutionStack: [
				{ node: inputNode, data: { main: [options.input ?? [{ json: {} }]] }, source: null },
			],
		},
	});
	const run = await new WorkflowExecute(additionalData, mode, runExecutionData).processRunExecutionData(workflow);

	const runData = run.data.resultData.runData;
	const task = runData[node.name]?.[0];
	const outputs = (task?.data?.main ?? []).map((items) => items ?? []);
	const storedError = task?.error ?? run.data.resultData.error;
	const thrown = nodeTypes.thrown.get(node.name);
	const { staticData, staticDataChanged } = readStaticData(workflow);
	return {
		outputs,
		items: outputs[0] ?? [],
		status: run.status,
		error: storedError || thrown ? describeError(storedError, thrown) : undefined,
		staticData,
		nodeStaticData: staticData[`node:${node.name}`] as IDataObject | undefined,
		staticDataChanged,
		credentialUpdates: credentialsHelper.updates,
		runData,
		run,
		logs: takeLogs(),
		node,
	};
}
