/*
 * The Halo and Datto simulators in this process for real-n8n runs (benchmarks and the reliability e2e tests): sites and
 * devices that match the seeded site → client table, and views of the simulators' request logs.
 */
import { DattoSimulator } from '../simulators/datto';
import { HaloSimulator, type HaloRecord } from '../simulators/halo';

/** Datto sites of the benchmarks and the Halo client each maps to (Halo simulator profile "default"). */
export const BENCH_SITES = [
	{ uid: 'bench-site-contoso-ho', name: 'Contoso Head Office', clientId: 12, siteId: 34, mapped: 'uid' },
	{ uid: 'bench-site-contoso-wh', name: 'Contoso Warehouse', clientId: 12, siteId: 35, mapped: 'uid' },
	{ uid: 'bench-site-fabrikam', name: 'Fabrikam Inc', clientId: 13, siteId: 36, mapped: 'name' },
	{ uid: 'bench-site-northwind', name: 'Northwind Traders', clientId: 14, siteId: 38, mapped: 'uid' },
	{ uid: 'bench-site-unmapped', name: 'Unmapped Site', clientId: 1, siteId: 1, mapped: 'none' },
] as const;

/** The site → client CSV for "Import site → client table" (by UID, by name, one site left to the catch-all). */
export function benchSeedCsv(): string {
	const lines = ['key,value'];
	for (const site of BENCH_SITES) {
		if (site.mapped === 'none') continue;
		const value = JSON.stringify({ clientId: site.clientId, siteId: site.siteId, name: site.name }).replace(/"/g, '""');
		lines.push(`${site.mapped === 'uid' ? site.uid : site.name},"${value}"`);
	}
	return `${lines.join('\n')}\n`;
}

export interface BenchSims {
	halo: HaloSimulator;
	datto: DattoSimulator;
	/** Device UIDs, `devicesPerSite` per site, site-major order. */
	devices: string[];
	close(): Promise<void>;
}

export async function startBenchSims(options: {
	haloRateLimit?: { limit: number; windowMs: number } | false;
	haloRetryAfter?: boolean;
	haloTokenLifetimeSeconds?: number;
	devicesPerSite?: number;
}): Promise<BenchSims> {
	const halo = new HaloSimulator({
		profile: 'default',
		rateLimit: options.haloRateLimit,
		retryAfter: options.haloRetryAfter ?? false,
		tokenLifetimeSeconds: options.haloTokenLifetimeSeconds,
	});
	const datto = new DattoSimulator({ seed: false });
	halo.log.limit = 1_000_000;
	datto.log.limit = 1_000_000;
	await halo.listen(0);
	await datto.listen(0);
	const devices: string[] = [];
	for (const site of BENCH_SITES) {
		datto.addSite({ uid: site.uid, name: site.name });
		for (let i = 0; i < (options.devicesPerSite ?? 10); i++) {
			devices.push(datto.addDevice({ hostname: `${site.name.split(' ')[0].toUpperCase()}-WS${String(i + 1).padStart(3, '0')}`, siteUid: site.uid }).uid);
		}
	}
	return {
		halo,
		datto,
		devices,
		close: async () => await closeSimulators(halo, datto),
	};
}

/** Lets both simulators deliver what they still hold, then closes them. */
export async function closeSimulators(halo: HaloSimulator, datto: DattoSimulator): Promise<void> {
	await Promise.allSettled([halo.webhooks.idle(), datto.webhooks.idle()]);
	await halo.close();
	await datto.close();
}

/** Halo tickets by the Datto alert UID they were created for (third_party_id_string). */
export function ticketsByAlert(halo: HaloSimulator): Map<string, HaloRecord[]> {
	const out = new Map<string, HaloRecord[]>();
	for (const t of halo.allTickets()) {
		const uid = String(t.third_party_id_string ?? '');
		if (!uid) continue;
		out.set(uid, [...(out.get(uid) ?? []), t]);
	}
	return out;
}

/** Halo API requests (token and authinfo excluded) after a log sequence number. */
export function haloApiEntries(halo: HaloSimulator, since = 0) {
	return halo.log
		.entries(since)
		.filter((e) => e.path.toLowerCase().startsWith('/api/') && e.route.toLowerCase() !== 'get /api/authinfo');
}

export function haloTokenEntries(halo: HaloSimulator, since = 0) {
	return halo.log.entries(since).filter((e) => e.route.toLowerCase() === `post ${halo.authPath}/token`.toLowerCase());
}

export function dattoApiEntries(datto: DattoSimulator, since = 0) {
	return datto.log.entries(since).filter((e) => e.path.startsWith('/api/'));
}

export function dattoTokenEntries(datto: DattoSimulator, since = 0) {
	return datto.log.entries(since).filter((e) => e.path.startsWith('/auth/'));
}

export function logMark(sim: { log: { entries(since?: number): Array<{ seq?: number }> } }): number {
	const all = sim.log.entries();
	return all.length ? (all[all.length - 1].seq ?? 0) : 0;
}
