/**
 * The marker this integration leaves on what it writes to HaloPSA (ticket details and notes), so the HaloPSA
 * Trigger can recognise changes it made itself (echo suppression) even without knowing the API agent's id.
 * Plain visible text on purpose: Halo may strip HTML comments and hidden elements from notes (UNCERTAIN).
 */
import { escapeHtml } from './html';

export const HALO_INTEGRATION_MARKER = '[n8n-halo-datto]';

/** The footer appended to notes and ticket details written by this package. */
export function haloMarkerHtml(text = 'Written by n8n (n8n-nodes-halo-datto)'): string {
	return `<p style="color:#888;font-size:smaller">${escapeHtml(text)} ${HALO_INTEGRATION_MARKER}</p>`;
}

/** Whether some text (a note, its HTML, a runbook field) carries the marker. */
export function hasHaloMarker(...texts: unknown[]): boolean {
	return texts.some((t) => typeof t === 'string' && t.includes(HALO_INTEGRATION_MARKER));
}
