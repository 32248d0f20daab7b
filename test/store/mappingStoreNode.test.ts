/**
 * The Mapping Store node on top of the stores: parameters → store calls, one output per item with pairedItem,
 * continueOnFail, NodeOperationError with itemIndex, the Postgres credential and its test.
 */
import {
	NodeOperationError,
	type ICredentialsDecrypted,
	type ICredentialTestFunctions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
	type NodeExecutionHint,
} from 'n8n-workflow';

import { MappingStorePostgresApi } from '../../credentials/MappingStorePostgresApi.credentials';
import { MappingStore } from '../../nodes/MappingStore/MappingStore.node';
import { closeAllPools, StaticDataStore, STATIC_STORE_WARN_RECORDS } from '../../nodes/shared/store';
import { findOrStartPostgres, pgConfigFor, uniqueTableName, type TestPostgres } from '../helpers/postgres';
import { Client } from 'pg';

type Parameters = Record<string, unknown>;

interface FakeRun {
	items?: number;
	/** Input items (default: `items` empty items). */
	input?: INodeExecutionData[];
	/** Node parameters; a function gives a per-item value. */
	parameters: Parameters | ((itemIndex: number) => Parameters);
	workflowId?: string;
	staticData?: IDataObject;
	continueOnFail?: boolean;
	credentials?: IDataObject;
	/** Receives the execution hints the node adds. */
	hints?: NodeExecutionHint[];
}

const node = new MappingStore();

function fakeContext(run: FakeRun): IExecuteFunctions {
	const staticData = run.staticData ?? {};
	const parametersOf = (itemIndex: number) =>
		typeof run.parameters === 'function' ? run.parameters(itemIndex) : run.parameters;
	const context = {
		getInputData: () => run.input ?? Array.from({ length: run.items ?? 1 }, () => ({ json: {} })),
		getNode: () => ({
			id: 'node-1',
			name: 'Mapping Store',
			type: 'n8n-nodes-halo-datto.mappingStore',
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
		}),
		getNodeParameter: (name: string, itemIndex: number, fallback?: unknown) => {
			const value = parametersOf(itemIndex)[name];
			if (value !== undefined) return value;
			if (fallback !== undefined) return fallback;
			throw new Error(`Test did not set parameter "${name}"`);
		},
		continueOnFail: () => run.continueOnFail === true,
		addExecutionHints: (...hints: NodeExecutionHint[]) => run.hints?.push(...hints),
		getWorkflow: () => ({ id: run.workflowId ?? 'workflow-node-test', active: true }),
		getWorkflowStaticData: (type: string) => {
			expect(type).toBe('global');
			return staticData;
		},
		getCredentials: async (type: string) => {
			expect(type).toBe('mappingStorePostgresApi');
			if (run.credentials === undefined) throw new Error('no credentials');
			return run.credentials;
		},
	};
	return context as unknown as IExecuteFunctions;
}

async function execute(run: FakeRun): Promise<INodeExecutionData[]> {
	const [output] = await node.execute.call(fakeContext(run));
	return output;
}

let workflowCounter = 0;
function staticBackend(operation: string, parameters: Parameters = {}): Parameters {
	return { backend: 'staticData', resource: 'record', collection: 'alerts', operation, ...parameters };
}
function freshWorkflow(): string {
	workflowCounter += 1;
	return `node-test-${workflowCounter}`;
}

