/**
 * Wall-clock time in IANA time zones with Intl only (no dependency): instant → local parts, local time → instant.
 *
 * Local → instant resolution (daylight saving): a local time that occurs twice (clocks go back) is the first of the
 * two instants; a local time that does not occur (clocks go forward) is the instant the clock jumps past it
 * (02:30 on a 02:00 → 03:00 night is 03:00 after the change).
 */

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

export interface LocalParts {
	year: number;
	month: number;
	day: number;
	hour: number;
	minute: number;
	second: number;
	/** 0 = Sunday … 6 = Saturday. */
	weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
	let f = formatters.get(timeZone);
	if (!f) {
		f = new Intl.DateTimeFormat('en-US', {
			timeZone,
			hourCycle: 'h23',
			year: 'numeric',
			month: 'numeric',
			day: 'numeric',
			hour: 'numeric',
			minute: 'numeric',
			second: 'numeric',
			weekday: 'short',
		});
		formatters.set(timeZone, f);
	}
	return f;
}

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

export function isValidTimeZone(timeZone: unknown): timeZone is string {
	if (typeof timeZone !== 'string' || timeZone === '') return false;
	try {
		formatter(timeZone);
		return true;
	} catch {
		return false;
	}
}

/** Local date and time of an instant (epoch ms) in `timeZone`. Throws RangeError for an unknown zone. */
export function localParts(at: number, timeZone: string): LocalParts {
	const parts: Record<string, string> = {};
	for (const p of formatter(timeZone).formatToParts(new Date(at))) parts[p.type] = p.value;
	return {
		year: Number(parts.year),
		month: Number(parts.month),
		day: Number(parts.day),
		hour: Number(parts.hour) % 24,
		minute: Number(parts.minute),
		second: Number(parts.second),
		weekday: WEEKDAYS[parts.weekday],
	};
}

/** The local wall-clock time of an instant, as if it were UTC (epoch ms), milliseconds kept. */
function wallOf(at: number, timeZone: string): number {
	const p = localParts(at, timeZone);
	return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) + (((at % 1000) + 1000) % 1000);
}

/** UTC offset of `timeZone` at an instant, in ms (east positive). */
export function offsetAt(at: number, timeZone: string): number {
	return wallOf(at, timeZone) - at;
}

/**
 * The instant of a local date and time in `timeZone` (see the module note for daylight saving). `day` may overflow
 * the month (Date.UTC semantics), which is how callers step through days.
 */
export function localToInstant(
	local: { year: number; month: number; day: number; hour: number; minute: number },
	timeZone: string,
): number {
	const wall = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute);
	const candidates = [...new Set([offsetAt(wall - DAY_MS, timeZone), offsetAt(wall, timeZone), offsetAt(wall + DAY_MS, timeZone)])]
		.map((offset) => wall - offset)
		.sort((a, b) => a - b);
	const exact = candidates.find((t) => wallOf(t, timeZone) === wall);
	if (exact !== undefined) return exact;
	// A gap: the first instant whose wall time is at or after `wall` lies between the candidates.
	let lo = candidates[0];
	let hi = candidates[candidates.length - 1];
	if (wallOf(hi, timeZone) < wall) return hi;
	while (hi - lo > 1) {
		const mid = Math.floor((lo + hi) / 2);
		if (wallOf(mid, timeZone) >= wall) hi = mid;
		else lo = mid;
	}
	return hi;
}

/** `HH:mm` (00:00–23:59, also 24:00) → minutes after midnight; undefined when malformed. */
export function parseClock(text: unknown): number | undefined {
	if (typeof text !== 'string') return undefined;
	const m = /^(\d{1,2}):(\d{2})$/.exec(text.trim());
	if (!m) return undefined;
	const h = Number(m[1]);
	const min = Number(m[2]);
	if (min > 59 || h > 24 || (h === 24 && min !== 0)) return undefined;
	return h * 60 + min;
}

/**
 * An instant from ISO text: with a zone (`Z`, `+01:00`) as given, without one (`2026-11-23T22:00[:ss]`) as local
 * time in `timeZone`. NaN when unparsable.
 */
export function parseInstant(text: unknown, timeZone: string): number {
	if (typeof text !== 'string') return NaN;
	const trimmed = text.trim();
	if (/(Z|[+-]\d\d:?\d\d)$/i.test(trimmed)) return Date.parse(trimmed);
	const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(trimmed);
	if (!m) return NaN;
	const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4] ?? '0', m[5] ?? '0'].map(Number);
	if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59) return NaN;
	return localToInstant({ year, month, day, hour, minute }, timeZone) + Number(m[6] ?? 0) * 1000;
}
