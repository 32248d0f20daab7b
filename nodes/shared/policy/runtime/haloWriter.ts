/**
 * The PolicyWriter over the package's own clients: one cached HaloClient per credential (token cache, shared
 * request budget, 429 backoff) and, optionally, one DattoClient for resolving Datto alerts. Tickets for alerts are
 * built exactly like the HaloPSA node's "Create From Datto Alert" (buildAlertTicket, escaped details, external
 * reference, marker) with its duplicate-safe recovery search; notes are escaped and carry the integration marker;
 * close and reopen go with their note in one POST /Actions.
 */
import { buildAlertTicket, toSummary, type AlertInput, type ExternalRefTarget } from '../../domain/haloAlertTicket';
import { haloMarkerHtml } from '../../domain/haloMarker';
import { textToHtml } from '../../domain/html';
import { mapPriority, type PriorityMap } from '../../domain/priority';
import type { DattoClient } from '../../transport/datto';
import type { HaloAction, HaloClient, HaloTicketFields } from '../../transport/halo';
import {
	autoClosedStatus,
	autoNoteOutcome,
	autoReopenStatus,
	createTicketForTarget,
	findAlertTicket,
	newestFirst,
	resolveHaloTarget,
	targetSummary,
	targetTicketFields,
	type HaloTarget,
} from '../../halo';
import { noteHtml, optionalId } from '../../domain/values';
import type { CreateParentAction, CreateTicketAction, PolicyWriter } from './steps';

export class PolicyWriteError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'PolicyWriteError';
	}
}

export interface HaloWriterSettings {
	summaryTemplate: string;
	priorityMap: PriorityMap;
	/** Halo priority id for Datto priorities not in the map; 0 leaves it to Halo. */
	defaultPriorityId: number;
	ticketTypeId?: number;
	teamId?: number;
	agentId?: number;
	statusId?: number;
	externalRef: ExternalRefTarget;
	/** Ticket field linking a storm child to its parent (`parent_id`); empty: no link is written. */
	parentField: string;
	/** Any other Halo ticket fields for created tickets (parents too). */
	extraFields: Record<string, unknown>;
	/** `{ outcome }` by name or `{ outcome_id }` (Halo rejects actions without one); empty: the tenant's note outcome. */
	outcome: { outcome?: string; outcome_id?: number };
	/** Closed / reopen status ids; undefined = chosen by name (one cached GET /Status per 10 minutes). */
	closedStatusId?: number;
	reopenStatusId?: number;
	hiddenFromUser: boolean;
	/** Client for tickets whose alert has none (no site → client mapping): the catch-all. */
	fallbackClientId?: number;
	/**
	 * Automatic mapping (shared/halo/mapping.ts) for alerts without a table client: Halo datto_id on sites and
	 * clients, then a unique client name, then the catch-all; plus the device's asset. Default true.
	 */
	automaticMapping?: boolean;
	/** Link the device's Halo asset (default true, with automatic mapping). */
	linkAsset?: boolean;
	/** Set the end user from the device's last logged-in user (default false). */
	setEndUser?: boolean;
	/** Lifetime of the cached index and asset lists (default 60 min). */
	mappingTtlMs?: number;
}

export class HaloPolicyWriter implements PolicyWriter {
	/** Where the tickets of this run's alerts went (alertUid → targetSummary), for the decision output. */
	private readonly mappings = new Map<string, Record<string, unknown>>();

	constructor(
		private readonly halo: HaloClient,
		private readonly settings: HaloWriterSettings,
		private readonly datto: DattoClient | null = null,
	) {}

	/** The client/site/asset a ticket of this alert was created for, with the rule that matched. */
	mappingFor(alertUid: string | null): Record<string, unknown> | null {
		return alertUid === null ? null : (this.mappings.get(alertUid) ?? null);
	}

	/** Table client (the decide input) → else the automatic mapping → else the catch-all; throws when none. */
	private async targetOf(
		clientId: string | null,
		site: { uid: string | null; name: string | null },
		device: { uid?: string | null; hostname?: string | null; lastLoggedInUser?: string | null } | null,
		what: string,
	): Promise<HaloTarget> {
		const s = this.settings;
		const table = optionalId(clientId);
		let target: HaloTarget;
		if (s.automaticMapping === false) {
			const id = table ?? s.fallbackClientId ?? null;
			target = {
				client: {
					matchedBy: table !== undefined ? 'table' : id !== null ? 'catchAll' : 'none',
					clientId: id,
					clientName: null,
					siteId: null,
					siteName: null,
					reason: table !== undefined ? 'client from the Mapping Store' : 'Fallback Client (automatic mapping off)',
					notes: [],
				},
				asset: null,
				user: null,
			};
		} else {
			target = await resolveHaloTarget(
				this.halo,
				{
					site,
					device,
					table: table === undefined ? null : { clientId: table, by: 'Mapping Store' },
					catchAllClientId: s.fallbackClientId ?? null,
					asset: device !== null && s.linkAsset !== false,
					endUser: device !== null && s.setEndUser === true,
				},
				{ ttlMs: s.mappingTtlMs },
			);
		}
		if (target.client.clientId === null) {
			throw new PolicyWriteError(`No Halo client for ${what}: ${target.client.reason}. Set a Fallback Client (catch-all) or map the site`);
		}
		return target;
	}