describe('Mapping Store node: description', () => {
	const properties = node.description.properties;

	test('is a tool-usable action node with subtitle, themed icons and a tested Postgres credential', () => {
		expect(node.description).toMatchObject({
			name: 'mappingStore',
			usableAsTool: true,
			subtitle: '={{$parameter["operation"]}}',
			icon: { light: 'file:../../icons/mappingStore.svg', dark: 'file:../../icons/mappingStore.dark.svg' },
		});
		const [credential] = node.description.credentials ?? [];
		expect(credential).toMatchObject({ name: new MappingStorePostgresApi().name, required: true });
		expect(Object.keys(node.methods.credentialTest)).toEqual([credential.testedBy]);
	});

	test('every operation has fields and every field belongs to one operation', () => {
		const operationProperty = properties.find((property) => property.name === 'operation') as INodeProperties;
		const operations = (operationProperty.options as Array<{ value: string }>).map((option) => option.value);
		expect(operations).toEqual([
			'claim',
			'delete',
			'export',
			'get',
			'import',
			'list',
			'lookup',
			'purge',
			'set',
			'updateStatus',
		]);
		const operationFields = properties.filter((property) => property.displayOptions?.show?.operation);
		for (const operation of operations) {
			expect(
				operationFields.some((field) => field.displayOptions?.show?.operation?.includes(operation)),
			).toBe(true);
		}
		expect(properties.find((property) => property.name === 'backend')?.default).toBe('staticData');
		expect(properties.find((property) => property.name === 'collection')?.default).toBe('alerts');
	});

	test('uses only parameter types and features that n8n 1.x also has', () => {
		// n8n 1.123 knows these; 2.x added e.g. callout, workflowSelector, agentSelector and builderHint.
		const typesOf1x = [
			'boolean',
			'collection',
			'fixedCollection',
			'json',
			'notice',
			'number',
			'options',
			'string',
		];
		const visit = (list: INodeProperties[]): void => {
			for (const property of list) {
				expect([property.name, typesOf1x.includes(property.type)]).toEqual([property.name, true]);
				expect(property).not.toHaveProperty('builderHint');
				const conditions = { ...property.displayOptions?.show, ...property.displayOptions?.hide };
				for (const values of Object.values(conditions)) {
					// plain value lists only: no `_cnd` operators (added in 1.x, but not in every 1.x)
					for (const value of values ?? []) expect(typeof value === 'object' && value !== null).toBe(false);
				}
				const nested = (property.options ?? []) as Array<INodeProperties | { name: string }>;
				visit(nested.filter((option): option is INodeProperties => 'type' in option));
			}
		};
		visit(properties);
		expect(node.description.version).toBe(1);
	});

	test('output, reclaim and merge fields default to the behaviour before they existed', () => {
		const byName = (name: string) => properties.find((property) => property.name === name);
		expect(byName('output')).toMatchObject({ type: 'options', default: 'result' });
		expect(byName('resultField')).toMatchObject({
			default: 'store',
			displayOptions: { show: { output: ['inputWithResult'] } },
		});
		expect(byName('reclaimAfterMinutes')).toMatchObject({
			type: 'number',
			default: 0,
			displayOptions: { show: { operation: ['claim'] } },
		});
		expect(byName('pendingStatus')).toMatchObject({
			default: 'pending',
			displayOptions: { hide: { reclaimAfterMinutes: [0] }, show: { operation: ['claim'] } },
		});
		expect(byName('mergeValue')).toMatchObject({
			type: 'json',
			default: '{}',
			displayOptions: { show: { operation: ['updateStatus'] } },
		});
		expect(properties.at(-2)?.name).toBe('output');
		expect(properties.at(-1)?.name).toBe('resultField');
	});

	test("the credential has the fields of n8n's Postgres credential, the password masked", () => {
		const credential = new MappingStorePostgresApi();
		expect(credential.name).toBe('mappingStorePostgresApi');
		expect(credential.displayName).toBe('Mapping Store Postgres');
		const names = credential.properties.map((property) => property.name);
		expect(names).toEqual(
			expect.arrayContaining(['host', 'port', 'database', 'user', 'password', 'ssl', 'maxConnections']),
		);
		expect(credential.properties.find((property) => property.name === 'password')?.typeOptions).toEqual({
			password: true,
		});
	});
});

