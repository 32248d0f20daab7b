/**
 * Datto RMM returns every timestamp as epoch milliseconds (the spec says date-time). The client keeps the raw value
 * in its field and adds an ISO 8601 sibling (`timestamp` → `timestampIso`), so outputs are readable and nothing is lost.
 */
import type { DattoAlertRaw, DattoDeviceRaw, DattoSiteRaw } from './schemas';

/** .NET DateTime.MinValue in epoch ms: Datto's "no date". */
export const DATTO_NO_DATE_MS = -62135596800000;

/**
 * Converts a Datto time value to ISO 8601: epoch ms (number or numeric string), epoch seconds (values below 1e11),
 * or an ISO string. Null, empty, zero, negative and DateTime.MinValue become null.
 */
export function dattoTimeToIso(value: unknown): string | null {
	if (value === null || value === undefined) return null;
	let ms: number;
	if (typeof value === 'number') ms = value;
	else if (typeof value === 'string') {
		const text = value.trim();
		if (text === '') return null;
		if (/^-?\d+(\.\d+)?$/.test(text)) ms = Number(text);
		else {
			const parsed = Date.parse(text);
			return Number.isNaN(parsed) ? null : new Date(parsed).toISOString();
		}
	} else return null;
	if (!Number.isFinite(ms) || ms <= 0 || ms === DATTO_NO_DATE_MS) return null;
	if (ms < 1e11) ms *= 1000;
	const date = new Date(ms);
	return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

export type DattoAlert = DattoAlertRaw & {
	timestampIso: string | null;
	resolvedOnIso: string | null;
};

export type DattoSite = DattoSiteRaw;

export type DattoDevice = DattoDeviceRaw & {
	lastSeenIso: string | null;
	lastRebootIso: string | null;
	lastAuditDateIso: string | null;
	creationDateIso: string | null;
};

export function normaliseAlert(raw: DattoAlertRaw): DattoAlert {
	return {
		...raw,
		...(Array.isArray(raw.responseActions)
			? { responseActions: raw.responseActions.map((a) => ({ ...a, actionTimeIso: dattoTimeToIso(a.actionTime) })) }
			: {}),
		timestampIso: dattoTimeToIso(raw.timestamp),
		resolvedOnIso: dattoTimeToIso(raw.resolvedOn),
	};
}

export function normaliseDevice(raw: DattoDeviceRaw): DattoDevice {
	return {
		...raw,
		lastSeenIso: dattoTimeToIso(raw.lastSeen),
		lastRebootIso: dattoTimeToIso(raw.lastReboot),
		lastAuditDateIso: dattoTimeToIso(raw.lastAuditDate),
		creationDateIso: dattoTimeToIso(raw.creationDate),
	};
}

export function normaliseSite(raw: DattoSiteRaw): DattoSite {
	return { ...raw };
}

/** Name of the built-in site that holds deleted devices. */
export const DELETED_DEVICES_SITE_NAME = 'Deleted Devices';

export function isDeletedDevicesSite(site: { name?: string | null }): boolean {
	return (site.name ?? '').trim().toLowerCase() === DELETED_DEVICES_SITE_NAME.toLowerCase();
}
