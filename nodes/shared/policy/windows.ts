/**
 * Maintenance windows and business hours: membership, occurrence bounds and the next opening, in the window's own
 * time zone (Intl; see zonedTime.ts for how daylight saving changes resolve). Every interval is `[start, end)`:
 * the start instant is inside, the end instant is not.
 */
import type { AlertSnapshot, BusinessHoursCalendar, MaintenanceWindow, Weekday, WindowScope } from './types';
import { isValidTimeZone, localParts, localToInstant, parseClock, parseInstant } from './zonedTime';

export const WEEKDAY_NAMES: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

export interface Interval {
	start: number;
	end: number;
}

type At = Date | string | number;

function ms(at: At): number {
	return at instanceof Date ? at.getTime() : typeof at === 'number' ? at : Date.parse(at);
}

function weekdayIndex(day: unknown): number {
	return WEEKDAY_NAMES.indexOf(String(day).trim().slice(0, 3).toLowerCase() as Weekday);
}

/**
 * Occurrences of a weekly local interval that start on local dates `fromDay`…`toDay` days from `at`'s local date
 * (in `timeZone`), skipping `skipDates` (YYYY-MM-DD).
 */
function weeklyOccurrences(
	days: readonly unknown[],
	startTime: string,
	endTime: string,
	timeZone: string,
	at: number,
	fromDay: number,
	toDay: number,
	skipDates: ReadonlySet<string> = new Set(),
): Interval[] {
	const start = parseClock(startTime);
	const end = parseClock(endTime);
	if (start === undefined || end === undefined) return [];
	const wanted = new Set(days.map(weekdayIndex));
	const local = localParts(at, timeZone);
	const out: Interval[] = [];
	for (let offset = fromDay; offset <= toDay; offset++) {
		const date = new Date(Date.UTC(local.year, local.month - 1, local.day + offset));
		if (!wanted.has(date.getUTCDay())) continue;
		if (skipDates.has(date.toISOString().slice(0, 10))) continue;
		const y = date.getUTCFullYear();
		const m = date.getUTCMonth() + 1;
		const d = date.getUTCDate();
		const endDay = end <= start ? d + 1 : d;
		out.push({
			start: localToInstant({ year: y, month: m, day: d, hour: Math.floor(start / 60), minute: start % 60 }, timeZone),
			end: localToInstant({ year: y, month: m, day: endDay, hour: Math.floor(end / 60), minute: end % 60 }, timeZone),
		});
	}
	return out;
}

/** Problems that make a window unusable (empty when it is valid). */
export function validateMaintenanceWindow(window: unknown): string[] {
	const errors: string[] = [];
	if (!window || typeof window !== 'object') return ['a window must be an object'];
	const w = window as Record<string, unknown>;
	if (typeof w.id !== 'string' || w.id === '') errors.push('id must be a non-empty string');
	const scope = w.scope as Record<string, unknown> | undefined;
	if (!scope || !['client', 'site', 'device'].includes(String(scope.level)) || typeof scope.id !== 'string' || scope.id === '') {
		errors.push('scope must be { level: client | site | device, id }');
	}
	const tz = w.timeZone ?? 'UTC';
	if (!isValidTimeZone(tz)) errors.push(`unknown time zone ${String(tz)}`);
	if (w.kind === 'oneOff') {
		const zone = isValidTimeZone(tz) ? tz : 'UTC';
		const start = parseInstant(w.start, zone);
		const end = parseInstant(w.end, zone);
		if (Number.isNaN(start)) errors.push(`start is not a date: ${String(w.start)}`);
		if (Number.isNaN(end)) errors.push(`end is not a date: ${String(w.end)}`);
		if (!Number.isNaN(start) && !Number.isNaN(end) && end <= start) errors.push('end must be after start');
	} else if (w.kind === 'weekly') {
		if (!Array.isArray(w.days) || w.days.length === 0 || w.days.some((d) => weekdayIndex(d) < 0)) {
			errors.push('days must list weekdays (sun, mon, …)');
		}
		if (parseClock(w.startTime) === undefined) errors.push(`startTime must be HH:mm, got ${String(w.startTime)}`);
		if (parseClock(w.endTime) === undefined) errors.push(`endTime must be HH:mm, got ${String(w.endTime)}`);
	} else {
		errors.push('kind must be oneOff or weekly');
	}
	return errors;
}

/**
 * The occurrence of `window` that contains `at`, or null. `timeZone` overrides the window's own zone.
 * Throws RangeError for an unknown time zone (validateMaintenanceWindow() reports it first).
 */
export function windowOccurrenceAt(window: MaintenanceWindow, at: At, timeZone?: string): Interval | null {
	const t = ms(at);
	const tz = timeZone ?? window.timeZone ?? 'UTC';
	if (window.kind === 'oneOff') {
		const start = parseInstant(window.start, tz);
		const end = parseInstant(window.end, tz);
		return start <= t && t < end ? { start, end } : null;
	}
	// An occurrence lasts at most 24 hours, so one that contains `at` started on `at`'s local date or the day before.
	const hit = weeklyOccurrences(window.days, window.startTime, window.endTime, tz, t, -1, 0).find((o) => o.start <= t && t < o.end);
	return hit ?? null;
}

