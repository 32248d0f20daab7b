/**
 * The data of the sync status page (rendered by nodes/shared/domain/statusPage.ts) from the mapping store: open
 * alert ↔ ticket links, the last webhook from each side (heartbeats), failed events, and the decisions recorded in
 * the alert and ticket records' histories (last 24 h by kind, and per UTC day). No n8n, no HTTP.
 */
import type { StatusPageData, StatusRateBudget } from '../../domain/statusPage';
import type { RecordStore, StoreRecord } from '../../store';
import { policyLayout } from '../layout';
import type { AlertValue } from '../types';
import { failedEventOf, listFailedEvents } from './failures';
import { HEALTH_COLLECTION, type Heartbeat } from './health';

export interface StatusOptions {
	dryRun?: boolean;
	/** Halo ticket link template with `{ticket}`. */
	haloTicketUrl?: string | null;
	/** Open links listed (the rest is counted). Default 200. */
	maxOpenLinks?: number;
	/** Failed events listed. Default 50. */
	maxFailed?: number;
	/** Days of per-day counts. Default 7. */
	days?: number;
	rateBudget?: StatusRateBudget[];
}

type OpenLink = StatusPageData['openLinks'][number];
type FailedView = { kind?: unknown; decision?: unknown; error?: unknown; failedAt?: unknown; failures?: unknown };

/**
 * The plain sync workflows (workflows/datto-halo-sync.json, workflows/postgres/) keep `alerts/<alertUid>` records with
 * status `open` and the value `{ ticketId, clientId, dedupeKey }` (no policy state, no heartbeats): their links are
 * shown with what they have, and the last deliveries are read from the records' history — Datto: an alert received,
 * a duplicate delivery, a resolved webhook for an unknown alert, a close because Datto resolved the alert; Halo: a
 * ticket closed in Halo.
 */
const PLAIN_DATTO_EVENTS = new Set(['alertReceived', 'duplicateDelivery', 'resolvedUnknown']);
const PLAIN_HALO_EVENTS = new Set(['ticketClosedInHalo']);

function openLinkOf(record: StoreRecord): OpenLink | null {
	const v = record.value as unknown as Partial<AlertValue> & { ticketId?: unknown } | null;
	if (!v || typeof v !== 'object' || typeof v.ticketId !== 'number') return null;
	if (v.state !== undefined) {
		if (v.state !== 'open') return null;
		const a = v as AlertValue;
		return {
			alertUid: a.alertUid,
			ticketId: a.ticketId as number,
			message: a.alert?.message ?? '',
			siteName: a.alert?.site?.name ?? null,
			hostname: a.alert?.device?.hostname ?? null,
			priority: a.alert?.priority ?? 'Unknown',
			since: a.firstSeenAt,
			dattoLink: a.alert?.link ?? null,
		};
	}
	if (record.status !== 'open') return null;
	return { alertUid: record.key, ticketId: v.ticketId, message: '', siteName: null, hostname: null, priority: 'Unknown', since: record.createdAt, dattoLink: null };
}

function lastFromHistory(records: StoreRecord[], events: Set<string>, alsoWhen?: (record: StoreRecord) => boolean): { lastAt: string; count: number } | null {
	let lastAt = '';
	let count = 0;
	for (const record of records) {
		for (const h of record.history ?? []) {
			if (!events.has(h.event) && !(h.event === 'ticketClosed' && alsoWhen?.(record))) continue;
			count++;
			if (h.at > lastAt) lastAt = h.at;
		}
	}
	return count ? { lastAt, count } : null;
}

/** A failed event of the plain sync workflows (`failedEvents/<alertUid>` → `{ kind: "dattoResolve" }`). */
function plainFailedEventOf(record: StoreRecord): FailedView | null {
	const v = record.value as { kind?: unknown } | null;
	if (!v || typeof v !== 'object' || typeof v.kind !== 'string') return null;
	const failures = (record.history ?? []).filter((h) => /failed/i.test(h.event));
	return { kind: v.kind, decision: '', error: failures.at(-1)?.reason ?? '', failedAt: failures.at(-1)?.at ?? record.updatedAt, failures: Math.max(1, failures.length) };
}

