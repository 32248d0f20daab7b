/**
 * Idempotent ticket creation (issue 18): a failure after the ticket was created (the store refusing the decision,
 * a crash between POST /Tickets and the commit) must not make the next attempt open a second ticket. The runner
 * writes a create intent before POST /Tickets and deletes it after the commit; an intent left over makes the next
 * create search for the alert's ticket first. Through the real runner (test/policy/helpers.ts Harness).
 */
import { CREATE_INTENTS_COLLECTION } from '../../nodes/shared/policy/runtime/runner';
import { Harness, MIN, makeAlert } from './helpers';

describe('idempotent ticket creation', () => {
	it('store failure after the ticket was created → the rerun finds the ticket, no second one', async () => {
		const h = new Harness();
		const alert = makeAlert({ uid: 'i-1' });
		// The store takes the intent, Halo creates the ticket, then the store goes away before the decision is written.
		h.storeFault = (op, collection) => op === 'set' && collection !== CREATE_INTENTS_COLLECTION;
		// (Before the fix the runner threw here, and the rerun below opened a second ticket.)
		const failed = await h.run({ type: 'alert', alert, clientId: null }).catch((error: Error) => ({ thrown: error.message, failure: null }));
		expect(h.count('createTicket')).toBe(1);

		// The store is back; Datto redelivers (or the reconciliation / a replay feeds the alert again).
		h.storeFault = null;
		h.advance(MIN);
		const rerun = await h.trigger(alert);
		expect(h.tickets.size).toBe(1);
		expect(h.calls.map((c) => c.type)).toEqual(['createTicket', 'searchTicket']);
		expect(rerun.decision).toBe('create');
		expect(failed.failure).toMatchObject({ committed: false, message: expect.stringMatching(/store unavailable/) });
		const [ticket] = h.tickets.values();
		expect((await h.store.get('alerts', 'i-1'))?.value).toMatchObject({ ticketId: ticket.id });
		expect(await h.store.get(CREATE_INTENTS_COLLECTION, 'i-1')).toBeUndefined();
	});

	it('Halo failure on create → the next attempt searches first (finds nothing) and creates once', async () => {
		const h = new Harness();
		const alert = makeAlert({ uid: 'i-2' });
		h.failNext = 'createTicket';
		const failed = await h.run({ type: 'alert', alert, clientId: null });
		expect(failed.failure).not.toBeNull();
		h.advance(MIN);
		await h.trigger(alert);
		expect(h.calls.map((c) => c.type)).toEqual(['searchTicket', 'createTicket']);
		expect(h.tickets.size).toBe(1);
	});

	it('no failure: no search, and no intent left behind (2 Halo calls per lifecycle stay 2)', async () => {
		const h = new Harness();
		const alert = makeAlert({ uid: 'i-3' });
		await h.trigger(alert);
		expect(h.calls.map((c) => c.type)).toEqual(['createTicket']);
		expect(await h.store.list(CREATE_INTENTS_COLLECTION)).toEqual([]);
	});
});
