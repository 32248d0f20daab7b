import { RollingWindowLimiter } from '../../nodes/shared/transport/http/rateLimiter';
import { TokenCache } from '../../nodes/shared/transport/http/tokenCache';
import { redactSecrets } from '../../nodes/shared/transport/http/redact';
import { backoffDelayMs, parseRetryAfterMs } from '../../nodes/shared/transport/http/retry';

/** A virtual clock: waits advance time instead of sleeping. */
function virtualClock() {
	let now = 1_000_000;
	return {
		now: () => now,
		wait: async (ms: number) => {
			now += ms;
		},
	};
}

describe('RollingWindowLimiter', () => {
	it('never starts more than `limit` requests in any window', async () => {
		const clock = virtualClock();
		const limiter = new RollingWindowLimiter(5, 1000, clock.now, clock.wait);
		const starts: number[] = [];
		await Promise.all(Array.from({ length: 23 }, async () => {
			await limiter.acquire();
			starts.push(clock.now());
		}));
		expect(starts).toHaveLength(23);
		for (const start of starts) {
			const inWindow = starts.filter((s) => s > start - 1000 && s <= start).length;
			expect(inWindow).toBeLessThanOrEqual(5);
		}
		// 23 requests at 5 per second need at least 4 full windows.
		expect(clock.now() - 1_000_000).toBeGreaterThanOrEqual(4000);
	});

	it('pauses everyone until the pause ends and adopts a new budget', async () => {
		const clock = virtualClock();
		const limiter = new RollingWindowLimiter(100, 1000, clock.now, clock.wait);
		limiter.pauseUntil(clock.now() + 30_000);
		limiter.setBudget(2, 60_000);
		await limiter.acquire();
		expect(clock.now()).toBe(1_030_000);
		await limiter.acquire();
		await limiter.acquire();
		expect(clock.now()).toBeGreaterThanOrEqual(1_090_000);
		expect(limiter.limit).toBe(2);
	});

	it('counts a request from its response on, so slow answers cannot bunch up at the server', async () => {
		let now = 0;
		const waits: number[] = [];
		const limiter = new RollingWindowLimiter(2, 1000, () => now, async (ms) => {
			waits.push(ms);
			now += ms;
		});
		await limiter.acquire();
		await limiter.acquire();
		now = 900; // both responses come back 900 ms after sending
		limiter.settle();
		limiter.settle();
		await limiter.acquire();
		// The third request waits for the window of the responses (900 + 1000), not of the sends (0 + 1000).
		expect(now).toBe(1901);
		expect(waits).toEqual([1001]);
	});

	it('rejects a non-positive budget', () => {
		expect(() => new RollingWindowLimiter(0, 1000)).toThrow(/positive/);
	});
});

describe('TokenCache', () => {
	it('fetches once for concurrent callers and renews before expiry', async () => {
		let now = 0;
		let issued = 0;
		const cache = new TokenCache(
			async () => {
				await new Promise((r) => setTimeout(r, 5));
				return { accessToken: `t${++issued}`, expiresInSeconds: 3600 };
			},
			{ now: () => now, refreshBeforeExpiryMs: 60_000 },
		);
		const tokens = await Promise.all(Array.from({ length: 10 }, async () => await cache.get()));
		expect(new Set(tokens)).toEqual(new Set(['t1']));
		expect(cache.fetchCount).toBe(1);
		now = 3600_000 - 61_000;
		expect(await cache.get()).toBe('t1');
		now = 3600_000 - 59_000;
		expect(await cache.get()).toBe('t2');
		expect(cache.fetchCount).toBe(2);
	});

	it('invalidates only the token that failed', async () => {
		let issued = 0;
		const cache = new TokenCache(async () => ({ accessToken: `t${++issued}`, expiresInSeconds: 3600 }));
		const first = await cache.get();
		cache.invalidate('some-older-token');
		expect(await cache.get()).toBe(first);
		cache.invalidate(first);
		expect(await cache.get()).toBe('t2');
	});

	it('lets a failed fetch be retried', async () => {
		let calls = 0;
		const cache = new TokenCache(async () => {
			calls++;
			if (calls === 1) throw new Error('down');
			return { accessToken: 'ok', expiresInSeconds: 60 };
		});
		await expect(cache.get()).rejects.toThrow('down');
		expect(await cache.get()).toBe('ok');
	});
});

describe('redactSecrets', () => {
	it('removes known secrets, their URL encoding and token-shaped values', () => {
		const secret = 'abc+def/ghi=';
		const text = `secret ${secret} enc ${encodeURIComponent(secret)} Authorization: Bearer eyJhbGciOi.x-y_z {"access_token":"tok123","client_secret":"s3cr3t"} password=hunter22&x=1`;
		const out = redactSecrets(text, [secret]);
		expect(out).not.toContain(secret);
		expect(out).not.toContain(encodeURIComponent(secret));
		expect(out).not.toContain('eyJhbGciOi');
		expect(out).not.toContain('tok123');
		expect(out).not.toContain('s3cr3t');
		expect(out).not.toContain('hunter22');
		expect(out).toContain('x=1');
	});

	it('removes JSON-escaped echoes of a secret (once and twice escaped), which the verbatim match misses', () => {
		const secret = 'p"a\\ss\\word-with-quote';
		const once = JSON.stringify(secret).slice(1, -1);
		const twice = JSON.stringify(once).slice(1, -1);
		const text = `{"error":"invalid_client","detail":"client ${once} rejected","log":"${twice}"}`;
		expect(text).not.toContain(secret);
		const out = redactSecrets(text, [secret]);
		expect(out).toBe('{"error":"invalid_client","detail":"client *** rejected","log":"***"}');
	});

	it('removes a truncated echo (the first 8 or more characters of a secret), keeps shorter coincidences', () => {
		const secret = 'Zq8v3LmN1pR7sT0w';
		const out = redactSecrets(`client_id x: secret starting ${secret.slice(0, 11)}… is wrong; ${secret.slice(0, 7)} is not enough`, [secret]);
		expect(out).toBe(`client_id x: secret starting ***… is wrong; ${secret.slice(0, 7)} is not enough`);
	});
});

describe('retry helpers', () => {
	const policy = { maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 8000, maxTotalWaitMs: 60_000 };
	it('grows exponentially with jitter within bounds', () => {
		expect(backoffDelayMs(1, policy, () => 0)).toBe(500);
		expect(backoffDelayMs(1, policy, () => 1)).toBe(1000);
		expect(backoffDelayMs(3, policy, () => 1)).toBe(4000);
		expect(backoffDelayMs(10, policy, () => 1)).toBe(8000);
	});
	it('parses Retry-After seconds and dates', () => {
		expect(parseRetryAfterMs('7')).toBe(7000);
		expect(parseRetryAfterMs(new Date(10_000).toUTCString(), 4000)).toBe(6000);
		expect(parseRetryAfterMs(undefined)).toBeUndefined();
		expect(parseRetryAfterMs('soon')).toBeUndefined();
	});
});