export async function gatherStatus(store: Pick<RecordStore, 'get' | 'list'>, now: Date, options: StatusOptions = {}): Promise<StatusPageData> {
	const layout = policyLayout(options.dryRun ?? false);
	const alerts = await store.list(layout.alerts);
	const tickets = await store.list(layout.tickets);

	const open: OpenLink[] = alerts
		.map((r) => openLinkOf(r))
		.filter((l): l is OpenLink => l !== null)
		.sort((a, b) => (a.since < b.since ? 1 : -1));
	const maxOpen = options.maxOpenLinks ?? 200;

	const beat = async (key: string, derived: Set<string>, alsoWhen?: (record: StoreRecord) => boolean): Promise<{ lastAt: string; count: number } | null> => {
		const value = (await store.get(HEALTH_COLLECTION, key))?.value as Partial<Heartbeat> | undefined;
		if (value?.lastAt) return { lastAt: value.lastAt, count: value.count ?? 0 };
		return lastFromHistory(alerts, derived, alsoWhen);
	};

	const failedRecords = await listFailedEvents(store, options.dryRun ?? false);
	const failed = failedRecords
		.map((r) => ({ key: r.key, value: failedEventOf(r) ?? plainFailedEventOf(r) }))
		.filter((f): f is { key: string; value: FailedView } => f.value !== null)
		.sort((a, b) => (String(a.value.failedAt) < String(b.value.failedAt) ? 1 : -1));

	// Decisions: history entries of alert records, plus those of ticket records that no alert record logged at the
	// same moment (a decision about an alert may note both records: counted once).
	const decisions24h: Record<string, number> = {};
	const days = Math.max(1, options.days ?? 7);
	const perDay = new Map<string, Record<string, number>>();
	const dayStart = now.getTime() - days * 86_400_000;
	const fromAlerts = new Set<string>();
	const count = (at: string, event: string) => {
		const t = Date.parse(at);
		if (!Number.isFinite(t) || t < dayStart || t > now.getTime() + 60_000) return;
		if (now.getTime() - t <= 86_400_000) decisions24h[event] = (decisions24h[event] ?? 0) + 1;
		const day = at.slice(0, 10);
		const counts = perDay.get(day) ?? {};
		counts[event] = (counts[event] ?? 0) + 1;
		perDay.set(day, counts);
	};
	for (const record of alerts) {
		for (const h of record.history ?? []) {
			fromAlerts.add(`${h.at}|${h.event}`);
			count(h.at, h.event);
		}
	}
	for (const record of tickets) for (const h of record.history ?? []) if (!fromAlerts.has(`${h.at}|${h.event}`)) count(h.at, h.event);

	return {
		generatedAt: now.toISOString(),
		haloTicketUrl: options.haloTicketUrl ?? null,
		openLinks: open.slice(0, maxOpen),
		moreOpenLinks: Math.max(0, open.length - maxOpen),
		datto: await beat('dattoWebhook', PLAIN_DATTO_EVENTS, (r) => (r.value as { closedBy?: unknown } | null)?.closedBy === 'datto'),
		halo: await beat('haloWebhook', PLAIN_HALO_EVENTS),
		failed: failed.slice(0, options.maxFailed ?? 50).map((f) => ({
			key: f.key,
			kind: String(f.value.kind ?? ''),
			decision: String(f.value.decision ?? ''),
			error: String(f.value.error ?? ''),
			failedAt: String(f.value.failedAt ?? ''),
			failures: Number(f.value.failures ?? 1),
		})),
		failedCount: failed.length,
		decisions24h,
		perDay: [...perDay.entries()].sort((a, b) => (a[0] < b[0] ? 1 : -1)).map(([day, counts]) => ({ day, counts })),
		rateBudget: options.rateBudget ?? [],
	};
}
