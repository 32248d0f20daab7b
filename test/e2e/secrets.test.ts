/*
 * Secrets never leak: the shipped all-in-one workflow runs in real n8n (log level debug, the most it writes) against
 * the simulators started from their CLIs, with distinctive secrets, through a normal lifecycle and through the error
 * paths that are most likely to print something: token expiry (Datto's 401 body echoes the rejected token), Halo 400
 * and 500 answers that fail executions, a technician close that calls Datto, wrong and missing webhook secrets. Then
 * every artefact is searched for every secret and every access token the simulators issued:
 *   - n8n's log (stdout + stderr of the n8n process, user folder n8n.log),
 *   - the simulators' own output (their CLI processes' stdout + stderr),
 *   - every execution of the workflow with its full data (public API, includeData=true): node output, errors,
 *   - every answer n8n gave to the simulators' webhook deliveries (/_sim/webhooks/deliveries of both),
 *   - everything this jest process wrote to stdout / stderr while the file ran (harness and test output).
 * Searched forms: the plain value, URL-encoded, and for the Halo webhook's Basic auth the base64 user:password.
 * Excluded by design: the simulators' request logs (GET /_sim/log keeps Authorization headers and token request
 * bodies for assertions; the access tokens searched for are read from there) and the harness's credentials import
 * file in the user folder (the test's input).
 */
import * as fs from 'fs';

import { httpRequest } from '../../harness/http';
import { N8nInstance } from '../../harness/n8n/instance';
import { startService, type ServiceProcess } from '../../harness/processes';
import { NODES, WORKFLOW_IDS } from '../../scripts/workflows/definition';
import { CREDENTIALS_FIXTURE, readWorkflow, transformWorkflow, webhookPath } from './fixtures/sync';
import { executionsAfter, rawRequest, basicAuth, settled, sleep, waitFor } from '../reliability/support/e2e';

const SECRETS = {
	haloClientSecret: 'HaloClientSecret-7Qm2xV9pLk4sTz8R',
	dattoApiKey: 'DattoApiKey-Jw3nB6yHc1Gv5Xq0',
	dattoApiSecret: 'DattoApiSecret-Uf8rK2dLs7Ne4Wy9',
	dattoWebhookSecret: 'DattoHookSecret-Pz5tM1gVb8Hk3Cx6',
	haloWebhookPassword: 'HaloHookPass-Ra4eQ7wJn2Yd9Lu5',
};
const HALO_WEBHOOK_USER = 'halo-hook-user';

