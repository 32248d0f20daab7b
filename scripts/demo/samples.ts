/* The sample alerts (simulator mode): fire them, wait for tickets to open and close, print the table, check the result. */
import { httpRequest } from '../../harness/http';
import { N8nInstance } from '../../harness/n8n/instance';
import { sleep } from '../../harness/wait';
import { Json, call, waitUntil } from './api';
import { STATUS_PAGE } from './config';
import { DEMO_REMEDIATION_RULE, DEMO_SITES, SAMPLES, Sample } from './data';
import { DemoError, bold, red, say } from './output';
import { WorkflowJson } from './workflow';

interface HaloTicket extends Json {
	id: number;
	status_id: number;
	client_id: number;
	client_name?: string;
	summary?: string;
	third_party_id_string?: string;
	details_html?: string;
	details?: string;
	hasbeenclosed?: boolean;
}

interface HaloAction extends Json {
	id: number;
	who_agentid?: number;
	new_status?: number;
	note?: string;
	note_html?: string;
}

interface DattoAlert extends Json {
	alertUid: string;
	resolved: boolean;
	resolvedBy?: string | null;
	priority: string;
}

interface Row {
	sample: Sample;
	alertUid: string;
	ticket?: HaloTicket;
	actions?: HaloAction[];
	alert?: DattoAlert;
	happened: string;
	/** The closing note n8n added (plain text, without the integration marker). */
	note?: string;
	/** The self-healing note n8n added (plain text). */
	remediationNote?: string;
	checks: Array<{ ok: boolean; text: string }>;
}

function ticketMatches(t: HaloTicket, alertUid: string): boolean {
	if (t.third_party_id_string === alertUid) return true;
	if (String(t.details_html ?? '').includes(alertUid) || String(t.details ?? '').includes(alertUid))
		return true;
	const cfs = Array.isArray(t.customfields) ? (t.customfields as Array<{ value?: unknown }>) : [];
	return cfs.some((cf) => cf.value === alertUid);
}

