/**
 * The data of the sync status page (rendered by nodes/shared/domain/statusPage.ts) from the mapping store: open
 * alert ↔ ticket links, the last webhook from each side (heartbeats), failed events, and the decisions recorded in
 * the alert and ticket records' histories (last 24 h by kind, and per UTC day). No n8n, no HTTP.
 */
import type { StatusPageData, StatusRateBudget } from '../../domain/statusPage';
import type { RecordStore } from '../../store';
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

export async function gatherStatus(store: Pick<RecordStore, 'get' | 'list'>, now: Date, options: StatusOptions = {}): Promise<StatusPageData> {
	const layout = policyLayout(options.dryRun ?? false);
	const alerts = await store.list(layout.alerts);
	const tickets = await store.list(layout.tickets);

	const open = alerts
		.map((r) => r.value as unknown as AlertValue)
		.filter((a) => a && a.state === 'open' && typeof a.ticketId === 'number')
		.sort((a, b) => (a.firstSeenAt < b.firstSeenAt ? 1 : -1));
	const maxOpen = options.maxOpenLinks ?? 200;

	const beat = async (key: string): Promise<{ lastAt: string; count: number } | null> => {
		const value = (await store.get(HEALTH_COLLECTION, key))?.value as Partial<Heartbeat> | undefined;
		return value?.lastAt ? { lastAt: value.lastAt, count: value.count ?? 0 } : null;
	};

	const failedRecords = await listFailedEvents(store, options.dryRun ?? false);
	const failed = failedRecords
		.map((r) => ({ key: r.key, value: failedEventOf(r) }))
		.filter((f): f is { key: string; value: NonNullable<ReturnType<typeof failedEventOf>> } => f.value !== null)
		.sort((a, b) => (a.value.failedAt < b.value.failedAt ? 1 : -1));

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
		openLinks: open.slice(0, maxOpen).map((a) => ({
			alertUid: a.alertUid,
			ticketId: a.ticketId as number,
			message: a.alert?.message ?? '',
			siteName: a.alert?.site?.name ?? null,
			hostname: a.alert?.device?.hostname ?? null,
			priority: a.alert?.priority ?? 'Unknown',
			since: a.firstSeenAt,
			dattoLink: a.alert?.link ?? null,
		})),
		moreOpenLinks: Math.max(0, open.length - maxOpen),
		datto: await beat('dattoWebhook'),
		halo: await beat('haloWebhook'),
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