describe('Mapping Store node: static data backend', () => {
	test('claim: one output per item, paired, exactly one item wins', async () => {
		const output = await execute({
			items: 3,
			workflowId: freshWorkflow(),
			parameters: (itemIndex) =>
				staticBackend('claim', {
					key: 'alert-1',
					value: `{"ticketId": ${itemIndex}}`,
					status: 'open',
					history: { event: 'claimed', reason: `item ${itemIndex}` },
				}),
		});
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(output.map((item) => item.json.claimed)).toEqual([true, false, false]);
		for (const item of output) {
			expect(item.json.record).toMatchObject({
				value: { ticketId: 0 },
				history: [{ event: 'claimed', reason: 'item 0' }],
			});
		}
	});

	test('set, get, update status, list, purge and delete through the node', async () => {
		const workflowId = freshWorkflow();
		const run = (operation: string, parameters: Parameters) =>
			execute({ workflowId, parameters: staticBackend(operation, parameters) });

		const [set] = await run('set', { key: 'a', value: '{"x": 1}', mode: 'replace', status: '' });
		expect(set.json).toMatchObject({ created: true, record: { key: 'a', status: 'open', value: { x: 1 } } });
		const [merged] = await run('set', { key: 'a', value: { y: 2 }, mode: 'merge', status: '' });
		expect(merged.json.record).toMatchObject({ value: { x: 1, y: 2 } });
		await run('set', { key: 'b', value: '"text"', mode: 'replace', status: 'pending' });

		expect((await run('get', { key: 'a' }))[0].json).toMatchObject({ found: true, record: { key: 'a' } });
		expect((await run('get', { key: 'zzz' }))[0].json).toEqual({ found: false, record: null });

		const [updated] = await run('updateStatus', { key: 'a', status: 'closed' });
		expect(updated.json).toMatchObject({ updated: true, record: { status: 'closed' } });
		expect((await run('updateStatus', { key: 'zzz', status: 'closed' }))[0].json).toEqual({
			updated: false,
			record: null,
		});

		const listed = await run('list', { returnAll: true, filters: {} });
		expect(listed.map((item) => item.json.key)).toEqual(['a', 'b']);
		expect(listed.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 0 }]);
		const page = await run('list', { returnAll: false, limit: 1, offset: 1, filters: { status: 'pending' } });
		expect(page).toEqual([]);
		const closedOnly = await run('list', {
			returnAll: false,
			limit: 10,
			offset: 0,
			filters: { status: 'closed' },
		});
		expect(closedOnly.map((item) => item.json.key)).toEqual(['a']);

		expect((await run('purge', { olderThanHours: 1 }))[0].json).toEqual({ count: 0, keys: [] });
		expect((await run('delete', { key: 'b' }))[0].json).toMatchObject({
			deleted: true,
			record: { key: 'b' },
		});
		expect((await run('delete', { key: 'b' }))[0].json).toEqual({ deleted: false, record: null });
	});

	test('export as CSV, import it elsewhere, then look up with fallback', async () => {
		const workflowId = freshWorkflow();
		const run = (operation: string, parameters: Parameters, collection = 'sites') =>
			execute({ workflowId, parameters: { ...staticBackend(operation, parameters), collection } });

		const [imported] = await run('import', {
			format: 'json',
			json: '[{"key": "uid-1", "value": {"name": "ACME Corp.", "clientId": 1}}, {"key": "uid-2", "value": "Contoso"}]',
		});
		expect(imported.json).toEqual({ count: 2, created: 2, updated: 0 });
		const [exported] = await run('export', { format: 'csv', filters: {} });
		expect(exported.json).toMatchObject({ format: 'csv', count: 2 });
		const [copy] = await run('import', { format: 'csv', csv: exported.json.data }, 'sites-copy');
		expect(copy.json).toEqual({ count: 2, created: 2, updated: 0 });
		const [exportedJson] = await run('export', { format: 'json', filters: {} }, 'sites-copy');
		expect((exportedJson.json.data as IDataObject[]).map((record) => record.value)).toEqual([
			{ name: 'ACME Corp.', clientId: 1 },
			'Contoso',
		]);

		const lookup = async (lookupKey: string, lookupName: string, fallbackValue: string) =>
			(await run('lookup', { lookupKey, lookupName, fallbackValue }))[0].json;
		expect(await lookup('uid-2', '', '')).toMatchObject({ matchedBy: 'exactKey', value: 'Contoso' });
		expect(await lookup('uid-9', 'acme corp', '')).toMatchObject({ matchedBy: 'name', key: 'uid-1' });
		expect(await lookup('uid-9', 'Nobody', '{"clientId": 99}')).toMatchObject({
			matchedBy: 'fallback',
			value: { clientId: 99 },
		});
		expect(await lookup('uid-9', 'Nobody', 'Default Client')).toMatchObject({
			matchedBy: 'fallback',
			value: 'Default Client',
		});
		expect(await lookup('uid-9', 'Nobody', '')).toMatchObject({ matchedBy: 'none', value: null });
		// An alert without site information and no fallback: rule "none", not an error (the workflow maps it through Halo).
		expect(await lookup('', '  ', '')).toEqual({ matchedBy: 'none', key: null, value: null, record: null, otherMatches: [] });
	});

	test('output "input item with result in a field": the input JSON and binary stay, the result is added', async () => {
		const alert = { alertUid: 'a-1', site: { uid: 's-1', name: 'ACME' }, store: 'replaced' };
		const binary = { raw: { data: 'e30=', mimeType: 'application/json' } };
		const output = await execute({
			input: [{ json: alert, binary }, { json: { ...alert, alertUid: 'a-2' } }],
			workflowId: freshWorkflow(),
			parameters: (itemIndex) =>
				staticBackend('claim', {
					key: itemIndex === 0 ? 'a-1' : 'a-2',
					value: '{}',
					status: 'pending',
					output: 'inputWithResult',
					resultField: itemIndex === 0 ? 'claim' : 'store',
				}),
		});
		expect(output).toEqual([
			{
				json: {
					...alert,
					claim: { claimed: true, reclaimed: false, record: expect.objectContaining({ key: 'a-1' }) },
				},
				binary,
				pairedItem: { item: 0 },
			},
			{
				json: {
					...alert,
					alertUid: 'a-2',
					store: { claimed: true, reclaimed: false, record: expect.objectContaining({ key: 'a-2' }) },
				},
				pairedItem: { item: 1 },
			},
		]);
		expect(alert.store).toBe('replaced'); // the input item itself is not modified

		const resultOnly = await execute({
			input: [{ json: alert, binary }],
			workflowId: freshWorkflow(),
			parameters: staticBackend('get', { key: 'a-1', output: 'result' }),
		});
		expect(resultOnly).toEqual([{ json: { found: false, record: null }, pairedItem: { item: 0 } }]);
	});

	test('list with the input item: one copy of the input per record; no record, no item', async () => {
		const workflowId = freshWorkflow();
		for (const key of ['x-1', 'x-2', 'y-1']) {
			await execute({ workflowId, parameters: staticBackend('set', { key, value: '1', mode: 'replace' }) });
		}
		const output = await execute({
			workflowId,
			input: [{ json: { prefix: 'x-' } }, { json: { prefix: 'none-' } }, { json: { prefix: 'y-' } }],
			parameters: (itemIndex) =>
				staticBackend('list', {
					returnAll: true,
					filters: { keyPrefix: ['x-', 'none-', 'y-'][itemIndex] },
					output: 'inputWithResult',
					resultField: 'record',
				}),
		});
		expect(
			output.map((item) => [item.json.prefix, (item.json.record as IDataObject).key, item.pairedItem]),
		).toEqual([
			['x-', 'x-1', { item: 0 }],
			['x-', 'x-2', { item: 0 }],
			['y-', 'y-1', { item: 2 }],
		]);
	});

	test("continueOnFail outputs { error } paired in both output modes (n8n's error output adds the input)", async () => {
		const output = await execute({
			input: [{ json: { alertUid: '' } }],
			workflowId: freshWorkflow(),
			continueOnFail: true,
			parameters: staticBackend('get', { key: '', output: 'inputWithResult', resultField: 'link' }),
		});
		expect(output).toEqual([
			{ json: { error: 'The key must be a non-empty string' }, pairedItem: { item: 0 } },
		]);
		const badField = execute({
			workflowId: freshWorkflow(),
			parameters: staticBackend('get', { key: 'k', output: 'inputWithResult', resultField: ' ' }),
		}).catch((error: unknown) => error);
		expect(await badField).toMatchObject({ message: expect.stringMatching(/Result Field/) });
	});

	test('claim reclaims a stale pending claim when "Reclaim Stale Claims After" is set', async () => {
		const workflowId = freshWorkflow();
		const claim = (parameters: Parameters) =>
			execute({
				workflowId,
				parameters: staticBackend('claim', { key: 'alert', value: '{}', ...parameters }),
			});
		const [first] = await claim({ status: 'pending', reclaimAfterMinutes: 0 });
		expect(first.json).toMatchObject({ claimed: true, reclaimed: false, record: { status: 'pending' } });
		const [fresh] = await claim({ status: 'pending', reclaimAfterMinutes: 10, pendingStatus: 'pending' });
		expect(fresh.json).toMatchObject({ claimed: false, reclaimed: false });

		const twentyMinutesLater = new Date(Date.now() + 20 * 60_000);
		jest.useFakeTimers({ now: twentyMinutesLater, doNotFake: ['nextTick', 'setImmediate'] });
		try {
			const [disabled] = await claim({ status: 'pending', reclaimAfterMinutes: 0 });
			expect(disabled.json).toMatchObject({ claimed: false, reclaimed: false });
			const [otherStatus] = await claim({
				status: 'pending',
				reclaimAfterMinutes: 10,
				pendingStatus: 'working',
			});
			expect(otherStatus.json).toMatchObject({ claimed: false, reclaimed: false });
			const [reclaimed] = await execute({
				workflowId,
				parameters: staticBackend('claim', {
					key: 'alert',
					value: '{"attempt": 2}',
					status: 'pending',
					reclaimAfterMinutes: 10,
					pendingStatus: '',
				}),
			});
			expect(reclaimed.json).toMatchObject({
				claimed: true,
				reclaimed: true,
				record: {
					value: { attempt: 2 },
					history: [{ event: 'staleClaimReclaimed', data: { staleAfterMinutes: 10 } }],
				},
			});
		} finally {
			jest.useRealTimers();
		}
	});

	test('update status merges "Merge Into Value"; number keys and "123" are the same key', async () => {
		const workflowId = freshWorkflow();
		const run = (operation: string, parameters: Parameters) =>
			execute({ workflowId, parameters: { ...staticBackend(operation, parameters), collection: 'tickets' } });
		const [created] = await run('set', { key: 4711, value: { alertUid: 'a-1' }, mode: 'merge' });
		expect(created.json).toMatchObject({ created: true, record: { key: '4711' } });
		const [closed] = await run('updateStatus', {
			key: '4711',
			status: 'closed',
			mergeValue: '{"closedBy": "datto"}',
		});
		expect(closed.json).toMatchObject({
			updated: true,
			record: { status: 'closed', value: { alertUid: 'a-1', closedBy: 'datto' } },
		});
		for (const mergeValue of ['{}', '', {}]) {
			const [unchanged] = await run('updateStatus', { key: 4711, status: 'closed', mergeValue });
			expect((unchanged.json.record as IDataObject).value).toEqual({ alertUid: 'a-1', closedBy: 'datto' });
		}
		const [withoutField] = await run('updateStatus', { key: 4711, status: 'open' });
		expect(withoutField.json).toMatchObject({ updated: true, record: { status: 'open' } });
		const invalid = run('updateStatus', { key: 4711, status: 'closed', mergeValue: '[1]' }).catch(
			(error: unknown) => error,
		);
		expect(await invalid).toMatchObject({ message: expect.stringMatching(/must be a JSON object/) });
		const [found] = await run('get', { key: '4711' });
		expect(found.json).toMatchObject({ found: true, record: { key: '4711', status: 'open' } });
	});

	test('a failing item throws NodeOperationError with its item index; continueOnFail outputs the error', async () => {
		const parameters = (itemIndex: number) =>
			staticBackend('set', {
				key: 'k',
				value: itemIndex === 1 ? '{not json' : '{}',
				mode: 'replace',
				status: '',
			});
		const failure = execute({ items: 2, workflowId: freshWorkflow(), parameters }).catch(
			(error: unknown) => error,
		);
		const error = (await failure) as NodeOperationError;
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toMatch(/"value" is not valid JSON/);
		expect(error.context.itemIndex).toBe(1);

		const output = await execute({ items: 2, workflowId: freshWorkflow(), parameters, continueOnFail: true });
		expect(output[0].json.created).toBe(true);
		expect(output[1]).toEqual({
			json: { error: 'The parameter "value" is not valid JSON' },
			pairedItem: { item: 1 },
		});
	});

	test('store errors become NodeOperationError with the hint as description', async () => {
		const failure = execute({
			workflowId: freshWorkflow(),
			parameters: staticBackend('get', { key: '' }),
		}).catch((error: unknown) => error);
		expect(await failure).toMatchObject({
			message: 'The key must be a non-empty string',
			context: { itemIndex: 0 },
		});
	});

	test('queue mode is refused with an error that names the Postgres backend', async () => {
		const previous = process.env.EXECUTIONS_MODE;
		process.env.EXECUTIONS_MODE = 'queue';
		try {
			const failure = (await execute({
				workflowId: freshWorkflow(),
				parameters: staticBackend('get', { key: 'k' }),
			}).catch((error: unknown) => error)) as NodeOperationError;
			expect(failure).toBeInstanceOf(NodeOperationError);
			expect(failure.message).toMatch(/queue mode/);
			expect(failure.message).toMatch(/Postgres backend/);
			expect(failure.description).toMatch(/Backend.*Postgres/);
			expect(failure.context.itemIndex).toBe(0);
		} finally {
			if (previous === undefined) delete process.env.EXECUTIONS_MODE;
			else process.env.EXECUTIONS_MODE = previous;
		}
	});
});

