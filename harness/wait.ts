/*
 * Waiting, for tests, benchmarks, the demo and the n8n harness (the one copy: import from here).
 * Product code uses n8n-workflow's `sleep` or nodes/shared/transport/http/retry.ts instead.
 */

export async function sleep(ms: number): Promise<void> {
	await new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls until `probe` returns a value other than undefined/false and returns it; a probe that throws counts as "not
 * yet". After `timeoutMs` throws an error naming `what` (and the probe's last error).
 */
export async function waitFor<T>(
	what: string,
	probe: () => T | undefined | false | Promise<T | undefined | false>,
	timeoutMs = 60_000,
	intervalMs = 200,
): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	let lastError: unknown;
	for (;;) {
		try {
			const value = await probe();
			if (value !== undefined && value !== false) return value as T;
		} catch (error) {
			lastError = error;
		}
		if (Date.now() > deadline) {
			throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${(lastError as Error).message}` : ''}`);
		}
		await sleep(intervalMs);
	}
}