export async function runSamples(
	n8n: N8nInstance,
	workflow: WorkflowJson,
	urls: { halo: string; datto: string },
	halo: { closedStatusId: number; apiAgentId: number },
	hasHaloTrigger: boolean,
	/** The demo's own site mapping was imported (not DEMO_SITE_MAPPING): check each ticket's client. */
	checkClients: boolean,
	/** The workflow has self-healing and the demo's remediation rule was imported. */
	selfHealing: boolean,
): Promise<boolean> {
	const tickets = async () => (await call('GET', `${urls.halo}/_sim/tickets`)) as HaloTicket[];
	const ticket = async (id: number) =>
		(await call('GET', `${urls.halo}/_sim/tickets/${id}`)) as HaloTicket & { actions: HaloAction[] };
	const alert = async (uid: string) => (await call('GET', `${urls.datto}/_sim/alerts/${uid}`)) as DattoAlert;
	const isClosed = (t: HaloTicket) => t.status_id === halo.closedStatusId;
	/** An action's note as plain text, without the integration marker. */
	const actionText = (a: HaloAction) =>
		String(a.note_html || a.note || '')
			.replace(/<[^>]+>/g, ' ')
			.replace(/&quot;/g, '"')
			.replace(/&#39;/g, "'")
			.replace(/&lt;/g, '<')
			.replace(/&gt;/g, '>')
			.replace(/&amp;/g, '&')
			.replace(/\[n8n-halo-datto(?::[a-z2-7]{16})?\]/, '')
			.trim();
	const isRemediationNote = (note: string) => note.startsWith('Self-healing: component');
	const timeout = Number(process.env.DEMO_SAMPLE_TIMEOUT_MS) || 90_000;
	const rows: Row[] = [];
	const samplesStarted = Date.now();
	const samples = SAMPLES.map((s) => (s.plan === 'self-heal' && !selfHealing ? { ...s, plan: 'resolve-in-datto' as const } : s));

	say(`${bold('samples')}: firing ${samples.length} alerts through the Datto simulator's webhooks`);
	for (const sample of samples) {
		const created = (await call('POST', `${urls.datto}/_sim/alerts`, {
			hostname: sample.hostname,
			priority: sample.priority,
			contextClass: sample.contextClass,
			context: sample.context ? { '@class': sample.contextClass, ...sample.context } : undefined,
			diagnostics: null,
		})) as { alert: DattoAlert; message: string; deliveries: Array<{ status?: number; error?: string }> };
		const delivery = created.deliveries[0];
		if (!delivery || delivery.status !== 200) {
			throw new DemoError(
				`the Datto webhook for ${sample.hostname} was not accepted: ${JSON.stringify(delivery)}`,
			);
		}
		rows.push({ sample, alertUid: created.alert.alertUid, happened: '', checks: [] });
		say(
			`  alert ${sample.key} ${sample.priority.padEnd(8)} ${sample.hostname.padEnd(15)} "${created.message}" → n8n 200`,
		);
	}

	// Every alert gets exactly one ticket.
	await Promise.all(
		rows.map(async (row) => {
			row.ticket = await waitUntil(`the ticket for alert ${row.sample.key}`, timeout, async () =>
				(await tickets()).find((t) => ticketMatches(t, row.alertUid)),
			);
		}),
	);
	for (const row of rows)
		say(
			`  alert ${row.sample.key} → Halo ticket #${row.ticket!.id} for ${row.ticket!.client_name ?? row.ticket!.client_id}`,
		);

	// Duplicate deliveries of one alert (Datto may deliver twice): still one ticket.
	for (const row of rows.filter((r) => r.sample.duplicates)) {
		const res = (await call('POST', `${urls.datto}/_sim/alerts/${row.alertUid}/webhook`, {
			event: 'triggered',
			duplicates: row.sample.duplicates,
		})) as { deliveries: Array<{ status?: number }> };
		say(
			`  alert ${row.sample.key}: the same webhook delivered ${res.deliveries.length} more times at once (${res.deliveries.map((d) => d.status).join(', ')})`,
		);
	}
	// Let those executions finish before counting.
	await waitForQuiet(n8n, workflow.id);

	// Resolve in Datto → ticket closed with a note.
	for (const row of rows.filter((r) => r.sample.plan === 'resolve-in-datto')) {
		await call('POST', `${urls.datto}/_sim/alerts/${row.alertUid}/resolve`, {});
		say(`  alert ${row.sample.key} resolved in Datto RMM`);
	}
	// A technician closes a ticket in Halo → the Datto alert is resolved.
	for (const row of rows.filter((r) => r.sample.plan === 'close-in-halo')) {
		await call('POST', `${urls.halo}/_sim/tickets/${row.ticket!.id}/close-as-technician`, {
			note: 'Server back online after a UPS swap. Closing.',
		});
		say(`  ticket #${row.ticket!.id} (alert ${row.sample.key}) closed by a technician in HaloPSA`);
	}

	for (const row of rows.filter((r) => r.sample.plan === 'self-heal'))
		say(`  alert ${row.sample.key}: self-healing runs "${DEMO_REMEDIATION_RULE.componentName}" on ${row.sample.hostname} (remediation rule ${DEMO_REMEDIATION_RULE.id})`);

	for (const row of rows) {
		if (row.sample.plan === 'resolve-in-datto' || row.sample.plan === 'self-heal') {
			await waitUntil(`ticket #${row.ticket!.id} to close`, timeout, async () => {
				const t = await ticket(row.ticket!.id);
				return isClosed(t) ? t : undefined;
			}).catch(() => undefined);
			// The workflow waits for the Datto job (first check after its 10-s poll interval), then notes the result;
			// the component's fix may close the ticket before that.
			if (row.sample.plan === 'self-heal') {
				await waitUntil(`the self-healing note on ticket #${row.ticket!.id}`, timeout, async () => {
					const t = await ticket(row.ticket!.id);
					return (t.actions ?? []).map(actionText).some(isRemediationNote) ? t : undefined;
				}).catch(() => undefined);
			}
		} else if (row.sample.plan === 'close-in-halo' && hasHaloTrigger) {
			await waitUntil(`Datto alert ${row.sample.key} to resolve`, timeout, async () => {
				const a = await alert(row.alertUid);
				return a.resolved ? a : undefined;
			}).catch(() => undefined);
		}
	}
	// Echoes (the resolved webhook Datto fires for an API resolve, Halo's close event for n8n's own close) settle.
	await waitForQuiet(n8n, workflow.id);

	// Read the final state and check it.
	const all = await tickets();
	for (const row of rows) {
		const mine = all.filter((t) => ticketMatches(t, row.alertUid));
		const full = await ticket(row.ticket!.id);
		row.ticket = full;
		row.actions = full.actions;
		row.alert = await alert(row.alertUid);
		const check = (ok: boolean, text: string) => row.checks.push({ ok, text });
		check(mine.length === 1, `exactly one ticket (found ${mine.length})`);
		const site = DEMO_SITES.find((s) => s.uid === row.sample.siteUid);
		if (site?.halo && checkClients)
			check(
				full.client_id === site.halo.clientId,
				`client ${site.halo.clientName} (${site.halo.clientId}), got ${full.client_id}`,
			);
		const apiCloses = (full.actions ?? []).filter(
			(a) => a.new_status === halo.closedStatusId && a.who_agentid === halo.apiAgentId,
		);
		const closeNote = apiCloses.map(actionText).find(Boolean);
		if (closeNote) row.note = closeNote;
		const remediationNotes = (full.actions ?? []).map(actionText).filter(isRemediationNote);
		if (remediationNotes.length > 0) row.remediationNote = remediationNotes[0];
		switch (row.sample.plan) {
			case 'resolve-in-datto':
				check(isClosed(full), 'ticket closed');
				check(Boolean(closeNote), 'closing note from n8n');
				check(apiCloses.length === 1, `one close by n8n (got ${apiCloses.length})`);
				row.happened = isClosed(full)
					? 'resolved in Datto → n8n closed the ticket with a note'
					: 'resolved in Datto → ticket NOT closed';
				break;
			case 'close-in-halo':
				check(isClosed(full), 'ticket closed');
				if (hasHaloTrigger) {
					check(row.alert.resolved, 'Datto alert resolved by n8n');
					check(apiCloses.length === 0, `no extra close by n8n (echo suppressed; got ${apiCloses.length})`);
				}
				row.happened = row.alert.resolved
					? 'closed by a technician in Halo → n8n resolved the alert'
					: 'closed by a technician in Halo → alert NOT resolved';
				break;
			case 'self-heal': {
				const component = DEMO_REMEDIATION_RULE.componentName;
				check(remediationNotes.length === 1, `one self-healing note (got ${remediationNotes.length})`);
				check(
					Boolean(row.remediationNote?.includes(`component "${component}" succeeded`) && row.remediationNote.includes('Restarting MSSQLSERVER... OK')),
					`the self-healing note names "${component}", its success and the job's StdOut`,
				);
				check(row.alert.resolved && row.alert.resolvedBy === `Component: ${component}`, `Datto alert resolved by the component (got ${row.alert.resolvedBy ?? 'open'})`);
				check(isClosed(full), 'ticket closed');
				check(apiCloses.length === 1, `one close by n8n (got ${apiCloses.length})`);
				check(Boolean(closeNote?.includes(`self-healing: component "${component}"`)), 'the closing note names the remediation');
				row.happened = isClosed(full)
					? `self-healing: "${component}" ran → fixed it → n8n closed the ticket with a note`
					: `self-healing: "${component}" → ticket NOT closed`;
				break;
			}
			case 'stay-open':
				check(!isClosed(full), 'ticket still open');
				check(!row.alert.resolved, 'alert still open');
				row.happened = site?.halo ? 'still open' : 'unmapped site → catch-all client, still open';
				break;
		}
		if (row.sample.duplicates)
			row.happened += `; ${row.sample.duplicates} duplicate deliveries → no 2nd ticket`;
	}
	const totalCreated = all.length;
	const expected = rows.length;

	printTable(rows, halo.closedStatusId);
	for (const row of rows.filter((r) => r.remediationNote))
		say(`self-healing note on #${row.ticket!.id}: "${truncate(row.remediationNote!, 300)}"`);
	for (const row of rows.filter((r) => r.note))
		say(`closing note on #${row.ticket!.id}: "${truncate(row.note!, row.sample.plan === 'self-heal' ? 160 : 100)}"`);
	const executions = (await n8n.executions({ workflowId: workflow.id, limit: 250 })).filter(
		(e) => Date.parse(String(e.startedAt ?? e.createdAt ?? 0)) >= samplesStarted - 1000,
	);
	const failed = executions.filter((e) => e.status === 'error' || e.status === 'crashed');
	say(
		`n8n ran ${executions.length} executions of "${workflow.name}" (${failed.length} failed); ` +
			`HaloPSA has ${totalCreated} tickets for ${expected} alerts`,
	);
	let ok = rows.every((r) => r.checks.every((c) => c.ok)) && totalCreated === expected && failed.length === 0;
	for (const row of rows) {
		for (const c of row.checks.filter((x) => !x.ok)) say(red(`  FAILED alert ${row.sample.key}: ${c.text}`));
	}
	if (totalCreated !== expected)
		say(red(`  FAILED: ${totalCreated} tickets in HaloPSA, expected ${expected}`));
	for (const e of failed.slice(0, 5)) {
		const detail = await n8n.api('GET', `/executions/${String(e.id)}?includeData=true`);
		const err = (
			detail.json as { data?: { resultData?: { error?: { message?: string; node?: { name?: string } } } } }
		)?.data?.resultData?.error;
		say(
			red(
				`  FAILED execution ${String(e.id)}: ${err?.node?.name ? `${err.node.name}: ` : ''}${err?.message ?? e.status}`,
			),
		);
		ok = false;
	}
	return ok;
}

/** After the samples: the status page answers with the login and lists the one sample that stays open. */
export async function checkStatusPage(n8n: N8nInstance, password: string): Promise<boolean> {
	const url = `${n8n.baseUrl}/webhook/${STATUS_PAGE.path}`;
	const res = await httpRequest('GET', url, { headers: { authorization: `Basic ${Buffer.from(`${STATUS_PAGE.user}:${password}`).toString('base64')}` } });
	const open = /Open alert ↔ ticket links \((\d+)\)/.exec(res.text)?.[1];
	if (res.status === 200 && open === '1' && !/data-source="Datto RMM">never</.test(res.text)) {
		say(`status page ${url}: 1 open alert ↔ ticket link, last deliveries shown`);
		return true;
	}
	say(red(`  FAILED: status page ${url} answered ${res.status}, open links ${open ?? '?'}`));
	return false;
}

/** Wait until no execution of the workflow is running and none started for a moment. */
async function waitForQuiet(
	n8n: N8nInstance,
	workflowId: string,
	quietMs = 1500,
	timeoutMs = 60_000,
): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	let lastCount = -1;
	let stableSince = Date.now();
	for (;;) {
		const list = await n8n.executions({ workflowId, limit: 250 });
		const busy = list.some(
			(e) =>
				e.status === 'running' ||
				e.status === 'new' ||
				e.status === 'waiting' ||
				(e.finished === false && !e.stoppedAt),
		);
		if (busy || list.length !== lastCount) {
			lastCount = list.length;
			stableSince = Date.now();
		} else if (Date.now() - stableSince >= quietMs) {
			return;
		}
		if (Date.now() > deadline) return;
		await sleep(250);
	}
}

