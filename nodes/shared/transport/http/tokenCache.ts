/**
 * Access-token cache for one credential: fetched once, shared by every request and execution in the process,
 * renewed shortly before expiry or after a 401, and single-flight (concurrent callers await one token request).
 */
export interface TokenGrant {
	accessToken: string;
	/** Lifetime in seconds as reported by the token endpoint. */
	expiresInSeconds: number;
}

export interface TokenCacheOptions {
	/** Renew this long before the reported expiry (default: 5 min, at most 10 % of the lifetime). */
	refreshBeforeExpiryMs?: number;
	now?: () => number;
}

export class TokenCache {
	private token?: string;
	private expiresAt = 0;
	private inFlight?: Promise<string>;
	/** Number of token requests made (for tests and benchmarks). */
	fetchCount = 0;

	constructor(
		private readonly fetchToken: () => Promise<TokenGrant>,
		private readonly options: TokenCacheOptions = {},
	) {}

	private now(): number {
		return (this.options.now ?? Date.now)();
	}

	/** The current token, fetching a new one when none is valid. */
	async get(): Promise<string> {
		if (this.token && this.now() < this.expiresAt) return this.token;
		return await this.refresh();
	}

	/** Drops the token if it is still the given one (so parallel 401s cause one refresh, not many). */
	invalidate(failedToken?: string): void {
		if (failedToken === undefined || failedToken === this.token) {
			this.token = undefined;
			this.expiresAt = 0;
		}
	}

	/** The token currently held, if any (used to redact it from messages). */
	peek(): string | undefined {
		return this.token;
	}

	private async refresh(): Promise<string> {
		if (!this.inFlight) {
			this.inFlight = (async () => {
				try {
					this.fetchCount++;
					const grant = await this.fetchToken();
					const lifetimeMs = Math.max(1, grant.expiresInSeconds) * 1000;
					const skew = Math.min(this.options.refreshBeforeExpiryMs ?? 5 * 60_000, lifetimeMs * 0.1);
					this.token = grant.accessToken;
					this.expiresAt = this.now() + lifetimeMs - skew;
					return grant.accessToken;
				} finally {
					this.inFlight = undefined;
				}
			})();
		}
		return await this.inFlight;
	}
}
