/**
 * Idempotent ticket creation against the Halo simulator: the real HaloPolicyWriter with `searchFirst` (an earlier
 * attempt for the alert failed after it meant to create) finds the alert's ticket and creates none; without an
 * existing ticket it creates one.
 */
import { HaloPolicyWriter, type HaloWriterSettings } from '../../nodes/shared/policy/runtime/haloWriter';
import { DEFAULT_ALERT_SUMMARY_TEMPLATE } from '../../nodes/shared/domain/haloAlertTicket';
import { DEFAULT_PRIORITY_MAP, parsePriorityMap } from '../../nodes/shared/domain/priority';
import type { HaloSimulator } from '../../simulators/halo';
import { clientFor, startSim } from '../halo/helpers';
import { makeAlert } from './helpers';

let sim: HaloSimulator;
beforeAll(async () => {
	sim = await startSim();
});
afterAll(async () => await sim.close());

const settings = (): HaloWriterSettings => ({
	summaryTemplate: DEFAULT_ALERT_SUMMARY_TEMPLATE,
	priorityMap: parsePriorityMap(DEFAULT_PRIORITY_MAP),
	defaultPriorityId: 3,
	externalRef: { target: 'field', field: 'third_party_id_string' },
	parentField: 'parent_id',
	extraFields: {},
	outcome: { outcome: 'Private Note' },
	hiddenFromUser: true,
	fallbackClientId: 1,
});

const action = (uid: string) => ({ type: 'createTicket' as const, ref: 'ticket' as const, alert: makeAlert({ uid, message: `Disk full ${uid}` }), priority: 'High' as const, clientId: '1', parent: null });

test('searchFirst finds the ticket a failed attempt created; no second POST /Tickets', async () => {
	const writer = new HaloPolicyWriter(clientFor(sim), settings());
	const first = await writer.createTicket(action('hw-1'), null);
	const posts = () => sim.log.entries().filter((e) => e.route === 'POST /api/tickets').length;
	const before = posts();
	const again = await writer.createTicket(action('hw-1'), null, { searchFirst: true });
	expect(again).toBe(first);
	expect(posts()).toBe(before);
	expect(sim.allTickets().filter((t) => t.third_party_id_string === 'hw-1')).toHaveLength(1);
});

test('searchFirst without an existing ticket creates one', async () => {
	const writer = new HaloPolicyWriter(clientFor(sim), settings());
	const id = await writer.createTicket(action('hw-2'), null, { searchFirst: true });
	expect(sim.allTickets().filter((t) => t.third_party_id_string === 'hw-2').map((t) => t.id)).toEqual([id]);
});
