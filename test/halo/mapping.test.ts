/**
 * The Halo service layer's zero-configuration mapping against the simulator (profile msp): the cached client/site
 * index (single-flight, serve-stale + background refresh), per-client asset lists, resolveHaloTarget, a stale asset
 * refused by Halo, and the tenant defaults (closed status, note outcome).
 */
import {
	autoClosedStatus,
	autoNoteOutcome,
	clearHaloLookupCaches,
	clearMappingCaches,
	createTicketForTarget,
	mappingIndex,
	mappingIndexStats,
	resolveHaloTarget,
	settleMappingRefreshes,
	targetTicketFields,
} from '../../nodes/shared/halo';
import type { HaloClient } from '../../nodes/shared/transport/halo';
import { HaloSimulator } from '../../simulators/halo';
import { clientFor, sleep, startSim } from './helpers';

describe('Halo service layer: mapping index and resolveHaloTarget (simulator, profile msp)', () => {
	let sim: HaloSimulator;
	let halo: HaloClient;
	const listCalls = () => {
		const routes = sim.counts().byRoute;
		const n = (r: string) => Object.entries(routes).filter(([k]) => k.toLowerCase() === r).reduce((s, [, v]) => s + v, 0);
		return { clients: n('get /api/client'), sites: n('get /api/site'), assets: n('get /api/asset'), users: n('get /api/users') };
	};

	beforeAll(async () => {
		sim = await startSim({ profile: 'msp' });
	});
	afterAll(async () => await sim.close());
	beforeEach(() => {
		sim.reset();
		clearMappingCaches();
		clearHaloLookupCaches();
		halo = clientFor(sim);
	});

	it('builds the index once for concurrent callers and then serves it without calls', async () => {
		const [a, b, c] = await Promise.all([mappingIndex(halo), mappingIndex(halo), mappingIndex(halo)]);
		expect(a).toBe(b);
		expect(b).toBe(c);
		expect(listCalls()).toMatchObject({ clients: 1, sites: 1 });
		await mappingIndex(halo);
		expect(listCalls()).toMatchObject({ clients: 1, sites: 1 });
		expect(mappingIndexStats(halo)).toMatchObject({ loads: 1, hits: 1 });
	});

	it('serves a stale index at once and refreshes it in the background', async () => {
		const first = await mappingIndex(halo, { ttlMs: 50 });
		await sleep(80);
		// A new client appears in Halo meanwhile (e.g. Halo's Datto sync).
		const stale = await mappingIndex(halo, { ttlMs: 50 });
		expect(stale).toBe(first);
		await settleMappingRefreshes();
		const fresh = await mappingIndex(halo, { ttlMs: 50 });
		expect(fresh).not.toBe(first);
		expect(mappingIndexStats(halo)).toMatchObject({ loads: 2, backgroundRefreshes: 1 });
		expect(listCalls()).toMatchObject({ clients: 2, sites: 2 });
	});

	it('resolves the three kinds of site: datto_id with the asset, unique name without asset, catch-all', async () => {
		const contoso = await resolveHaloTarget(halo, {
			site: { uid: 'e2e-site-contoso', name: 'Contoso Ltd' },
			device: { uid: 'e2e-device-contoso-srv01', hostname: 'CONTOSO-SRV01' },
			catchAllClientId: 1,
		});
		expect(contoso.client).toMatchObject({ matchedBy: 'haloSiteDattoId', clientId: 12, siteId: 34 });
		expect(contoso.asset).toMatchObject({ matchedBy: 'haloAssetDattoId', assetId: 901 });
		expect(targetTicketFields(contoso)).toEqual({ client_id: 12, site_id: 34, assets: [{ id: 901 }] });

		const fabrikam = await resolveHaloTarget(halo, { site: { uid: 'e2e-site-fabrikam', name: 'Fabrikam Inc' }, device: { uid: 'd2', hostname: 'FABRIKAM-PC07' }, catchAllClientId: 1 });
		expect(fabrikam.client).toMatchObject({ matchedBy: 'haloClientName', clientId: 13, siteId: 36 });
		expect(fabrikam.asset).toMatchObject({ matchedBy: 'none', assetId: null });
		expect(fabrikam.asset!.reason).toContain('no asset of client 13');

		const tailspin = await resolveHaloTarget(halo, { site: { uid: 'e2e-site-tailspin', name: 'Tailspin Toys' }, catchAllClientId: 1 });
		expect(tailspin.client).toMatchObject({ matchedBy: 'catchAll', clientId: 1 });
		expect(tailspin.client.notes.join()).toContain('ambiguous');
		// Index once, assets once per client asked (12, 13; the catch-all alert had no device).
		expect(listCalls()).toMatchObject({ clients: 1, sites: 1, assets: 2, users: 0 });
		await resolveHaloTarget(halo, { site: { uid: 'e2e-site-contoso' }, device: { uid: 'e2e-device-contoso-srv01' } });
		expect(listCalls()).toMatchObject({ clients: 1, sites: 1, assets: 2 });
	});

	it('finds the end user only when asked', async () => {
		const request = { site: { uid: 'e2e-site-contoso' }, device: { uid: 'x', hostname: 'y', lastLoggedInUser: 'CONTOSO\\jdoe' } };
		expect((await resolveHaloTarget(halo, request)).user).toBeNull();
		const withUser = await resolveHaloTarget(halo, { ...request, endUser: true });
		expect(withUser.user).toMatchObject({ matchedBy: 'lastLoggedInUser', userId: 301 });
		expect(targetTicketFields(withUser)).toMatchObject({ user_id: 301, site_id: 34 });
	});

	it('creates the ticket without the asset when Halo refuses a cached asset id (deleted since)', async () => {
		const target = await resolveHaloTarget(halo, { site: { uid: 'e2e-site-contoso' }, device: { uid: 'e2e-device-contoso-srv01' } });
		const fields = { summary: 'x', ...targetTicketFields(target), assets: [{ id: 4242 }] };
		const ticket = await createTicketForTarget(halo, fields, target);
		expect(ticket.assets).toEqual([]);
		expect(target.asset).toMatchObject({ matchedBy: 'none' });
		expect(target.asset!.reason).toContain('Halo refused asset');
		expect(sim.allTickets()).toHaveLength(1);
	});

	it("tenant defaults: the closed status is the tenant's Closed (17, not 9) and the note outcome is Internal Note", async () => {
		expect((await autoClosedStatus(halo)).id).toBe(17);
		expect(await autoNoteOutcome(halo)).toMatchObject({ id: 5, outcome: 'Internal Note' });
		await autoNoteOutcome(halo);
		expect(Object.entries(sim.counts().byRoute).filter(([k]) => /outcome/i.test(k)).reduce((s, [, v]) => s + v, 0)).toBe(1);
	});
});
