import { sleep as n8nSleep } from 'n8n-workflow';

/** Backoff policy shared by the API clients: exponential with jitter, bounded per wait and in total. */
export interface RetryPolicy {
	/** Attempts in total, including the first one. */
	maxAttempts: number;
	/** First backoff delay in ms; doubles with every attempt. */
	baseDelayMs: number;
	/** Upper bound of a single wait in ms (also caps Retry-After). */
	maxDelayMs: number;
	/** Give up when the waits so far plus the next one would exceed this many ms. */
	maxTotalWaitMs: number;
	/**
	 * When set, 429 answers count against this many attempts instead of `maxAttempts` (other failures keep
	 * `maxAttempts`). For APIs where a 429 is always safe to repeat and only the total wait should bound it (Halo);
	 * unset for Datto, which blocks the IP after continued 429s.
	 */
	maxRateLimitedAttempts?: number;
}

/** Exponential backoff with "equal jitter": half fixed, half random, so retries from many callers spread out. */
export function backoffDelayMs(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
	const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
	return Math.round(exponential / 2 + (random() * exponential) / 2);
}

/** Parses a Retry-After header (seconds or an HTTP date) into ms; undefined when absent or unparsable. */
export function parseRetryAfterMs(value: unknown, now = Date.now()): number | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	const text = String(Array.isArray(value) ? value[0] : value).trim();
	if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
	const date = Date.parse(text);
	if (Number.isNaN(date)) return undefined;
	return Math.max(0, date - now);
}

/**
 * Waits `ms` with n8n-workflow's `sleep` (n8n's scanner forbids timers of the package's own: docs/scanner.md). Unlike
 * the former own timer it is not unref'd, so a finishing CLI process may wait for a pending backoff.
 */
export const sleep = async (ms: number): Promise<void> => await n8nSleep(Math.max(0, ms));
