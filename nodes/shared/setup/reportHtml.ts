/**
 * The Check Setup report as one self-contained HTML page (no scripts, no external assets) and as plain text for the
 * command line. Everything from the APIs is escaped. The report never holds a secret (checkSetup puts none in it).
 */
import { escapeHtml } from '../domain/html';
import type { CheckSetupReport, CheckStatus } from './checkSetup';

const LABEL: Record<CheckStatus, string> = { ok: 'OK', problem: 'PROBLEM', warning: 'WARNING', info: 'INFO' };
const COLOUR: Record<CheckStatus, string> = { ok: '#1e7e34', problem: '#b00020', warning: '#9a6700', info: '#0b5cad' };

export function renderSetupReportHtml(report: CheckSetupReport): string {
	const e = escapeHtml;
	const rows = report.checks
		.map(
			(c) =>
				`<tr class="${c.status}"><td>${e(c.area)}</td><td>${e(c.name)}</td><td><b style="color:${COLOUR[c.status]}">${LABEL[c.status]}</b></td><td>${e(c.detail)}${c.fix ? `<br><i>Fix: ${e(c.fix)}</i>` : ''}</td></tr>`,
		)
		.join('\n');
	const sites = report.sites
		.map(
			(s) =>
				`<tr class="${s.rule === 'none' ? 'problem' : s.rule === 'catchAll' ? 'warning' : 'ok'}"><td>${e(s.dattoSiteName)}<br><small>${e(s.dattoSiteUid)}</small></td><td>${e(s.rule)}</td><td>${s.haloClientId === null ? '–' : `${e(s.haloClientName ?? '')} (${s.haloClientId})`}</td><td>${s.haloSiteId === null ? '–' : `${e(s.haloSiteName ?? '')} (${s.haloSiteId})`}</td><td>${e(s.reason)}${s.notes.length ? `<br><small>${e(s.notes.join('; '))}</small>` : ''}</td></tr>`,
		)
		.join('\n');
	const datto = report.dattoWebhook
		? `<h2>Datto webhook</h2><p>URL: <code>${e(report.dattoWebhook.url ?? '(unknown: give the Datto RMM Trigger\'s Production URL)')}</code></p>
<h3>Alert triggered body</h3><pre>${e(report.dattoWebhook.triggeredBody)}</pre>
<h3>Alert resolved body</h3><pre>${e(report.dattoWebhook.resolvedBody)}</pre>`
		: '';
	const verdict = report.ok
		? `<p class="verdict ok">No problem found${report.warnings ? ` (${report.warnings} warning(s))` : ''}.</p>`
		: `<p class="verdict problem">${report.problems} problem(s)${report.warnings ? ` and ${report.warnings} warning(s)` : ''} to fix.</p>`;
	return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Halo ↔ Datto: Check Setup</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;width:100%;margin:.5em 0 1.5em}
th,td{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#f3f3f3}
tr.problem{background:#fdecea}tr.warning{background:#fff8e1}
.verdict{font-size:1.2em;font-weight:bold}.verdict.ok{color:#1e7e34}.verdict.problem{color:#b00020}
pre{background:#f6f8fa;padding:.6em;overflow:auto}
</style></head><body>
<h1>Check Setup</h1>
<p>Checked ${e(report.checkedAt)}</p>
${verdict}
<table><thead><tr><th>Area</th><th>Check</th><th>Result</th><th>Details</th></tr></thead><tbody>
${rows}
</tbody></table>
${report.sites.length ? `<h2>Where each Datto site lands in Halo</h2><table><thead><tr><th>Datto site</th><th>Rule</th><th>Halo client</th><th>Halo site</th><th>Why</th></tr></thead><tbody>\n${sites}\n</tbody></table>` : ''}
${datto}
</body></html>
`;
}

export function renderSetupReportText(report: CheckSetupReport): string {
	const lines = [report.ok ? `Check Setup: no problem found (${report.warnings} warning(s))` : `Check Setup: ${report.problems} problem(s), ${report.warnings} warning(s)`, ''];
	for (const c of report.checks) {
		lines.push(`[${LABEL[c.status]}] ${c.area} / ${c.name}: ${c.detail}`);
		if (c.fix) lines.push(`        fix: ${c.fix}`);
	}
	if (report.sites.length) {
		lines.push('', 'Datto site → Halo client / site (rule)');
		for (const s of report.sites) {
			lines.push(`  ${s.dattoSiteName} → ${s.haloClientName ?? '–'} (${s.haloClientId ?? '–'}) / ${s.haloSiteName ?? '–'} (${s.haloSiteId ?? '–'}) [${s.rule}]`);
		}
	}
	if (report.dattoWebhook) {
		lines.push('', `Datto webhook URL: ${report.dattoWebhook.url ?? '(unknown)'}`, 'Alert triggered body:', report.dattoWebhook.triggeredBody, 'Alert resolved body:', report.dattoWebhook.resolvedBody);
	}
	return lines.join('\n');
}
