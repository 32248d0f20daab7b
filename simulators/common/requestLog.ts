/** Records every request a simulator answered, so tests can count calls per endpoint. */
export interface RequestLogEntry {
	seq?: number;
	at: number;
	method: string;
	path: string;
	/** Matched route pattern, e.g. "POST /api/tickets"; the raw path when no route matched. */
	route: string;
	status: number;
	ms: number;
	query: Record<string, string>;
	body: unknown;
	authorization?: string;
	fault?: string;
}

export class RequestLog {
	private readonly items: RequestLogEntry[] = [];
	private seq = 0;
	/** Oldest entries are dropped beyond this many (memory bound for benchmarks). */
	limit = 200_000;

	add(entry: RequestLogEntry): void {
		entry.seq = ++this.seq;
		this.items.push(entry);
		if (this.items.length > this.limit) this.items.splice(0, this.items.length - this.limit);
	}

	entries(sinceSeq = 0): RequestLogEntry[] {
		return sinceSeq ? this.items.filter((e) => (e.seq ?? 0) > sinceSeq) : [...this.items];
	}

	clear(): void {
		this.items.length = 0;
	}

	/** Count of requests per route name ("METHOD /pattern"). */
	counts(): Record<string, number> {
		const out: Record<string, number> = {};
		for (const e of this.items) out[e.route] = (out[e.route] ?? 0) + 1;
		return out;
	}

	/** Number of requests whose route name matches (string: exact, case-insensitive; RegExp: test) and optional status. */
	count(route: string | RegExp, status?: number): number {
		return this.items.filter(
			(e) =>
				(typeof route === 'string' ? e.route.toLowerCase() === route.toLowerCase() : route.test(e.route)) &&
				(status === undefined || e.status === status),
		).length;
	}
}
