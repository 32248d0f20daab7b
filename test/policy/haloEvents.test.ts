/**
 * Halo ticket events: technician touches are recorded for the close rules; a close in Halo closes the mapping
 * (the reopen window starts) and lists the Datto alerts to resolve; the integration's own changes are ignored.
 */
import { decide, type HaloTicketEventInput } from '../../nodes/shared/policy';
import { MIN, at, cfg, conditionValue, externalTypes, graceValue, isoAt, ticketValue } from './helpers';

const ev = (over: Partial<HaloTicketEventInput>): { type: 'haloTicket'; ticket: HaloTicketEventInput } => ({
	type: 'haloTicket',
	ticket: { event: 'updated', ticketId: 123, closed: false, agentId: 7, assignedAgentId: null, markerFound: false, changedAt: isoAt(-MIN), ...over },
});
const state = (t: Parameters<typeof ticketValue>[0] = { ticketId: 123 }) => ({
	tickets: { '123': ticketValue({ openAlertUids: ['a-1'], ...t }) },
	conditions: { 'dev-1|perf_disk_usage_ctx:C:': conditionValue() },
});

describe('Halo ticket events', () => {
	type Row = [string, Partial<HaloTicketEventInput>, string, string | null];
	const rows: Row[] = [
		['a note by an agent → touched (human action)', { agentName: 'Jo' }, 'ticket 123 touched by Jo (human action): it will not be closed automatically', 'humanAction'],
		['a status change by an agent', { event: 'statusChanged' }, 'ticket 123 touched by agent 7 (manual status change): it will not be closed automatically', 'statusChange'],
		['our own note (marker) → ignored', { markerFound: true }, "ticket 123: own change (updated), not a technician's touch", null],
		['an event without agent → not a touch', { agentId: null }, "ticket 123 changed (updated) without a known agent: not counted as a technician's touch", null],
		['ticket creation echo', { event: 'new' }, "ticket 123: creation (new), not a technician's touch", null],
	];
	it.each(rows)('%s', (_n, over, reason, kind) => {
		const r = decide(state(), ev(over), cfg(), at());
		expect(r.decision).toBe('ignore');
		expect(r.reason).toBe(reason);
		expect(externalTypes(r)).toEqual([]);
		const write = r.actions.find((a) => a.type === 'store' && a.collection === 'tickets');
		if (kind) expect(write).toMatchObject({ value: { touched: { kind, at: isoAt(-MIN) } } });
		else expect(write).toBeUndefined();
	});

	it('the integration agent ids count as own changes', () => {
		expect(decide(state(), ev({ agentId: 99 }), cfg({ integrationAgentIds: [99] }), at()).reason).toContain('own change');
	});

	it('agent id first (issue 18): a technician (agent 7) closing with a note that quotes the marker closes; the marker alone decides only when the agent cannot be told', () => {
		const quoted = ev({ event: 'closed', closed: true, markerFound: true, agentName: 'Sam' });
		expect(decide(state(), quoted, cfg({ integrationAgentIds: [99] }), at()).decision).toBe('close');
		expect(decide(state(), quoted, cfg({ integrationAgentIds: [] }), at()).decision).toBe('ignore');
		expect(decide(state(), ev({ event: 'closed', closed: true, markerFound: true, agentId: null }), cfg({ integrationAgentIds: [99] }), at()).decision).toBe('ignore');
	});

	it('a later different assignee is a reassignment (the first one seen is the baseline)', () => {
		const first = decide(state(), ev({ agentId: null, assignedAgentId: 5 }), cfg(), at());
		expect(first.actions).toContainEqual(expect.objectContaining({ collection: 'tickets', value: expect.objectContaining({ assignedAgentId: 5 }) }));
		const r = decide(state({ ticketId: 123, assignedAgentId: 5 }), ev({ assignedAgentId: 6 }), cfg(), at());
		expect(r.reason).toBe('ticket 123 touched by agent 7 (reassignment): it will not be closed automatically');
	});

	it('closed in Halo by a technician → close: mapping closed, pending grace close cancelled, alerts to resolve', () => {
		const s = { ...state({ ticketId: 123, state: 'closing', openAlertUids: ['a-1', 'a-2'] }), graceCloses: { '123': graceValue() } };
		const r = decide(s, ev({ event: 'closed', closed: true, agentName: 'Sam' }), cfg(), at());
		expect(r.decision).toBe('close');
		expect(r.reason).toBe('ticket 123 closed in Halo by Sam: 2 open Datto alerts to resolve');
		expect(externalTypes(r)).toEqual(['resolveDattoAlert', 'resolveDattoAlert']);
		expect(r.actions).toContainEqual({ type: 'cancelGraceClose', ticket: 123 });
		expect(r.actions).toContainEqual(expect.objectContaining({ collection: 'tickets', key: '123', status: 'closed', value: expect.objectContaining({ closedBy: 'halo', closedAt: isoAt(-MIN) }) }));
		expect(r.actions).toContainEqual(expect.objectContaining({ collection: 'conditions', status: 'closed' }));
	});

	it('closed by the integration itself (marker) → ignored; already closed → ignored; unknown ticket → ignored', () => {
		expect(decide(state(), ev({ event: 'closed', closed: true, markerFound: true }), cfg(), at()).decision).toBe('ignore');
		expect(decide(state({ ticketId: 123, state: 'closed' }), ev({ event: 'closed', closed: true }), cfg(), at()).reason).toBe('ticket 123 already closed');
		expect(decide({}, ev({}), cfg(), at()).reason).toBe('ticket 123 was not opened by this integration');
	});

	it('reopened in Halo by a technician → open again, touched', () => {
		const r = decide(state({ ticketId: 123, state: 'closed', closedAt: isoAt(-10 * MIN) }), ev({ event: 'statusChanged' }), cfg(), at());
		expect(r.reason).toBe('ticket 123 reopened in Halo by agent 7: it will not be closed automatically');
		expect(r.actions).toContainEqual(expect.objectContaining({ collection: 'tickets', status: 'open', value: expect.objectContaining({ state: 'open', touched: expect.objectContaining({ kind: 'statusChange' }) }) }));
	});
});
