/**
 * Check Setup against both simulators: a good tenant reports no problem; a deliberately misconfigured one lists each
 * problem; the report (items and HTML) never contains a secret.
 */
import { checkSetup, type CheckSetupSettings } from '../../nodes/shared/setup/checkSetup';
import { STATIC_STORE_WARN_RECORDS } from '../../nodes/shared/store';
import { renderSetupReportHtml, renderSetupReportText } from '../../nodes/shared/setup/reportHtml';
import { clearHaloLookupCaches, clearMappingCaches, registerHaloWebhook } from '../../nodes/shared/halo';
import type { DattoSimulator } from '../../simulators/datto';
import type { HaloSimulator } from '../../simulators/halo';
import { clientFor as dattoClientFor, startSim as startDatto, SECRET as DATTO_SECRET } from '../datto/helpers';
import { main as checkSetupCli } from '../../scripts/check-setup';
import { SyncPolicy } from '../../nodes/SyncPolicy/SyncPolicy.node';
import { runNode } from '../helpers/nodeHarness';
import { haloCredentials } from '../haloNodes/helpers';
import { clientFor as haloClientFor, startSim as startHalo, SECRET as HALO_SECRET } from '../halo/helpers';

const TRIGGER_URL = 'https://n8n.example.com/webhook/0b6c1f7e/halo';
const DATTO_URL = 'https://n8n.example.com/webhook/4d2a9e11/datto-alert';
const WEBHOOK_PASSWORD = 'Webhook-Pass-Secret-77aa';

