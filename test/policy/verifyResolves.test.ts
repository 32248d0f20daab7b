/**
 * Verify resolves (issue 18): a "resolved" delivery the Datto RMM Trigger could not confirm with the API
 * (resolveConfirmed false) closes nothing; the decision log says resolveNotConfirmed; the confirmed resolution (from
 * the reconciliation or a later delivery) then closes as usual.
 */
import { eventFromInput } from '../../nodes/shared/policy/runtime/input';
import { Harness, MIN, makeAlert } from './helpers';

describe('resolveNotConfirmed', () => {
	it('an unconfirmed resolution is logged and closes nothing; the confirmed one closes', async () => {
		const h = new Harness({ graceClose: { enabled: false } });
		const alert = makeAlert({ uid: 'v-1' });
		await h.trigger(alert);
		h.advance(MIN);
		const forged = { ...alert, event: 'resolved', resolveConfirmed: false, resolveNotConfirmed: 'Datto RMM still reports alert v-1 open' };
		const event = eventFromInput(forged, new Date(h.now), null);
		expect(event).toMatchObject({ type: 'alert', resolveNotConfirmed: 'Datto RMM still reports alert v-1 open' });
		const r = await h.send(event);
		expect(r.decision).toBe('ignore');
		expect(r.reason).toBe('resolveNotConfirmed: Datto RMM still reports alert v-1 open; nothing closed, left to the reconciliation');
		expect(h.calls.map((c) => c.type)).toEqual(['createTicket']);
		expect(h.openTickets()).toHaveLength(1);
		expect((await h.store.get('alerts', 'v-1'))?.history.at(-1)).toMatchObject({ event: 'ignore', reason: expect.stringMatching(/^resolveNotConfirmed: /) });

		// The reconciliation's resolved item (no resolveConfirmed field) is decided as usual.
		h.advance(MIN);
		const confirmed = await h.send(eventFromInput({ ...alert, event: 'resolved' }, new Date(h.now), null));
		expect(confirmed.decision).toBe('close');
		expect(h.openTickets()).toEqual([]);
	});

	it('a confirmed delivery (resolveConfirmed true) is an ordinary resolution', () => {
		const event = eventFromInput({ ...makeAlert({ uid: 'v-2' }), event: 'resolved', resolveConfirmed: true }, new Date(), null);
		expect(event).not.toHaveProperty('resolveNotConfirmed');
	});
});
