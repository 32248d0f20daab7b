/**
 * Shared fixtures for the policy tests: alert / state builders for the pure decide() tables, and a scenario harness
 * that runs each event through the real runner (runPolicyEvent: load state → decide → claim guards → writes → store
 * → release guards) against the real static-data store backend and a fake Halo writer, so whole scenarios (a
 * flapping device, a site storm) can be asserted by the Halo calls they would make.
 */
import { randomUUID } from 'node:crypto';
import {
	dueWork,
	isExternalAction,
	policyLayout,
	resolvePolicyConfig,
	type AlertSnapshot,
	type AlertValue,
	type ConditionValue,
	type ExternalAction,
	type GraceCloseValue,
	type HaloTicketEventInput,
	type PolicyConfig,
	type PolicyConfigInput,
	type PolicyEvent,
	type PolicyResult,
	type PolicyState,
	type TicketFacts,
	type TicketValue,
} from '../../nodes/shared/policy';
import type { DattoPriority } from '../../nodes/shared/domain/priority';
import { StaticDataStore } from '../../nodes/shared/store/StaticDataStore';
import { runPolicyEvent, type PolicyRunOutcome } from '../../nodes/shared/policy/runtime/runner';
import type { PolicyWriter } from '../../nodes/shared/policy/runtime/steps';

export const T0 = Date.parse('2026-11-23T10:00:00.000Z'); // a Monday
export const SEC = 1000;
export const MIN = 60 * SEC;
export const HOUR = 60 * MIN;
export const at = (offset = 0): Date => new Date(T0 + offset);
export const isoAt = (offset = 0): string => at(offset).toISOString();

export interface AlertOptions {
	uid?: string;
	event?: 'triggered' | 'resolved';
	device?: string | null;
	hostname?: string | null;
	site?: string | null;
	siteName?: string | null;
	condition?: string;
	priority?: DattoPriority;
	message?: string;
}

export function makeAlert(o: AlertOptions = {}): AlertSnapshot {
	const device = o.device === undefined ? 'dev-1' : o.device;
	const hostname = o.hostname === undefined ? (device ? device.toUpperCase() : null) : o.hostname;
	const condition = o.condition ?? 'perf_disk_usage_ctx:C:';
	const who = device ?? (hostname ? `host:${hostname.toLowerCase()}` : 'unknown-device');
	return {
		event: o.event ?? 'triggered',
		alertUid: o.uid ?? 'a-1',
		priority: o.priority ?? 'High',
		message: o.message ?? 'Disk C: 96% full',
		device: { uid: device, hostname },
		site: { uid: o.site === undefined ? 'site-1' : o.site, name: o.siteName === undefined ? 'Contoso' : o.siteName },
		condition,
		occurredAt: isoAt(),
		platform: 'merlot',
		dedupeKey: `${who}|${condition}`,
		link: null,
	};
}

export const resolvedOf = (alert: AlertSnapshot): AlertSnapshot => ({ ...alert, event: 'resolved' });

export function alertEvent(alert: AlertSnapshot, extra: { clientId?: string | null; facts?: Record<string, TicketFacts> } = {}): PolicyEvent {
	return { type: 'alert', alert, ...extra };
}

export function ticketValue(over: Partial<TicketValue> & { ticketId: number }): TicketValue {
	return {
		version: 3,
		kind: 'alert',
		state: 'open',
		openedAt: isoAt(-HOUR),
		closedAt: null,
		closedBy: null,
		openAlertUids: [],
		alertUids: [],
		dedupeKeys: ['dev-1|perf_disk_usage_ctx:C:'],
		siteUid: 'site-1',
		parentTicketId: null,
		touched: null,
		assignedAgentId: null,
		reopenCount: 0,
		...over,
	};
}

export function conditionValue(over: Partial<ConditionValue> = {}): ConditionValue {
	return {
		version: 5,
		dedupeKey: 'dev-1|perf_disk_usage_ctx:C:',
		ticketId: 123,
		occurrences: 3,
		firstAt: isoAt(-HOUR),
		lastAt: isoAt(-30 * MIN),
		lastNoteAt: isoAt(-30 * MIN),
		foldedSinceNote: 0,
		alertUids: ['a-0'],
		deviceUid: 'dev-1',
		hostname: 'DEV-1',
		siteUid: 'site-1',
		...over,
	};
}

export function alertValue(alert: AlertSnapshot, over: Partial<AlertValue> = {}): AlertValue {
	return {
		version: 2,
		alertUid: alert.alertUid,
		dedupeKey: alert.dedupeKey,
		state: 'open',
		ticketId: 123,
		parentTicketId: null,
		clientId: null,
		firstSeenAt: isoAt(-HOUR),
		resolvedAt: null,
		heldUntil: null,
		heldBy: null,
		alert: { ...alert, event: 'triggered' },
		...over,
	};
}