/** Whether `at` falls inside `window`: start inclusive, end exclusive, local times in `timeZone` (default the window's). */
export function isInWindow(window: MaintenanceWindow, at: At, timeZone?: string): boolean {
	return windowOccurrenceAt(window, at, timeZone) !== null;
}

/** Whether a window's scope covers an alert (client from the glue's lookup, site uid, device uid or hostname). */
export function windowCoversAlert(scope: WindowScope, alert: Pick<AlertSnapshot, 'device' | 'site'>, clientId: string | null): boolean {
	const id = scope.id.trim();
	switch (scope.level) {
		case 'client':
			return clientId !== null && clientId.trim() === id;
		case 'site':
			return alert.site.uid !== null && alert.site.uid === id;
		case 'device':
			return (
				(alert.device.uid !== null && alert.device.uid === id) ||
				(alert.device.hostname !== null && alert.device.hostname.toLowerCase() === id.toLowerCase())
			);
		default:
			return false;
	}
}

export interface ActiveWindow {
	window: MaintenanceWindow;
	occurrence: Interval;
}

/** The windows covering the alert at `at`, earliest-ending first; invalid windows are skipped with a warning. */
export function activeWindows(
	windows: readonly MaintenanceWindow[],
	alert: Pick<AlertSnapshot, 'device' | 'site'>,
	clientId: string | null,
	at: At,
	warnings: string[] = [],
): ActiveWindow[] {
	const active: ActiveWindow[] = [];
	for (const window of windows) {
		const errors = validateMaintenanceWindow(window);
		if (errors.length > 0) {
			warnings.push(`window ${String((window as { id?: unknown })?.id ?? '?')} ignored: ${errors.join('; ')}`);
			continue;
		}
		if (!windowCoversAlert(window.scope, alert, clientId)) continue;
		const occurrence = windowOccurrenceAt(window, at);
		if (occurrence) active.push({ window, occurrence });
	}
	return active.sort((a, b) => a.occurrence.end - b.occurrence.end || a.window.id.localeCompare(b.window.id));
}

// ---------------------------------------------------------------------------------------------------------------
// Business hours

export function validateBusinessHours(calendar: unknown): string[] {
	const errors: string[] = [];
	if (!calendar || typeof calendar !== 'object') return ['a calendar must be an object'];
	const c = calendar as Record<string, unknown>;
	if (!isValidTimeZone(c.timeZone)) errors.push(`unknown time zone ${String(c.timeZone)}`);
	if (!Array.isArray(c.hours) || c.hours.length === 0) {
		errors.push('hours must list at least one { days, start, end }');
	} else {
		c.hours.forEach((h: Record<string, unknown>, i) => {
			if (!Array.isArray(h?.days) || h.days.length === 0 || h.days.some((d: unknown) => weekdayIndex(d) < 0)) {
				errors.push(`hours[${i}].days must list weekdays (sun, mon, …)`);
			}
			if (parseClock(h?.start) === undefined) errors.push(`hours[${i}].start must be HH:mm`);
			if (parseClock(h?.end) === undefined) errors.push(`hours[${i}].end must be HH:mm`);
		});
	}
	if (c.holidays !== undefined && (!Array.isArray(c.holidays) || c.holidays.some((d) => !/^\d{4}-\d{2}-\d{2}$/.test(String(d))))) {
		errors.push('holidays must be a list of YYYY-MM-DD dates');
	}
	return errors;
}

function occurrencesOf(calendar: BusinessHoursCalendar, at: number, fromDay: number, toDay: number): Interval[] {
	const holidays = new Set(calendar.holidays ?? []);
	return calendar.hours.flatMap((h) => weeklyOccurrences(h.days, h.start, h.end, calendar.timeZone, at, fromDay, toDay, holidays));
}

/** Whether `at` is inside the calendar's business hours (`[start, end)`, holidays closed). */
export function isWithinBusinessHours(calendar: BusinessHoursCalendar, at: At): boolean {
	const t = ms(at);
	return occurrencesOf(calendar, t, -1, 0).some((o) => o.start <= t && t < o.end);
}

/** `at` itself when inside business hours, else the next opening within 14 days; null when there is none. */
export function nextBusinessHoursStart(calendar: BusinessHoursCalendar, at: At): number | null {
	const t = ms(at);
	if (isWithinBusinessHours(calendar, t)) return t;
	const starts = occurrencesOf(calendar, t, 0, 14)
		.filter((o) => o.start > t && o.end > o.start)
		.map((o) => o.start);
	return starts.length > 0 ? Math.min(...starts) : null;
}
