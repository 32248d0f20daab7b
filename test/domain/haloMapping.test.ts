/** The zero-configuration mapping rules (pure): client/site resolution order, name normalisation, assets, end users. */
import {
	buildMappingIndex,
	normaliseCompanyName,
	normaliseLogin,
	resolveHaloAsset,
	resolveHaloClient,
	resolveHaloUser,
	type ClientMatchRequest,
	type ClientRule,
} from '../../nodes/shared/domain/haloMapping';
import { pickClosedStatus, pickNoteOutcome } from '../../nodes/shared/domain/haloStatus';

const clients = [
	{ id: 1, name: 'Catch-All', main_site_id: 1 },
	{ id: 12, name: 'Contoso (Managed)', main_site_id: 34, datto_id: '' },
	{ id: 13, name: 'Fabrikam, Inc.', main_site_id: 36 },
	{ id: 14, name: 'Northwind', main_site_id: 38, datto_id: 'uid-northwind' },
	{ id: 15, name: 'Old Customer Ltd', main_site_id: 39, inactive: true, datto_id: 'uid-old-client' },
	{ id: 16, name: 'Tailspin Toys Ltd', main_site_id: 40 },
	{ id: 17, name: 'Tailspin Toys GmbH', main_site_id: 41 },
	{ id: 18, name: 'Dup A', datto_id: 'uid-dup-client' },
	{ id: 19, name: 'Dup B', datto_id: 'UID-DUP-CLIENT' },
	{ id: 20, name: 'Woodgrove Bank', main_site_id: 44, datto_id: 'uid-woodgrove' },
	{ id: 21, name: 'Old Customer', inactive: 'true' },
];
const sites = [
	{ id: 1, name: 'Main', client_id: 1 },
	{ id: 34, name: 'Head Office', client_id: 12, datto_id: 'uid-contoso' },
	{ id: 35, name: 'Warehouse', client_id: 12, datto_id: '' },
	{ id: 36, name: 'Main', client_id: 13 },
	{ id: 38, name: 'Main', client_id: 14 },
	{ id: 39, name: 'Main', client_id: 15, datto_id: 'uid-site-of-inactive-client' },
	{ id: 42, name: 'Closed Branch', client_id: 20, inactive: true, datto_id: 'uid-woodgrove' },
	{ id: 44, name: 'Main', client_id: 20 },
	{ id: 45, name: 'Branch', client_id: 14, datto_id: 'uid-shared-site' },
	{ id: 46, name: 'Branch 2', client_id: 13, datto_id: 'uid-shared-site' },
];
const index = buildMappingIndex(clients, sites);

describe('resolveHaloClient: resolution order', () => {
	const cases: Array<{ name: string; request: ClientMatchRequest; rule: ClientRule; client: number | null; site: number | null; note?: RegExp }> = [
		{ name: 'a table row wins over everything', request: { site: { uid: 'uid-contoso', name: 'Contoso' }, table: { clientId: 16 }, catchAllClientId: 1 }, rule: 'table', client: 16, site: null },
		{ name: 'a table row with its own site', request: { site: { uid: 'x' }, table: { clientId: 13, siteId: 36 } }, rule: 'table', client: 13, site: 36 },
		{ name: 'Halo site datto_id (names differ)', request: { site: { uid: 'uid-contoso', name: 'Contoso Ltd' }, catchAllClientId: 1 }, rule: 'haloSiteDattoId', client: 12, site: 34 },
		{ name: 'datto_id compared case-insensitively and trimmed', request: { site: { uid: ' UID-CONTOSO ' } }, rule: 'haloSiteDattoId', client: 12, site: 34 },
		{ name: 'Halo client datto_id → its main site', request: { site: { uid: 'uid-northwind', name: 'NW' }, catchAllClientId: 1 }, rule: 'haloClientDattoId', client: 14, site: 38 },
		{ name: 'an inactive site with the datto_id falls through to the client with it', request: { site: { uid: 'uid-woodgrove' } }, rule: 'haloClientDattoId', client: 20, site: 44, note: /Closed Branch.*inactive/ },
		{ name: 'a site whose client is inactive does not match', request: { site: { uid: 'uid-site-of-inactive-client' }, catchAllClientId: 1 }, rule: 'catchAll', client: 1, site: 1, note: /client "Old Customer Ltd" \(15\) is inactive/ },
		{ name: 'an inactive client with the datto_id does not match', request: { site: { uid: 'uid-old-client' }, catchAllClientId: 1 }, rule: 'catchAll', client: 1, site: 1, note: /Old Customer Ltd.*inactive/ },
		{ name: 'two clients with the datto_id: ambiguous, falls through', request: { site: { uid: 'uid-dup-client' }, catchAllClientId: 1 }, rule: 'catchAll', client: 1, site: 1, note: /2 Halo clients have datto_id/ },
		{ name: 'two sites with the datto_id: ambiguous, then a unique name', request: { site: { uid: 'uid-shared-site', name: 'fabrikam inc' } }, rule: 'haloClientName', client: 13, site: 36, note: /2 Halo sites have datto_id/ },
		{ name: 'empty datto_id never matches an empty uid', request: { site: { uid: '', name: 'Nobody' }, catchAllClientId: 1 }, rule: 'catchAll', client: 1, site: 1 },
		{ name: 'unique name after normalisation (punctuation, suffix, case)', request: { site: { uid: 'unknown', name: 'FABRIKAM Inc' } }, rule: 'haloClientName', client: 13, site: 36 },
		{ name: 'legal suffixes differ: Ltd vs GmbH → two clients, ambiguous → catch-all', request: { site: { name: 'Tailspin Toys' }, catchAllClientId: 1 }, rule: 'catchAll', client: 1, site: 1, note: /2 Halo clients are named like "Tailspin Toys"/ },
		{ name: 'a name matching only an inactive client does not match', request: { site: { name: 'Old Customer' }, catchAllClientId: 1 }, rule: 'catchAll', client: 1, site: 1, note: /matches the name but is inactive/ },
		{ name: 'no match and no catch-all → none', request: { site: { uid: 'nope', name: 'Nope' } }, rule: 'none', client: null, site: null },
		{ name: 'an unknown catch-all id is still used (Halo decides)', request: { site: { name: 'Nope' }, catchAllClientId: 999 }, rule: 'catchAll', client: 999, site: null },
	];
	test.each(cases)('$name', ({ request, rule, client, site, note }) => {
		const result = resolveHaloClient(index, request);
		expect({ rule: result.matchedBy, client: result.clientId, site: result.siteId }).toEqual({ rule, client, site });
		expect(result.reason).not.toBe('');
		if (note) expect(result.notes.join('\n')).toMatch(note);
	});
});

