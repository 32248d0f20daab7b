/** Fault injection shared by the simulators: error rates, latency, timeouts, bursts and outages. */
import type { SimResponse } from './server';

export interface FaultSettings {
	/** Only requests whose path matches this regular expression (case-insensitive) are affected. */
	pathPattern?: string;
	/** Only requests with this HTTP method (e.g. POST); any method when undefined. */
	method?: string;
	/** Added latency in ms for every affected request. */
	latencyMs?: number;
	/** Probability (0..1) of answering with `errorStatus`. */
	errorRate?: number;
	/** Status used by errorRate and failFor (default 500). */
	errorStatus?: number;
	/** Answer `errorStatus` to every affected request for this many ms from now. */
	failForMs?: number;
	/** Answer the next N affected requests with `errorStatus`. */
	failNext?: number;
	/** Probability (0..1) of never answering (simulated timeout). */
	timeoutRate?: number;
	/** Answer the next N affected requests with a 429 (the simulator's own rate-limit response). */
	burst429?: number;
	/** Retry-After seconds to send with injected 429s (omitted when undefined). */
	retryAfterSeconds?: number;
}

interface ActiveFaults extends FaultSettings {
	failUntil?: number;
}

export class FaultInjector {
	private state: ActiveFaults = {};
	/** Builds the simulator's own 429 response (Halo: plain text; Datto: JSON). */
	rateLimitResponse: (retryAfterSeconds?: number) => SimResponse = (retryAfter) => ({
		status: 429,
		body: 'Too Many Requests',
		headers: retryAfter !== undefined ? { 'retry-after': String(retryAfter) } : undefined,
	});
	/** Builds the body for injected errors. */
	errorResponse: (status: number) => SimResponse = (status) => ({ status, body: { message: `Injected fault ${status}` } });

	configure(settings: FaultSettings): void {
		const next: ActiveFaults = { ...this.state, ...settings };
		if (settings.failForMs !== undefined) next.failUntil = Date.now() + settings.failForMs;
		this.state = next;
	}

	clear(): void {
		this.state = {};
	}

	settings(): ActiveFaults {
		return { ...this.state };
	}

	/** Returns a response to send instead of the real one, 'hang' for a timeout, or undefined. */
	async apply(path: string, method = ''): Promise<SimResponse | 'hang' | undefined> {
		const s = this.state;
		if (s.pathPattern && !new RegExp(s.pathPattern, 'i').test(path)) return undefined;
		if (s.method && s.method.toUpperCase() !== method.toUpperCase()) return undefined;
		if (s.latencyMs) await new Promise((r) => setTimeout(r, s.latencyMs));
		if (s.timeoutRate && Math.random() < s.timeoutRate) return 'hang';
		if (s.burst429 && s.burst429 > 0) {
			s.burst429--;
			return this.rateLimitResponse(s.retryAfterSeconds);
		}
		const status = s.errorStatus ?? 500;
		if (s.failNext && s.failNext > 0) {
			s.failNext--;
			return this.errorResponse(status);
		}
		if (s.failUntil && Date.now() < s.failUntil) return this.errorResponse(status);
		if (s.errorRate && Math.random() < s.errorRate) return this.errorResponse(status);
		return undefined;
	}
}
