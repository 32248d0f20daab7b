/* Calls to the simulators' admin APIs and the simulators' processes. */
import { httpRequest } from '../../harness/http';
import { startService, type ServiceProcess } from '../../harness/processes';
import { sleep } from '../../harness/wait';
import { DemoError } from './output';

/**
 * A simulator CLI under harness/watchdog.sh in its own process group: it is stopped when this process is gone, even
 * after a SIGKILL of the demo (no exit hook runs then), so no simulator is left holding its port.
 */
export async function startSimulator(script: string, args: string[], ready: RegExp): Promise<ServiceProcess> {
	return await startService({ args: [script, ...args], ready, timeoutMs: 30_000, watchdog: true });
}

export interface Json {
	[key: string]: unknown;
}

export async function call(method: string, url: string, body?: unknown, expect = [200, 201]): Promise<unknown> {
	const res = await httpRequest(method, url, { json: body });
	if (!expect.includes(res.status)) {
		throw new DemoError(
			`${method} ${url.replace(/secret=[^&]*/, 'secret=***')}: ${res.status} ${res.text.slice(0, 300)}`,
		);
	}
	return res.json;
}

export async function waitUntil<T>(
	what: string,
	timeoutMs: number,
	probe: () => Promise<T | undefined>,
): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await probe();
		if (value !== undefined) return value;
		if (Date.now() > deadline)
			throw new DemoError(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
		await sleep(250);
	}
}