	private async outcome(): Promise<{ outcome?: string; outcome_id?: number }> {
		const o = this.settings.outcome;
		if (o.outcome || o.outcome_id) return o;
		return { outcome_id: (await autoNoteOutcome(this.halo)).id };
	}

	private commonFields(): Record<string, unknown> {
		const s = this.settings;
		const fields: Record<string, unknown> = {};
		if (s.ticketTypeId) fields.tickettype_id = s.ticketTypeId;
		if (s.teamId) fields.team_id = s.teamId;
		if (s.agentId) fields.agent_id = s.agentId;
		if (s.statusId) fields.status_id = s.statusId;
		return fields;
	}

	async createTicket(action: CreateTicketAction, parentId: number | null, options: { searchFirst?: boolean } = {}): Promise<number> {
		const s = this.settings;
		const device = action.alert.device as { uid: string | null; hostname: string | null; lastLoggedInUser?: string | null };
		const target = await this.targetOf(action.clientId, action.alert.site, device, `alert ${action.alert.alertUid}`);
		const clientId = target.client.clientId as number;
		const targetFields = targetTicketFields(target);
		const alert = { ...action.alert, priority: action.priority } as AlertInput;
		const extra = { ...s.extraFields, ...(parentId !== null && s.parentField ? { [s.parentField]: parentId } : {}) };
		const built = buildAlertTicket(alert, {
			summaryTemplate: s.summaryTemplate,
			clientId,
			siteId: targetFields.site_id as number | undefined,
			userId: targetFields.user_id as number | undefined,
			priorityMap: s.priorityMap,
			defaultPriorityId: s.defaultPriorityId,
			ticketTypeId: s.ticketTypeId,
			teamId: s.teamId,
			agentId: s.agentId,
			statusId: s.statusId,
			externalRef: s.externalRef,
			extraFields: extra,
			marker: this.halo.marker,
		});
		if (targetFields.assets) built.fields.assets = targetFields.assets;
		const recover = async () => await findAlertTicket(this.halo, alert.alertUid, built.summary, clientId, s.externalRef);
		if (options.searchFirst) {
			// An earlier attempt for this alert failed after it meant to create (docs/security.md#idempotent-ticket-creation).
			const existing = await recover();
			if (existing) {
				this.mappings.set(alert.alertUid, targetSummary(target));
				return existing.id;
			}
		}
		const ticket = await createTicketForTarget(this.halo, built.fields, target, { recover });
		this.mappings.set(alert.alertUid, targetSummary(target));
		return ticket.id;
	}

	async createParent(action: CreateParentAction): Promise<number> {
		const s = this.settings;
		const target = await this.targetOf(action.clientId, { uid: action.siteUid, name: action.siteName }, null, `the storm at site ${action.siteName ?? action.siteUid}`);
		const clientId = target.client.clientId as number;
		const priorityId = mapPriority(action.priority, s.priorityMap, s.defaultPriorityId);
		const fields: HaloTicketFields = {
			...this.commonFields(),
			...s.extraFields,
			summary: toSummary(action.summary),
			details_html: `<p>${textToHtml(action.text)}</p>${haloMarkerHtml('Created by n8n for a Datto RMM alert storm', this.halo.marker)}`,
			client_id: clientId,
			...(target.client.siteId !== null ? { site_id: target.client.siteId } : {}),
			...(priorityId > 0 ? { priority_id: priorityId } : {}),
		};
		const ticket = await this.halo.createTicket(fields);
		return ticket.id;
	}

	private async statusId(status: 'close' | 'reopen'): Promise<number> {
		if (status === 'close') return this.settings.closedStatusId ?? (await autoClosedStatus(this.halo)).id;
		return this.settings.reopenStatusId ?? (await autoReopenStatus(this.halo)).id;
	}

	async addAction(ticketId: number, note: string | null, status: 'close' | 'reopen' | null): Promise<void> {
		const newStatus = status ? await this.statusId(status) : undefined;
		const text =
			note ?? (status === 'close' ? 'Closed by the Datto RMM integration.' : status === 'reopen' ? 'Reopened by the Datto RMM integration.' : '');
		await this.halo.addAction(
			{
				ticket_id: ticketId,
				note_html: noteHtml(text, { marker: this.halo.marker }),
				...(await this.outcome()),
				hiddenfromuser: this.settings.hiddenFromUser,
				sendemail: false,
				...(newStatus !== undefined ? { new_status: newStatus } : {}),
			},
			newStatus === undefined
				? {}
				: {
						// After an ambiguous failure: if the ticket already has the status, the action happened.
						recover: async (): Promise<HaloAction | undefined> => {
							const ticket = await this.halo.getTicket(ticketId);
							if (Number(ticket.status_id) !== newStatus) return undefined;
							return newestFirst(await this.halo.listActions(ticketId)).find((a) => Number(a.new_status) === newStatus);
						},
					},
		);
	}

	async attachToParent(ticketId: number, parentId: number): Promise<void> {
		if (!this.settings.parentField) return;
		await this.halo.updateTicket(ticketId, { [this.settings.parentField]: parentId });
	}

	async resolveDattoAlert(alertUid: string): Promise<boolean> {
		if (!this.datto) return false;
		await this.datto.resolveAlert(alertUid);
		return true;
	}
}
