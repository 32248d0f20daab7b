/**
 * Check Setup: what a user runs once after entering credentials. Asks both APIs and reports, without ever including a
 * secret: credentials (token, reachability, the permissions the sync needs), the Halo closed status and note outcome
 * that will be used and why, priorities / ticket type / team / agent ids that do not exist, where every Datto site's
 * tickets land in Halo and by which rule, the Datto webhook URL (secret as a placeholder) with the bodies to paste,
 * and whether the Halo webhook is registered. Used by the `halo-datto-check-setup` command and the Sync Policy node.
 * No n8n imports.
 */
import { DATTO_WEBHOOK_TEMPLATES } from '../domain/dattoWebhookTemplates';
import { resolveHaloClient, type ClientRule, type TableMatch } from '../domain/haloMapping';
import { parsePriorityMap } from '../domain/priority';
import { autoClosedStatus, autoNoteOutcome, cachedOutcomes, cachedStatuses } from '../halo/lookups';
import { mappingIndex } from '../halo/mapping';
import { haloEventNumbersFor, haloWebhookStatus, HALO_EVENT_NAMES, HALO_WEBHOOK_PERMISSION, isHaloPermissionDenied } from '../halo/webhookRegistration';
import { STATIC_STORE_WARN_RECORDS, staticStoreSizeWarning, type StaticStoreStats } from '../store/StaticDataStore';
import type { DattoClient } from '../transport/datto';
import type { HaloClient } from '../transport/halo';

export type CheckStatus = 'ok' | 'problem' | 'warning' | 'info';

export interface SetupCheck {
	area: 'Halo credential' | 'Datto credential' | 'Halo settings' | 'Datto sites' | 'Datto webhook' | 'Halo webhook' | 'Mapping store';
	name: string;
	status: CheckStatus;
	detail: string;
	/** What to do about a problem or warning. */
	fix?: string;
}

export interface SiteLanding {
	dattoSiteUid: string;
	dattoSiteName: string;
	rule: ClientRule;
	haloClientId: number | null;
	haloClientName: string | null;
	haloSiteId: number | null;
	haloSiteName: string | null;
	reason: string;
	notes: string[];
}

export interface CheckSetupSettings {
	/** Closed status the sync uses; empty → chosen by name. */
	closedStatusId?: number | null;
	/** Outcome of the closing / note action; empty → the tenant's note outcome chosen by name. */
	closeOutcomeId?: number | null;
	/** Datto priority → Halo priority id, e.g. "Critical=1, High=2". */
	priorityMap?: string;
	ticketTypeId?: number | null;
	teamId?: number | null;
	agentId?: number | null;
	catchAllClientId?: number | null;
	/** Mapping Store rows: Datto site uid → Halo client (and site). */
	siteTable?: Array<{ dattoSiteUid: string } & TableMatch>;
	/** The Datto RMM Trigger's production URL. */
	dattoWebhookUrl?: string;
	/** Query parameter carrying the Datto webhook secret (the Datto RMM Webhook credential's; default "secret"). */
	dattoSecretParameter?: string;
	/** The HaloPSA Trigger's production URL. */
	haloWebhookUrl?: string;
	/** The HaloPSA Trigger's events (default all). */
	haloEvents?: string[];
	/**
	 * The workflow static data stores this n8n process has loaded (store/StaticDataStore.ts loadedStaticStoreStats);
	 * omitted outside n8n (the command line cannot see them).
	 */
	staticStores?: Array<{ workflowId: string; stats: StaticStoreStats }>;
}

export interface CheckSetupReport {
	ok: boolean;
	checkedAt: string;
	problems: number;
	warnings: number;
	checks: SetupCheck[];
	sites: SiteLanding[];
	dattoWebhook: { url: string | null; triggeredBody: string; resolvedBody: string } | null;
}

