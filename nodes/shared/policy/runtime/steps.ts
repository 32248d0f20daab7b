/**
 * The external actions of a policy result as Halo/Datto calls ("steps"), and their execution through a
 * PolicyWriter. Pure planning plus a loop; no n8n, no store. Merges that keep the API economy:
 * - a note followed by a close of the same ticket is ONE Halo action (note + closed status);
 * - a reopen followed by a note on the same ticket is ONE Halo action (note + reopen status).
 */
import { bindActions, type CreatedTickets, type ExternalAction, type TicketRef } from '../index';

type Of<T extends ExternalAction['type']> = Extract<ExternalAction, { type: T }>;

export type CreateTicketAction = Of<'createTicket'>;
export type CreateParentAction = Of<'createParent'>;

/** What a step asks Halo (or Datto) to do. Implemented by the Halo writer (haloWriter.ts) or a test double. */
export interface PolicyWriter {
	/**
	 * POST /Tickets for an alert; `parentId` links a storm child. Returns the ticket id. With `searchFirst` (an
	 * earlier attempt for this alert failed somewhere after it meant to create), the alert's ticket is searched for
	 * first and, when found, its id is returned without creating another.
	 */
	createTicket(action: CreateTicketAction, parentId: number | null, options?: { searchFirst?: boolean }): Promise<number>;
	/** POST /Tickets for a storm parent. Returns the ticket id. */
	createParent(action: CreateParentAction): Promise<number>;
	/** Where the ticket of this alert was created (client/site/asset and the rules that matched), if the writer knows. */
	mappingFor?(alertUid: string | null): Record<string, unknown> | null;
	/** One Halo action on a ticket: a note, optionally moving the ticket to the closed or reopen status. */
	addAction(ticketId: number, note: string | null, status: 'close' | 'reopen' | null): Promise<void>;
	/** Links an existing ticket to a storm parent. */
	attachToParent(ticketId: number, parentId: number): Promise<void>;
	/** Resolves a Datto alert; false when this writer leaves it to the workflow (no Datto credential). */
	resolveDattoAlert(alertUid: string): Promise<boolean>;
}

export type Step =
	| { kind: 'createTicket'; action: CreateTicketAction; covers: ExternalAction[] }
	| { kind: 'createParent'; action: CreateParentAction; covers: ExternalAction[] }
	| { kind: 'haloAction'; ticket: TicketRef; note: string | null; status: 'close' | 'reopen' | null; covers: ExternalAction[] }
	| { kind: 'attach'; ticket: TicketRef; parent: TicketRef; covers: ExternalAction[] }
	| { kind: 'resolveDatto'; alertUid: string; covers: ExternalAction[] };

const sameTicket = (a: TicketRef, b: TicketRef): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Groups external actions into calls, in order (see the merges above). */
export function planSteps(actions: readonly ExternalAction[]): Step[] {
	const steps: Step[] = [];
	for (let i = 0; i < actions.length; i++) {
		const a = actions[i];
		const next = actions[i + 1];
		switch (a.type) {
			case 'createTicket':
				steps.push({ kind: 'createTicket', action: a, covers: [a] });
				break;
			case 'createParent':
				steps.push({ kind: 'createParent', action: a, covers: [a] });
				break;
			case 'addNote':
				if (next?.type === 'closeTicket' && sameTicket(next.ticket, a.ticket)) {
					steps.push({ kind: 'haloAction', ticket: a.ticket, note: a.text, status: 'close', covers: [a, next] });
					i++;
				} else {
					steps.push({ kind: 'haloAction', ticket: a.ticket, note: a.text, status: null, covers: [a] });
				}
				break;
			case 'closeTicket':
				steps.push({ kind: 'haloAction', ticket: a.ticket, note: null, status: 'close', covers: [a] });
				break;
			case 'reopenTicket':
				if (next?.type === 'addNote' && sameTicket(next.ticket, a.ticket)) {
					steps.push({ kind: 'haloAction', ticket: a.ticket, note: next.text, status: 'reopen', covers: [a, next] });
					i++;
				} else {
					steps.push({ kind: 'haloAction', ticket: a.ticket, note: null, status: 'reopen', covers: [a] });
				}
				break;
			case 'attachToParent':
				steps.push({ kind: 'attach', ticket: a.ticket, parent: a.parent, covers: [a] });
				break;
			case 'resolveDattoAlert':
				steps.push({ kind: 'resolveDatto', alertUid: a.alertUid, covers: [a] });
				break;
		}
	}
	return steps;
}

export interface StepsOutcome {
	/** Ids of the tickets created so far (also when a later step failed). */
	created: CreatedTickets;
	/** Steps that completed. */
	done: number;
	/** Halo/Datto calls made (a merged note + status change is one). */
	calls: number;
	/** Datto alerts to resolve that the writer left to the workflow. */
	dattoAlertUids: string[];
	/** The first failure, with the actions not executed (the failing step's included). */
	failure: { error: unknown; remaining: ExternalAction[] } | null;
}

function idOf(ref: TicketRef, created: CreatedTickets): number {
	const [bound] = bindActions([{ type: 'reopenTicket', ticket: ref }], created) as Array<Of<'reopenTicket'>>;
	return bound.ticket as number;
}

/** Executes the steps in order, binding `{ $ref }` tickets to the ids created by earlier steps; stops at the first failure. */
export async function executeSteps(
	steps: readonly Step[],
	writer: PolicyWriter,
	initial: CreatedTickets = {},
	options: { searchFirst?: ReadonlySet<string> } = {},
): Promise<StepsOutcome> {
	const out: StepsOutcome = { created: { ...initial }, done: 0, calls: 0, dattoAlertUids: [], failure: null };
	for (const step of steps) {
		try {
			switch (step.kind) {
				case 'createTicket': {
					const parent = step.action.parent === null ? null : idOf(step.action.parent, out.created);
					const searchFirst = options.searchFirst?.has(step.action.alert.alertUid) ?? false;
					out.created.ticket = await writer.createTicket(step.action, parent, searchFirst ? { searchFirst } : undefined);
					out.calls++;
					break;
				}
				case 'createParent':
					out.created.parent = await writer.createParent(step.action);
					out.calls++;
					break;
				case 'haloAction':
					await writer.addAction(idOf(step.ticket, out.created), step.note, step.status);
					out.calls++;
					break;
				case 'attach':
					await writer.attachToParent(idOf(step.ticket, out.created), idOf(step.parent, out.created));
					out.calls++;
					break;
				case 'resolveDatto':
					if (await writer.resolveDattoAlert(step.alertUid)) out.calls++;
					else out.dattoAlertUids.push(step.alertUid);
					break;
			}
			out.done++;
		} catch (error) {
			const remaining = steps.slice(out.done).flatMap((s) => s.covers);
			out.failure = { error, remaining };
			return out;
		}
	}
	return out;
}
