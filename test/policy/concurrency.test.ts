/**
 * Races: two executions deciding from the same state claim the same guards, so only one acts; the other reloads
 * and decides again. Two concurrent triggers for one dedupeKey must not both create.
 */
import {
	applyStoreActions,
	bindActions,
	claimGuards,
	decide,
	loadPolicyState,
	releaseGuards,
	type PolicyEvent,
} from '../../nodes/shared/policy';
import { Harness, alertEvent, at, cfg, makeAlert, stateWithTicket } from './helpers';

describe('guards', () => {
	it('name the record and the version the result writes', () => {
		const r = decide(stateWithTicket({ openAlertUids: ['a-0'] }), alertEvent(makeAlert({ uid: 'a-1' })), cfg(), at());
		expect(r.guards).toEqual([
			{ collection: 'locks', key: 'alerts/a-1@1', record: { collection: 'alerts', key: 'a-1', version: 0 } },
			{ collection: 'locks', key: 'conditions/dev-1|perf_disk_usage_ctx:C:@6', record: { collection: 'conditions', key: 'dev-1|perf_disk_usage_ctx:C:', version: 5 } },
			{ collection: 'locks', key: 'tickets/123@4', record: { collection: 'tickets', key: '123', version: 3 } },
		]);
	});

	it('two concurrent triggers for one dedupeKey: one creates, the other re-decides and notes', async () => {
		const h = new Harness();
		const config = h.config;
		const e1: PolicyEvent = alertEvent(makeAlert({ uid: 'x-1' }));
		const e2: PolicyEvent = alertEvent(makeAlert({ uid: 'x-2' }));
		// Both load before either writes.
		const [s1, s2] = await Promise.all([loadPolicyState(h.store, e1, config), loadPolicyState(h.store, e2, config)]);
		const r1 = decide(s1, e1, config, at());
		const r2 = decide(s2, e2, config, at());
		expect([r1.decision, r2.decision]).toEqual(['create', 'create']);
		const c1 = await claimGuards(h.store, r1.guards);
		const c2 = await claimGuards(h.store, r2.guards);
		expect(c1).toEqual({ ok: true });
		expect(c2).toMatchObject({ ok: false, reason: 'claimed', conflict: { key: 'conditions/dev-1|perf_disk_usage_ctx:C:@1' } });
		// The loser released what it had claimed (its own alert guard).
		expect(await h.store.get('locks', 'alerts/x-2@1')).toBeUndefined();
		// The winner creates ticket 77 and commits.
		await applyStoreActions(h.store, r1, { ticket: 77 });
		await releaseGuards(h.store, r1.guards);
		expect(await h.store.list('locks')).toEqual([]);
		// The loser decides again on fresh state: deduped onto 77 (folded: the ticket was opened this instant), no second ticket.
		const again = decide(await loadPolicyState(h.store, e2, config), e2, config, at());
		expect(again.decision).toBe('ignore');
		expect(again.reason).toMatch(/^deduped: ticket 77 already open/);
		expect(again.subject.ticketId).toBe(77);
		expect(await claimGuards(h.store, again.guards)).toEqual({ ok: true });
	});

	it('a guard claimed after the holder committed is caught by the version check', async () => {
		const h = new Harness();
		const e1 = alertEvent(makeAlert({ uid: 'y-1' }));
		const e2 = alertEvent(makeAlert({ uid: 'y-2' }));
		const stale = await loadPolicyState(h.store, e2, h.config);
		await h.send(e1); // claims, commits, deletes its guards
		const late = decide(stale, e2, h.config, at());
		const c = await claimGuards(h.store, late.guards);
		expect(c).toMatchObject({ ok: false, reason: 'changed' });
		expect(await h.store.list('locks')).toEqual([]);
	});

	it('a guard abandoned by a crashed execution is taken over after the stale time', async () => {
		const h = new Harness();
		const r = decide({}, alertEvent(makeAlert({ uid: 'z-1' })), h.config, at());
		expect(await claimGuards(h.store, r.guards)).toEqual({ ok: true }); // ...and the execution dies here
		h.advance(60_000);
		expect(await claimGuards(h.store, r.guards)).toMatchObject({ ok: false, reason: 'claimed' });
		h.advance(5 * 60_000);
		expect(await claimGuards(h.store, r.guards)).toEqual({ ok: true });
	});

	it('store writes refuse unbound ticket references', async () => {
		const h = new Harness();
		const r = decide({}, alertEvent(makeAlert()), h.config, at());
		await expect(applyStoreActions(h.store, r, {})).rejects.toThrow('No id for the ticket this result creates');
		expect(bindActions(r.actions, { ticket: 5 }).find((a) => a.type === 'store' && a.collection === 'tickets')).toMatchObject({ key: '5', value: { ticketId: 5 } });
	});
});
