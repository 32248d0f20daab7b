export * from './apiClient';
export * from './errors';
export * from './rateLimiter';
export * from './crossProcessBudget';
export * from './redisConnection';
export * from './redact';
export * from './retry';
export * from './tokenCache';
