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
