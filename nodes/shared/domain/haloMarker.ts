/**
 * The marker this integration leaves on what it writes to HaloPSA (ticket details and notes), so the HaloPSA
 * Trigger and the Sync Policy can recognise changes it made itself (echo suppression) even without knowing the API
 * agent's id. Plain visible text on purpose: Halo may strip HTML comments and hidden elements from notes (UNCERTAIN).
 *
 * Per installation (issue 18): the marker carries a tag derived from the HaloPSA API credential (an HMAC of its
 * client id and instance under its client secret), `[n8n-halo-datto:k3xq…]`, so it cannot be guessed by someone who
 * has only seen the package's source; who can read a note the integration wrote can copy it, which is why the agent
 * id decides first wherever it is known (webhook.ts, decide.ts) and the marker only when it is not. The legacy marker
 * `[n8n-halo-datto]` of earlier versions is still recognised, so tickets written before keep their echo suppression.
 * Pure: node:crypto only.
 */
import { createHmac } from 'node:crypto';

import { escapeHtml } from './html';

/** The marker of versions before the per-installation marker; still recognised on existing tickets. */
export const LEGACY_HALO_MARKER = '[n8n-halo-datto]';

/** Characters of the tag (base32, lower case): 16 → 80 bits. */
const TAG_LENGTH = 16;
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** Any marker this package writes: the legacy one or a per-installation one (the tag is not checked here). */
const ANY_MARKER = /\[n8n-halo-datto(?::[a-z2-7]{16})?\]/;

function base32(bytes: Buffer, length: number): string {
	let out = '';
	let bits = 0;
	let value = 0;
	for (const byte of bytes) {
		value = (value << 8) | byte;
		bits += 8;
		while (bits >= 5 && out.length < length) {
			out += BASE32[(value >>> (bits - 5)) & 31];
			bits -= 5;
		}
		value &= (1 << bits) - 1;
		if (out.length >= length) break;
	}
	return out;
}

/** What the per-installation marker is derived from: the HaloPSA API credential's identity and its secret. */
export interface HaloMarkerSource {
	instanceUrl?: string;
	clientId?: string;
	clientSecret?: string;
}

/**
 * This installation's marker, e.g. `[n8n-halo-datto:k3xqa7…]`; the legacy marker when the credential has no secret
 * (nothing to derive from). Stable for a credential: the same on every worker and after a restart.
 */
export function installationMarker(source: HaloMarkerSource): string {
	const secret = source.clientSecret ?? '';
	if (secret === '') return LEGACY_HALO_MARKER;
	const identity = `n8n-halo-datto marker v1\n${(source.instanceUrl ?? '').trim().replace(/\/+$/, '').toLowerCase()}\n${source.clientId ?? ''}`;
	const tag = base32(createHmac('sha256', secret).update(identity).digest(), TAG_LENGTH);
	return `[n8n-halo-datto:${tag}]`;
}

/** Which markers count as "written by this integration". */
export type HaloMarkerMatch =
	/** Exactly these (the installation's marker, plus the legacy one for tickets written before). */
	| { markers: readonly string[] }
	/** Any marker of this package, tag unchecked: only when no credential is at hand to derive the installation's. */
	| { any: true };

/** The markers of an installation: its own and the legacy one. */
export function markersOf(marker: string): HaloMarkerMatch {
	return { markers: marker === LEGACY_HALO_MARKER ? [LEGACY_HALO_MARKER] : [marker, LEGACY_HALO_MARKER] };
}

/** The footer appended to notes and ticket details written by this package. */
export function haloMarkerHtml(text = 'Written by n8n (n8n-nodes-halo-datto)', marker: string = LEGACY_HALO_MARKER): string {
	return `<p style="color:#888;font-size:smaller">${escapeHtml(text)} ${marker}</p>`;
}

/** Whether some text (a note, its HTML, a runbook field) carries a marker that counts. */
export function hasHaloMarker(texts: readonly unknown[], match: HaloMarkerMatch = { any: true }): boolean {
	return texts.some(
		(t) => typeof t === 'string' && ('any' in match ? ANY_MARKER.test(t) : match.markers.some((m) => t.includes(m))),
	);
}