const SECRET_PLACEHOLDER = '<YOUR-WEBHOOK-SECRET>';

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Runs every check; an unreachable API turns its checks into problems instead of throwing. */
export async function checkSetup(apis: { halo?: HaloClient; datto?: DattoClient }, settings: CheckSetupSettings = {}): Promise<CheckSetupReport> {
	const checks: SetupCheck[] = [];
	const add = (check: SetupCheck) => checks.push(check);
	const sites: SiteLanding[] = [];
	let haloOk = false;

	// ---- Halo credential and permissions
	const halo = apis.halo;
	if (!halo) {
		add({ area: 'Halo credential', name: 'HaloPSA API', status: 'problem', detail: 'No HaloPSA API credential given', fix: 'Create a HaloPSA API credential' });
	} else {
		try {
			const { agent } = await halo.testConnection();
			haloOk = true;
			add({ area: 'Halo credential', name: 'Token and API', status: 'ok', detail: `Token issued; the API answers as agent ${agent.name ?? '?'} (id ${agent.id})` });
		} catch (error) {
			add({
				area: 'Halo credential',
				name: 'Token and API',
				status: 'problem',
				detail: message(error),
				fix: 'Check the instance URL, tenant, client id and secret of the HaloPSA API credential (Halo: Configuration > Integrations > Halo API)',
			});
		}
	}
	if (halo && haloOk) {
		const reads: Array<[string, () => Promise<unknown>, string]> = [
			['Read tickets', async () => await halo.listTickets({}, { limit: 1 }), 'read:tickets'],
			['Read clients and sites', async () => await halo.listClients({}, { limit: 1 }), 'read:customers'],
			['Read statuses and outcomes', async () => await cachedOutcomes(halo), 'all (lookups)'],
		];
		for (const [name, run, scope] of reads) {
			try {
				await run();
				add({ area: 'Halo credential', name, status: 'ok', detail: 'Allowed' });
			} catch (error) {
				add({ area: 'Halo credential', name, status: 'problem', detail: message(error), fix: `Give the API application the "${scope}" scope and the API agent a role that allows it` });
			}
		}
		await haloSettings(halo, settings, add);
	}

	// ---- Datto credential and sites
	const datto = apis.datto;
	let dattoSites: Array<{ uid: string; name: string }> = [];
	if (!datto) {
		add({ area: 'Datto credential', name: 'Datto RMM API', status: 'problem', detail: 'No Datto RMM API credential given', fix: 'Create a Datto RMM API credential' });
	} else {
		try {
			const account = await datto.getAccount();
			add({ area: 'Datto credential', name: 'Token and API', status: 'ok', detail: `Token issued; account ${String(account.name ?? account.uid ?? '?')}` });
			try {
				const list = await datto.listSites({ returnAll: true });
				dattoSites = list.items.map((s) => ({ uid: String(s.uid ?? ''), name: String(s.name ?? '') }));
				add({ area: 'Datto credential', name: 'Read sites', status: 'ok', detail: `${dattoSites.length} site(s)${list.truncated ? ' (list truncated by the page cap)' : ''}` });
			} catch (error) {
				add({ area: 'Datto credential', name: 'Read sites', status: 'problem', detail: message(error), fix: 'The API user needs access to all sites (Datto: Setup > Users > API access)' });
			}
		} catch (error) {
			add({
				area: 'Datto credential',
				name: 'Token and API',
				status: 'problem',
				detail: message(error),
				fix: 'Check the API URL (platform), API key and secret of the Datto RMM API credential (Datto: Setup > Users > API keys)',
			});
		}
	}

	// ---- Where each Datto site lands
	if (dattoSites.length && halo && haloOk) {
		try {
			const index = await mappingIndex(halo);
			const table = new Map((settings.siteTable ?? []).map((r) => [r.dattoSiteUid.toLowerCase(), r]));
			for (const site of dattoSites) {
				const match = resolveHaloClient(index, { site, table: table.get(site.uid.toLowerCase()) ?? null, catchAllClientId: settings.catchAllClientId ?? null });
				sites.push({
					dattoSiteUid: site.uid,
					dattoSiteName: site.name,
					rule: match.matchedBy,
					haloClientId: match.clientId,
					haloClientName: match.clientName,
					haloSiteId: match.siteId,
					haloSiteName: match.siteName,
					reason: match.reason,
					notes: match.notes,
				});
			}
			const none = sites.filter((s) => s.rule === 'none');
			const catchAll = sites.filter((s) => s.rule === 'catchAll');
			const ambiguous = sites.filter((s) => s.notes.some((n) => /ambiguous|several|more than one/i.test(n)));
			if (none.length) {
				add({
					area: 'Datto sites',
					name: 'Sites without a Halo client',
					status: 'problem',
					detail: none.map((s) => s.dattoSiteName).join(', '),
					fix: 'Set the Datto site uid as datto_id on the Halo client or site, add a Mapping Store row, or set a catch-all client',
				});
			}
			if (catchAll.length) {
				add({ area: 'Datto sites', name: 'Sites that fall to the catch-all client', status: 'warning', detail: catchAll.map((s) => s.dattoSiteName).join(', '), fix: 'Map them if they are real customers' });
			}
			if (ambiguous.length) {
				add({ area: 'Datto sites', name: 'Ambiguous names', status: 'warning', detail: ambiguous.map((s) => `${s.dattoSiteName}: ${s.notes.join('; ')}`).join(' | ') });
			}
			if (!none.length && !catchAll.length && !ambiguous.length) {
				add({ area: 'Datto sites', name: 'Site mapping', status: 'ok', detail: `All ${sites.length} site(s) land on a Halo client` });
			}
		} catch (error) {
			add({ area: 'Datto sites', name: 'Site mapping', status: 'problem', detail: `Could not read Halo clients and sites: ${message(error)}` });
		}
	}

	// ---- Datto webhook to paste
	let dattoWebhook: CheckSetupReport['dattoWebhook'] = null;
	{
		const template = DATTO_WEBHOOK_TEMPLATES.recommended;
		const param = settings.dattoSecretParameter || 'secret';
		const url = settings.dattoWebhookUrl ? `${settings.dattoWebhookUrl}${settings.dattoWebhookUrl.includes('?') ? '&' : '?'}${param}=${SECRET_PLACEHOLDER}` : null;
		dattoWebhook = { url, triggeredBody: template.triggered, resolvedBody: template.resolved };
		add({
			area: 'Datto webhook',
			name: 'URL and bodies to paste',
			status: url ? 'info' : 'warning',
			detail: url
				? `In Datto RMM: Setup > Account Settings > Webhooks (or the monitor's alert settings): URL ${url} (replace ${SECRET_PLACEHOLDER} with the Datto RMM Webhook credential's secret); bodies below`
				: "The Datto RMM Trigger's production URL is not known here",
			fix: url ? undefined : "Pass the Datto RMM Trigger's Production URL (workflow open > trigger node > Production URL)",
		});
	}

	// ---- Halo webhook registered?
	if (settings.haloWebhookUrl && halo && haloOk) {
		const events = haloEventNumbersFor(settings.haloEvents ?? ['new', 'statusChanged', 'closed', 'updated']);
		try {
			const status = await haloWebhookStatus(halo, settings.haloWebhookUrl, events);
			if (!status.registered) {
				add({
					area: 'Halo webhook',
					name: 'Registered in Halo',
					status: 'problem',
					detail: `No Halo webhook posts to ${settings.haloWebhookUrl}`,
					fix: 'Publish the workflow (the HaloPSA Trigger registers it) or create it by hand (docs/setup.md)',
				});
			} else if (status.active === false || status.missingEvents.length) {
				add({
					area: 'Halo webhook',
					name: 'Registered in Halo',
					status: 'problem',
					detail: `${status.active === false ? 'The webhook is inactive. ' : ''}${status.missingEvents.length ? `Missing events: ${status.missingEvents.map((n) => HALO_EVENT_NAMES[n] ?? n).join(', ')}` : ''}`.trim(),
					fix: 'Re-publish the workflow or edit the webhook in Halo',
				});
			} else {
				add({ area: 'Halo webhook', name: 'Registered in Halo', status: 'ok', detail: `Webhook ${status.webhookId} posts to the trigger, events ${events.map((n) => HALO_EVENT_NAMES[n] ?? n).join(', ')}` });
			}
		} catch (error) {
			add({
				area: 'Halo webhook',
				name: 'Registered in Halo',
				status: 'warning',
				detail: isHaloPermissionDenied(error) ? `Cannot tell: Halo refused to list webhooks (403); ${HALO_WEBHOOK_PERMISSION}` : message(error),
				fix: 'Check Configuration > Integrations > Webhooks in Halo by hand',
			});
		}
	}

	if (settings.staticStores) staticStoreChecks(settings.staticStores, add);

	const problems = checks.filter((c) => c.status === 'problem').length;
	return {
		ok: problems === 0,
		checkedAt: new Date().toISOString(),
		problems,
		warnings: checks.filter((c) => c.status === 'warning').length,
		checks,
		sites,
		dattoWebhook,
	};
}

