/**
 * The Sync Policy node's description and the pure parts of its glue: outputs, parameter defaults (= the engine's),
 * call planning (merged note + status change), technician facts from Halo actions, input items → events.
 */
import fs from 'node:fs';
import path from 'node:path';

import type { INodeProperties } from 'n8n-workflow';

import { SyncPolicy } from '../../nodes/SyncPolicy/SyncPolicy.node';
import { configuredOutputs } from '../../nodes/SyncPolicy/actions/node.description';
import { policySettingsProperty } from '../../nodes/SyncPolicy/actions/settings';
import { factsFromActions } from '../../nodes/shared/policy/runtime/facts';
import { eventFromInput, PolicyInputError } from '../../nodes/shared/policy/runtime/input';
import { runPolicyEvent } from '../../nodes/shared/policy/runtime/runner';
import { executeSteps, planSteps, type PolicyWriter } from '../../nodes/shared/policy/runtime/steps';
import { DECISIONS, DEFAULT_POLICY_CONFIG, decide, explain, resolvePolicyConfig, type ExternalAction } from '../../nodes/shared/policy';
import { StaticDataStore } from '../../nodes/shared/store';
import type { HaloAction } from '../../nodes/shared/transport/halo';
import { alertOf } from './helpers';

const ROOT = path.resolve(__dirname, '../..');

describe('description', () => {
	const { description } = new SyncPolicy();

	it('is a usable-as-tool transform node with a Utility codex, themed icons and the shared credentials', () => {
		expect(description).toMatchObject({ name: 'syncPolicy', displayName: 'Datto-Halo Sync Policy', usableAsTool: true, version: 1 });
		expect(description.subtitle).toContain('operation');
		const codex = JSON.parse(fs.readFileSync(path.join(ROOT, 'nodes/SyncPolicy/SyncPolicy.node.json'), 'utf8'));
		expect(codex).toMatchObject({ node: 'n8n-nodes-halo-datto.syncPolicy', categories: ['Utility'] });
		const icon = description.icon as { light: string; dark: string };
		for (const file of [icon.light, icon.dark]) expect(fs.existsSync(path.join(ROOT, 'nodes/SyncPolicy', file.replace(/^file:/, '')))).toBe(true);
		expect(description.credentials?.map((c) => [c.name, c.required])).toEqual([
			['mappingStorePostgresApi', true],
			['haloPsaApi', false],
			['dattoRmmApi', true],
		]);
		const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
		expect(pkg.n8n.nodes).toContain('dist/nodes/SyncPolicy/SyncPolicy.node.js');
	});

	it('outputs: one per decision for the deciding operations (the engine order), timeline for Explain, alarm/ok for Health', () => {
		expect(description.outputs).toMatch(/^=\{\{\(.*\)\(\$parameter\)\}\}$/s);
		const names = (operation?: string) => configuredOutputs({ operation }).map((o) => o.displayName);
		expect(names()).toEqual([...DECISIONS]);
		for (const op of ['decide', 'processDue', 'replayFailed']) expect(names(op)).toEqual([...DECISIONS]);
		expect(names('explain')).toEqual(['timeline']);
		expect(names('health')).toEqual(['alarm', 'ok']);
		// The function is inlined into an expression: it must not use anything from its module.
		expect(String(configuredOutputs)).not.toMatch(/require|_1\./);
	});

	it('the Policy Settings defaults are the engine defaults', () => {
		const d = DEFAULT_POLICY_CONFIG;
		const defaults = Object.fromEntries((policySettingsProperty.options as INodeProperties[]).map((o) => [o.name, o.default]));
		expect(defaults).toMatchObject({
			flapDedupe: d.flapDedupe.enabled,
			foldMinutes: d.flapDedupe.foldMinutes,
			reopenWindow: d.reopenWindow.enabled,
			reopenHours: d.reopenWindow.hours,
			closeRules: d.closeRules.enabled,
			graceClose: d.graceClose.enabled,
			graceMinutes: d.graceClose.minutes,
			storm: d.storm.enabled,
			stormThreshold: d.storm.threshold,
			stormWindowMinutes: d.storm.windowMinutes,
			stormAttachAs: d.storm.attachAs,
			maintenance: d.maintenance.enabled,
			businessHours: d.businessHours.enabled,
			outsideHours: d.businessHours.outsideHours,
			lowPriorities: d.businessHours.lowPriorities,
			lowerTo: d.businessHours.lowerTo,
		});
	});
});

