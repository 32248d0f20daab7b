/**
 * Ticket references: a result that creates a ticket refers to it as `{ $ref: 'ticket' }` (or `'parent'` for a storm
 * parent) in later actions and store values, because its id is only known once Halo has answered. bindActions()
 * replaces every reference with the id (pure).
 */
import type { PolicyAction, TicketRefName, TicketRefObject } from './types';

export class PolicyBindError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'PolicyBindError';
	}
}

/** The ids of the tickets a result's createTicket / createParent actions created. */
export type CreatedTickets = Partial<Record<TicketRefName, number>>;

export function isTicketRef(value: unknown): value is TicketRefObject {
	return (
		value !== null &&
		typeof value === 'object' &&
		!Array.isArray(value) &&
		Object.keys(value).length === 1 &&
		((value as TicketRefObject).$ref === 'ticket' || (value as TicketRefObject).$ref === 'parent')
	);
}

/** The reference names used anywhere in `value` (e.g. to know which ids a result needs). */
export function ticketRefsIn(value: unknown, found = new Set<TicketRefName>()): Set<TicketRefName> {
	if (isTicketRef(value)) found.add(value.$ref);
	else if (Array.isArray(value)) value.forEach((v) => ticketRefsIn(v, found));
	else if (value !== null && typeof value === 'object') Object.values(value).forEach((v) => ticketRefsIn(v, found));
	return found;
}

function bindValue(value: unknown, created: CreatedTickets): unknown {
	if (isTicketRef(value)) {
		const id = created[value.$ref];
		if (id === undefined || !Number.isFinite(id)) throw new PolicyBindError(`No id for the ${value.$ref} this result creates`);
		return id;
	}
	if (Array.isArray(value)) return value.map((v) => bindValue(v, created));
	if (value !== null && typeof value === 'object') {
		return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, bindValue(v, created)]));
	}
	return value;
}

/**
 * The actions with every `{ $ref }` replaced by the created ticket's id (store keys become its decimal text).
 * Throws PolicyBindError when an id is missing. Actions without references are returned unchanged (as copies).
 */
export function bindActions<T extends PolicyAction>(actions: readonly T[], created: CreatedTickets): T[] {
	return actions.map((action) => {
		const bound = bindValue(action, created) as T;
		if (bound.type === 'store' && typeof bound.key === 'number') return { ...bound, key: String(bound.key) };
		return bound;
	});
}