async function haloSettings(halo: HaloClient, settings: CheckSetupSettings, add: (c: SetupCheck) => void): Promise<void> {
	const area = 'Halo settings' as const;
	const statuses = await cachedStatuses(halo);
	if (settings.closedStatusId) {
		const found = statuses.find((s) => s.id === settings.closedStatusId);
		add(
			found
				? { area, name: 'Closed status', status: 'ok', detail: `${found.name ?? '?'} (${found.id}): set in the settings` }
				: { area, name: 'Closed status', status: 'problem', detail: `Status ${settings.closedStatusId} does not exist`, fix: `Choose one of ${statuses.map((s) => `${s.name} (${s.id})`).join(', ')}` },
		);
	} else {
		try {
			const auto = await autoClosedStatus(halo);
			add({ area, name: 'Closed status', status: 'ok', detail: `${auto.name ?? '?'} (${auto.id}): chosen by name, no closed status set` });
		} catch (error) {
			add({ area, name: 'Closed status', status: 'problem', detail: message(error), fix: 'Set the closed status explicitly' });
		}
	}
	const outcomes = await cachedOutcomes(halo);
	if (settings.closeOutcomeId) {
		const found = outcomes.find((o) => o.id === settings.closeOutcomeId);
		add(
			found
				? { area, name: 'Outcome', status: 'ok', detail: `${String(found.outcome ?? found.name ?? '?')} (${found.id}): set in the settings` }
				: { area, name: 'Outcome', status: 'problem', detail: `Outcome ${settings.closeOutcomeId} does not exist`, fix: 'Choose an existing outcome' },
		);
	} else {
		try {
			const auto = await autoNoteOutcome(halo);
			add({ area, name: 'Outcome', status: 'ok', detail: `${String(auto.outcome ?? auto.name ?? '?')} (${auto.id}): chosen by name, no outcome set` });
		} catch (error) {
			add({ area, name: 'Outcome', status: 'problem', detail: message(error), fix: 'Set the outcome explicitly' });
		}
	}
	if (settings.priorityMap) {
		let map: Record<string, number> = {};
		try {
			map = parsePriorityMap(settings.priorityMap);
		} catch (error) {
			add({ area, name: 'Priority map', status: 'problem', detail: message(error) });
		}
		const known = new Set((await halo.listPriorities()).map((p) => Number(p.priorityid)));
		const missing = Object.entries(map).filter(([, id]) => !known.has(id));
		add(
			missing.length
				? {
						area,
						name: 'Priority map',
						status: 'problem',
						detail: `Priorities that do not exist in Halo: ${missing.map(([k, id]) => `${k}=${id}`).join(', ')}`,
						fix: `Existing priority ids: ${[...known].sort((a, b) => a - b).join(', ')}`,
					}
				: { area, name: 'Priority map', status: 'ok', detail: `All ${Object.keys(map).length} priorities exist` },
		);
	}
	const idChecks: Array<[string, number | null | undefined, () => Promise<Array<{ id: number; name?: unknown }>>]> = [
		['Ticket type', settings.ticketTypeId, async () => await halo.listTicketTypes()],
		['Team', settings.teamId, async () => await halo.listTeams()],
		['Agent', settings.agentId, async () => await halo.listAgents({ includeApiAgents: true })],
	];
	for (const [name, id, list] of idChecks) {
		if (!id) continue;
		const found = (await list()).find((r) => r.id === id);
		add(
			found
				? { area, name, status: 'ok', detail: `${String(found.name ?? '?')} (${id})` }
				: { area, name, status: 'problem', detail: `${name} ${id} does not exist`, fix: `Choose an existing ${name.toLowerCase()}` },
		);
	}
}

/** One check per workflow static data store: a warning above the size where Postgres is the better choice. */
function staticStoreChecks(stores: NonNullable<CheckSetupSettings['staticStores']>, add: (c: SetupCheck) => void): void {
	const area = 'Mapping store' as const;
	if (stores.length === 0) {
		add({
			area,
			name: 'Static data store size',
			status: 'info',
			detail: 'No workflow static data store is loaded in this n8n process (Postgres backend, or no Mapping Store execution since n8n started)',
		});
		return;
	}
	for (const { workflowId, stats } of stores) {
		const name = `Static data store of workflow ${workflowId}`;
		const warning = staticStoreSizeWarning(stats);
		add(
			warning === undefined
				? { area, name, status: 'ok', detail: `${stats.records.toLocaleString('en-US')} records (${stats.openRecords} open, ${stats.closedRecords} closed); Postgres pays off above ${STATIC_STORE_WARN_RECORDS.toLocaleString('en-US')}` }
				: { area, name, status: 'warning', detail: warning, fix: 'Lower "Closed For More Than" on the Purge nodes, or use the Postgres workflows (workflows/postgres/)' },
		);
	}
}
