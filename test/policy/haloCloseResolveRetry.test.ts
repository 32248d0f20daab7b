/**
 * Halo close → Datto resolve failures (issue 18), policy workflow: a ticket closed by a technician in Halo whose
 * Datto resolve fails lands in the failed-event list, and replaying it (the workflow's "Replay failed events", the
 * reconciliation of the policy workflow) resolves the alert. Through the real runner with a fake Halo/Datto writer.
 */
import { FAILED_EVENTS_COLLECTION, failedEventOf } from '../../nodes/shared/policy/runtime/failures';
import { Harness, MIN, makeAlert } from './helpers';

it('a failed Datto resolve after a Halo close is recorded and the replay resolves the alert', async () => {
	const h = new Harness();
	await h.trigger(makeAlert({ uid: 'r-1' }));
	const [ticket] = h.tickets.values();
	h.advance(MIN);
	h.failNext = 'resolveDattoAlert';
	const closeEvent = { type: 'haloTicket' as const, ticket: { event: 'closed' as const, ticketId: ticket.id, closed: true, agentId: 7, assignedAgentId: null, markerFound: false, changedAt: new Date(h.now).toISOString() } };
	const failed = await h.run(closeEvent);
	expect(failed.failure).toMatchObject({ failedEventKey: expect.any(String), message: expect.stringMatching(/resolveDattoAlert failed/) });
	expect(h.count('resolveDattoAlert')).toBe(0);
	const [record] = await h.store.list(FAILED_EVENTS_COLLECTION);
	expect(record).toMatchObject({ key: failed.failure!.failedEventKey, status: 'open' });
	const value = failedEventOf(record)!;
	expect(value.decision).toBe('close');

	// The replay decides the recorded event again: the alert is resolved in Datto, once.
	h.advance(MIN);
	const replay = await h.run(value.event);
	expect(replay.failure).toBeNull();
	expect(h.count('resolveDattoAlert')).toBe(1);
});
