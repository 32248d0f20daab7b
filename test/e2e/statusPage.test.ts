/*
 * The shipped sync status page (workflows/setup/status-page.json) in real n8n, rendered by headless Chromium
 * (Debian's chromium at /usr/bin/chromium, driven by playwright-core, JavaScript OFF), next to the shipped Postgres
 * sync workflows it reads (1-alert-lifecycle, 2-halo-ticket-closed) on a unique table:
 *
 * - two alerts → two tickets; a technician closes one in Halo while Datto refuses the resolve → a failed event;
 * - the page (GET /webhook/halo-datto-status, Basic auth with the "Status page login" credential) lists the open link
 *   with its link to the Halo ticket, not the closed one; the last delivery from Datto and from Halo with their ages;
 *   the failed event with the replay hint; no script, no external asset. Screenshot: test-results/status-page/.
 * - without the login: 401; with a wrong password 401 (n8n 2.41) or 403 (1.123).
 *
 * Import-time changes: the table name (every Mapping Store and the status node), nothing else.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { chromium, type Browser } from 'playwright-core';
import { Client } from 'pg';

import { httpRequest } from '../../harness/http';
import { N8nInstance } from '../../harness/n8n/instance';
import { repoRoot } from '../../harness/repo';
import { NODES, WORKFLOW_IDS, type WorkflowJson } from '../../scripts/workflows/definition';
import { SETUP_WORKFLOW_IDS, STATUS_PAGE_PATH } from '../../scripts/workflows/setup';
import { findOrStartPostgres, pgConfigFor, uniqueTableName, type TestPostgres } from '../helpers/postgres';
import {
	CREDENTIALS_FIXTURE,
	type Simulators,
	credentialVars,
	expectHaloRegistration,
	readWorkflow,
	startSimulators,
	subscribeWebhooks,
	ticketsFor,
	transformWorkflow,
	waitFor,
	webhookPath,
} from './fixtures/sync';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SCREENSHOTS = path.join(repoRoot(), 'test-results', 'status-page');
const LOGIN = { username: 'status', password: 'e2e-status-page-password' };
/** The shipped page's Halo ticket link template (status-page.json, node "Status"). */
const TICKET_LINK = 'https://yourco.halopsa.com/ticket?id=';
const FILES = ['workflows/postgres/1-alert-lifecycle.json', 'workflows/postgres/2-halo-ticket-closed.json', 'workflows/setup/status-page.json'];