export function graceValue(over: Partial<GraceCloseValue> = {}): GraceCloseValue {
	return {
		version: 1,
		ticketId: 123,
		dueAt: isoAt(5 * MIN),
		resolvedAt: isoAt(),
		alertUid: 'a-0',
		dedupeKey: 'dev-1|perf_disk_usage_ctx:C:',
		host: 'SRV01',
		occurrences: 3,
		...over,
	};
}

/** State with one condition mapping to ticket 123 in `ticket` state. */
export function stateWithTicket(ticket: Partial<TicketValue>, cond: Partial<ConditionValue> = {}, extra: Partial<PolicyState> = {}): Partial<PolicyState> {
	const t = ticketValue({ ticketId: 123, ...ticket });
	return { conditions: { [t.dedupeKeys[0]]: conditionValue({ ticketId: 123, ...cond }) }, tickets: { '123': t }, ...extra };
}

export const cfg = (input: PolicyConfigInput = {}): PolicyConfig => resolvePolicyConfig(input);
export const types = (r: PolicyResult): string[] => r.actions.map((a) => a.type);
export const externalTypes = (r: PolicyResult): string[] => r.actions.filter(isExternalAction).map((a) => a.type);
export const storeWrites = (r: PolicyResult) => r.actions.filter((a) => a.type === 'store');

// ---------------------------------------------------------------------------------------------------------------
// Scenario harness

export interface FakeTicket {
	id: number;
	/** The alert a ticket was created for (null: a storm parent). */
	alertUid: string | null;
	state: 'open' | 'closed';
	parent: number | null;
	summary: string;
	notes: string[];
	children: number[];
}

export interface HaloCall {
	/** An engine action, or the search for an alert's ticket before a create (after an earlier failure). */
	type: ExternalAction['type'] | 'searchTicket';
	ticket?: number;
}

export class Harness {
	readonly store: StaticDataStore;
	readonly config: PolicyConfig;
	now = T0;
	nextTicketId = 1000;
	/** Every external action executed, with bound ticket ids. */
	readonly calls: HaloCall[] = [];
	readonly tickets = new Map<number, FakeTicket>();
	readonly results: PolicyResult[] = [];
	/** Technician facts per ticket id, served when the engine asks (needsTicketFacts). */
	readonly facts: Record<string, TicketFacts> = {};
	clientId: string | null = null;

	constructor(config: PolicyConfigInput = {}) {
		this.config = resolvePolicyConfig(config);
		this.store = new StaticDataStore(`policy-${randomUUID()}`, {}, { clock: () => new Date(this.now) });
	}

	advance(ms: number): this {
		this.now += ms;
		return this;
	}

	/**
	 * One event through the real runner (nodes/shared/policy/runtime/runner.ts, the loop the Sync Policy node runs):
	 * load → facts → decide → guards → the fake Halo (this.writer) → store → release. Throws when the runner reports
	 * a failure (the fake Halo only fails when a test sets `failNext`).
	 */
	async send(event: PolicyEvent): Promise<PolicyResult> {
		const outcome = await this.run(event);
		if (outcome.failure) throw new Error(`policy run failed: ${outcome.failure.message} (${outcome.reason})`);
		return outcome.result as PolicyResult;
	}

	/** The runner's outcome for one event (failures included). */
	async run(event: PolicyEvent): Promise<PolicyRunOutcome> {
		const outcome = await runPolicyEvent(event, {
			store: this.storeFault ? this.faultyStore(this.storeFault) : this.store,
			config: this.config,
			now: new Date(this.now),
			writer: this.writer,
			// Technician facts the test put in this.facts (a ticket without any counts as untouched).
			facts: async (ticketId) => this.facts[String(ticketId)] ?? { humanActions: 0, manualStatusChange: false, reassigned: false },
			// The harness supplies facts whenever the engine names the ticket, also for a resolution that waits out the
			// grace period (the node defers that read to Process Due: one Halo call less; same decision).
			deferFactsToGraceCheck: false,
			syntheticId: () => -this.nextTicketId++,
			maxAttempts: 3,
			retryDelayMs: () => 0,
		});
		if (outcome.result && !outcome.failure) this.results.push(outcome.result);
		return outcome;
	}

	/**
	 * Store fault injection: while set, a write (set / delete / claim / updateStatus) for which it returns true throws
	 * (the store going away in the middle of a run).
	 */
	storeFault: ((op: string, collection: string, key: string) => boolean) | null = null;

	private faultyStore(fault: (op: string, collection: string, key: string) => boolean): StaticDataStore {
		const real = this.store;
		return new Proxy(real, {
			get(target, prop, receiver) {
				const value = Reflect.get(target, prop, receiver) as unknown;
				if (typeof value !== 'function') return value;
				if (!['set', 'delete', 'claim', 'updateStatus'].includes(String(prop))) return (value as (...a: unknown[]) => unknown).bind(target);
				return async (collection: string, key: string, ...rest: unknown[]) => {
					if (fault(String(prop), collection, key)) throw new Error(`store unavailable (${String(prop)} ${collection}/${key})`);
					return await (value as (...a: unknown[]) => Promise<unknown>).call(target, collection, key, ...rest);
				};
			},
		});
	}