describe('Check Setup', () => {
	let halo: HaloSimulator;
	let datto: DattoSimulator;

	beforeAll(async () => {
		halo = await startHalo();
		datto = await startDatto({ seed: { sites: 0, devices: 0, openAlerts: 0, resolvedAlerts: 0 } } as never);
	});
	afterAll(async () => {
		await halo.close();
		await datto.close();
	});
	beforeEach(() => {
		halo.reset('default');
		clearHaloLookupCaches();
		clearMappingCaches();
	});

	const good: CheckSetupSettings = {
		priorityMap: 'Critical=1, High=2, Moderate=3, Low=4, Information=4',
		ticketTypeId: 21,
		teamId: 1,
		agentId: 5,
		dattoWebhookUrl: DATTO_URL,
		haloWebhookUrl: TRIGGER_URL,
		haloEvents: ['closed', 'statusChanged'],
	};

	function ensureSites(names: Array<[string, string]>): void {
		for (const [uid, name] of names) if (!datto.data.sites.some((s) => s.uid === uid)) datto.addSite({ uid, name });
	}

	it('a good tenant: no problem; every site lands by its rule; the Datto URL carries only a placeholder', async () => {
		ensureSites([
			['site-uid-contoso-ho', 'Contoso Head Office'],
			['site-uid-fabrikam-ho', 'Fabrikam'],
		]);
		const h = haloClientFor(halo);
		await registerHaloWebhook(h, { name: 'n8n sync (1)', url: TRIGGER_URL, auth: { type: 'basic', username: 'halo', password: WEBHOOK_PASSWORD }, eventNumbers: [39, 76] });
		const report = await checkSetup({ halo: h, datto: dattoClientFor(datto) }, good);
		expect(report.checks.filter((c) => c.status === 'problem')).toEqual([]);
		expect(report.ok).toBe(true);
		expect(report.checks.find((c) => c.name === 'Closed status')?.detail).toMatch(/Closed \(9\): chosen by name/);
		expect(report.checks.find((c) => c.area === 'Halo webhook')?.status).toBe('ok');
		const bySite = Object.fromEntries(report.sites.map((s) => [s.dattoSiteUid, s]));
		expect(bySite['site-uid-contoso-ho']).toMatchObject({ rule: 'haloSiteDattoId', haloClientId: 12, haloSiteId: 34 });
		expect(bySite['site-uid-fabrikam-ho']).toMatchObject({ rule: 'haloSiteDattoId', haloClientId: 13 });
		expect(report.dattoWebhook?.url).toBe(`${DATTO_URL}?secret=<YOUR-WEBHOOK-SECRET>`);
		expect(report.dattoWebhook?.triggeredBody).toContain('[alert_uid]');

		const html = renderSetupReportHtml(report);
		expect(html).toContain('No problem found');
		expect(html).not.toMatch(/<script|https?:\/\/(?!n8n\.example\.com)[^"<\s]*\.(css|js)/);
		for (const secret of [HALO_SECRET, DATTO_SECRET, datto.config.apiKey, WEBHOOK_PASSWORD]) {
			expect(html).not.toContain(secret);
			expect(JSON.stringify(report)).not.toContain(secret);
			expect(renderSetupReportText(report)).not.toContain(secret);
		}
	});

	it('a misconfigured tenant: each problem is listed', async () => {
		ensureSites([['site-uid-unknown-co', 'Unknown Customer Co']]);
		const report = await checkSetup(
			{ halo: haloClientFor(halo), datto: dattoClientFor(datto) },
			{ ...good, closedStatusId: 999, closeOutcomeId: 998, priorityMap: 'Critical=77, High=2', ticketTypeId: 997, teamId: 996, agentId: 995 },
		);
		const problems = report.checks.filter((c) => c.status === 'problem').map((c) => `${c.name}: ${c.detail}`);
		expect(report.ok).toBe(false);
		expect(problems).toEqual(
			expect.arrayContaining([
				'Closed status: Status 999 does not exist',
				'Outcome: Outcome 998 does not exist',
				'Priority map: Priorities that do not exist in Halo: critical=77',
				'Ticket type: Ticket type 997 does not exist',
				'Team: Team 996 does not exist',
				'Agent: Agent 995 does not exist',
				'Sites without a Halo client: Unknown Customer Co',
				`Registered in Halo: No Halo webhook posts to ${TRIGGER_URL}`,
			]),
		);
		expect(report.problems).toBe(problems.length);
		expect(renderSetupReportHtml(report)).toContain(`${report.problems} problem(s)`);
	});

	it('wrong credentials are problems, not exceptions, and the secrets stay out of the report', async () => {
		const report = await checkSetup(
			{ halo: haloClientFor(halo, { clientSecret: 'Wrong-Halo-Secret-123456' }), datto: dattoClientFor(datto, {}, 'Wrong-Datto-Secret-654321') },
			good,
		);
		const failed = report.checks.filter((c) => c.status === 'problem').map((c) => `${c.area}: ${c.name}`);
		expect(failed).toEqual(['Halo credential: Token and API', 'Datto credential: Token and API']);
		const all = JSON.stringify(report) + renderSetupReportHtml(report);
		expect(all).not.toContain('Wrong-Halo-Secret-123456');
		expect(all).not.toContain('Wrong-Datto-Secret-654321');
	});
});

describe('Sync Policy node: Check Setup operation', () => {
	it('answers one item with the report and an HTML file, without secrets', async () => {
		const halo = await startHalo();
		const datto = await startDatto();
		try {
			clearHaloLookupCaches();
			clearMappingCaches();
			const haloCredential = haloCredentials(halo);
			const dattoCredential = { platform: 'custom', customUrl: datto.baseUrl, apiKey: datto.config.apiKey, apiSecret: DATTO_SECRET };
			const result = await runNode({
				node: new SyncPolicy(),
				parameters: { operation: 'checkSetup', dattoWebhookUrl: DATTO_URL, checkSettings: { closedStatusId: 999 } },
				credentials: { haloPsaApi: haloCredential, dattoRmmApi: dattoCredential },
			});
			expect(result.error).toBeUndefined();
			expect(result.items).toHaveLength(1);
			const [item] = result.items;
			expect(item.json).toMatchObject({ ok: false, summary: expect.stringMatching(/problem/) });
			expect(item.binary?.report).toMatchObject({ mimeType: 'text/html', fileName: 'check-setup.html' });
			const html = Buffer.from(item.binary!.report.data, 'base64').toString('utf8');
			expect(html).toContain('Status 999 does not exist');
			expect(html).toContain(`${DATTO_URL}?secret=&lt;YOUR-WEBHOOK-SECRET&gt;`);
			for (const secret of [HALO_SECRET, DATTO_SECRET, datto.config.apiKey]) {
				expect(html).not.toContain(secret);
				expect(JSON.stringify(item.json)).not.toContain(secret);
			}
		} finally {
			await halo.close();
			await datto.close();
		}
	});
});

describe('halo-datto-check-setup (command line)', () => {
	it('prints the report, writes the HTML file, exits 1 on problems and 2 on usage errors', async () => {
		const halo = await startHalo();
		try {
			clearHaloLookupCaches();
			clearMappingCaches();
			const files: Record<string, string> = {
				'config.json': JSON.stringify({ halo: haloCredentials(halo), settings: { closedStatusId: 999 } }),
			};
			const out: string[] = [];
			const err: string[] = [];
			const io = {
				stdout: (l: string) => out.push(l),
				stderr: (l: string) => err.push(l),
				readFile: (p: string) => {
					if (!(p in files)) throw new Error('ENOENT');
					return files[p];
				},
				writeFile: (p: string, t: string) => {
					files[p] = t;
				},
			};
			expect(await checkSetupCli(['--html', 'report.html', 'config.json'], io)).toBe(1);
			expect(out.join('\n')).toContain('[PROBLEM] Halo settings / Closed status: Status 999 does not exist');
			expect(out.join('\n')).toContain('[PROBLEM] Datto credential / Datto RMM API');
			expect(files['report.html']).toContain('<!doctype html>');
			expect(files['report.html']).not.toContain(HALO_SECRET);
			expect(out.join('\n')).not.toContain(HALO_SECRET);
			expect(await checkSetupCli([], io)).toBe(2);
			expect(await checkSetupCli(['missing.json'], io)).toBe(2);
		} finally {
			await halo.close();
		}
	});
});

describe('Check Setup: the static data store size (issue 19)', () => {
	const stats = (records: number) => ({ openRecords: 5, closedRecords: records - 5, records, aboveWarnSize: records > STATIC_STORE_WARN_RECORDS });

	test.each([
		['no store loaded', [], [['info', /No workflow static data store is loaded/]]],
		['a small store', [{ workflowId: 'wf-1', stats: stats(1_200) }], [['ok', /1,200 records \(5 open, 1195 closed\)/]]],
		[
			'a store past the size and a small one',
			[
				{ workflowId: 'wf-big', stats: stats(STATIC_STORE_WARN_RECORDS + 1) },
				{ workflowId: 'wf-small', stats: stats(10) },
			],
			[
				['warning', /holds 10,001 records.*Postgres backend/],
				['ok', /10 records/],
			],
		],
	] as const)('%s', async (_label, staticStores, expected) => {
		const report = await checkSetup({}, { staticStores: [...staticStores] });
		const checks = report.checks.filter((c) => c.area === 'Mapping store');
		expect(checks.map((c) => c.status)).toEqual(expected.map(([status]) => status));
		checks.forEach((check, index) => expect(check.detail).toMatch(expected[index][1]));
		const without = await checkSetup({}, {});
		expect(report.warnings - without.warnings).toBe(expected.filter(([status]) => status === 'warning').length);
	});

	test('omitted outside n8n: no store check at all', async () => {
		const report = await checkSetup({}, {});
		expect(report.checks.filter((c) => c.area === 'Mapping store')).toEqual([]);
	});
});
