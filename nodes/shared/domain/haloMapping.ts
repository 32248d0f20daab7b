/**
 * Datto RMM site / device → HaloPSA client, site, asset and end user, with no hand-built table (pure; table-tested in
 * test/domain/haloMapping.test.ts). Halo's own Datto RMM integration fills `datto_id` on Halo clients, sites and
 * assets (the Datto site UID on clients/sites, the device UID on assets: halopsa-api.md §10, §13); Halo has no
 * server-side filter on it, so the Halo service layer lists clients and sites into a MappingIndex and this module
 * matches in memory.
 *
 * Client resolution order (the first rule that gives an answer wins; `matchedBy` names it):
 * 1. `table`: a Mapping Store `sites` row for the Datto site UID, then the site name (looked up by the caller);
 * 2. `haloSiteDattoId`: an active Halo site whose `datto_id` is the Datto site UID (and whose client is active);
 * 3. `haloClientDattoId`: an active Halo client whose `datto_id` is the Datto site UID (its main site);
 * 4. `haloClientName`: the one active Halo client whose normalised name equals the normalised Datto site name
 *    (case, punctuation, legal suffixes such as Ltd/Inc/GmbH/LLC, whitespace); several → ambiguous, falls through;
 * 5. `catchAll`: the catch-all client; without one `none`.
 * Rules that were skipped for a reason (inactive, ambiguous) leave a note, so the output says why.
 */

export type ClientRule = 'table' | 'haloSiteDattoId' | 'haloClientDattoId' | 'haloClientName' | 'catchAll' | 'none';
export type AssetRule = 'haloAssetDattoId' | 'haloAssetHostname' | 'none';
export type UserRule = 'lastLoggedInUser' | 'none';

export interface IndexClient {
	id: number;
	name: string;
	inactive: boolean;
	mainSiteId: number | null;
	dattoId: string;
}

export interface IndexSite {
	id: number;
	name: string;
	clientId: number | null;
	inactive: boolean;
	dattoId: string;
}

export interface MappingIndex {
	clients: Map<number, IndexClient>;
	sites: Map<number, IndexSite>;
	/** datto_id (trimmed, lower-case) → sites / clients carrying it. */
	sitesByDattoId: Map<string, IndexSite[]>;
	clientsByDattoId: Map<string, IndexClient[]>;
	/** Normalised client name → clients. */
	clientsByName: Map<string, IndexClient[]>;
	/** When it was built (epoch ms). */
	builtAt: number;
}

export interface ClientMatch {
	matchedBy: ClientRule;
	clientId: number | null;
	clientName: string | null;
	/** The Halo site: the matched site, the table's site, or the client's main site (null: Halo's default). */
	siteId: number | null;
	siteName: string | null;
	/** Why this rule matched (or why nothing did). */
	reason: string;
	/** Rules skipped on the way, e.g. an ambiguous name or an inactive client with the datto_id. */
	notes: string[];
}

export interface MappingSiteInput {
	uid?: string | null;
	name?: string | null;
}

export interface TableMatch {
	clientId: number;
	siteId?: number | null;
	/** How the Mapping Store found the row (e.g. `exactKey` / `name`), for the reason text. */
	by?: string | null;
}

export interface ClientMatchRequest {
	site: MappingSiteInput;
	table?: TableMatch | null;
	catchAllClientId?: number | null;
}

const text = (value: unknown): string => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '');
const num = (value: unknown): number | null => {
	const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
	return typeof n === 'number' && Number.isInteger(n) ? n : null;
};
const truthy = (value: unknown): boolean => value === true || value === 'true' || value === 1 || value === 'True';
const dattoKey = (value: unknown): string => text(value).trim().toLowerCase();

/**
 * Legal-form words dropped from the end of a company name ("Contoso Ltd" = "Contoso", "Fabrikam, Inc." =
 * "Fabrikam"): English, German, Dutch, French, Nordic and other common forms.
 */
const LEGAL_SUFFIXES = new Set([
	'ltd', 'limited', 'inc', 'incorporated', 'corp', 'corporation', 'co', 'company', 'llc', 'llp', 'lp', 'plc', 'pllc',
	'pc', 'gmbh', 'mbh', 'ag', 'kg', 'ug', 'ohg', 'ev', 'se', 'bv', 'nv', 'vof', 'sa', 'sas', 'sarl', 'srl', 'spa',
	'sl', 'pty', 'pte', 'pvt', 'oy', 'oyj', 'ab', 'as', 'asa', 'aps', 'kft', 'sro', 'spzoo', 'group', 'holding', 'holdings',
]);

