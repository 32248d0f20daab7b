/**
 * Datto RMM node through n8n-core's WorkflowExecute (runNode) against the Datto simulator: every operation,
 * paging over several pages, 429 handling (Retry-After and backoff), NodeApiError with Datto's message,
 * continueOnFail and pairedItem, and the site list search.
 */
import { NodeApiError } from 'n8n-workflow';
import type { ILoadOptionsFunctions, INodeExecutionData } from 'n8n-workflow';

import { DattoRmm } from '../../nodes/DattoRmm/DattoRmm.node';
import { normalisedAlertSchema } from '../../nodes/shared/domain/dattoAlert';
import type { DattoSimulator } from '../../simulators/datto';
import { runNode } from '../helpers/nodeHarness';
import type { RunNodeOptions } from '../helpers/nodeHarness';
import { apiCredentials, startSim } from './helpers';

const node = new DattoRmm();
const PAGE = 4;

let sim: DattoSimulator;
beforeAll(async () => {
	sim = await startSim({ maxPageSize: PAGE, seed: { sites: 5, devices: 20, openAlerts: 30, resolvedAlerts: 10 } });
});
afterAll(async () => await sim.close());

async function run(parameters: Record<string, unknown>, options: Partial<RunNodeOptions> = {}) {
	return await runNode({ node, parameters: parameters as never, credentials: apiCredentials(sim), ...options });
}

const openAlerts = () => sim.data.alerts.filter((r) => !r.alert.resolved).map((r) => r.alert);
const resolvedAlerts = () => sim.data.alerts.filter((r) => r.alert.resolved).map((r) => r.alert);
const customerSites = () => sim.data.sites.filter((s) => s.name !== 'Deleted Devices');
const paired = (items: INodeExecutionData[]) => items.map((i) => i.pairedItem);
const byId = (uid: string) => ({ __rl: true, mode: 'id', value: uid });

describe('description', () => {
	it('is an action node usable as a tool, with the Datto credential and a site search', () => {
		const d = node.description;
		expect(d).toMatchObject({ name: 'dattoRmm', displayName: 'Datto RMM', usableAsTool: true, version: 1 });
		expect(d.icon).toEqual({ light: 'file:../../icons/datto.svg', dark: 'file:../../icons/datto.dark.svg' });
		expect(d.credentials).toEqual([
			{ name: 'dattoRmmApi', required: true },
			expect.objectContaining({ name: 'mappingStorePostgresApi', displayOptions: { show: { resource: ['remediation'], backend: ['postgres'] } } }),
		]);
		expect(Object.keys(node.methods.listSearch)).toEqual(['searchSites', 'searchComponents']);
		const operations = d.properties.filter((p) => p.name === 'operation').flatMap((p) => (p.options as Array<{ value: string }>).map((o) => `${p.displayOptions!.show!.resource![0]}:${o.value}`));
		expect(operations.sort()).toEqual(
			[
				'alert:get',
				'alert:getManyOpen',
				'alert:getManyResolved',
				'alert:resolve',
				'component:getMany',
				'device:findByHostname',
				'device:get',
				'device:runQuickJob',
				'job:get',
				'job:getResults',
				'remediation:check',
				'remediation:start',
				'site:get',
				'site:getMany',
			].sort(),
		);
	});
});

