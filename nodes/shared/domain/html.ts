/** HTML escaping for untrusted text (alert messages, device names) placed into Halo's details_html and notes. */
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: unknown): string {
	if (value === undefined || value === null) return '';
	return String(value).replace(/[&<>"']/g, (ch) => ENTITIES[ch]);
}

/** Escapes text and keeps its line breaks visible in HTML. */
export function textToHtml(value: unknown): string {
	return escapeHtml(value).replace(/\r\n|\r|\n/g, '<br>');
}

/**
 * Text of an HTML fragment: every `<…>` tag becomes a space. Linear: one forward scan with indexOf, where the
 * regular expression `/<[^>]*>/g` rescans to the end of the text from every unclosed `<` (50 KB of "<" took 3 s).
 * A `<` that is never closed is kept as text.
 */
export function stripTags(html: string): string {
	let out = '';
	let from = 0;
	for (;;) {
		const open = html.indexOf('<', from);
		if (open < 0) break;
		const close = html.indexOf('>', open + 1);
		if (close < 0) break;
		out += `${html.slice(from, open)} `;
		from = close + 1;
	}
	return out + html.slice(from);
}