	/** The next fake Halo call of this kind throws (once): a Halo outage in the middle of a run. */
	failNext: HaloCall['type'] | null = null;

	/** The fake Halo behind the runner's PolicyWriter interface; records every call in `calls`. */
	readonly writer: PolicyWriter = {
		createTicket: async (action, parentId, options) => {
			if (options?.searchFirst) {
				this.calls.push({ type: 'searchTicket' });
				const found = [...this.tickets.values()].find((t) => t.alertUid === action.alert.alertUid);
				if (found) return found.id;
			}
			this.maybeFail('createTicket');
			const id = this.nextTicketId++;
			this.tickets.set(id, { id, alertUid: action.alert.alertUid, state: 'open', parent: parentId, summary: action.alert.message, notes: [], children: [] });
			if (parentId !== null) this.tickets.get(parentId)?.children.push(id);
			this.calls.push({ type: 'createTicket', ticket: id });
			return id;
		},
		createParent: async (action) => {
			this.maybeFail('createParent');
			const id = this.nextTicketId++;
			this.tickets.set(id, { id, alertUid: null, state: 'open', parent: null, summary: action.summary, notes: [], children: [] });
			this.calls.push({ type: 'createParent', ticket: id });
			return id;
		},
		addAction: async (ticketId, note, status) => {
			// One Halo action; recorded as the engine's actions it covers, in their order (reopen + note, note + close).
			if (status === 'reopen') {
				this.maybeFail('reopenTicket');
				this.ticket(ticketId).state = 'open';
				this.calls.push({ type: 'reopenTicket', ticket: ticketId });
			}
			if (note !== null) {
				this.maybeFail('addNote');
				this.ticket(ticketId).notes.push(note);
				this.calls.push({ type: 'addNote', ticket: ticketId });
			}
			if (status === 'close') {
				this.maybeFail('closeTicket');
				this.ticket(ticketId).state = 'closed';
				this.calls.push({ type: 'closeTicket', ticket: ticketId });
			}
		},
		attachToParent: async (ticketId, parentId) => {
			this.maybeFail('attachToParent');
			this.ticket(ticketId).parent = parentId;
			this.ticket(parentId).children.push(ticketId);
			this.calls.push({ type: 'attachToParent', ticket: ticketId });
		},
		resolveDattoAlert: async () => {
			this.maybeFail('resolveDattoAlert');
			this.calls.push({ type: 'resolveDattoAlert' });
			return true;
		},
	};

	private maybeFail(type: HaloCall['type']): void {
		if (this.failNext !== type) return;
		this.failNext = null;
		throw Object.assign(new Error(`fake Halo: ${type} failed (HTTP 503)`), { httpCode: '503' });
	}

	private ticket(ref: unknown): FakeTicket {
		const t = this.tickets.get(ref as number);
		if (!t) throw new Error(`fake Halo: no ticket ${String(ref)}`);
		return t;
	}

	trigger(alert: AlertSnapshot): Promise<PolicyResult> {
		return this.send({ type: 'alert', alert: { ...alert, event: 'triggered' }, clientId: this.clientId });
	}

	resolve(alert: AlertSnapshot): Promise<PolicyResult> {
		return this.send({ type: 'alert', alert: { ...alert, event: 'resolved' }, clientId: this.clientId });
	}

	haloEvent(ticket: Partial<HaloTicketEventInput> & { ticketId: number }): Promise<PolicyResult> {
		return this.send({
			type: 'haloTicket',
			ticket: { event: 'updated', closed: false, agentId: 7, assignedAgentId: null, markerFound: false, changedAt: new Date(this.now).toISOString(), ...ticket },
		});
	}

	/** The scheduled check: lists pending grace closes and held alerts, processes what is due. */
	async tick(): Promise<PolicyResult[]> {
		const L = policyLayout(this.config.dryRun);
		const [graces, suppressed, deferred] = await Promise.all([
			this.store.list(L.graceCloses, { status: 'open' }),
			this.store.list(L.alerts, { status: 'suppressed' }),
			this.store.list(L.alerts, { status: 'deferred' }),
		]);
		const items = dueWork(
			{
				graceCloses: graces.map((r) => r.value as unknown as GraceCloseValue),
				heldAlerts: [...suppressed, ...deferred].map((r) => r.value as unknown as AlertValue),
			},
			new Date(this.now),
		);
		const out: PolicyResult[] = [];
		for (const due of items) out.push(await this.send({ type: 'tick', due }));
		return out;
	}

	async putWindow(window: object, status = 'open'): Promise<void> {
		await this.store.set('windows', (window as { id: string }).id, { value: window as never, status });
	}

	async putCalendar(calendar: { clientId: string } & object): Promise<void> {
		await this.store.set('businessHours', calendar.clientId, { value: calendar as never });
	}

	count(type: HaloCall['type']): number {
		return this.calls.filter((c) => c.type === type).length;
	}

	openTickets(): FakeTicket[] {
		return [...this.tickets.values()].filter((t) => t.state === 'open');
	}

	decisions(): string[] {
		return this.results.map((r) => r.decision);
	}
}
