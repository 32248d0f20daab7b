/**
 * The per-installation integration marker (issue 18): derived from the HaloPSA API credential, unguessable from the
 * package's source, stable per credential; the legacy "[n8n-halo-datto]" still recognised for tickets written before.
 * Pure functions (nodes/shared/domain/haloMarker.ts) and where they decide: the trigger's event normalisation and the
 * Sync Policy's ticket facts.
 */
import { LEGACY_HALO_MARKER, haloMarkerHtml, hasHaloMarker, installationMarker, markersOf } from '../../nodes/shared/domain/haloMarker';
import { normaliseHaloTicketEvent } from '../../nodes/shared/domain/haloTicketEvent';
import { factsFromActions } from '../../nodes/shared/policy/runtime/facts';
import type { HaloAction } from '../../nodes/shared/transport/halo';

const ours = installationMarker({ instanceUrl: 'https://msp.halopsa.com', clientId: 'n8n-client', clientSecret: 's3cret-one' });
const otherInstallation = installationMarker({ instanceUrl: 'https://msp.halopsa.com', clientId: 'n8n-client', clientSecret: 's3cret-two' });
/** What someone who read the source (but not the secret) could write. */
const guessed = '[n8n-halo-datto:aaaaaaaaaaaaaaaa]';

describe('installationMarker', () => {
	it.each([
		['the same credential, twice', { instanceUrl: 'https://msp.halopsa.com', clientId: 'n8n-client', clientSecret: 's3cret-one' }, ours],
		['trailing slash and case of the URL do not matter', { instanceUrl: 'https://MSP.halopsa.com/', clientId: 'n8n-client', clientSecret: 's3cret-one' }, ours],
		['no secret: the legacy marker', { instanceUrl: 'https://msp.halopsa.com', clientId: 'n8n-client' }, LEGACY_HALO_MARKER],
	])('%s', (_name, source, expected) => {
		expect(installationMarker(source)).toBe(expected);
	});

	it('has the form [n8n-halo-datto:<16 base32 characters>] and differs per secret, client id and instance', () => {
		expect(ours).toMatch(/^\[n8n-halo-datto:[a-z2-7]{16}\]$/);
		const variants = new Set([
			ours,
			otherInstallation,
			installationMarker({ instanceUrl: 'https://msp.halopsa.com', clientId: 'other-client', clientSecret: 's3cret-one' }),
			installationMarker({ instanceUrl: 'https://other.halopsa.com', clientId: 'n8n-client', clientSecret: 's3cret-one' }),
		]);
		expect(variants.size).toBe(4);
	});

	it('does not contain the secret', () => {
		expect(ours).not.toContain('s3cret');
	});
});

describe('hasHaloMarker', () => {
	it.each([
		// [text, with this installation's markers, with no credential (any marker of the package)]
		[`closed ${ours}`, true, true],
		[`closed ${LEGACY_HALO_MARKER}`, true, true],
		[`closed ${otherInstallation}`, false, true],
		[`closed ${guessed}`, false, true],
		['closed [n8n-halo-datto:short]', false, false],
		['closed n8n-halo-datto', false, false],
		['', false, false],
	])('%j → installation %s, any %s', (text, withInstallation, withAny) => {
		expect(hasHaloMarker([text], markersOf(ours))).toBe(withInstallation);
		expect(hasHaloMarker([text], { any: true })).toBe(withAny);
		expect(hasHaloMarker([text])).toBe(withAny);
	});

	it('looks at every text given, ignores non-strings', () => {
		expect(hasHaloMarker([undefined, 42, null, `<p>${ours}</p>`], markersOf(ours))).toBe(true);
		expect(hasHaloMarker([undefined, 42, null], markersOf(ours))).toBe(false);
	});

	it('the footer written with the installation marker is recognised, a legacy installation only knows the legacy marker', () => {
		expect(hasHaloMarker([haloMarkerHtml(undefined, ours)], markersOf(ours))).toBe(true);
		expect(markersOf(LEGACY_HALO_MARKER)).toEqual({ markers: [LEGACY_HALO_MARKER] });
	});
});

describe('where the marker decides', () => {
	// A "closed" event whose payload names no agent: only the marker can tell whether it was ours.
	const closedWithNote = (note: string) => ({ id: 7, status_id: 9, status_name: 'Closed', closed: true, lastaction: { note_html: note } });

	it.each([
		[`by n8n ${ours}`, true],
		[`by n8n ${LEGACY_HALO_MARKER}`, true],
		[`forged ${guessed}`, false],
		[`another installation ${otherInstallation}`, false],
	])('trigger event with note %j → markerFound %s (installation markers known)', (note, found) => {
		const event = normaliseHaloTicketEvent(closedWithNote(note), { markers: markersOf(ours), closedStatusIds: [9] });
		expect(event.agentId).toBeNull();
		expect(event.markerFound).toBe(found);
	});

	it('Sync Policy facts: a technician action carrying a guessed marker counts as human; ours does not', () => {
		const action = (id: number, note: string): HaloAction => ({ id, ticket_id: 5, who_agentid: 5, who: 'Jo Tech', datetime: '2026-11-23T10:05:00', note, new_status: 0, old_status: 1 }) as HaloAction;
		const facts = (note: string) => factsFromActions([action(1, note)], '2026-11-23T10:00:00.000Z', { integrationAgentIds: [42], markers: markersOf(ours) });
		expect(facts(`done ${guessed}`).humanActions).toBe(1);
		expect(facts(`done ${ours}`).humanActions).toBe(0);
		expect(facts(`done ${LEGACY_HALO_MARKER}`).humanActions).toBe(0);
	});
});
