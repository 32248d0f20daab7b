/**
 * The sync status page: one light HTML page (no scripts, no external assets, readable with JavaScript off) from a
 * plain data snapshot (gathered by nodes/shared/policy/runtime/status.ts). Everything is escaped. Pure: no I/O.
 */
import { escapeHtml as e } from './html';

export interface StatusOpenLink {
	alertUid: string;
	ticketId: number;
	message: string;
	siteName: string | null;
	hostname: string | null;
	priority: string;
	since: string;
	/** The Datto alert's link (from the alert), if known. */
	dattoLink: string | null;
}

export interface StatusHeartbeat {
	lastAt: string;
	count: number;
}

export interface StatusFailedEvent {
	key: string;
	kind: string;
	decision: string;
	error: string;
	failedAt: string;
	failures: number;
}

export interface StatusRateBudget {
	api: string;
	requests: number;
	rateLimited: number;
	/** e.g. "300 per 300 s". */
	limit: string | null;
}

export interface StatusPageData {
	generatedAt: string;
	/** Halo ticket link template with `{ticket}` (e.g. `https://acme.halopsa.com/ticket?id={ticket}`), null: no links. */
	haloTicketUrl: string | null;
	openLinks: StatusOpenLink[];
	/** Open links beyond the ones listed. */
	moreOpenLinks: number;
	datto: StatusHeartbeat | null;
	halo: StatusHeartbeat | null;
	failed: StatusFailedEvent[];
	failedCount: number;
	/** Decision kind → count over the last 24 h. */
	decisions24h: Record<string, number>;
	/** Day (YYYY-MM-DD, UTC) → decision kind → count, newest day first. */
	perDay: Array<{ day: string; counts: Record<string, number> }>;
	rateBudget: StatusRateBudget[];
}

/** "3 min ago", "2 h 5 min ago", "4 d ago"; "never". */
export function ageText(iso: string | null | undefined, now: Date): string {
	if (!iso) return 'never';
	const ms = now.getTime() - Date.parse(iso);
	if (!Number.isFinite(ms)) return 'unknown';
	if (ms < 0) return 'just now';
	const min = Math.floor(ms / 60_000);
	if (min < 1) return `${Math.floor(ms / 1000)} s ago`;
	if (min < 60) return `${min} min ago`;
	const h = Math.floor(min / 60);
	if (h < 48) return `${h} h ${min % 60} min ago`;
	return `${Math.floor(h / 24)} d ago`;
}

const safeHref = (url: string | null | undefined): string | null => (url && /^https?:\/\//i.test(url) ? url : null);

function link(url: string | null, text: string): string {
	const href = safeHref(url);
	return href ? `<a href="${e(href)}">${e(text)}</a>` : e(text);
}

export function renderStatusPage(data: StatusPageData): string {
	const now = new Date(data.generatedAt);
	const ticketUrl = (id: number) => (data.haloTicketUrl ? data.haloTicketUrl.replace('{ticket}', String(id)) : null);
	const heartbeat = (name: string, hb: StatusHeartbeat | null) =>
		`<tr><th>${e(name)}</th><td class="age" data-source="${e(name)}">${e(ageText(hb?.lastAt, now))}</td><td>${hb ? e(hb.lastAt) : '–'}</td><td>${hb ? hb.count : 0}</td></tr>`;
	const open = data.openLinks.length
		? data.openLinks
				.map(
					(l) =>
						`<tr class="link"><td>${link(l.dattoLink, l.alertUid)}</td><td>${link(ticketUrl(l.ticketId), `#${l.ticketId}`)}</td><td>${e(l.priority)}</td><td>${e(l.message)}</td><td>${e(l.siteName ?? '–')}${l.hostname ? ` / ${e(l.hostname)}` : ''}</td><td>${e(ageText(l.since, now))}</td></tr>`,
				)
				.join('\n')
		: '<tr><td colspan="6">No open alert ↔ ticket links.</td></tr>';
	const failed = data.failed.length
		? data.failed
				.map((f) => `<tr><td>${e(f.failedAt)}</td><td>${e(f.kind)} / ${e(f.decision)}</td><td>${e(f.error)}</td><td>${f.failures}</td><td><code>${e(f.key)}</code></td></tr>`)
				.join('\n')
		: '<tr><td colspan="5">No failed events.</td></tr>';
	const kinds = Object.entries(data.decisions24h).sort((a, b) => b[1] - a[1]);
	const decisions = kinds.length ? kinds.map(([k, n]) => `<tr><td>${e(k)}</td><td>${n}</td></tr>`).join('\n') : '<tr><td colspan="2">No decisions in the last 24 h.</td></tr>';
	const dayKinds = [...new Set(data.perDay.flatMap((d) => Object.keys(d.counts)))].sort();
	const perDay = data.perDay.length
		? `<table><thead><tr><th>Day (UTC)</th>${dayKinds.map((k) => `<th>${e(k)}</th>`).join('')}</tr></thead><tbody>${data.perDay
				.map((d) => `<tr><td>${e(d.day)}</td>${dayKinds.map((k) => `<td>${d.counts[k] ?? 0}</td>`).join('')}</tr>`)
				.join('\n')}</tbody></table>`
		: '<p>No activity recorded.</p>';
	const budget = data.rateBudget.length
		? data.rateBudget.map((b) => `<tr><td>${e(b.api)}</td><td>${b.requests}</td><td>${b.rateLimited}</td><td>${e(b.limit ?? '–')}</td></tr>`).join('\n')
		: '<tr><td colspan="4">No API use recorded by this n8n process.</td></tr>';
	return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Halo ↔ Datto sync status</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;margin:.4em 0 1.4em;min-width:40%}
th,td{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top}
thead th{background:#f3f3f3}
.bad{color:#b00020}
</style></head><body>
<h1>Halo ↔ Datto sync status</h1>
<p>Generated ${e(data.generatedAt)}</p>
<h2>Last deliveries</h2>
<table><thead><tr><th>Source</th><th>Age</th><th>At</th><th>Total</th></tr></thead><tbody>
${heartbeat('Datto RMM', data.datto)}
${heartbeat('HaloPSA', data.halo)}
</tbody></table>
<h2>Open alert ↔ ticket links (${data.openLinks.length + data.moreOpenLinks})</h2>
<table><thead><tr><th>Datto alert</th><th>Halo ticket</th><th>Priority</th><th>Message</th><th>Site / device</th><th>Open for</th></tr></thead><tbody>
${open}
</tbody></table>
${data.moreOpenLinks ? `<p>… and ${data.moreOpenLinks} more.</p>` : ''}
<h2 class="${data.failedCount ? 'bad' : ''}">Failed events (${data.failedCount})</h2>
<table><thead><tr><th>Failed at</th><th>Kind / decision</th><th>Error</th><th>Failures</th><th>Key</th></tr></thead><tbody>
${failed}
</tbody></table>
${data.failedCount ? '<p>Replay them with the Sync Policy node\'s <b>Replay Failed Events</b> operation (the shipped replay workflow runs it on a schedule), after fixing the cause.</p>' : ''}
<h2>Decisions in the last 24 h</h2>
<table><thead><tr><th>Decision</th><th>Count</th></tr></thead><tbody>
${decisions}
</tbody></table>
<h2>Counts per day</h2>
${perDay}
<h2>API rate budget (this n8n process)</h2>
<table><thead><tr><th>API</th><th>Requests</th><th>Rate limited (429)</th><th>Budget</th></tr></thead><tbody>
${budget}
</tbody></table>
</body></html>
`;
}
