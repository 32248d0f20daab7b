/** Sliding-window request counter used by the simulators to enforce rate limits like the real APIs. */
export class SlidingWindowCounter {
	private stamps: number[] = [];
	constructor(
		public limit: number,
		public windowMs: number,
	) {}

	private prune(now: number): void {
		const cutoff = now - this.windowMs;
		let i = 0;
		while (i < this.stamps.length && this.stamps[i] <= cutoff) i++;
		if (i) this.stamps.splice(0, i);
	}

	/** Records a request if under the limit; returns false (and records nothing) when over it. */
	tryTake(now = Date.now()): boolean {
		this.prune(now);
		if (this.stamps.length >= this.limit) return false;
		this.stamps.push(now);
		return true;
	}

	count(now = Date.now()): number {
		this.prune(now);
		return this.stamps.length;
	}

	/** Seconds until the oldest counted request leaves the window. */
	retryAfterSeconds(now = Date.now()): number {
		this.prune(now);
		if (this.stamps.length < this.limit) return 0;
		return Math.max(1, Math.ceil((this.stamps[0] + this.windowMs - now) / 1000));
	}

	reset(): void {
		this.stamps = [];
	}
}
