/** Shared setup for the Datto tests: an in-process simulator on port 0, a client with short waits, a webhook receiver. */
import { DattoClient, DattoTuningOverrides } from '../../nodes/shared/transport/datto';
import { DattoSimulator, DattoSimulatorOptions } from '../../simulators/datto';

let counter = 0;

/** Unique API key per test, so process-wide budgets and caches never leak between tests. */
export function uniqueKey(): string {
	counter++;
	return `key-${process.pid}-${Date.now().toString(36)}-${counter}`;
}

export const SECRET = 'S3cr3t-Datto-API-Secret-value-0001';

export const FAST: DattoTuningOverrides = {
	retry: { maxAttempts: 6, baseDelayMs: 10, maxDelayMs: 50, maxTotalWaitMs: 5_000 },
	timeoutMs: 5_000,
};

export async function startSim(options: DattoSimulatorOptions = {}): Promise<DattoSimulator> {
	const sim = new DattoSimulator({ apiKey: uniqueKey(), apiSecret: SECRET, nearLimitDelayMs: 0, ...options });
	await sim.listen(0);
	return sim;
}

export function clientFor(sim: DattoSimulator, tuning: DattoTuningOverrides = {}, secret = sim.config.apiSecret): DattoClient {
	return new DattoClient({
		apiUrl: sim.baseUrl,
		apiKey: sim.config.apiKey,
		apiSecret: secret,
		tuning: { ...FAST, ...tuning, retry: { ...FAST.retry, ...(tuning.retry ?? {}) } },
	});
}

export { sleep } from '../../harness/wait';
export { maxInWindow } from '../../harness/window';
export { startReceiver } from '../../harness/receiver';
