/**
 * HaloPSA node with the zero-configuration mapping (simulator profile msp, where Halo's Datto integration filled
 * datto_id): Create From Alert on the three kinds of site, Client → Find for Datto Site, Asset → Get / Get Many /
 * Find for Datto Device, resource locators.
 */
import { HaloSimulator } from '../../simulators/halo';
import { datto, runHalo, startSim, warmClient } from './helpers';

type Json = Record<string, unknown>;
const json = (r: { items: Array<{ json: unknown }> }, i = 0) => r.items[i].json as Json;

describe('HaloPSA node: automatic mapping (profile msp)', () => {
	let sim: HaloSimulator;
	beforeAll(async () => {
		sim = await startSim({ profile: 'msp' });
	});
	afterAll(async () => await sim.close());
	beforeEach(() => {
		sim.reset();
		warmClient(sim);
	});

	const contoso = { site: { uid: 'e2e-site-contoso', name: 'Contoso Ltd' }, device: { uid: 'e2e-device-contoso-srv01', hostname: 'CONTOSO-SRV01' } };
	const fabrikam = { site: { uid: 'e2e-site-fabrikam', name: 'Fabrikam Inc' }, device: { uid: 'dev-fab', hostname: 'FABRIKAM-PC07' } };
	const unmapped = { site: { uid: 'e2e-site-unmapped', name: 'Unmapped Site' }, device: { uid: 'dev-un', hostname: 'UNMAPPED-PC01' } };

	it('Create From Alert: datto_id site with the asset, unique client name without asset, catch-all — no table', async () => {
		const params = { resource: 'ticket', operation: 'createFromAlert', fallbackClientId: 1 };
		const result = await runHalo(sim, params, [
			{ json: datto({ alertUid: 'a-contoso', ...contoso }) },
			{ json: datto({ alertUid: 'a-fabrikam', ...fabrikam }) },
			{ json: datto({ alertUid: 'a-unmapped', ...unmapped }) },
		]);
		expect(result.error).toBeUndefined();
		const outs = result.items.map((i) => i.json as Json);
		expect(outs.map((o) => [(o.client as Json).matchedBy, o.clientId, o.siteId, (o.asset as Json).matchedBy, (o.asset as Json).id])).toEqual([
			['haloSiteDattoId', 12, 34, 'haloAssetDattoId', 901],
			['haloClientName', 13, 36, 'none', null],
			['catchAll', 1, 1, 'none', null],
		]);
		expect(String((outs[1].asset as Json).reason)).toContain('no asset of client 13');
		const tickets = sim.allTickets();
		expect(tickets.map((t) => [t.client_id, t.site_id, (t.assets as Json[]).map((a) => a.id)])).toEqual([
			[12, 34, [901]],
			[13, 36, []],
			[1, 1, []],
		]);
	});

	it('a Client ID Field value (Mapping Store row) overrides the automatic mapping; no client at all is a clear error', async () => {
		const result = await runHalo(sim, { resource: 'ticket', operation: 'createFromAlert', clientIdField: 'row.clientId' }, [
			{ json: { ...datto({ alertUid: 'a-table', ...contoso }), row: { clientId: 14 } } },
		]);
		expect(json(result)).toMatchObject({ clientId: 14, client: { matchedBy: 'table' }, asset: { matchedBy: 'none' } });
		const none = await runHalo(sim, { resource: 'ticket', operation: 'createFromAlert' }, [{ json: datto({ alertUid: 'a-none', ...unmapped }) }]);
		expect(none.error?.message).toMatch(/No Halo client for this alert: no Halo site or client matches Datto site "Unmapped Site".*Fallback Client/);
	});

	it('sets the end user from the last logged-in user only when asked', async () => {
		const alert = datto({ alertUid: 'a-user', ...contoso, device: { ...contoso.device, lastLoggedInUser: 'CONTOSO\\jdoe' } });
		const off = await runHalo(sim, { resource: 'ticket', operation: 'createFromAlert', fallbackClientId: 1 }, [{ json: alert }]);
		expect(sim.ticket(json(off).ticketId as number)!.user_id).toBe(0);
		const on = await runHalo(sim, { resource: 'ticket', operation: 'createFromAlert', fallbackClientId: 1, options: { setEndUser: true } }, [
			{ json: { ...alert, alertUid: 'a-user-2' } },
		]);
		expect(json(on)).toMatchObject({ user: { id: 301, matchedBy: 'lastLoggedInUser' } });
		expect(sim.ticket(json(on).ticketId as number)!.user_id).toBe(301);
	});

	it('Client → Find for Datto Site returns the client, site and rule', async () => {
		const result = await runHalo(
			sim,
			{ resource: 'client', operation: 'findForDattoSite', dattoSiteUid: '={{ $json.site.uid }}', dattoSiteName: '={{ $json.site.name }}', catchAllClientId: 1 },
			[{ json: contoso }, { json: fabrikam }, { json: { site: { uid: 'e2e-site-northwind', name: 'NW' } } }, { json: { site: { name: 'Tailspin Toys' } } }],
		);
		expect(result.items.map((i) => [(i.json as Json).matchedBy, (i.json as Json).clientId, (i.json as Json).siteId])).toEqual([
			['haloSiteDattoId', 12, 34],
			['haloClientName', 13, 36],
			['haloClientDattoId', 14, 38],
			['catchAll', 1, 1],
		]);
		expect(String(json(result, 3).notes)).toContain('ambiguous');
	});

	it('Asset → Find for Datto Device, Get (resource locator or plain id) and Get Many', async () => {
		const found = await runHalo(
			sim,
			{
				resource: 'asset',
				operation: 'findForDattoDevice',
				dattoDeviceUid: '={{ $json.device.uid }}',
				hostname: '={{ $json.device.hostname }}',
				dattoSiteUid: '={{ $json.site.uid }}',
				dattoSiteName: '={{ $json.site.name }}',
			},
			[{ json: contoso }, { json: { site: contoso.site, device: { uid: 'new-device', hostname: 'contoso-ws002' } } }, { json: fabrikam }],
		);
		expect(found.items.map((i) => [(i.json as Json).found, ((i.json as Json).asset as Json).matchedBy, ((i.json as Json).asset as Json).id])).toEqual([
			[true, 'haloAssetDattoId', 901],
			[true, 'haloAssetHostname', 902],
			[false, 'none', null],
		]);
		expect(json(found).record).toMatchObject({ id: 901, inventory_number: 'CONTOSO-SRV01' });

		const byLocator = await runHalo(sim, { resource: 'asset', operation: 'get', assetId: { __rl: true, mode: 'id', value: '901' } });
		expect(json(byLocator)).toMatchObject({ id: 901, datto_id: 'e2e-device-contoso-srv01' });
		const plain = await runHalo(sim, { resource: 'asset', operation: 'get', assetId: '906' });
		expect(json(plain)).toMatchObject({ id: 906 });
		// The locator's ID mode validates the value (n8n refuses to run the node).
		await expect(runHalo(sim, { resource: 'asset', operation: 'get', assetId: { __rl: true, mode: 'id', value: 'abc' } })).rejects.toThrow(
			/Not a valid Halo ID/,
		);
		const expression = await runHalo(sim, { resource: 'asset', operation: 'get', assetId: '={{ "12.5" }}' });
		expect(expression.error?.message).toMatch(/Asset ID must be a positive whole number/);

		const many = await runHalo(sim, { resource: 'asset', operation: 'getMany', returnAll: true, filters: { clientId: 12 } });
		expect(many.items.map((i) => (i.json as Json).id)).toEqual([901, 902]);
		const client = await runHalo(sim, { resource: 'client', operation: 'get', clientId: { __rl: true, mode: 'list', value: 13 } });
		expect(json(client)).toMatchObject({ id: 13, name: 'Fabrikam, Inc.' });
	});
});