describe('planSteps / executeSteps', () => {
	const T = { $ref: 'ticket' } as const;
	it('merges note + close and reopen + note on the same ticket into one Halo action', () => {
		const actions: ExternalAction[] = [
			{ type: 'addNote', ticket: 7, kind: 'cleared', text: 'cleared', occurrence: 1, folded: 0 },
			{ type: 'closeTicket', ticket: 7 },
			{ type: 'reopenTicket', ticket: 8 },
			{ type: 'addNote', ticket: 8, kind: 'reopened', text: 'again', occurrence: 2, folded: 0 },
			{ type: 'addNote', ticket: 9, kind: 'repeat', text: 'x', occurrence: 2, folded: 0 },
			{ type: 'closeTicket', ticket: 10 },
		];
		expect(planSteps(actions).map((s) => (s.kind === 'haloAction' ? [s.ticket, s.note, s.status] : s.kind))).toEqual([
			[7, 'cleared', 'close'],
			[8, 'again', 'reopen'],
			[9, 'x', null],
			[10, null, 'close'],
		]);
	});

	it('binds created ids in order and stops at the first failure with the rest', async () => {
		const calls: string[] = [];
		const writer: PolicyWriter = {
			createTicket: async (_a, parent) => (calls.push(`create(parent ${parent})`), 501),
			createParent: async () => (calls.push('parent'), 500),
			addAction: async (id, note) => {
				calls.push(`action ${id} ${note}`);
				if (note === 'boom') throw new Error('Halo down');
			},
			attachToParent: async (id, parent) => void calls.push(`attach ${id}→${parent}`),
			resolveDattoAlert: async () => false,
		};
		const alert = { event: 'triggered', alertUid: 'a', priority: 'High', message: '', device: { uid: 'd', hostname: 'D' }, site: { uid: 's', name: null }, condition: 'c', occurredAt: '', platform: null, dedupeKey: 'd|c', link: null } as const;
		const out = await executeSteps(
			planSteps([
				{ type: 'createParent', ref: 'parent', siteUid: 's', siteName: null, clientId: null, priority: 'High', summary: 's', text: 't' },
				{ type: 'attachToParent', ticket: 77, parent: { $ref: 'parent' } },
				{ type: 'createTicket', ref: 'ticket', alert, priority: 'High', clientId: null, parent: { $ref: 'parent' } },
				{ type: 'addNote', ticket: T, kind: 'correlated', text: 'boom', occurrence: null, folded: 0 },
				{ type: 'resolveDattoAlert', alertUid: 'a' },
			]),
			writer,
		);
		expect(calls).toEqual(['parent', 'attach 77→500', 'create(parent 500)', 'action 501 boom']);
		expect(out).toMatchObject({ created: { parent: 500, ticket: 501 }, done: 3, calls: 3 });
		expect(out.failure?.remaining.map((a) => a.type)).toEqual(['addNote', 'resolveDattoAlert']);
	});
});

describe('factsFromActions', () => {
	const since = '2026-11-23T10:00:00.000Z';
	const action = (over: Partial<HaloAction>): HaloAction => ({ id: 1, ticket_id: 5, who_agentid: 5, who: 'Jo Tech', datetime: '2026-11-23T10:05:00', note: 'x', new_status: 0, old_status: 1, ...over }) as HaloAction;

	it('counts technicians, not the integration, not markers, not agentless entries, not before since (minus skew)', () => {
		const facts = factsFromActions(
			[
				action({ id: 1, who_agentid: 42, who: 'API' }), // the integration's agent
				action({ id: 2, note: 'Written by n8n [n8n-halo-datto]' }), // our marker
				action({ id: 3, who_agentid: 0, who: 'Customer' }), // an end-user e-mail
				action({ id: 4, datetime: '2026-11-23T09:58:00' }), // before the (re)open, beyond the skew
				action({ id: 5, datetime: '2026-11-23T09:59:30' }), // within the 60 s skew: counts
			],
			since,
			{ integrationAgentIds: [42] },
		);
		expect(facts).toEqual({ humanActions: 1, manualStatusChange: false, reassigned: false, agentName: 'Jo Tech' });
	});

	it('tells status changes and reassignments', () => {
		expect(factsFromActions([action({ new_status: 2, old_status: 1 })], since, { integrationAgentIds: [] })).toMatchObject({ manualStatusChange: true });
		expect(factsFromActions([action({ new_agent: 6 } as Partial<HaloAction>)], since, { integrationAgentIds: [] })).toMatchObject({ reassigned: true });
		expect(factsFromActions([], since, { integrationAgentIds: [] })).toMatchObject({ humanActions: 0 });
	});
});

