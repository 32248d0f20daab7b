/**
 * One close, one execution (version 2): a webhook subscribed to both "Closed" (39) and "Ticket Status Changed" (76)
 * — as the trigger registers itself, and as the default events need — gets two deliveries for one close, usually at
 * the same moment. The trigger remembers, per trigger node (workflow id + node name) and in this n8n process, the
 * tickets whose close it accepted in the last minute and drops a second close of the same ticket ("duplicate close").
 * A later status change of the ticket that is not a close (a reopen) forgets it, so close → reopen → close starts
 * the workflow twice. Check and record happen without an await in between, so two concurrent deliveries cannot both win.
 *
 * Limits: per process (in queue mode with several webhook processes, each may accept one; the shipped workflows
 * treat a second close of a closed link as a no-op anyway).
 */
export const DUPLICATE_CLOSE_WINDOW_MS = 60_000;

const MAX_ENTRIES = 10_000;

export class RecentCloses {
	private readonly seen = new Map<string, number>();

	constructor(private readonly windowMs = DUPLICATE_CLOSE_WINDOW_MS) {}

	/** Whether the close of `ticketId` at trigger `scope` is the first in the window; records it when it is. */
	firstClose(scope: string, ticketId: number, now = Date.now()): boolean {
		const key = `${scope}\u0000${ticketId}`;
		const at = this.seen.get(key);
		if (at !== undefined && now - at < this.windowMs) return false;
		if (this.seen.size >= MAX_ENTRIES) this.sweep(now);
		this.seen.set(key, now);
		return true;
	}

	/** A status change that is not a close (a reopen): the next close is a new one. */
	forget(scope: string, ticketId: number): void {
		this.seen.delete(`${scope}\u0000${ticketId}`);
	}

	/** Forgets everything (tests whose simulator reuses ticket ids). */
	clear(): void {
		this.seen.clear();
	}

	private sweep(now: number): void {
		for (const [key, at] of this.seen) if (now - at >= this.windowMs) this.seen.delete(key);
		// Still full (a storm of distinct closes inside one window): drop the oldest half.
		if (this.seen.size >= MAX_ENTRIES) [...this.seen.keys()].slice(0, MAX_ENTRIES / 2).forEach((k) => this.seen.delete(k));
	}
}

/** The process-wide memory the trigger uses. */
export const recentCloses = new RecentCloses();
