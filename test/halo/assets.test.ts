/**
 * Halo's Datto RMM data in the simulator and the client: datto_id on clients, sites and assets, the paged asset list
 * without a datto_id filter, tickets linked to assets (unknown asset → 400), end users, and the `msp` profile where
 * status 9 is not Closed.
 */
import { ApiRequestError } from '../../nodes/shared/transport/http';
import { HaloSimulator } from '../../simulators/halo';
import { api, bearer, clientFor, startSim } from './helpers';

describe('Halo simulator and client: assets, datto_id, msp profile', () => {
	let sim: HaloSimulator;

	beforeAll(async () => {
		sim = await startSim({ profile: 'msp' });
	});
	afterAll(async () => await sim.close());
	beforeEach(() => sim.reset());

	it('clients and sites carry datto_id (filled, empty or missing), and inactive ones are hidden unless asked', async () => {
		const halo = clientFor(sim);
		const clients = await halo.listClients();
		expect(clients.map((c) => [c.id, c.datto_id ?? null])).toEqual([
			[1, ''],
			[12, ''],
			[13, null],
			[14, 'e2e-site-northwind'],
			[16, null],
			[17, null],
		]);
		expect((await halo.listClients({ includeInactive: true })).map((c) => c.id)).toContain(15);
		const sites = await halo.listSites();
		expect(sites.find((s) => s.id === 34)).toMatchObject({ name: 'Head Office', client_id: 12, datto_id: 'e2e-site-contoso' });
	});

	it('lists assets paged with thin items, ignores a datto_id filter, and reads one asset in full', async () => {
		const token = await bearer(sim);
		const page = (await api(sim, token, 'GET', '/api/Asset?pageinate=true&page_size=2&page_no=1')).json as Record<string, unknown>;
		expect(page.record_count).toBe(3);
		const items = page.assets as Array<Record<string, unknown>>;
		expect(items).toHaveLength(2);
		expect(Object.keys(items[0]).sort()).toEqual(
			['assettype_name', 'client_id', 'client_name', 'datto_id', 'id', 'inactive', 'inventory_number', 'key_field', 'site_id', 'site_name'].sort(),
		);
		// No server-side datto_id filter: the unknown parameter is ignored and the whole list comes back.
		const unfiltered = (await api(sim, token, 'GET', '/api/Asset?datto_id=e2e-device-contoso-srv01')).json as Record<string, unknown>;
		expect((unfiltered.assets as unknown[]).length).toBe(3);

		const halo = clientFor(sim);
		const all = await halo.listAssets({}, { returnAll: true, pageSize: 2 });
		expect(all.map((a) => a.id)).toEqual([901, 902, 906]);
		expect((await halo.listAssets({ clientId: 12 })).map((a) => a.id)).toEqual([901, 902]);
		const full = await halo.getAsset(901);
		expect(full).toMatchObject({ id: 901, datto_id: 'e2e-device-contoso-srv01', datto_site_uid: 'e2e-site-contoso', inventory_number: 'CONTOSO-SRV01' });
		await expect(halo.getAsset(999)).rejects.toMatchObject({ status: 404 });
	});

	it('stores and returns the assets of a ticket; an unknown asset id is a 400 and creates nothing', async () => {
		const halo = clientFor(sim);
		const ticket = await halo.createTicket({ summary: 'with asset', client_id: 12, assets: [{ id: 901 }] });
		expect(ticket.assets).toEqual([{ id: 901, inventory_number: 'CONTOSO-SRV01', key_field: 'CONTOSO-SRV01' }]);
		expect((await halo.getTicket(ticket.id)).assets).toEqual([expect.objectContaining({ id: 901 })]);
		const error = await halo.createTicket({ summary: 'bad asset', client_id: 12, assets: [{ id: 4242 }] }).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(ApiRequestError);
		expect(error).toMatchObject({ status: 400 });
		expect((error as Error).message).toContain('Asset 4242 does not exist');
		expect(sim.allTickets()).toHaveLength(1);
	});

	it('msp profile: status 9 is "Waiting on Customer", Closed is 17, and the private outcome is "Internal Note"', async () => {
		const halo = clientFor(sim);
		const statuses = await halo.listStatuses();
		expect(statuses.find((s) => s.id === 9)?.name).toBe('Waiting on Customer');
		expect(statuses.find((s) => s.name === 'Closed')?.id).toBe(17);
		expect(sim.isClosedStatus(9)).toBe(false);
		expect((await halo.listOutcomes()).map((o) => o.outcome)).toEqual(['Update', 'Internal Note', 'Close', 'Awaiting Customer']);
	});

	it('lists the end users of a client', async () => {
		const halo = clientFor(sim);
		expect((await halo.listUsers({ clientId: 12 })).map((u) => u.name)).toEqual(['Jane Doe', 'John Smith', 'J Smith']);
	});

	it('the admin API adds assets (as Halo\'s Datto sync would)', async () => {
		const res = await fetch(`${sim.baseUrl}/_sim/assets`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ id: 950, client_id: 13, site_id: 36, inventory_number: 'FAB-01', datto_id: 'dev-fab-01' }),
		});
		expect(res.status).toBe(201);
		expect((await clientFor(sim).listAssets({ clientId: 13 })).map((a) => a.datto_id)).toEqual(['dev-fab-01']);
	});
});