describe('normaliseCompanyName', () => {
	test.each([
		['Fabrikam, Inc.', 'fabrikam'],
		['Contoso Ltd', 'contoso'],
		['  CONTOSO   LIMITED ', 'contoso'],
		['Voorbeeld Klant B.V.', 'voorbeeld klant'],
		['Müller GmbH & Co. KG', 'muller gmbh and'],
		['Acme Pty Ltd', 'acme'],
		['Ltd', 'ltd'],
		['Smith & Sons LLC', 'smith and sons'],
		['O\u2019Brien Plumbing', 'obrien plumbing'],
		['', ''],
	])('%s → %s', (input, expected) => expect(normaliseCompanyName(input)).toBe(expected));
});

describe('resolveHaloAsset', () => {
	const assets = [
		{ id: 901, client_id: 12, inventory_number: 'CONTOSO-SRV01', key_field: 'CONTOSO-SRV01', datto_id: 'dev-1' },
		{ id: 902, client_id: 12, inventory_number: 'WS-1', key_field: 'ws-1', datto_id: '' },
		{ id: 903, client_id: 12, inventory_number: 'DUP', datto_id: '' },
		{ id: 904, client_id: 12, key_field: 'dup', datto_id: '' },
		{ id: 905, client_id: 12, inventory_number: 'RETIRED', datto_id: 'dev-retired', inactive: true },
		{ id: 906, client_id: 13, inventory_number: 'OTHER', datto_id: 'dev-other' },
	];
	test.each([
		['datto_id = device uid', { uid: 'dev-1', hostname: 'renamed' }, 'haloAssetDattoId', 901],
		['hostname on key_field, case-insensitive', { uid: 'dev-new', hostname: 'WS-1' }, 'haloAssetHostname', 902],
		['two assets with the hostname → none (ambiguous)', { uid: 'x', hostname: 'dup' }, 'none', null],
		['an inactive asset does not match', { uid: 'dev-retired', hostname: 'RETIRED' }, 'none', null],
		["another client's asset does not match", { uid: 'dev-other', hostname: 'OTHER' }, 'none', null],
		['no device', {}, 'none', null],
	])('%s', (_name, device, rule, id) => {
		const result = resolveHaloAsset(assets, 12, device);
		expect([result.matchedBy, result.assetId]).toEqual([rule, id]);
		expect(result.reason).not.toBe('');
	});
});

describe('resolveHaloUser (optional end user)', () => {
	const users = [
		{ id: 301, name: 'Jane Doe', client_id: 12, site_id: 34, emailaddress: 'jdoe@contoso.example' },
		{ id: 302, name: 'John Smith', client_id: 12, emailaddress: 'jsmith@contoso.example' },
		{ id: 303, name: 'Other', client_id: 12, emailaddress: 'jsmith@elsewhere.example' },
		{ id: 304, name: 'Jane Doe', client_id: 13, emailaddress: 'jdoe@fabrikam.example' },
	];
	test.each([
		['CONTOSO\\jdoe', 'lastLoggedInUser', 301],
		['jdoe@contoso.local', 'lastLoggedInUser', 301],
		['jsmith', 'none', null],
		['nobody', 'none', null],
		['', 'none', null],
	])('%s', (login, rule, id) => {
		const result = resolveHaloUser(users, 12, login);
		expect([result.matchedBy, result.userId]).toEqual([rule, id]);
	});
	it('normalises logins', () => expect(normaliseLogin('CORP\\JDoe')).toBe('jdoe'));
});

describe('tenant defaults', () => {
	it('closed status by name, never by id 9 (status 9 = "Waiting on Customer")', () => {
		const statuses = [
			{ id: 1, name: 'New', type: 1 },
			{ id: 9, name: 'Waiting on Customer', type: 3 },
			{ id: 17, name: 'closed', type: 4 },
		];
		expect(pickClosedStatus(statuses)?.id).toBe(17);
		expect(pickClosedStatus([{ id: 9, name: 'Waiting on Customer', type: 3 }])).toBeUndefined();
	});
	test.each([
		[[{ id: 1, outcome: 'Note' }, { id: 7, outcome: 'Private Note' }], 7],
		[[{ id: 3, outcome: 'Update' }, { id: 5, outcome: 'INTERNAL NOTE' }], 5],
		[[{ id: 6, outcome: 'Close', newstatus: 17 }, { id: 8, outcome: 'Phone Call' }], 8],
		[[{ id: 6, outcome: 'Close', newstatus: 17 }], undefined],
		[[], undefined],
	])('note outcome from %j → %s', (outcomes, id) => expect(pickNoteOutcome(outcomes)?.id).toBe(id));
});
