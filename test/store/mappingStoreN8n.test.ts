/**
 * The Mapping Store node inside n8n's own execution engine (n8n-core WorkflowExecute via test/helpers/nodeHarness):
 * the static data n8n would persist after each run, and n8n's handling of the node's errors and pairing.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { MappingStorePostgresApi } from '../../credentials/MappingStorePostgresApi.credentials';
import { MappingStore } from '../../nodes/MappingStore/MappingStore.node';
import { closeAllPools, STATIC_DATA_PROPERTY } from '../../nodes/shared/store';
import { runNode } from '../helpers/nodeHarness';
import { findOrStartPostgres, pgConfigFor, uniqueTableName, type TestPostgres } from '../helpers/postgres';
import { Client } from 'pg';

const node = new MappingStore();
let collectionCounter = 0;

function storedKeys(staticData: IDataObject, collection: string): string[] {
	const store = (staticData.global as IDataObject)[STATIC_DATA_PROPERTY] as {
		collections: Record<string, Record<string, unknown>>;
	};
	return Object.keys(store.collections[collection] ?? {}).sort();
}

describe('Mapping Store node in n8n-core: static data backend', () => {
	let collection: string;
	const claim = (key: string, staticData: IDataObject = {}) =>
		runNode({
			node,
			mode: 'webhook',
			staticData,
			parameters: { backend: 'staticData', collection, operation: 'claim', key, value: '{"from": "n8n"}' },
		});

	beforeEach(() => {
		collectionCounter += 1;
		collection = `n8n-${collectionCounter}`;
	});

	test('a run flags the static data as changed and n8n would persist the record', async () => {
		const result = await claim('alert-1');
		expect(result.status).toBe('success');
		expect(result.items).toEqual([
			{
				json: { claimed: true, reclaimed: false, record: expect.objectContaining({ key: 'alert-1' }) },
				pairedItem: { item: 0 },
			},
		]);
		expect(result.staticDataChanged).toBe(true);
		expect(storedKeys(result.staticData, collection)).toEqual(['alert-1']);
	});

	test('a run that started with older static data still persists the records of earlier runs', async () => {
		const first = await claim('alert-1', {});
		const second = await claim('alert-2', {}); // loaded before the first run's save, as in overlapping runs
		expect(storedKeys(second.staticData, collection)).toEqual(['alert-1', 'alert-2']);
		const again = await claim('alert-1', first.staticData);
		expect(again.items[0].json.claimed).toBe(false);
	});

	test('an invalid parameter fails the item with its index; "continue" outputs the error paired', async () => {
		const input = [{ json: { key: 'ok' } }, { json: { key: '' } }];
		const parameters = { backend: 'staticData', collection, operation: 'get', key: '={{ $json.key }}' };
		const failed = await runNode({ node, input, parameters });
		expect(failed.status).toBe('error');
		expect(failed.error).toMatchObject({ name: 'NodeOperationError', itemIndex: 1 });
		expect(failed.error?.message).toMatch(/key must be a non-empty string/);

		const continued = await runNode({ node, input, parameters, continueOnFail: true });
		expect(continued.items).toEqual([
			{ json: { found: false, record: null }, pairedItem: { item: 0 } },
			{ json: { error: 'The key must be a non-empty string' }, pairedItem: { item: 1 } },
		]);
	});
});

describe('Mapping Store node in n8n-core: the lifecycle workflow with the input item kept', () => {
	const alert = {
		event: 'triggered',
		alertUid: 'alert-uid-1',
		priority: 'High',
		message: 'Disk C: is 95% full',
		device: { uid: 'device-1', hostname: 'WS-01' },
		site: { uid: 'site-uid-unknown', name: 'ACME Corp' },
		condition: 'diskUsage',
		occurredAt: '2026-03-01T10:00:00.000Z',
		platform: 'merlot',
		dedupeKey: 'datto:alert-uid-1',
		link: 'https://merlot.rmm.datto.com/alert/alert-uid-1',
		raw: { alertUid: 'alert-uid-1', extra: [1, 2] },
	};
	let alerts: string;
	let sites: string;
	let tickets: string;
	const step = async (parameters: IDataObject, input: INodeExecutionData[]) => {
		const result = await runNode({
			node,
			mode: 'webhook',
			input,
			parameters: { backend: 'staticData', output: 'inputWithResult', ...parameters },
		});
		expect(result.error).toBeUndefined();
		return result.items;
	};

	beforeEach(() => {
		collectionCounter += 1;
		alerts = `alerts-${collectionCounter}`;
		sites = `sites-${collectionCounter}`;
		tickets = `tickets-${collectionCounter}`;
	});

	test('claim → lookup → set link and reverse link → get → update status: every step keeps the alert', async () => {
		await step(
			{
				collection: sites,
				operation: 'import',
				format: 'json',
				json: '[{"key": "site-uid-9", "value": {"name": "ACME Corp.", "clientId": 12}}]',
			},
			[{ json: {} }],
		);

		const claimed = await step(
			{
				collection: alerts,
				operation: 'claim',
				key: '={{ $json.alertUid }}',
				value: '={{ { dedupeKey: $json.dedupeKey } }}',
				status: 'pending',
				reclaimAfterMinutes: 10,
				history: { event: 'claimed', reason: '={{ "Datto alert, priority " + $json.priority }}' },
				resultField: 'claim',
			},
			[{ json: alert }],
		);
		expect(claimed).toEqual([
			{
				json: {
					...alert,
					claim: {
						claimed: true,
						reclaimed: false,
						record: expect.objectContaining({ key: alert.alertUid, status: 'pending' }),
					},
				},
				pairedItem: { item: 0 },
			},
		]);

		const lookedUp = await step(
			{
				collection: sites,
				operation: 'lookup',
				lookupKey: '={{ $json.site.uid }}',
				lookupName: '={{ $json.site.name }}',
				fallbackValue: '{"clientId": 1}',
				resultField: 'client',
			},
			claimed,
		);
		expect(lookedUp[0].json).toMatchObject({
			...alert,
			claim: { claimed: true },
			client: { matchedBy: 'name', key: 'site-uid-9', value: { clientId: 12 } },
		});

		const created = [{ json: { ...lookedUp[0].json, ticket: { id: 4711 } } }]; // what HaloPSA create adds
		const linked = await step(
			{
				collection: alerts,
				operation: 'set',
				key: '={{ $json.alertUid }}',
				value: '={{ { ticketId: $json.ticket.id, clientId: $json.client.value.clientId } }}',
				mode: 'merge',
				status: 'open',
				history: { event: 'ticketCreated', data: '={{ { ticketId: $json.ticket.id } }}' },
				resultField: 'link',
			},
			created,
		);
		expect(linked[0].json).toMatchObject({ alertUid: alert.alertUid, ticket: { id: 4711 } });
		expect(linked[0].json.link).toMatchObject({
			created: false,
			record: {
				status: 'open',
				value: { dedupeKey: alert.dedupeKey, ticketId: 4711, clientId: 12 },
				history: [
					{ event: 'claimed', reason: 'Datto alert, priority High' },
					{ event: 'ticketCreated', data: { ticketId: 4711 } },
				],
			},
		});

		const reverse = await step(
			{
				collection: tickets,
				operation: 'set',
				key: '={{ $json.ticket.id }}', // a number
				value: '={{ { alertUid: $json.alertUid } }}',
				mode: 'merge',
				history: { event: 'linked' },
				resultField: 'reverse',
			},
			linked,
		);
		expect(reverse[0].json).toMatchObject({
			alertUid: alert.alertUid,
			link: { record: { value: { ticketId: 4711 } } },
			reverse: {
				created: true,
				record: { key: '4711', status: 'open', value: { alertUid: alert.alertUid } },
			},
		});

		const resolved = { ...alert, event: 'resolved', occurredAt: '2026-03-01T11:00:00.000Z' };
		const byTicket = await step(
			{ collection: tickets, operation: 'get', key: '4711', resultField: 'reverse' },
			[{ json: resolved }],
		);
		expect(byTicket[0].json.reverse).toMatchObject({
			found: true,
			record: { value: { alertUid: alert.alertUid } },
		});
		const found = await step(
			{ collection: alerts, operation: 'get', key: '={{ $json.alertUid }}', resultField: 'link' },
			[{ json: resolved }],
		);
		expect(found[0].json).toMatchObject({
			event: 'resolved',
			link: { found: true, record: { status: 'open', value: { ticketId: 4711 } } },
		});
		const closed = await step(
			{
				collection: alerts,
				operation: 'updateStatus',
				key: '={{ $json.alertUid }}',
				status: 'closed',
				mergeValue: '={{ { closedBy: "datto", resolvedAt: $json.occurredAt } }}',
				history: { event: 'ticketClosed', reason: 'Resolved in Datto RMM' },
				resultField: 'link',
			},
			found,
		);
		expect(closed[0].json).toMatchObject({
			...resolved,
			link: {
				updated: true,
				record: {
					status: 'closed',
					value: { ticketId: 4711, closedBy: 'datto', resolvedAt: resolved.occurredAt },
				},
			},
		});
		// A closed record in static data keeps only its newest history entry (issue 19: compact closed records).
		expect((closed[0].json.link as IDataObject).record).toMatchObject({ history: [{ event: 'ticketClosed' }] });
	});

	test('list keeps one copy of the input per record, each paired with its input item', async () => {
		await step(
			{ collection: alerts, operation: 'import', format: 'csv', csv: 'key,value\na-1,1\na-2,2\nb-1,3\n' },
			[{ json: {} }],
		);
		const listed = await step(
			{
				collection: alerts,
				operation: 'list',
				returnAll: true,
				filters: { keyPrefix: '={{ $json.prefix }}' },
				resultField: 'record',
			},
			[{ json: { prefix: 'a-' } }, { json: { prefix: 'zzz' } }, { json: { prefix: 'b-' } }],
		);
		expect(
			listed.map((item) => [item.json.prefix, (item.json.record as IDataObject).key, item.pairedItem]),
		).toEqual([
			['a-', 'a-1', { item: 0 }],
			['a-', 'a-2', { item: 0 }],
			['b-', 'b-1', { item: 2 }],
		]);
	});

	test('on error: "continue (using error output)" gets the failed alert back, "continue" gets { error }', async () => {
		const run = async (onError: 'continueErrorOutput' | 'continueRegularOutput') =>
			await runNode({
				node,
				input: [{ json: { alertUid: 'ok-1' } }, { json: { alertUid: '' } }],
				onError,
				parameters: {
					backend: 'staticData',
					collection: alerts,
					operation: 'get',
					key: '={{ $json.alertUid }}',
					output: 'inputWithResult',
					resultField: 'link',
				},
			});
		const success = {
			json: { alertUid: 'ok-1', link: { found: false, record: null } },
			pairedItem: { item: 0 },
		};
		const routed = await run('continueErrorOutput');
		expect(routed.status).toBe('success');
		expect(routed.outputs).toEqual([
			[success],
			[{ json: { alertUid: '', error: 'The key must be a non-empty string' }, pairedItem: { item: 1 } }],
		]);
		const continued = await run('continueRegularOutput');
		expect(continued.outputs).toEqual([
			[success, { json: { error: 'The key must be a non-empty string' }, pairedItem: { item: 1 } }],
		]);
	});
});

describe('Mapping Store node in n8n-core: Postgres backend', () => {
	let server: TestPostgres;
	const table = uniqueTableName('n8n');

	beforeAll(async () => {
		server = await findOrStartPostgres();
	});

	afterAll(async () => {
		await closeAllPools();
		const admin = new Client(pgConfigFor(server));
		await admin.connect();
		await admin.query(`DROP TABLE IF EXISTS "${table}"`);
		await admin.end();
		await server.stop();
	});

	test('uses the credential n8n resolves and claims once across items', async () => {
		const result = await runNode({
			node,
			input: [{ json: { uid: 'a' } }, { json: { uid: 'a' } }, { json: { uid: 'b' } }],
			parameters: {
				backend: 'postgres',
				table,
				collection: 'alerts',
				operation: 'claim',
				key: '={{ $json.uid }}',
				value: '={{ JSON.stringify({ uid: $json.uid }) }}',
			},
			credentials: {
				mappingStorePostgresApi: {
					host: server.host,
					port: server.port,
					database: server.database,
					user: server.user,
					password: server.password,
				},
			},
			credentialTypes: [new MappingStorePostgresApi()],
		});
		expect(result.status).toBe('success');
		expect(result.items.map((item) => [item.json.claimed, item.pairedItem])).toEqual([
			[true, { item: 0 }],
			[false, { item: 1 }],
			[true, { item: 2 }],
		]);
		expect(result.items[2].json.record).toMatchObject({ key: 'b', value: { uid: 'b' } });
	});
});