describe('input items → events', () => {
	const now = new Date('2026-11-23T10:00:00Z');
	it('a Datto alert: lenient (missing dedupeKey computed, priority normalised)', () => {
		const { dedupeKey: _k, ...alert } = alertOf('in-1', { priority: 'critical' });
		const event = eventFromInput(alert, now, '12');
		expect(event).toMatchObject({ type: 'alert', clientId: '12', alert: { alertUid: 'in-1', priority: 'Critical', dedupeKey: 'dev-1|perf_disk_usage_ctx:C:' } });
	});

	it('a HaloPSA Trigger item', () => {
		const event = eventFromInput({ event: 'closed', ticketId: '42', closed: true, agentId: 5, markerFound: false, changedAt: 'garbage' }, now, null);
		expect(event).toEqual({
			type: 'haloTicket',
			ticket: { event: 'closed', ticketId: 42, closed: true, agentId: 5, assignedAgentId: null, markerFound: false, changedAt: now.toISOString(), statusName: null, agentName: null },
		});
	});

	it('anything else is refused', () => {
		expect(() => eventFromInput({ hello: 1 }, now, null)).toThrow(PolicyInputError);
		expect(() => eventFromInput({ alertUid: 'x', event: 'raised' }, now, null)).toThrow(/event must be "triggered" or "resolved"/);
	});
});

describe('explain() with store clocks (regression: one decision logged by records written milliseconds apart)', () => {
	it('groups and orders by the decision time (data.decidedAt), not by each write\'s own time', () => {
		const data = { alertUid: 'a', dedupeKey: 'k', ticketId: 1, decidedAt: '2026-11-23T10:00:00.000Z' };
		const entry = (at: string, event: string, extra = {}) => ({ at, event, reason: event, data: { ...data, ...extra } });
		const out = explain([
			{ collection: 'tickets', key: '1', history: [entry('2026-11-23T12:00:00.001Z', 'create')] },
			{ collection: 'conditions', key: 'k', history: [entry('2026-11-23T12:00:00.002Z', 'create'), entry('2026-11-23T12:00:00.003Z', 'note', { decidedAt: '2026-11-23T10:20:00.000Z' })] },
			{ collection: 'alerts', key: 'a', history: [entry('2026-11-23T12:00:00.004Z', 'create')] },
		]);
		expect(out.entries.map((e) => [e.at, e.event, e.records.length])).toEqual([
			['2026-11-23T10:00:00.000Z', 'create', 3],
			['2026-11-23T10:20:00.000Z', 'note', 1],
		]);
	});
});

describe('runPolicyEvent: guards held by another execution (regression: 10 storm webhooks at once in real n8n → "busy")', () => {
	const config = resolvePolicyConfig({ dryRun: true });
	const t0 = new Date('2026-01-05T10:00:00.000Z');

	it('waits past the old 5 attempts, and a retry decides at the clock\'s time', async () => {
		const store = new StaticDataStore(`units-guards-wait-${process.pid}`, {});
		const event = eventFromInput(alertOf('guard-1'), t0, '12');
		const [lock] = decide({}, event, config, t0).guards;
		await store.claim(lock.collection, lock.key, { value: { owner: 'another execution' }, status: 'pending' });
		let ticks = 0;
		const outcome = await runPolicyEvent(event, {
			store,
			config,
			now: t0,
			clock: () => new Date(t0.getTime() + 1000 * ++ticks),
			retryDelayMs: (attempt) => {
				if (attempt === 8) void store.delete(lock.collection, lock.key); // the other execution finishes
				return 1;
			},
		});
		expect({ decision: outcome.decision, attempts: outcome.attempts, failure: outcome.failure }).toEqual({ decision: 'create', attempts: 9, failure: null });
		const record = await store.get('dryRun.alerts', 'guard-1');
		expect((record?.history[0].data as { decidedAt: string }).decidedAt).toBe(new Date(t0.getTime() + 8000).toISOString());
	});

	it('"busy" (defer, kept for replay) only when the wait budget is spent', async () => {
		const store = new StaticDataStore(`units-guards-busy-${process.pid}`, {});
		const event = eventFromInput(alertOf('guard-2'), t0, '12');
		const [lock] = decide({}, event, config, t0).guards;
		await store.claim(lock.collection, lock.key, { value: { owner: 'a stuck execution' }, status: 'pending' });
		const outcome = await runPolicyEvent(event, { store, config, now: t0, maxWaitMs: 50, retryDelayMs: () => 10 });
		expect(outcome.decision).toBe('defer');
		expect(outcome.attempts).toBe(6);
		expect(outcome.reason).toMatch(/^busy: the records of this event changed under 6 attempts, 0\.1 s; recorded for replay$/);
		expect(outcome.failure?.failedEventKey).toBe('alert/guard-2/triggered');
	});
});
