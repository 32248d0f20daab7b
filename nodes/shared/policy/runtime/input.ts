/**
 * Input items → policy events. Accepts the Datto RMM Trigger's normalised alert (or a stored alert snapshot) and
 * the HaloPSA Trigger's ticket event, told apart by their fields. Lenient like the HaloPSA node's "from alert"
 * mode: a missing dedupeKey is computed, priorities are normalised, a missing time is "now".
 */
import { conditionOf, dedupeKeyOf } from '../../domain/dattoAlert';
import { normaliseDattoPriority } from '../../domain/priority';
import { HALO_TICKET_EVENT_TYPES } from '../../domain/haloTicketEvent';
import type { AlertSnapshot, HaloTicketEventInput, PolicyEvent } from '../index';

export class PolicyInputError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'PolicyInputError';
	}
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : typeof v === 'number' ? String(v) : null);
const int = (v: unknown): number | null => {
	const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
	return typeof n === 'number' && Number.isInteger(n) ? n : null;
};

export type InputKind = 'alert' | 'haloTicket';

/** What an input item is: a Datto alert, a Halo ticket event, or neither (null). */
export function inputKindOf(value: unknown): InputKind | null {
	if (!isObj(value)) return null;
	if (text(value.alertUid) !== null) return 'alert';
	if (int(value.ticketId) !== null && typeof value.event === 'string' && (HALO_TICKET_EVENT_TYPES as readonly string[]).includes(value.event)) {
		return 'haloTicket';
	}
	return null;
}

/** A Datto alert (normalised shape) as the engine's snapshot; throws PolicyInputError when it is not one. */
export function alertFromInput(value: unknown, now: Date): AlertSnapshot & { raw?: unknown } {
	if (!isObj(value)) throw new PolicyInputError('Expected a Datto RMM alert object (the Datto RMM Trigger output)');
	const alertUid = text(value.alertUid);
	if (!alertUid) throw new PolicyInputError('Not a Datto RMM alert: alertUid is missing');
	const event = value.event;
	if (event !== 'triggered' && event !== 'resolved') {
		throw new PolicyInputError(`Not a Datto RMM alert: event must be "triggered" or "resolved", got ${JSON.stringify(event ?? null)}`);
	}
	const device = isObj(value.device) ? value.device : {};
	const site = isObj(value.site) ? value.site : {};
	const message = typeof value.message === 'string' ? value.message : '';
	const dev = { uid: text(device.uid), hostname: text(device.hostname) };
	const condition = text(value.condition) ?? conditionOf(undefined, null, message);
	const occurred = text(value.occurredAt);
	return {
		event,
		alertUid,
		priority: normaliseDattoPriority(value.priority),
		message,
		device: dev,
		site: { uid: text(site.uid), name: text(site.name) },
		condition,
		occurredAt: occurred && Number.isFinite(Date.parse(occurred)) ? occurred : now.toISOString(),
		platform: text(value.platform),
		dedupeKey: text(value.dedupeKey) ?? dedupeKeyOf(dev, condition),
		link: text(value.link),
	};
}

/** A HaloPSA Trigger item as the engine's Halo ticket event. */
export function haloEventFromInput(value: unknown, now: Date): HaloTicketEventInput {
	if (!isObj(value)) throw new PolicyInputError('Expected a HaloPSA ticket event (the HaloPSA Trigger output)');
	const ticketId = int(value.ticketId);
	const event = value.event as HaloTicketEventInput['event'];
	if (ticketId === null || !(HALO_TICKET_EVENT_TYPES as readonly string[]).includes(String(event))) {
		throw new PolicyInputError('Not a HaloPSA ticket event: ticketId and event (new, statusChanged, closed, updated) are required');
	}
	const changedAt = text(value.changedAt);
	return {
		event,
		ticketId,
		closed: value.closed === true,
		agentId: int(value.agentId),
		assignedAgentId: int(value.assignedAgentId),
		markerFound: value.markerFound === true,
		changedAt: changedAt && Number.isFinite(Date.parse(changedAt)) ? changedAt : now.toISOString(),
		statusName: text(value.statusName),
		agentName: text(value.agentName),
	};
}

/** The policy event of an input item. `clientId` is the Halo client of the alert's site (for windows, calendars, tickets). */
export function eventFromInput(value: unknown, now: Date, clientId: string | null): PolicyEvent {
	const kind = inputKindOf(value);
	if (kind === 'haloTicket') return { type: 'haloTicket', ticket: haloEventFromInput(value, now) };
	if (kind === 'alert') {
		const alert = alertFromInput(value, now);
		// The Datto RMM Trigger's "Confirm Resolved Alerts With the API": Datto still reports the alert open.
		const v = value as Obj;
		if (alert.event === 'resolved' && v.resolveConfirmed === false) {
			return { type: 'alert', alert, clientId, resolveNotConfirmed: text(v.resolveNotConfirmed) ?? 'Datto RMM did not confirm the resolution' };
		}
		return { type: 'alert', alert, clientId };
	}
	throw new PolicyInputError(
		'The item is neither a Datto RMM alert (alertUid, event "triggered"/"resolved") nor a HaloPSA ticket event (ticketId, event)',
	);
}