describe('Mapping Store node: Postgres backend and credential test', () => {
	let server: TestPostgres;
	const table = uniqueTableName('node');
	let credentials: IDataObject;

	beforeAll(async () => {
		server = await findOrStartPostgres();
		credentials = {
			host: server.host,
			port: server.port,
			database: server.database,
			user: server.user,
			password: server.password,
			ssl: 'disable',
			maxConnections: 5,
		};
	});

	afterAll(async () => {
		await closeAllPools();
		const admin = new Client(pgConfigFor(server));
		await admin.connect();
		await admin.query(`DROP TABLE IF EXISTS "${table}"`);
		await admin.end();
		await server.stop();
	});

	const postgres = (operation: string, parameters: Parameters): Parameters => ({
		...staticBackend(operation, parameters),
		backend: 'postgres',
		table,
	});

	test("claims through the credential's pool", async () => {
		const output = await execute({
			items: 2,
			credentials,
			parameters: postgres('claim', { key: 'alert-pg', value: '{"n": 1}', status: 'open' }),
		});
		expect(output.map((item) => item.json.claimed)).toEqual([true, false]);
	});

	test('an invalid table name fails the item with a hint, before connecting', async () => {
		const failure = (await execute({
			credentials: { ...credentials, port: 1 },
			parameters: { ...postgres('get', { key: 'k' }), table: 'bad-name; DROP' },
		}).catch((error: unknown) => error)) as NodeOperationError;
		expect(failure.message).toMatch(/Invalid table name/);
		expect(failure.description).toMatch(/lower-case letters/);
	});

	test('the credential test connects for real', async () => {
		const test = node.methods.credentialTest.mappingStorePostgresConnectionTest;
		const context = {} as ICredentialTestFunctions;
		const credential = (data: IDataObject) =>
			({ id: '1', name: 'pg', type: 'mappingStorePostgresApi', data }) as ICredentialsDecrypted;
		expect(await test.call(context, credential(credentials))).toEqual({
			status: 'OK',
			message: 'Connection successful',
		});
		const refused = await test.call(context, credential({ ...credentials, port: 1 }));
		expect(refused.status).toBe('Error');
		expect(refused.message).toMatch(/ECONNREFUSED/);
		const wrongDatabase = await test.call(
			context,
			credential({ ...credentials, database: 'no_such_database_x' }),
		);
		expect(wrongDatabase).toEqual({ status: 'Error', message: expect.stringMatching(/no_such_database_x/) });
	});
});