/**
 * A company name for comparison: Unicode-normalised, accents dropped, lower case, `&` → "and", dots and apostrophes
 * removed ("B.V." → "bv"), other punctuation as spaces, whitespace collapsed, legal-form words dropped from the end
 * (kept if nothing else would remain). "Fabrikam, Inc." → "fabrikam"; "Voorbeeld Klant B.V." → "voorbeeld klant".
 */
export function normaliseCompanyName(name: unknown): string {
	const cleaned = text(name)
		.normalize('NFKD')
		.replace(/[\u0300-\u036f]/g, '')
		.toLowerCase()
		.replace(/&/g, ' and ')
		.replace(/[.'’`]/g, '')
		.replace(/[^\p{L}\p{N}]+/gu, ' ')
		.trim();
	const words = cleaned.split(/\s+/).filter(Boolean);
	while (words.length > 1 && LEGAL_SUFFIXES.has(words[words.length - 1])) words.pop();
	return words.join(' ');
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
	const list = map.get(key);
	if (list) list.push(value);
	else map.set(key, [value]);
}

/** Builds the in-memory index from Halo's client and site lists (records as the API returns them). */
export function buildMappingIndex(
	clients: ReadonlyArray<Record<string, unknown>>,
	sites: ReadonlyArray<Record<string, unknown>>,
	builtAt = Date.now(),
): MappingIndex {
	const index: MappingIndex = {
		clients: new Map(),
		sites: new Map(),
		sitesByDattoId: new Map(),
		clientsByDattoId: new Map(),
		clientsByName: new Map(),
		builtAt,
	};
	for (const raw of clients) {
		const id = num(raw.id);
		if (id === null) continue;
		const client: IndexClient = {
			id,
			name: text(raw.name),
			inactive: truthy(raw.inactive),
			mainSiteId: num(raw.main_site_id),
			dattoId: text(raw.datto_id).trim(),
		};
		index.clients.set(id, client);
		if (client.dattoId) push(index.clientsByDattoId, dattoKey(client.dattoId), client);
		const name = normaliseCompanyName(client.name);
		if (name) push(index.clientsByName, name, client);
	}
	for (const raw of sites) {
		const id = num(raw.id);
		if (id === null) continue;
		const site: IndexSite = {
			id,
			name: text(raw.name),
			clientId: num(raw.client_id),
			inactive: truthy(raw.inactive),
			dattoId: text(raw.datto_id).trim(),
		};
		index.sites.set(id, site);
		if (site.dattoId) push(index.sitesByDattoId, dattoKey(site.dattoId), site);
	}
	return index;
}

const label = (record: { id: number; name: string }): string => `"${record.name}" (${record.id})`;

function clientResult(
	rule: ClientRule,
	client: IndexClient | null,
	clientId: number | null,
	site: { id: number | null; name: string | null },
	reason: string,
	notes: string[],
): ClientMatch {
	return {
		matchedBy: rule,
		clientId: client?.id ?? clientId,
		clientName: client?.name ?? null,
		siteId: site.id,
		siteName: site.name,
		reason,
		notes,
	};
}

function mainSite(index: MappingIndex, client: IndexClient): { id: number | null; name: string | null } {
	const site = client.mainSiteId === null ? undefined : index.sites.get(client.mainSiteId);
	if (site && !site.inactive) return { id: site.id, name: site.name };
	return { id: null, name: null };
}

/** The Halo client (and site) of a Datto site: rules 1–5 above. */
export function resolveHaloClient(index: MappingIndex, request: ClientMatchRequest): ClientMatch {
	const notes: string[] = [];
	const uid = text(request.site.uid).trim();
	const siteName = text(request.site.name).trim();
	const what = siteName && uid ? `Datto site "${siteName}" (${uid})` : siteName ? `Datto site "${siteName}"` : uid ? `Datto site ${uid}` : 'the alert (no Datto site)';

	// 1. The Mapping Store table (an override).
	const table = request.table;
	if (table && num(table.clientId) !== null) {
		const client = index.clients.get(table.clientId) ?? null;
		const tableSite = num(table.siteId) === null ? null : (index.sites.get(table.siteId as number) ?? null);
		const site = tableSite
			? { id: tableSite.id, name: tableSite.name }
			: num(table.siteId) !== null
				? { id: table.siteId as number, name: null }
				: client
					? mainSite(index, client)
					: { id: null, name: null };
		const by = table.by ? ` (${table.by})` : '';
		return clientResult('table', client, table.clientId, site, `Mapping Store row for ${what}${by}`, notes);
	}

	const key = dattoKey(uid);
	if (key) {
		// 2. A Halo site with the Datto site UID.
		const sites = index.sitesByDattoId.get(key) ?? [];
		const usable = sites.filter((s) => {
			const client = s.clientId === null ? undefined : index.clients.get(s.clientId);
			if (s.inactive) notes.push(`Halo site ${label(s)} has the datto_id but is inactive`);
			else if (!client) notes.push(`Halo site ${label(s)} has the datto_id but its client ${s.clientId ?? '?'} is unknown`);
			else if (client.inactive) notes.push(`Halo site ${label(s)} has the datto_id but its client ${label(client)} is inactive`);
			else return true;
			return false;
		});
		if (usable.length === 1) {
			const site = usable[0];
			const client = index.clients.get(site.clientId as number)!;
			return clientResult(
				'haloSiteDattoId',
				client,
				client.id,
				{ id: site.id, name: site.name },
				`Halo site ${label(site)} of client ${label(client)} has datto_id ${uid}`,
				notes,
			);
		}
		if (usable.length > 1) notes.push(`${usable.length} Halo sites have datto_id ${uid} (${usable.map(label).join(', ')}): ambiguous`);

		// 3. A Halo client with the Datto site UID.
		const clients = (index.clientsByDattoId.get(key) ?? []).filter((c) => {
			if (c.inactive) notes.push(`Halo client ${label(c)} has the datto_id but is inactive`);
			return !c.inactive;
		});
		if (clients.length === 1) {
			const client = clients[0];
			return clientResult('haloClientDattoId', client, client.id, mainSite(index, client), `Halo client ${label(client)} has datto_id ${uid}`, notes);
		}
		if (clients.length > 1) notes.push(`${clients.length} Halo clients have datto_id ${uid} (${clients.map(label).join(', ')}): ambiguous`);
	}

	// 4. A unique client name.
	const wanted = normaliseCompanyName(siteName);
	if (wanted) {
		const named = index.clientsByName.get(wanted) ?? [];
		const active = named.filter((c) => !c.inactive);
		for (const c of named) if (c.inactive) notes.push(`Halo client ${label(c)} matches the name but is inactive`);
		if (active.length === 1) {
			const client = active[0];
			return clientResult(
				'haloClientName',
				client,
				client.id,
				mainSite(index, client),
				`Halo client ${label(client)} is the only client named like "${siteName}"`,
				notes,
			);
		}
		if (active.length > 1) notes.push(`${active.length} Halo clients are named like "${siteName}" (${active.map(label).join(', ')}): ambiguous`);
	}

	// 5. The catch-all client.
	const catchAll = num(request.catchAllClientId);
	const nothing = `no Halo site or client matches ${what}`;
	if (catchAll !== null && catchAll > 0) {
		const client = index.clients.get(catchAll) ?? null;
		return clientResult('catchAll', client, catchAll, client ? mainSite(index, client) : { id: null, name: null }, `${nothing}: catch-all client`, notes);
	}
	return clientResult('none', null, null, { id: null, name: null }, `${nothing} and no catch-all client is set`, notes);
}

// ---------------------------------------------------------------------------------------------------------------
// Assets

export interface AssetMatch {
	matchedBy: AssetRule;
	assetId: number | null;
	/** Inventory number / key field of the matched asset. */
	assetName: string | null;
	reason: string;
}

export interface MappingDeviceInput {
	uid?: string | null;
	hostname?: string | null;
	lastLoggedInUser?: string | null;
}

const hostKey = (value: unknown): string => text(value).trim().toLowerCase();

/**
 * The Halo asset of a Datto device among the assets of the resolved client: the active asset whose `datto_id` is the
 * device UID; else the one active asset whose inventory number or key field is the hostname (case-insensitive);
 * else none (with the reason).
 */
export function resolveHaloAsset(
	assets: ReadonlyArray<Record<string, unknown>>,
	clientId: number | null,
	device: MappingDeviceInput | null | undefined,
): AssetMatch {
	const none = (reason: string): AssetMatch => ({ matchedBy: 'none', assetId: null, assetName: null, reason });
	if (clientId === null) return none('no Halo client');
	const uid = dattoKey(device?.uid);
	const hostname = hostKey(device?.hostname);
	if (!uid && !hostname) return none('the alert names no device');
	const mine = assets.filter((a) => (num(a.client_id) === null || num(a.client_id) === clientId) && !truthy(a.inactive) && num(a.id) !== null);
	const nameOf = (a: Record<string, unknown>) => text(a.inventory_number) || text(a.key_field) || null;
	if (uid) {
		const byId = mine.filter((a) => dattoKey(a.datto_id) === uid);
		if (byId.length === 1) {
			return { matchedBy: 'haloAssetDattoId', assetId: num(byId[0].id), assetName: nameOf(byId[0]), reason: `Halo asset ${num(byId[0].id)} has datto_id ${text(device?.uid)}` };
		}
		if (byId.length > 1) return none(`${byId.length} assets of client ${clientId} have datto_id ${text(device?.uid)}: ambiguous`);
	}
	if (hostname) {
		const byName = mine.filter((a) => hostKey(a.inventory_number) === hostname || hostKey(a.key_field) === hostname);
		if (byName.length === 1) {
			return {
				matchedBy: 'haloAssetHostname',
				assetId: num(byName[0].id),
				assetName: nameOf(byName[0]),
				reason: `Halo asset ${num(byName[0].id)} is the only asset of client ${clientId} named ${text(device?.hostname)}`,
			};
		}
		if (byName.length > 1) return none(`${byName.length} assets of client ${clientId} are named ${text(device?.hostname)}: ambiguous`);
	}
	return none(`no asset of client ${clientId} has datto_id ${text(device?.uid) || '(none)'} or hostname ${text(device?.hostname) || '(none)'}`);
}

// ---------------------------------------------------------------------------------------------------------------
// End user (optional)

export interface UserMatch {
	matchedBy: UserRule;
	userId: number | null;
	userName: string | null;
	siteId: number | null;
	reason: string;
}

/** "CORP\\jdoe", "jdoe@corp.example", "JDoe" → "jdoe". */
export function normaliseLogin(value: unknown): string {
	let login = text(value).trim().toLowerCase();
	const slash = login.lastIndexOf('\\');
	if (slash >= 0) login = login.slice(slash + 1);
	const at = login.indexOf('@');
	if (at > 0) login = login.slice(0, at);
	return login;
}

/**
 * The end user of the device's last logged-in user among the users of the resolved client: the one active user
 * whose login / AD user name, e-mail local part or name equals the login (after normalisation); else none.
 */
export function resolveHaloUser(users: ReadonlyArray<Record<string, unknown>>, clientId: number | null, lastLoggedInUser: unknown): UserMatch {
	const none = (reason: string): UserMatch => ({ matchedBy: 'none', userId: null, userName: null, siteId: null, reason });
	if (clientId === null) return none('no Halo client');
	const login = normaliseLogin(lastLoggedInUser);
	if (!login) return none('the device has no last logged-in user');
	const candidates = users.filter((u) => {
		if (num(u.id) === null || truthy(u.inactive)) return false;
		if (num(u.client_id) !== null && num(u.client_id) !== clientId) return false;
		const keys = [u.login, u.adusername, u.samaccountname, u.emailaddress, u.email].map(normaliseLogin);
		keys.push(text(u.name).trim().toLowerCase());
		return keys.includes(login);
	});
	if (candidates.length === 1) {
		const u = candidates[0];
		return { matchedBy: 'lastLoggedInUser', userId: num(u.id), userName: text(u.name) || null, siteId: num(u.site_id), reason: `Halo user ${num(u.id)} matches the last logged-in user ${text(lastLoggedInUser)}` };
	}
	if (candidates.length > 1) return none(`${candidates.length} users of client ${clientId} match ${text(lastLoggedInUser)}: ambiguous`);
	return none(`no user of client ${clientId} matches ${text(lastLoggedInUser)}`);
}
