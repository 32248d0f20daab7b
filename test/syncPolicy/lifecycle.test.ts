/**
 * The Sync Policy node's Decide and Process Due through n8n's WorkflowExecute against the Halo simulator: each
 * output route of the plain lifecycle (create, note, ignore, defer, close, reopen), the API economy, technician
 * touches, grace re-fires and flapping.
 */
import { DECISIONS } from '../../nodes/shared/policy';
import type { HaloSimulator } from '../../simulators/halo';
import { clientFor } from '../halo/helpers';
import {
	alertOf,
	harnessStore,
	Clock,
	decideAt,
	HOUR,
	MIN,
	processDueAt,
	resolvedOf,
	routeCounts,
	startSim,
	warmClient,
	wipeStore,
} from './helpers';

const TECH = { clientId: 'technician-app', clientSecret: 'Technician-Secret-0123456789abcdef', agentId: 5 };

describe('Sync Policy node: lifecycle', () => {
	let sim: HaloSimulator;
	let clock: Clock;

	beforeAll(async () => {
		sim = await startSim({ applications: [TECH] });
	});
	afterAll(async () => await sim.close());
	beforeEach(async () => {
		sim.reset('default');
		warmClient(sim);
		await wipeStore();
		clock = new Clock();
	});

	it('routes create → note → ignore (duplicate) → defer (grace) → close (Process Due at exactly G) → reopen', async () => {
		const first = alertOf('flap-1');
		const created = await decideAt(sim, clock, 0, [first]);
		expect(created.error).toBeUndefined();
		expect(created.outputs).toHaveLength(DECISIONS.length);
		expect(created.decisions).toEqual(['create']);
		const item = created.byDecision.create[0];
		const ticketId = item.ticketId as number;
		expect(item).toMatchObject({ decision: 'create', dryRun: false, alertUid: 'flap-1', created: { ticket: ticketId, parent: null }, haloCalls: 1 });
		expect(item.alert).toMatchObject({ alertUid: 'flap-1' });
		expect(sim.ticket(ticketId)).toMatchObject({ client_id: 12, third_party_id_string: 'flap-1', priority_id: 2 });
		expect(String(sim.ticket(ticketId)!.details_html)).toMatch(/\[n8n-halo-datto:[a-z2-7]{16}\]/);

		// The same alert delivered twice: ignored, no Halo call.
		const dup = await decideAt(sim, clock, 30 * 1000, [first]);
		expect(dup.decisions).toEqual(['ignore']);
		expect(dup.byDecision.ignore[0].reason).toMatch(/^duplicate delivery/);

		// A repeat of the condition after the fold window: a note on the open ticket.
		const repeat = await decideAt(sim, clock, 11 * MIN, [alertOf('flap-2')]);
		expect(repeat.decisions).toEqual(['note']);
		expect(repeat.byDecision.note[0]).toMatchObject({ ticketId, noteKind: 'repeat' });
		expect(repeat.byDecision.note[0].note).toMatch(/fired again on DEV-1 \(occurrence 2\)/);

		// The first alert clears (the second is still open): a note, not closed.
		const firstClears = await decideAt(sim, clock, 12 * MIN, [resolvedOf(first)]);
		expect(firstClears.decisions).toEqual(['note']);
		expect(firstClears.byDecision.note[0]).toMatchObject({ ticketId, noteKind: 'stillOpen' });
		expect(firstClears.byDecision.note[0].reason).toMatch(/not closed: 1 other alert still open/);
		// The second clears: the close waits for the grace period.
		const clears = await decideAt(sim, clock, 13 * MIN, [resolvedOf(alertOf('flap-2'))]);
		expect(clears.decisions).toEqual(['defer']);
		expect(clears.byDecision.defer[0].reason).toMatch(new RegExp(`close of ticket ${ticketId} scheduled`));

		// Process Due one second early: nothing; exactly at G (5 min): closed with one Halo call.
		expect((await processDueAt(sim, clock, 18 * MIN - 1000)).all).toEqual([]);
		const before = sim.counts().apiRequests;
		const due = await processDueAt(sim, clock, 18 * MIN);
		expect(due.decisions).toEqual(['close']);
		expect(due.byDecision.close[0]).toMatchObject({ ticketId, event: 'tick', due: { kind: 'graceClose', ticketId } });
		expect(sim.ticket(ticketId)).toMatchObject({ status_id: 9, hasbeenclosed: true });
		// GET /Agent/me (cached for an hour), GET /Actions (technician facts), POST /Actions (note + close in one).
		expect(sim.counts().apiRequests - before).toBe(3);

		// A recurrence 2 hours later (inside the 24 h reopen window): the same ticket is reopened.
		const again = await decideAt(sim, clock, 2 * HOUR, [alertOf('flap-3')]);
		expect(again.decisions).toEqual(['reopen']);
		expect(again.byDecision.reopen[0]).toMatchObject({ ticketId, haloCalls: 1 });
		expect(sim.ticket(ticketId)).toMatchObject({ status_id: 2 });
		const reopenAction = sim.allActions(ticketId).at(-1)!;
		expect(reopenAction).toMatchObject({ new_status: 2 });
		expect(String(reopenAction.note_html)).toMatch(/reopened \(occurrence 3\)/);
		expect(routeCounts(sim)['POST /api/tickets']).toBe(1);
	});

	it('API economy: the plain lifecycle (policies off) is exactly create + close = 2 Halo calls', async () => {
		const plain = {
			policySettings: { flapDedupe: false, reopenWindow: false, closeRules: false, graceClose: false, storm: false, maintenance: false, businessHours: false },
		};
		// Steady state: the mapping index, the client's assets and the tenant's outcome are cached (by an earlier alert).
		const warm = alertOf('warm-1', { device: 'dev-warm' });
		await decideAt(sim, clock, 0, [warm], plain);
		await decideAt(sim, clock, MIN, [resolvedOf(warm)], plain);
		sim.log.clear();
		const a = alertOf('plain-1');
		const created = await decideAt(sim, clock, 0, [a], plain);
		const closed = await decideAt(sim, clock, 10 * MIN, [resolvedOf(a)], plain);
		expect([...created.decisions, ...closed.decisions]).toEqual(['create', 'close']);
		expect(sim.ticket(created.byDecision.create[0].ticketId as number)).toMatchObject({ status_id: 9 });
		expect(routeCounts(sim)).toEqual({ 'POST /api/tickets': 1, 'POST /api/actions': 1 });
		expect(sim.counts().tokenRequests).toBeLessThanOrEqual(1);
	});

	it('default policies: a lifecycle costs create, one facts read when the close is due, and note + close in one call', async () => {
		// Steady state: the mapping index, the client's assets and the tenant's outcome are cached (by an earlier alert).
		const plain = { policySettings: { graceClose: false } };
		const warm = alertOf('warm-2', { device: 'dev-warm' });
		await decideAt(sim, clock, 0, [warm], plain);
		await decideAt(sim, clock, MIN, [resolvedOf(warm)], plain);
		sim.log.clear();
		const a = alertOf('eco-1');
		await decideAt(sim, clock, 0, [a]);
		const resolved = await decideAt(sim, clock, 2 * MIN, [resolvedOf(a)]);
		expect(resolved.decisions).toEqual(['defer']);
		expect(resolved.byDecision.defer[0].factsFetched).toEqual([]); // checked when the close is due, not twice
		const due = await processDueAt(sim, clock, 7 * MIN);
		expect(due.decisions).toEqual(['close']);
		// GET /Agent/me is cached for an hour (read by the warm-up's close).
		expect(routeCounts(sim)).toEqual({ 'POST /api/tickets': 1, 'GET /api/actions': 1, 'POST /api/actions': 1 });
	});

	it('automatic mapping: no Client ID → the Halo site with the datto_id, its asset, the catch-all otherwise; the output says which rule', async () => {
		const plain = { policySettings: { flapDedupe: false, storm: false } };
		const run = await decideAt(
			sim,
			clock,
			0,
			[
				alertOf('map-1', { device: 'device-uid-contoso-srv01' }),
				alertOf('map-2', { device: 'dev-9', site: 'site-uid-nowhere' }),
			],
			{ ...plain, haloOptions: { automaticMapping: true } },
		);
		const [first, second] = run.byDecision.create;
		expect(first.mapping).toMatchObject({ client: { id: 12, siteId: 34, matchedBy: 'haloSiteDattoId' }, asset: { id: 901, matchedBy: 'haloAssetDattoId' } });
		expect(sim.ticket(first.ticketId as number)).toMatchObject({ client_id: 12, site_id: 34, assets: [expect.objectContaining({ id: 901 })] });
		// The alert's record (and so Explain's timeline) says where the ticket went and why.
		const record = await harnessStore().get('alerts', 'map-1');
		expect((record!.value as Record<string, unknown>).mapping).toMatchObject({ client: { matchedBy: 'haloSiteDattoId' } });
		expect(record!.history.at(-1)!.reason).toContain('Halo client 12 by haloSiteDattoId, asset 901 by haloAssetDattoId');
		// "Contoso Head Office" is not a Halo client name: the catch-all (Fallback Client 12, its main site).
		expect(second.mapping).toMatchObject({ client: { id: 12, matchedBy: 'catchAll' }, asset: { matchedBy: 'none' } });
		// With the mapping off, the Fallback Client as before (no Halo lookup).
		const off = await decideAt(sim, clock, MIN, [alertOf('map-3', { device: 'dev-8' })], { ...plain, haloOptions: { automaticMapping: false } });
		expect(off.byDecision.create[0].mapping).toMatchObject({ client: { id: 12, matchedBy: 'catchAll' }, asset: null });
	});

	it("a technician's note before the resolution: not closed, a note says why", async () => {
		const a = alertOf('tech-1');
		const created = await decideAt(sim, clock, 0, [a]);
		const ticketId = created.byDecision.create[0].ticketId as number;
		// A technician (agent 5, another API application) adds a note in Halo.
		const technician = clientFor(sim, { clientId: TECH.clientId, clientSecret: TECH.clientSecret });
		await technician.addAction({ ticket_id: ticketId, note: 'Looking at the disk now', outcome: 'Private Note' });
		const resolved = await decideAt(sim, clock, 3 * MIN, [resolvedOf(a)]);
		expect(resolved.decisions).toEqual(['defer']);
		const due = await processDueAt(sim, clock, 8 * MIN);
		expect(due.decisions).toEqual(['note']);
		expect(due.byDecision.note[0]).toMatchObject({ ticketId, noteKind: 'notClosed', factsFetched: [ticketId] });
		expect(due.byDecision.note[0].reason).toMatch(/^not closed: touched by .+ \(human action\)/);
		expect(sim.ticket(ticketId)!.status_id).not.toBe(9);
		const last = sim.allActions(ticketId).at(-1)!;
		expect(String(last.note_html)).toMatch(/stays open because it was touched by/);
		expect(last.new_status).toBe(0);
		// Nothing is due any more.
		expect((await processDueAt(sim, clock, 30 * MIN)).all).toEqual([]);
	});

	it('a manual status change by a technician also keeps the ticket open', async () => {
		const a = alertOf('tech-2');
		const ticketId = (await decideAt(sim, clock, 0, [a])).byDecision.create[0].ticketId as number;
		sim.setStatusAsTechnician(ticketId, 2, { note: 'Working on it' });
		await decideAt(sim, clock, MIN, [resolvedOf(a)]);
		const due = await processDueAt(sim, clock, 6 * MIN);
		expect(due.byDecision.note[0].reason).toMatch(/manual status change/);
		expect(sim.ticket(ticketId)!.status_id).toBe(2);
	});

	it('a re-fire inside the grace period cancels the close: the ticket is never closed', async () => {
		const a = alertOf('grace-1');
		const ticketId = (await decideAt(sim, clock, 0, [a])).byDecision.create[0].ticketId as number;
		expect((await decideAt(sim, clock, MIN, [resolvedOf(a)])).decisions).toEqual(['defer']);
		// Fires again 2 minutes later (inside G = 5 min): rejoins the ticket, the pending close is cancelled.
		const refire = await decideAt(sim, clock, 3 * MIN, [alertOf('grace-2')]);
		expect(refire.decisions).toEqual(['ignore']); // folded: the ticket was opened 3 min ago (fold window 10 min)
		expect(refire.byDecision.ignore[0].reason).toMatch(new RegExp(`pending close of ticket ${ticketId} cancelled`));
		expect(refire.byDecision.ignore[0].actions).toEqual([{ type: 'cancelGraceClose', ticket: ticketId }]);
		for (const at of [6 * MIN, 10 * MIN, HOUR]) expect((await processDueAt(sim, clock, at)).all).toEqual([]);
		expect(sim.ticket(ticketId)!.status_id).not.toBe(9);
		expect(sim.allActions(ticketId).filter((x) => x.new_status === 9)).toEqual([]);
	});

	it('a device flapping 20 times in an hour: 1 ticket and a handful of note calls, not 20', async () => {
		for (let i = 0; i < 20; i++) {
			const t = i * 3 * MIN;
			const a = alertOf(`flap20-${i}`);
			await decideAt(sim, clock, t, [a]);
			await processDueAt(sim, clock, t);
			await decideAt(sim, clock, t + MIN, [resolvedOf(a)]);
			await processDueAt(sim, clock, t + 2 * MIN);
		}
		const counts = routeCounts(sim);
		expect(counts['POST /api/tickets']).toBe(1);
		const ticketId = sim.allTickets()[0].id as number;
		const notes = sim.allActions(ticketId).filter((x) => x.new_status === 0);
		expect(notes.length).toBeGreaterThanOrEqual(2);
		expect(notes.length).toBeLessThanOrEqual(6);
		expect(String(notes.at(-1)!.note_html)).toMatch(/occurrence \d+, \d+ more repeats since the last note/);
		expect(sim.ticket(ticketId)!.status_id).not.toBe(9); // never closed while it flaps
		// The flapping stops: closed once, G minutes after the last clearance.
		const due = await processDueAt(sim, clock, 19 * 3 * MIN + 6 * MIN);
		expect(due.decisions).toEqual(['close']);
		expect(due.byDecision.close[0].reason).toMatch(/after the 5 min grace period/);
		expect(sim.ticket(ticketId)!.status_id).toBe(9);
		expect(routeCounts(sim)['POST /api/actions']).toBe(notes.length + 1);
	});
});
