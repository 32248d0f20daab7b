/**
 * Datto RMM → HaloPSA priority mapping. Halo priority ids are tenant-specific, so the map is configuration:
 * "Critical=1, High=2, Moderate=3, Low=4, Information=4" (the lwhitelock precedent) with a default for anything unmapped.
 */
export const DATTO_PRIORITIES = ['Critical', 'High', 'Moderate', 'Low', 'Information', 'Unknown'] as const;
export type DattoPriority = (typeof DATTO_PRIORITIES)[number];

export const DEFAULT_PRIORITY_MAP = 'Critical=1, High=2, Moderate=3, Low=4, Information=4';

export type PriorityMap = Record<string, number>;

/** Parses "Name=id" pairs separated by commas, semicolons or new lines; names are case-insensitive. */
export function parsePriorityMap(text: string): PriorityMap {
	const map: PriorityMap = {};
	for (const pair of text.split(/[,;\n]/)) {
		const trimmed = pair.trim();
		if (!trimmed) continue;
		const match = /^([^=:]+)[=:]\s*(\d+)$/.exec(trimmed);
		if (!match) throw new Error(`Invalid priority mapping "${trimmed}": expected Name=HaloPriorityId`);
		map[match[1].trim().toLowerCase()] = Number(match[2]);
	}
	return map;
}

/** Halo priority id for a Datto priority, or the default when unmapped. */
export function mapPriority(dattoPriority: string | null | undefined, map: PriorityMap, defaultId: number): number {
	const key = (dattoPriority ?? '').trim().toLowerCase();
	return key && map[key] !== undefined ? map[key] : defaultId;
}

/** Canonical spelling of a Datto priority ("critical" → "Critical"); unknown values → "Unknown". */
export function normaliseDattoPriority(value: unknown): DattoPriority {
	const text = String(value ?? '').trim().toLowerCase();
	if (text === 'info' || text === 'informational') return 'Information';
	if (text === 'medium') return 'Moderate';
	return DATTO_PRIORITIES.find((p) => p.toLowerCase() === text) ?? 'Unknown';
}
