/**
 * Rolling-window request budget: at most `limit` requests within any `windowMs`. Callers wait their turn in FIFO
 * order; a 429 can pause the budget and shrink it to what the API says it allows.
 *
 * A slot is taken when a request is sent (`acquire`) and moved to the time its response came back (`settle`).
 * The API counts a request when it arrives, which is after the send and before the response: with every stamp at
 * or after an arrival, no window at the server holds more than `limit` requests, whatever the latency (a burst
 * that first opens connections or waits for a token would otherwise bunch up at the server).
 * One instance per credential and bucket, shared by every execution in the process (see sharedBudget).
 */
import { sleep } from './retry';

export interface RequestBudget {
	/** Resolves when a request may start; the request is counted from that moment. */
	acquire(): Promise<void>;
	/** Stops all requests until the given epoch ms (after a 429 or an IP block). */
	pauseUntil(epochMs: number): void;
	/** The response to the oldest request still in flight came back: count it from now on. */
	settle(): void;
	/** Changes the budget, e.g. after Halo says "300 Requests per rolling 5 minute window". */
	setBudget(limit: number, windowMs: number): void;
	readonly limit: number;
	readonly windowMs: number;
}

export class RollingWindowLimiter implements RequestBudget {
	private stamps: Array<{ at: number; settled: boolean }> = [];
	private pausedUntil = 0;
	private queue: Promise<void> = Promise.resolve();
	private waiting = 0;

	constructor(
		public limit: number,
		public windowMs: number,
		private readonly now: () => number = Date.now,
		private readonly wait: (ms: number) => Promise<void> = sleep,
	) {
		if (!(limit > 0) || !(windowMs > 0)) throw new Error('A request budget needs a positive limit and window');
	}

	/** Requests started within the current window. */
	usedInWindow(): number {
		this.prune(this.now());
		return this.stamps.length;
	}

	/** Callers currently waiting for a slot. */
	get queued(): number {
		return this.waiting;
	}

	setBudget(limit: number, windowMs: number): void {
		if (limit > 0 && windowMs > 0) {
			this.limit = limit;
			this.windowMs = windowMs;
		}
	}

	pauseUntil(epochMs: number): void {
		this.pausedUntil = Math.max(this.pausedUntil, epochMs);
	}

	async acquire(): Promise<void> {
		this.waiting++;
		const turn = this.queue.then(async () => await this.takeSlot());
		// Keep the chain alive even if a wait rejects.
		this.queue = turn.catch(() => undefined);
		try {
			await turn;
		} finally {
			this.waiting--;
		}
	}

	settle(): void {
		const index = this.stamps.findIndex((stamp) => !stamp.settled);
		if (index === -1) return;
		this.stamps.splice(index, 1);
		this.stamps.push({ at: this.now(), settled: true });
	}

	private prune(now: number): void {
		const cutoff = now - this.windowMs;
		this.stamps = this.stamps.filter((stamp) => stamp.at > cutoff);
	}

	private async takeSlot(): Promise<void> {
		for (;;) {
			const now = this.now();
			if (now < this.pausedUntil) {
				await this.wait(this.pausedUntil - now);
				continue;
			}
			this.prune(now);
			if (this.stamps.length < this.limit) {
				this.stamps.push({ at: now, settled: false });
				return;
			}
			const oldest = Math.min(...this.stamps.map((stamp) => stamp.at));
			await this.wait(oldest + this.windowMs - now + 1);
		}
	}
}

/** Process-wide registry so that every node and execution using one credential shares one budget. */
const budgets = new Map<string, RollingWindowLimiter>();

export function sharedBudget(key: string, limit: number, windowMs: number): RollingWindowLimiter {
	let budget = budgets.get(key);
	if (!budget) {
		budget = new RollingWindowLimiter(limit, windowMs);
		budgets.set(key, budget);
	}
	return budget;
}