describe('sync status page (shipped workflow) in headless Chromium', () => {
	let pg: TestPostgres;
	let db: Client;
	let sims: Simulators;
	let n8n: N8nInstance;
	let browser: Browser | undefined;
	let workflows: WorkflowJson[];
	const table = uniqueTableName('e2e_status');
	const state: { open?: { alertUid: string; ticketId: number }; failed?: { alertUid: string; ticketId: number } } = {};

	beforeAll(async () => {
		// scripts/e2e.sh installs it too; this covers running this file alone.
		if (!fs.existsSync(CHROMIUM)) execFileSync('bash', [path.join(repoRoot(), 'scripts', 'install-chromium.sh')], { stdio: 'inherit' });
		pg = await findOrStartPostgres();
		db = new Client(pgConfigFor(pg));
		await db.connect();
		sims = await startSimulators();
		n8n = await N8nInstance.create();
		workflows = FILES.map((file) => transformWorkflow(readWorkflow(file), { table }));
		await n8n.provision({
			credentials: [
				CREDENTIALS_FIXTURE,
				[{ id: 'StatusPageAuth01', name: 'Status page login', type: 'httpBasicAuth', data: { user: LOGIN.username, password: LOGIN.password } }],
			],
			workflows,
			vars: { ...credentialVars(sims), PGHOST: pg.host, PGPORT: pg.port, PGUSER: pg.user, PGPASSWORD: pg.password, PGDATABASE: pg.database },
		});
		const dattoPath = webhookPath(workflows[0], NODES.dattoTrigger, 'datto-alert');
		const haloPath = webhookPath(workflows[1], NODES.haloTrigger, 'halo');
		await n8n.start({ waitForWebhooks: [dattoPath, haloPath] });
		await n8n.createApiKey();
		subscribeWebhooks(sims, n8n, dattoPath);
		await expectHaloRegistration(sims, n8n, haloPath);
		browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
		fs.rmSync(SCREENSHOTS, { recursive: true, force: true });
		fs.mkdirSync(SCREENSHOTS, { recursive: true });
	}, 300_000);

	afterAll(async () => {
		await browser?.close().catch(() => undefined);
		await n8n?.stop();
		await sims?.close();
		if (db) {
			await db.query(`DROP TABLE IF EXISTS "${table}"`).catch(() => undefined);
			await db.end();
		}
		await pg?.stop();
	});

	const linkOf = async (alertUid: string) =>
		(await db.query<{ status: string; value: { ticketId?: number } }>(`SELECT status, value FROM "${table}" WHERE collection = 'alerts' AND key = $1`, [alertUid])).rows[0];

	async function alertWithTicket(site: 'contoso' | 'fabrikam'): Promise<{ alertUid: string; ticketId: number }> {
		const { alert } = await sims.datto.createAlert({ deviceUid: sims.devices[site], priority: 'High', message: `Disk almost full on ${site}` });
		const [ticket] = await waitFor(`the ${site} ticket`, () => {
			const t = ticketsFor(sims.halo, alert.alertUid);
			return t.length ? t : undefined;
		});
		await waitFor(`the ${site} link`, async () => (await linkOf(alert.alertUid))?.status === 'open' || undefined);
		return { alertUid: alert.alertUid, ticketId: ticket.id as number };
	}

	test('two alerts → two open links; a technician closes one while Datto refuses the resolve → a failed event', async () => {
		state.open = await alertWithTicket('contoso');
		state.failed = await alertWithTicket('fabrikam');
		sims.datto.faults.configure({ pathPattern: '/resolve$', errorStatus: 503, failForMs: 120_000 });
		try {
			sims.halo.closeAsTechnician(state.failed.ticketId, { note: 'Fixed on site.' });
			await waitFor(
				'the failed resolve in failedEvents',
				async () =>
					(await db.query(`SELECT 1 FROM "${table}" WHERE collection = 'failedEvents' AND key = $1 AND status = 'open'`, [state.failed!.alertUid])).rowCount || undefined,
				120_000,
			);
		} finally {
			sims.datto.faults.clear();
		}
		expect((await linkOf(state.failed.alertUid))?.status).toBe('closed');
		expect((await linkOf(state.open.alertUid))?.status).toBe('open');
	}, 180_000);

	test('the page lists the open link with its Halo ticket link, the last deliveries and their ages, the failed event; JavaScript off; screenshot', async () => {
		const { open, failed } = state as Required<typeof state>;
		const context = await browser!.newContext({ httpCredentials: LOGIN, javaScriptEnabled: false, viewport: { width: 1280, height: 1000 } });
		try {
			const page = await context.newPage();
			const res = await page.goto(`${n8n.baseUrl}/webhook/${STATUS_PAGE_PATH}`);
			expect(res?.status()).toBe(200);
			expect(res?.headers()['content-type']).toMatch(/^text\/html/);
			await page.screenshot({ path: path.join(SCREENSHOTS, `status-page-n8n-${n8n.version}.png`), fullPage: true });
			expect(await page.locator('h1').innerText()).toBe('Halo ↔ Datto sync status');

			// Open links: the open alert with a link to its Halo ticket; the closed one is not listed.
			const openSection = page.locator('h2', { hasText: 'Open alert ↔ ticket links' });
			expect(await openSection.innerText()).toBe('Open alert ↔ ticket links (1)');
			const rows = page.locator('tr.link');
			expect(await rows.count()).toBe(1);
			expect(await rows.first().innerText()).toContain(open.alertUid);
			expect(await rows.first().innerText()).not.toContain(failed.alertUid);
			expect(await rows.first().locator('a').evaluateAll((as) => as.map((a) => [a.textContent, a.getAttribute('href')]))).toEqual([
				[`#${open.ticketId}`, `${TICKET_LINK}${open.ticketId}`],
			]);

			// Last deliveries: from Datto (the two alerts) and from Halo (the technician's close), with their ages.
			const age = (source: string) => page.locator(`td.age[data-source="${source}"]`).innerText();
			expect(await age('Datto RMM')).toMatch(/^(\d+ s|\d+ min) ago$/);
			expect(await age('HaloPSA')).toMatch(/^(\d+ s|\d+ min) ago$/);

			// Failed events: the refused resolve, with the replay hint.
			expect(await page.locator('h2', { hasText: 'Failed events' }).innerText()).toBe('Failed events (1)');
			const body = await page.locator('body').innerText();
			expect(body).toContain(failed.alertUid);
			expect(body).toContain('dattoResolve');
			expect(body).toContain('Replay Failed Events');

			// Light: no script, no stylesheet or image from elsewhere.
			expect(await page.locator('script').count()).toBe(0);
			expect(await page.locator('link[rel="stylesheet"], img[src^="http"], iframe').count()).toBe(0);
		} finally {
			await context.close();
		}
	});

	test('without the login the page answers 401; the status workflow is the shipped one', async () => {
		const res = await httpRequest('GET', `${n8n.baseUrl}/webhook/${STATUS_PAGE_PATH}`);
		expect(res.status).toBe(401);
		const wrong = await httpRequest('GET', `${n8n.baseUrl}/webhook/${STATUS_PAGE_PATH}`, {
			headers: { authorization: `Basic ${Buffer.from(`${LOGIN.username}:wrong`).toString('base64')}` },
		});
		// A wrong password: 401 "Authentication data is wrong!" on n8n 2.41, 403 on 1.123 (their Webhook nodes differ).
		expect({ status: wrong.status, ok: wrong.status === 401 || wrong.status === 403 }).toEqual({ status: wrong.status, ok: true });
		expect(workflows.map((w) => w.id)).toEqual([WORKFLOW_IDS.pgLifecycle, WORKFLOW_IDS.pgHaloClosed, SETUP_WORKFLOW_IDS.statusPage]);
	});
});