describe('alert', () => {
	it('get: the Datto alert with ISO times, paired with its item', async () => {
		const [a, b] = openAlerts();
		const result = await run({ resource: 'alert', operation: 'get', alertUid: '={{ $json.uid }}' }, { input: [{ json: { uid: a.alertUid } }, { json: { uid: b.alertUid } }] });
		expect(result.status).toBe('success');
		expect(result.items.map((i) => i.json.alertUid)).toEqual([a.alertUid, b.alertUid]);
		expect(paired(result.items)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(result.items[0].json).toMatchObject({
			priority: a.priority,
			timestamp: a.timestamp,
			timestampIso: new Date(a.timestamp).toISOString(),
			alertSourceInfo: a.alertSourceInfo,
		});
	});

	it('get with "Normalised Alert" output: the trigger\'s shape, the Datto alert under raw', async () => {
		const a = openAlerts()[2];
		const result = await run({ resource: 'alert', operation: 'get', alertUid: a.alertUid, output: 'normalised', options: { platform: 'Merlot' } });
		const item = result.items[0].json;
		expect(normalisedAlertSchema.safeParse(item).success).toBe(true);
		expect(item).toMatchObject({
			event: 'triggered',
			alertUid: a.alertUid,
			priority: a.priority,
			device: { uid: a.alertSourceInfo.deviceUid, hostname: a.alertSourceInfo.deviceName },
			site: { uid: a.alertSourceInfo.siteUid, name: a.alertSourceInfo.siteName },
			condition: expect.stringMatching(new RegExp(`^${String(a.alertContext['@class'])}`)),
			platform: 'merlot',
			link: `https://merlot.rmm.datto.com/alert/${a.alertUid}`,
			raw: { alertUid: a.alertUid, alertContext: a.alertContext },
		});
		const both = await run({ resource: 'alert', operation: 'get', alertUid: a.alertUid, output: 'both' });
		expect(both.items[0].json).toMatchObject({ alertUid: a.alertUid, normalised: { alertUid: a.alertUid, platform: null, link: null } });
	});

	it('get of an unknown alert: NodeApiError 404 with Datto\'s message and the item index', async () => {
		const result = await run(
			{ resource: 'alert', operation: 'get', alertUid: '={{ $json.uid }}' },
			{ input: [{ json: { uid: openAlerts()[0].alertUid } }, { json: { uid: 'no-such-alert' } }] },
		);
		expect(result.status).toBe('error');
		expect(result.error).toMatchObject({ name: 'NodeApiError', httpCode: '404', itemIndex: 1 });
		expect(result.error!.thrown).toBeInstanceOf(NodeApiError);
		expect(result.error!.message).toMatch(/Alert was not found\./);
	});

	it('continueOnFail: the failing item becomes an error item, the others still run, pairing kept', async () => {
		const [a, b] = openAlerts();
		const result = await run(
			{ resource: 'alert', operation: 'get', alertUid: '={{ $json.uid }}' },
			{ continueOnFail: true, input: [{ json: { uid: a.alertUid } }, { json: { uid: 'missing-1' } }, { json: { uid: b.alertUid } }] },
		);
		expect(result.status).toBe('success');
		expect(paired(result.items)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(result.items[0].json.alertUid).toBe(a.alertUid);
		expect(result.items[1].json).toMatchObject({ error: expect.stringMatching(/Alert was not found\./), httpCode: '404' });
		expect(result.items[2].json.alertUid).toBe(b.alertUid);
	});

	it("onError 'continueErrorOutput': the failed item goes to the error output as { error, message } (routed by n8n 1.123 and 2.41)", async () => {
		const [a] = openAlerts();
		const result = await run(
			{ resource: 'alert', operation: 'get', alertUid: '={{ $json.uid }}' },
			{ onError: 'continueErrorOutput', input: [{ json: { uid: a.alertUid } }, { json: { uid: 'missing-9' } }] },
		);
		expect(result.outputs).toHaveLength(2);
		expect(result.outputs[0].map((i) => i.json.alertUid)).toEqual([a.alertUid]);
		// n8n merges the paired input item's json into an error-output item
		expect(result.outputs[1]).toEqual([
			{
				json: {
					uid: 'missing-9',
					error: expect.stringMatching(/Alert was not found\./),
					message: expect.stringMatching(/404.*Alert was not found|Alert was not found/),
				},
				pairedItem: { item: 1 },
			},
		]);
	});

	it('resolve: resolves once; again → success with alreadyResolved (checked first, no second resolve call)', async () => {
		const { alert } = await sim.createAlert({ webhook: false });
		const resolvesBefore = sim.log.count('POST /api/v2/alert/:alertUid/resolve');
		const first = await run({ resource: 'alert', operation: 'resolve', alertUid: alert.alertUid });
		expect(first.items).toEqual([
			{ json: { alertUid: alert.alertUid, resolved: true, alreadyResolved: false, resolvedBy: null, resolvedOn: expect.any(String) }, pairedItem: { item: 0 } },
		]);
		expect(sim.data.alerts.find((r) => r.alert.alertUid === alert.alertUid)!.alert.resolved).toBe(true);
		const second = await run({ resource: 'alert', operation: 'resolve', alertUid: alert.alertUid });
		expect(second.items[0].json).toMatchObject({ alertUid: alert.alertUid, resolved: true, alreadyResolved: true, resolvedBy: 'API User' });
		expect(sim.log.count('POST /api/v2/alert/:alertUid/resolve')).toBe(resolvesBefore + 1);
	});

	it('resolve without the check, when Datto refuses an already resolved alert: still success (alreadyResolved)', async () => {
		const { alert } = await sim.createAlert({ webhook: false });
		await sim.resolveAlertInDatto(alert.alertUid, { webhook: false });
		sim.configure({ alreadyResolved: 'error' });
		try {
			const result = await run({ resource: 'alert', operation: 'resolve', alertUid: alert.alertUid, options: { checkFirst: false } });
			expect(result.items[0].json).toMatchObject({ alertUid: alert.alertUid, resolved: true, alreadyResolved: true });
		} finally {
			sim.configure({ alreadyResolved: 'ok' });
		}
	});

	it('resolve of an unknown alert: 404 error item with continueOnFail', async () => {
		const result = await run({ resource: 'alert', operation: 'resolve', alertUid: 'missing-2' }, { continueOnFail: true });
		expect(result.items).toEqual([{ json: expect.objectContaining({ error: expect.stringMatching(/Alert was not found/), httpCode: '404' }), pairedItem: { item: 0 } }]);
	});

	it('getManyOpen, account, Return All: every open alert over several pages', async () => {
		const before = sim.log.count('GET /api/v2/account/alerts/open');
		const result = await run({ resource: 'alert', operation: 'getManyOpen', scope: 'account', returnAll: true });
		const expected = openAlerts();
		expect(expected.length).toBeGreaterThan(3 * PAGE);
		expect(result.items.map((i) => i.json.alertUid).sort()).toEqual(expected.map((a) => a.alertUid).sort());
		expect(new Set(result.items.map((i) => i.json.alertUid)).size).toBe(result.items.length);
		expect(sim.log.count('GET /api/v2/account/alerts/open') - before).toBe(Math.ceil(expected.length / PAGE));
		expect(result.items.every((i) => i.pairedItem && (i.pairedItem as { item: number }).item === 0)).toBe(true);
	});

	it('getManyOpen with a limit stops paging early', async () => {
		const before = sim.log.count('GET /api/v2/account/alerts/open');
		const result = await run({ resource: 'alert', operation: 'getManyOpen', returnAll: false, limit: 6 });
		expect(result.items).toHaveLength(6);
		expect(sim.log.count('GET /api/v2/account/alerts/open') - before).toBe(2);
	});

	it('getManyOpen by site (resource locator) and by device; muted filter; normalised output', async () => {
		const site = customerSites().find((s) => openAlerts().filter((a) => a.alertSourceInfo.siteUid === s.uid).length > PAGE) ?? customerSites()[0];
		const bySite = await run({ resource: 'alert', operation: 'getManyOpen', scope: 'site', site: { __rl: true, mode: 'list', value: site.uid }, returnAll: true });
		expect(bySite.items.map((i) => i.json.alertUid).sort()).toEqual(openAlerts().filter((a) => a.alertSourceInfo.siteUid === site.uid).map((a) => a.alertUid).sort());

		const deviceUid = openAlerts()[0].alertSourceInfo.deviceUid;
		const byDevice = await run({ resource: 'alert', operation: 'getManyOpen', scope: 'device', deviceUid, returnAll: true, output: 'normalised' });
		expect(byDevice.items.length).toBeGreaterThan(0);
		for (const item of byDevice.items) {
			expect(normalisedAlertSchema.safeParse(item.json).success).toBe(true);
			expect(item.json).toMatchObject({ event: 'triggered', device: { uid: deviceUid } });
		}

		const target = openAlerts().find((a) => !a.muted)!;
		target.muted = true;
		try {
			const mutedUids = openAlerts().filter((a) => a.muted).map((a) => a.alertUid);
			const onlyMuted = await run({ resource: 'alert', operation: 'getManyOpen', returnAll: true, filters: { muted: 'true' } });
			expect(onlyMuted.items.map((i) => i.json.alertUid).sort()).toEqual([...mutedUids].sort());
			expect(mutedUids).toContain(target.alertUid);
			const unmuted = await run({ resource: 'alert', operation: 'getManyOpen', returnAll: true, filters: { muted: 'false' } });
			expect(unmuted.items.map((i) => i.json.alertUid).sort()).toEqual(
				openAlerts().filter((a) => !a.muted).map((a) => a.alertUid).sort(),
			);
		} finally {
			target.muted = false;
		}
	});

	it('getManyOpen for an unknown site: NodeApiError 404 "Site was not found."', async () => {
		const result = await run({ resource: 'alert', operation: 'getManyOpen', scope: 'site', site: byId('no-such-site'), returnAll: true });
		expect(result.error).toMatchObject({ name: 'NodeApiError', httpCode: '404', itemIndex: 0 });
		expect(result.error!.message).toMatch(/Site was not found\./);
	});

	it('getManyResolved: account (paged) and normalised events are "resolved"', async () => {
		const result = await run({ resource: 'alert', operation: 'getManyResolved', returnAll: true, output: 'normalised' });
		expect(result.items.map((i) => i.json.alertUid).sort()).toEqual(resolvedAlerts().map((a) => a.alertUid).sort());
		expect(result.items.every((i) => i.json.event === 'resolved')).toBe(true);
		const device = resolvedAlerts()[0].alertSourceInfo.deviceUid;
		const byDevice = await run({ resource: 'alert', operation: 'getManyResolved', scope: 'device', deviceUid: device, returnAll: true });
		expect(byDevice.items.map((i) => i.json.alertUid).sort()).toEqual(
			resolvedAlerts().filter((a) => a.alertSourceInfo.deviceUid === device).map((a) => a.alertUid).sort(),
		);
	});
});

describe('site', () => {
	it('get by UID (both locator modes) and 404 for an unknown site', async () => {
		const site = customerSites()[0];
		for (const mode of ['id', 'list']) {
			const result = await run({ resource: 'site', operation: 'get', site: { __rl: true, mode, value: site.uid } });
			expect(result.items[0].json).toMatchObject({ uid: site.uid, name: site.name, devicesStatus: { numberOfDevices: expect.any(Number) } });
		}
		const missing = await run({ resource: 'site', operation: 'get', site: byId('nope') }, { continueOnFail: true });
		expect(missing.items[0]).toEqual({ json: expect.objectContaining({ error: expect.stringMatching(/Site was not found\./), httpCode: '404' }), pairedItem: { item: 0 } });
	});

	it('getMany: all sites over several pages without "Deleted Devices" unless asked; name filter; limit', async () => {
		for (let i = 0; i < 6; i++) sim.addSite({ name: `Paging Site ${i}` });
		const all = await run({ resource: 'site', operation: 'getMany', returnAll: true });
		expect(all.items.map((i) => i.json.name).sort()).toEqual(customerSites().map((s) => s.name).sort());
		const withDeleted = await run({ resource: 'site', operation: 'getMany', returnAll: true, options: { includeDeletedDevicesSite: true } });
		expect(withDeleted.items.map((i) => i.json.name)).toContain('Deleted Devices');
		const filtered = await run({ resource: 'site', operation: 'getMany', returnAll: true, filters: { name: 'paging site' } });
		expect(filtered.items.map((i) => i.json.name).sort()).toEqual([0, 1, 2, 3, 4, 5].map((i) => `Paging Site ${i}`));
		const limited = await run({ resource: 'site', operation: 'getMany', returnAll: false, limit: 3 });
		expect(limited.items).toHaveLength(3);
	});

	it('site list search (resource locator "From List") filters by name', async () => {
		const context = {
			getCredentials: async () => apiCredentials(sim).dattoRmmApi,
			getNode: () => ({ name: 'Datto RMM', type: 'n8n-nodes-halo-datto.dattoRmm', typeVersion: 1, position: [0, 0], parameters: {} }),
		} as unknown as ILoadOptionsFunctions;
		const all = await node.methods.listSearch.searchSites.call(context);
		expect(all.results.map((r) => r.value).sort()).toEqual(customerSites().map((s) => s.uid).sort());
		expect(all.results.map((r) => r.name)).toEqual([...all.results.map((r) => r.name)].sort((a, b) => a.localeCompare(b)));
		const some = await node.methods.listSearch.searchSites.call(context, 'Paging Site 3');
		expect(some.results).toEqual([{ name: 'Paging Site 3', value: expect.any(String), url: expect.stringMatching(/^https:\/\//) }]);
		const bad = { ...context, getCredentials: async () => apiCredentials(sim, 'wrong').dattoRmmApi } as unknown as ILoadOptionsFunctions;
		await expect(node.methods.listSearch.searchSites.call(bad)).rejects.toBeInstanceOf(NodeApiError);
	});
});

describe('device', () => {
	it('get by UID and 404 for an unknown device', async () => {
		const device = sim.data.devices[3];
		const result = await run({ resource: 'device', operation: 'get', deviceUid: device.uid });
		expect(result.items[0].json).toMatchObject({ uid: device.uid, hostname: device.hostname, siteUid: device.siteUid, lastSeenIso: expect.any(String) });
		const missing = await run({ resource: 'device', operation: 'get', deviceUid: 'nope' });
		expect(missing.error).toMatchObject({ name: 'NodeApiError', httpCode: '404' });
		expect(missing.error!.message).toMatch(/Device was not found\./);
	});

	it('findByHostname: exact (case-insensitive) or contains; nothing found → no items', async () => {
		sim.addDevice({ hostname: 'ACME-WS01', siteUid: customerSites()[0].uid });
		sim.addDevice({ hostname: 'ACME-WS010', siteUid: customerSites()[0].uid });
		sim.addDevice({ hostname: 'ACME-WS011', siteUid: customerSites()[1].uid });
		const exact = await run({ resource: 'device', operation: 'findByHostname', hostname: 'acme-ws01' });
		expect(exact.items.map((i) => i.json.hostname)).toEqual(['ACME-WS01']);
		const contains = await run({ resource: 'device', operation: 'findByHostname', hostname: 'ACME-WS01', exactMatch: false });
		expect(contains.items.map((i) => i.json.hostname).sort()).toEqual(['ACME-WS01', 'ACME-WS010', 'ACME-WS011']);
		const limited = await run({ resource: 'device', operation: 'findByHostname', hostname: 'ACME-WS01', exactMatch: false, limit: 2 });
		expect(limited.items).toHaveLength(2);
		const none = await run({ resource: 'device', operation: 'findByHostname', hostname: 'NO-SUCH-HOST' });
		expect(none.status).toBe('success');
		expect(none.items).toEqual([]);
	});
});

describe('rate limiting (429)', () => {
	it('a list over many pages under a tight limit: 429 + Retry-After are waited out, nothing lost', async () => {
		const limited = await startSim({ maxPageSize: 3, readLimit: 4, windowMs: 1000, seed: { sites: 2, devices: 6, openAlerts: 24, resolvedAlerts: 0 } });
		try {
			const result = await runNode({
				node,
				parameters: { resource: 'alert', operation: 'getManyOpen', returnAll: true } as never,
				credentials: apiCredentials(limited),
			});
			expect(result.status).toBe('success');
			expect(result.items).toHaveLength(24);
			expect(limited.counters.rateLimited).toBeGreaterThan(0);
			expect(limited.log.count('GET /api/v2/account/alerts/open', 429)).toBeGreaterThan(0);
			expect(limited.log.count('GET /api/v2/account/alerts/open', 200)).toBe(8);
		} finally {
			await limited.close();
		}
	});

	it('injected 429s with and without Retry-After are retried; a burst that outlasts the retries is a 429 NodeApiError', async () => {
		const flaky = await startSim({ seed: { sites: 1, devices: 2, openAlerts: 2, resolvedAlerts: 0 } });
		try {
			const uid = flaky.data.alerts[0].alert.alertUid;
			const credentials = apiCredentials(flaky);
			await runNode({ node, parameters: { resource: 'site', operation: 'getMany', returnAll: true } as never, credentials }); // token first
			flaky.faults.configure({ pathPattern: '^/api/v2/alert/', burst429: 2, retryAfterSeconds: 1 });
			const withHeader = await runNode({ node, parameters: { resource: 'alert', operation: 'get', alertUid: uid } as never, credentials });
			expect(withHeader.items[0].json.alertUid).toBe(uid);
			expect(flaky.log.count(/alert/, 429)).toBe(2);

			flaky.faults.configure({ pathPattern: '^/api/v2/alert/', burst429: 1, retryAfterSeconds: undefined });
			const started = Date.now();
			const withoutHeader = await runNode({ node, parameters: { resource: 'alert', operation: 'get', alertUid: uid } as never, credentials });
			expect(withoutHeader.items[0].json.alertUid).toBe(uid);
			expect(Date.now() - started).toBeGreaterThanOrEqual(900); // exponential backoff (2 s base, equal jitter)
			expect(flaky.log.count(/alert/, 429)).toBe(3);

			// Retry-After: 0 and more 429s than attempts (6): the client gives up, the node reports Datto's 429.
			flaky.faults.configure({ pathPattern: '^/api/v2/alert/', burst429: 10, retryAfterSeconds: 0 });
			const exhausted = await runNode({
				node,
				parameters: { resource: 'alert', operation: 'get', alertUid: uid } as never,
				credentials,
				continueOnFail: true,
			});
			expect(exhausted.items).toEqual([
				{ json: expect.objectContaining({ error: expect.stringMatching(/Rate limit exceeded/), httpCode: '429' }), pairedItem: { item: 0 } },
			]);
		} finally {
			flaky.faults.clear();
			await flaky.close();
		}
	});
});