describe('secrets and tokens never appear in logs, errors, execution data or answers', () => {
	let halo: ServiceProcess;
	let datto: ServiceProcess;
	let haloUrl: string;
	let dattoUrl: string;
	let n8n: N8nInstance;
	let dattoPath: string;
	let haloPath: string;
	const captured: string[] = [];
	const restore: Array<() => void> = [];

	const admin = async (base: string, method: string, path: string, body?: unknown) => {
		const res = await httpRequest(method, `${base}${path}`, { json: body });
		if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${res.text.slice(0, 200)}`);
		return res.json as any; // eslint-disable-line @typescript-eslint/no-explicit-any
	};

	beforeAll(async () => {
		// Everything this process writes from now on is searched too.
		for (const stream of [process.stdout, process.stderr]) {
			const original = stream.write.bind(stream);
			(stream as unknown as { write: typeof stream.write }).write = ((chunk: unknown, ...rest: unknown[]) => {
				captured.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
				return (original as (...a: unknown[]) => boolean)(chunk, ...rest);
			}) as typeof stream.write;
			restore.push(() => ((stream as unknown as { write: typeof stream.write }).write = original));
		}
		halo = await startService({
			args: ['dist/simulators/halo/cli.js', '--port', '0', '--client-id', 'n8n-secrets-test', '--client-secret', SECRETS.haloClientSecret, '--token-lifetime', '40'],
			ready: /Halo simulator listening on (\S+)/,
		});
		haloUrl = /Halo simulator listening on (\S+)/.exec(halo.output())![1];
		datto = await startService({
			args: ['dist/simulators/datto/cli.js', '--port', '0', '--api-key', SECRETS.dattoApiKey, '--api-secret', SECRETS.dattoApiSecret, '--alerts', '2', '--resolved-alerts', '0'],
			ready: /Datto RMM simulator listening on (\S+)/,
		});
		dattoUrl = /Datto RMM simulator listening on (\S+)/.exec(datto.output())![1];
		const workflow = transformWorkflow(readWorkflow('workflows/datto-halo-sync.json'), { everySeconds: { [NODES.reconcileSchedule]: 8 } });
		n8n = await N8nInstance.create({ env: { N8N_LOG_LEVEL: 'debug' } });
		await n8n.provision({
			credentials: [CREDENTIALS_FIXTURE],
			workflows: [workflow],
			vars: {
				HALO_URL: haloUrl,
				DATTO_URL: dattoUrl,
				HALO_CLIENT_ID: 'n8n-secrets-test',
				HALO_CLIENT_SECRET: SECRETS.haloClientSecret,
				DATTO_API_KEY: SECRETS.dattoApiKey,
				DATTO_API_SECRET: SECRETS.dattoApiSecret,
				DATTO_WEBHOOK_SECRET: SECRETS.dattoWebhookSecret,
				HALO_WEBHOOK_USER,
				HALO_WEBHOOK_PASSWORD: SECRETS.haloWebhookPassword,
			},
		});
		dattoPath = webhookPath(workflow, NODES.dattoTrigger, 'datto-alert');
		haloPath = webhookPath(workflow, NODES.haloTrigger, 'halo');
		await n8n.start({ waitForWebhooks: [dattoPath, haloPath] });
		await n8n.createApiKey();
		await admin(dattoUrl, 'POST', '/_sim/webhooks/subscribe', {
			url: `${n8n.baseUrl}/webhook/${dattoPath}`,
			secret: SECRETS.dattoWebhookSecret,
			template: 'recommended',
		});
		await admin(haloUrl, 'POST', '/_sim/webhooks/subscriptions', {
			url: `${n8n.baseUrl}/webhook/${haloPath}`,
			events: ['Ticket Closed'],
			payload: 'full',
			auth: { type: 'basic', username: HALO_WEBHOOK_USER, password: SECRETS.haloWebhookPassword },
		});
	}, 300_000);

	afterAll(async () => {
		for (const r of restore) r();
		await n8n?.stop();
		await halo?.stop();
		await datto?.stop();
	});

	const ticketFor = async (alertUid: string) =>
		await waitFor(`the ticket of ${alertUid}`, async () => ((await admin(haloUrl, 'GET', '/_sim/tickets')) as Array<Record<string, unknown>>).find((t) => t.third_party_id_string === alertUid), 60_000);

	const newAlert = async (): Promise<string> => {
		const devices = (await admin(dattoUrl, 'GET', '/_sim/devices')) as Array<{ uid: string }>;
		const created = await admin(dattoUrl, 'POST', '/_sim/alerts', { deviceUid: devices[0].uid, priority: 'High' });
		return (created.alert as { alertUid: string }).alertUid;
	};

	test(
		'a lifecycle, token expiry, failing Halo calls, a technician close, wrong secrets: then no secret or token anywhere',
		async () => {
			// 1. Normal lifecycle.
			const first = await newAlert();
			await ticketFor(first);
			await admin(dattoUrl, 'POST', `/_sim/alerts/${first}/resolve`, {});
			// 2. Both APIs' tokens expire: the next calls get 401 (Datto's body echoes the token) and renew.
			await admin(haloUrl, 'POST', '/_sim/tokens/expire');
			await admin(dattoUrl, 'POST', '/_sim/tokens/expire');
			const second = await newAlert();
			const secondTicket = await ticketFor(second);
			await admin(haloUrl, 'POST', `/_sim/tickets/${secondTicket.id}/close-as-technician`, { note: 'closing' });
			await waitFor('the Datto resolve', async () => (await admin(dattoUrl, 'GET', `/_sim/alerts/${second}`)).resolved === true, 60_000);
			// 3. Halo refuses a create (400) and fails twice with 500: failed executions with error messages.
			await admin(haloUrl, 'POST', '/_sim/faults', { pathPattern: '^/api/tickets$', failNext: 1, errorStatus: 400 });
			await newAlert();
			await sleep(3000);
			await admin(haloUrl, 'POST', '/_sim/faults', { pathPattern: '^/api/(tickets|actions)', failNext: 12, errorStatus: 500 });
			await newAlert();
			await sleep(8000);
			await admin(haloUrl, 'POST', '/_sim/faults/clear');
			// 4. Wrong and missing webhook secrets, the right secret in the header instead of the query.
			const alertBody = JSON.stringify({ source: 'datto-rmm', event: 'resolved', alertUid: 'secrets-test-unknown' });
			for (const query of ['?secret=wrong', '', `?secret=${SECRETS.dattoWebhookSecret}x`]) {
				await rawRequest('POST', `${n8n.baseUrl}/webhook/${dattoPath}${query}`, { body: alertBody, headers: { 'content-type': 'application/json' } });
			}
			await rawRequest('POST', `${n8n.baseUrl}/webhook/${dattoPath}`, {
				body: alertBody,
				headers: { 'content-type': 'application/json', 'x-webhook-secret': SECRETS.dattoWebhookSecret },
			});
			await rawRequest('POST', `${n8n.baseUrl}/webhook/${haloPath}`, {
				body: JSON.stringify({ event: 'Ticket Closed', ticket: { id: 1, status_id: 9 } }),
				headers: { 'content-type': 'application/json', authorization: basicAuth(HALO_WEBHOOK_USER, `${SECRETS.haloWebhookPassword}-wrong`) },
			});
			// Let the reconciliation (every 8 s) run a few times with renewed tokens.
			await sleep(10_000);
			await settled(n8n, 0);

			// ---- Collect the tokens the simulators issued (from their request logs) and every artefact.
			const tokens = new Set<string>();
			const perApi: Record<string, number> = {};
			for (const [api, base] of [['halo', haloUrl], ['datto', dattoUrl]] as const) {
				const { entries } = (await admin(base, 'GET', '/_sim/log')) as { entries: Array<{ authorization?: string }> };
				const own = new Set<string>();
				for (const e of entries) {
					const m = /^Bearer (.+)$/.exec(e.authorization ?? '');
					if (m) own.add(m[1]);
				}
				perApi[api] = own.size;
				own.forEach((t) => tokens.add(t));
			}
			// Halo: the token before and after the expiry; Datto: at least the one the resolve and reconciliation used.
			expect(perApi.halo).toBeGreaterThanOrEqual(2);
			expect(perApi.datto).toBeGreaterThanOrEqual(1);

			const artefacts: Record<string, string> = {
				'n8n log': fs.readFileSync(n8n.logFile, 'utf8'),
				'Halo simulator output': halo.output(),
				'Datto simulator output': datto.output(),
			};
			const executions = await executionsAfter(n8n, 0);
			expect(executions.some((e) => e.status === 'error')).toBe(true); // the error paths really ran
			for (const e of executions) {
				const res = await n8n.api('GET', `/executions/${e.id}?includeData=true`);
				artefacts[`execution ${e.id} (${e.status})`] = res.text;
			}
			artefacts['answers to Halo webhooks'] = JSON.stringify(
				((await admin(haloUrl, 'GET', '/_sim/webhooks/deliveries')) as Array<{ responseBody?: string; status?: number }>).map((d) => [d.status, d.responseBody]),
			);
			artefacts['answers to Datto webhooks'] = JSON.stringify(
				((await admin(dattoUrl, 'GET', '/_sim/webhooks/deliveries')) as Array<{ responseBody?: string; status?: number; url?: string }>).map((d) => [d.status, d.responseBody, d.url]),
			);
			artefacts['jest output of this file'] = captured.join('');

			const needles: Record<string, string> = {};
			for (const [name, value] of Object.entries(SECRETS)) {
				needles[name] = value;
				needles[`${name} (URL-encoded)`] = encodeURIComponent(value);
			}
			needles['Halo webhook Basic auth (base64)'] = Buffer.from(`${HALO_WEBHOOK_USER}:${SECRETS.haloWebhookPassword}`).toString('base64');
			needles['Datto Basic auth of the token request (base64 key:secret)'] = Buffer.from(`${SECRETS.dattoApiKey}:${SECRETS.dattoApiSecret}`).toString('base64');
			[...tokens].forEach((token, i) => (needles[`access token #${i + 1}`] = token));

			const found = scan(artefacts, needles);
			// The search works: the simulator's request log (excluded on purpose) does hold the tokens (Authorization).
			const haloRequestLog = JSON.stringify(await admin(haloUrl, 'GET', '/_sim/log'));
			expect(scan({ 'Halo request log': haloRequestLog }, needles).join('\n')).toMatch(/access token #1 in Halo request log/);
			const sizes = Object.fromEntries(Object.entries(artefacts).map(([k, v]) => [k, v.length]));
			process.stderr.write(`[secrets] searched ${Object.keys(needles).length} values in ${Object.keys(artefacts).length} artefacts (${Object.values(sizes).reduce((a, b) => a + b, 0)} characters)\n`);
			expect(found).toEqual([]);
			expect(artefacts['n8n log'].length).toBeGreaterThan(10_000); // debug logging really ran
		},
		300_000,
	);
});

void WORKFLOW_IDS;

/** Every (needle, artefact) pair where the needle occurs, with a little context (the needle itself masked). */
function scan(artefacts: Record<string, string>, needles: Record<string, string>): string[] {
	const found: string[] = [];
	for (const [where, text] of Object.entries(artefacts)) {
		for (const [what, needle] of Object.entries(needles)) {
			const at = needle ? text.indexOf(needle) : -1;
			if (at >= 0) {
				found.push(`${what} in ${where}: …${text.slice(Math.max(0, at - 120), at).split(needle).join('<secret>')}<secret>${text.slice(at + needle.length, at + needle.length + 60).split(needle).join('<secret>')}…`);
			}
		}
	}
	return found;
}