describe('Mapping Store node: static data store size warning (issue 19)', () => {
	test.each([
		[STATIC_STORE_WARN_RECORDS, 0],
		[STATIC_STORE_WARN_RECORDS + 1, 1],
	])('with %p records the node adds %p warning hint(s) above its output', async (records, expected) => {
		const workflowId = freshWorkflow();
		const staticData: IDataObject = {};
		const seeding = new StaticDataStore(workflowId, staticData, { executionsMode: 'regular' });
		const rows = Array.from({ length: records - 1 }, (_, index) => ({ key: `closed-${index}`, value: index, status: 'closed' }));
		await seeding.importRecords('alerts', rows);
		await seeding.set('sites', 'site-1', { value: { clientId: 1 } });
		const hints: NodeExecutionHint[] = [];
		const output = await execute({ workflowId, staticData, hints, parameters: staticBackend('get', { key: 'closed-1' }) });
		expect(output[0].json).toMatchObject({ found: true, record: { status: 'closed', value: 1 } });
		expect(hints).toHaveLength(expected);
		if (expected) {
			expect(hints[0]).toMatchObject({ type: 'warning', location: 'outputPane' });
			expect(hints[0].message).toMatch(/holds 10,001 records \(1 open, 10,000 closed\).*Postgres backend/);
		}
	});
});
