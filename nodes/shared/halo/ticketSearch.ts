/**
 * Ticket lookups of the Halo service layer, shared by the HaloPSA node, the HaloPSA Trigger and the policy runtime:
 * finding the ticket of a Datto alert (idempotent create, take-over) and ordering actions.
 */
import {
	alertSearchText,
	canVerifyFromListRecord,
	ticketMatchesAlert,
	type ExternalRefTarget,
} from '../domain/haloAlertTicket';
import type { HaloClient, HaloTicket } from '../transport/halo';

/**
 * Looks for a ticket already created for this alert: Halo's `search` on the summary (and on the alert UID), then a
 * client-side check of each candidate (third_party_id_string, custom fields, details), re-reading a few candidates
 * whose list records are partial.
 */
export async function findAlertTicket(
	client: HaloClient,
	alertUid: string,
	summary: string,
	clientId: number,
	externalRef: ExternalRefTarget,
): Promise<HaloTicket | undefined> {
	const seen = new Set<number>();
	// The summary may differ from the one searched for (an alert read from the API has another message than its
	// webhook), so the alert UID is searched too: in `search`, then in the details (`search_details`), where it always is.
	const searches: Array<{ search?: string; query?: Record<string, string> }> = [
		{ search: alertSearchText(summary) },
		{ search: alertUid },
		{ query: { search_details: alertUid } },
	];
	for (const filters of searches) {
		const candidates = (await client.listTickets({ clientId, ...filters }, { limit: 50 })).filter((t) => !seen.has(t.id));
		let reread = 0;
		for (const candidate of candidates.sort((a, b) => b.id - a.id)) {
			seen.add(candidate.id);
			if (ticketMatchesAlert(candidate, alertUid, externalRef)) return candidate;
			if (!canVerifyFromListRecord(candidate) && reread < 5) {
				reread++;
				const full = await client.getTicket(candidate.id, { includeDetails: true });
				if (ticketMatchesAlert(full, alertUid, externalRef)) return full;
			}
		}
	}
	return undefined;
}

/** Actions sorted newest first (by datetime, then id). */
export function newestFirst<T extends { id: number; datetime?: string | null }>(actions: T[]): T[] {
	return [...actions].sort((a, b) => String(b.datetime ?? '').localeCompare(String(a.datetime ?? '')) || b.id - a.id);
}
