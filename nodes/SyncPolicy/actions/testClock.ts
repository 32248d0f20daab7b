/**
 * The policy engine's test-only time source. When (and only when) the n8n process has the environment variable
 * HALO_DATTO_POLICY_TEST_CLOCK_FILE, "now" for the Sync Policy node is the ISO time written in that file; an empty or
 * missing file means the real clock. The end-to-end tests in real n8n (test/e2e/policies.test.ts) use it to play a
 * scenario on simulated minutes: they write a time, send the deliveries, advance the time and let Process Due run,
 * so the outcome does not depend on how fast the machine is. Never set it in production.
 */
import * as fs from 'fs';

export const TEST_CLOCK_ENV = 'HALO_DATTO_POLICY_TEST_CLOCK_FILE';

/** The simulated time, or null for the real clock (variable not set, file missing, empty or not an ISO time). */
export function testClockNow(env: NodeJS.ProcessEnv = process.env): Date | null {
	const file = env[TEST_CLOCK_ENV];
	if (!file) return null;
	let text: string;
	try {
		text = fs.readFileSync(file, 'utf8').trim();
	} catch {
		return null;
	}
	if (!text) return null;
	const t = Date.parse(text);
	return Number.isFinite(t) ? new Date(t) : null;
}
