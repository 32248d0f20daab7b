/**
 * Technician facts for the close rules, read from a ticket's Halo actions (GET /Actions?ticket_id=, one call):
 * since the ticket was (re)opened, did a person touch it?
 *
 * An action counts when it was made by an agent (`who_agentid` > 0) who is not this integration — not the API
 * agent of the credential, not one of the configured integration agent ids — and does not carry the integration
 * marker. Such an action is a human action; one that changes the status (`new_status` ≠ `old_status`) is a manual
 * status change; one that assigns an agent (`new_agent`) is a reassignment. Actions without an agent (end-user
 * e-mails, system entries) do not count. Halo's clock and ours may differ: actions up to `skewMs` before `since`
 * count too (erring towards "touched", which leaves a ticket open rather than closing it under someone's feet).
 */
import { haloDateToIso } from '../../domain/haloDates';
import { hasHaloMarker, type HaloMarkerMatch } from '../../domain/haloMarker';
import type { TicketFacts } from '../index';
import type { HaloAction } from '../../transport/halo';

export const DEFAULT_FACTS_SKEW_MS = 60_000;

const num = (v: unknown): number | null => {
	const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
	return typeof n === 'number' && Number.isFinite(n) ? n : null;
};

export interface FactsOptions {
	/** Agents that are this integration (the credential's API agent and the configured ids). */
	integrationAgentIds: readonly number[];
	/** The markers that make an action ours (markersOf(HaloClient.marker)); default any marker of the package. */
	markers?: HaloMarkerMatch;
	skewMs?: number;
}

/** Pure: the facts of one ticket from its actions. */
export function factsFromActions(actions: readonly HaloAction[], since: string, options: FactsOptions): TicketFacts {
	const from = Date.parse(since) - (options.skewMs ?? DEFAULT_FACTS_SKEW_MS);
	const facts: TicketFacts = { humanActions: 0, manualStatusChange: false, reassigned: false, agentName: null };
	const ordered = [...actions].sort((a, b) => String(a.datetime ?? '').localeCompare(String(b.datetime ?? '')) || Number(a.id) - Number(b.id));
	for (const action of ordered) {
		const at = haloDateToIso(action.datetime);
		if (at !== null && Number.isFinite(from) && Date.parse(at) < from) continue;
		const agent = num(action.who_agentid);
		if (agent === null || agent <= 0 || options.integrationAgentIds.includes(agent)) continue;
		if (hasHaloMarker([action.note, action.note_html], options.markers)) continue;
		facts.humanActions++;
		const newStatus = num(action.new_status);
		if (newStatus !== null && newStatus > 0 && newStatus !== num(action.old_status)) facts.manualStatusChange = true;
		const newAgent = num((action as Record<string, unknown>).new_agent);
		if (newAgent !== null && newAgent > 0) facts.reassigned = true;
		if (!facts.agentName) facts.agentName = typeof action.who === 'string' && action.who.trim() ? action.who.trim() : `agent ${agent}`;
	}
	return facts;
}
