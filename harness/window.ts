/** Largest number of timestamps inside any window of `windowMs` (rate-limit assertions of tests and benchmarks). */
export function maxInWindow(stamps: number[], windowMs: number): number {
	const sorted = [...stamps].sort((a, b) => a - b);
	let best = 0;
	let start = 0;
	for (let end = 0; end < sorted.length; end++) {
		while (sorted[end] - sorted[start] >= windowMs) start++;
		best = Math.max(best, end - start + 1);
	}
	return best;
}
