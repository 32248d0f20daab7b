/**
 * Health: a heartbeat per webhook source (every Decide of a Datto alert or a Halo ticket event writes one) and the
 * check that turns "no Datto webhook for X hours" and open failed events into an alarm. Records live in the
 * `health` collection (shared by live and dry-run: a webhook arriving is a fact either way):
 * - `health/dattoWebhook`, `health/haloWebhook`: `{ lastAt, lastId, lastEvent, count }`;
 * - `health/alarm`: `{ active, since, reasons, alarmedAt }` (one alarm per incident).
 */
import type { JsonObject, RecordStore } from '../../store';
import { listFailedEvents, failedEventOf } from './failures';

export const HEALTH_COLLECTION = 'health';
export type HeartbeatSource = 'datto' | 'halo';

const keyOf = (source: HeartbeatSource) => (source === 'datto' ? 'dattoWebhook' : 'haloWebhook');

export interface Heartbeat {
	lastAt: string;
	lastId: string | null;
	lastEvent: string | null;
	count: number;
}

export async function recordHeartbeat(
	store: Pick<RecordStore, 'get' | 'set'>,
	source: HeartbeatSource,
	now: Date,
	detail: { id: string | null; event: string | null },
): Promise<void> {
	const existing = (await store.get(HEALTH_COLLECTION, keyOf(source)))?.value as Partial<Heartbeat> | undefined;
	const value: Heartbeat = { lastAt: now.toISOString(), lastId: detail.id, lastEvent: detail.event, count: (existing?.count ?? 0) + 1 };
	await store.set(HEALTH_COLLECTION, keyOf(source), { value: value as unknown as JsonObject, mode: 'merge' });
}

export interface HealthOptions {
	/** Alarm when the last Datto webhook is older than this (or none was ever recorded). */
	maxHoursWithoutDattoWebhook: number;
	/** Alarm while failed events are waiting for replay. */
	alarmOnFailedEvents: boolean;
	/** Route an incident to the alarm output once, until it is healthy again (otherwise on every check). */
	alarmOncePerIncident: boolean;
	/** Failed events listed in the report. */
	listFailed: number;
	dryRun: boolean;
}

export interface HealthReport {
	healthy: boolean;
	/** True when this check routes to the alarm output. */
	alarm: boolean;
	/** Unhealthy, but the alarm for this incident was already raised (alarmOncePerIncident). */
	alreadyAlarmed: boolean;
	/** Healthy again after an alarm. */
	recovered: boolean;
	reasons: string[];
	checkedAt: string;
	datto: { lastWebhookAt: string | null; hoursSince: number | null; lastAlertUid: string | null; webhooks: number; maxHours: number };
	halo: { lastWebhookAt: string | null; hoursSince: number | null };
	failedEvents: {
		count: number;
		items: Array<{ key: string; kind: string; decision: string; error: string; failedAt: string; failures: number; subject: unknown }>;
	};
	incidentSince: string | null;
}

const hours = (from: string | null | undefined, now: Date): number | null => {
	const t = from ? Date.parse(from) : NaN;
	return Number.isFinite(t) ? Math.round(((now.getTime() - t) / 3_600_000) * 100) / 100 : null;
};

export async function checkHealth(store: Pick<RecordStore, 'get' | 'set' | 'list'>, now: Date, options: HealthOptions): Promise<HealthReport> {
	const [datto, halo, alarmRecord, failed] = await Promise.all([
		store.get(HEALTH_COLLECTION, keyOf('datto')),
		store.get(HEALTH_COLLECTION, keyOf('halo')),
		store.get(HEALTH_COLLECTION, 'alarm'),
		listFailedEvents(store, options.dryRun),
	]);
	const d = datto?.value as Partial<Heartbeat> | undefined;
	const h = halo?.value as Partial<Heartbeat> | undefined;
	const reasons: string[] = [];
	const dattoHours = hours(d?.lastAt, now);
	if (dattoHours === null) reasons.push('no Datto RMM webhook has been recorded yet');
	else if (dattoHours > options.maxHoursWithoutDattoWebhook) {
		reasons.push(`no Datto RMM webhook for ${dattoHours} h (last at ${d?.lastAt}; threshold ${options.maxHoursWithoutDattoWebhook} h)`);
	}
	if (options.alarmOnFailedEvents && failed.length > 0) {
		reasons.push(`${failed.length} failed event${failed.length === 1 ? '' : 's'} waiting for replay`);
	}
	const healthy = reasons.length === 0;
	const previous = alarmRecord?.value as { active?: boolean; since?: string; alarmedAt?: string } | undefined;
	const wasActive = previous?.active === true;
	const alreadyAlarmed = !healthy && wasActive && options.alarmOncePerIncident;
	const alarm = !healthy && !alreadyAlarmed;
	const incidentSince = healthy ? null : wasActive ? (previous?.since ?? now.toISOString()) : now.toISOString();
	if (!healthy || wasActive) {
		await store.set(HEALTH_COLLECTION, 'alarm', {
			value: healthy
				? { active: false, since: null, reasons: [], recoveredAt: now.toISOString() }
				: { active: true, since: incidentSince, reasons, alarmedAt: alarm ? now.toISOString() : (previous?.alarmedAt ?? null) },
			mode: 'merge',
			...(alarm || (healthy && wasActive) ? { history: { event: healthy ? 'recovered' : 'alarm', reason: healthy ? 'healthy again' : reasons.join('; ') } } : {}),
		});
	}
	return {
		healthy,
		alarm,
		alreadyAlarmed,
		recovered: healthy && wasActive,
		reasons,
		checkedAt: now.toISOString(),
		datto: {
			lastWebhookAt: d?.lastAt ?? null,
			hoursSince: dattoHours,
			lastAlertUid: d?.lastId ?? null,
			webhooks: d?.count ?? 0,
			maxHours: options.maxHoursWithoutDattoWebhook,
		},
		halo: { lastWebhookAt: h?.lastAt ?? null, hoursSince: hours(h?.lastAt, now) },
		failedEvents: {
			count: failed.length,
			items: failed
				.slice(-Math.max(0, options.listFailed))
				.reverse()
				.map((r) => {
					const v = failedEventOf(r);
					return {
						key: r.key,
						kind: v?.kind ?? '?',
						decision: v?.decision ?? '?',
						error: v?.error ?? '',
						failedAt: v?.failedAt ?? r.updatedAt,
						failures: v?.failures ?? 1,
						subject: (v?.subject ?? null) as unknown,
					};
				}),
		},
		incidentSince,
	};
}
