/**
 * Removes secrets and tokens from text before it can reach an error, a log line or node output.
 * Known secrets (client secret, API secret, current tokens) are replaced verbatim, URL-encoded and JSON-escaped,
 * and so is a truncated echo of one (an API quoting the first characters of a rejected secret); common token shapes
 * are masked by pattern as a second line of defence. Every step is linear in the text's length.
 */
const MASK = '***';

/** A secret echoed from its start for at least this many characters is masked (a shorter run is not a secret). */
export const MIN_PARTIAL_ECHO = 8;

const PATTERNS: Array<[RegExp, string]> = [
	[/(bearer\s+)[A-Za-z0-9\-._~+/]+=*/gi, `$1${MASK}`],
	[/(basic\s+)[A-Za-z0-9+/]+=*/gi, `$1${MASK}`],
	[/("?(?:access_token|refresh_token|id_token|client_secret|password|api_secret|apiSecret|secret)"?\s*[:=]\s*"?)[^"&\s,}]+/gi, `$1${MASK}`],
];

/** The forms a secret takes when an API or a library echoes it. */
function encodings(secret: string): string[] {
	const forms = new Set([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)]);
	forms.add(JSON.stringify(JSON.stringify(secret).slice(1, -1)).slice(1, -1));
	return [...forms].sort((a, b) => b.length - a.length);
}

/** Masks every run of at least MIN_PARTIAL_ECHO characters that repeats the secret's beginning (a truncated echo). */
function maskPartialEchoes(text: string, secret: string): string {
	if (secret.length <= MIN_PARTIAL_ECHO) return text;
	const head = secret.slice(0, MIN_PARTIAL_ECHO);
	let out = '';
	let from = 0;
	for (let at = text.indexOf(head); at >= 0; at = text.indexOf(head, from)) {
		let length = MIN_PARTIAL_ECHO;
		while (length < secret.length && text.charCodeAt(at + length) === secret.charCodeAt(length)) length++;
		out += text.slice(from, at) + MASK;
		from = at + length;
	}
	return out + text.slice(from);
}

export function redactSecrets(text: string, secrets: Array<string | undefined> = []): string {
	let out = text;
	for (const secret of secrets) {
		if (!secret || secret.length < 4) continue;
		for (const form of encodings(secret)) out = out.split(form).join(MASK);
		out = maskPartialEchoes(out, secret);
	}
	for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
	return out;
}
