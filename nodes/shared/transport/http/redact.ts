/**
 * Removes secrets and tokens from text before it can reach an error, a log line or node output.
 * Known secrets (client secret, API secret, current tokens) are replaced verbatim; common token shapes are
 * masked by pattern as a second line of defence.
 */
const MASK = '***';

const PATTERNS: Array<[RegExp, string]> = [
	[/(bearer\s+)[A-Za-z0-9\-._~+/]+=*/gi, `$1${MASK}`],
	[/(basic\s+)[A-Za-z0-9+/]+=*/gi, `$1${MASK}`],
	[/("?(?:access_token|refresh_token|id_token|client_secret|password|api_secret|apiSecret|secret)"?\s*[:=]\s*"?)[^"&\s,}]+/gi, `$1${MASK}`],
];

export function redactSecrets(text: string, secrets: Array<string | undefined> = []): string {
	let out = text;
	for (const secret of secrets) {
		if (!secret || secret.length < 4) continue;
		out = out.split(secret).join(MASK);
		const encoded = encodeURIComponent(secret);
		if (encoded !== secret) out = out.split(encoded).join(MASK);
	}
	for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
	return out;
}