function truncate(s: string, n: number): string {
	const one = s.replace(/\s+/g, ' ').trim();
	return one.length > n ? `${one.slice(0, n - 1)}…` : one;
}

function printTable(rows: Row[], closedStatusId: number): void {
	const header = [
		'',
		'Datto alert',
		'device',
		'priority',
		'Halo ticket',
		'client',
		'ticket',
		'alert',
		'what happened',
	];
	const body = rows.map((r) => [
		r.sample.key,
		`${r.alertUid.slice(0, 8)}…`,
		r.sample.hostname,
		r.sample.priority,
		r.ticket ? `#${r.ticket.id}` : '-',
		r.ticket ? String(r.ticket.client_name ?? r.ticket.client_id) : '-',
		r.ticket ? (r.ticket.status_id === closedStatusId ? 'closed' : 'open') : '-',
		r.alert ? (r.alert.resolved ? 'resolved' : 'open') : '-',
		r.happened,
	]);
	const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
	const line = (cells: string[]) =>
		`  ${cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ')}`;
	process.stdout.write(`\n${bold(line(header))}\n`);
	for (const [i, b] of body.entries()) {
		const ok = rows[i].checks.every((c) => c.ok);
		process.stdout.write(`${line(b)}${ok ? '' : `  ${red('✗')}`}\n`);
	}
	process.stdout.write('\n');
}
