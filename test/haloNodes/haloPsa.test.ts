/** HaloPSA node through n8n's WorkflowExecute against the in-process Halo simulator. */
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { ILoadOptionsFunctions, INode } from 'n8n-workflow';

import * as loadOptions from '../../nodes/shared/n8n/haloLoadOptions';
import type { HaloSimulator } from '../../simulators/halo';
import { datto, haloCredentials, runHalo, startSim, warmClient } from './helpers';

/** This installation's marker (derived from the credential), not the legacy "[n8n-halo-datto]". */
const INSTALLATION_MARKER = expect.stringMatching(/\[n8n-halo-datto:[a-z2-7]{16}\]/);

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const json = (result: { items: Array<{ json: unknown }> }, i = 0) => result.items[i].json as Json;

describe('HaloPSA node', () => {
	let sim: HaloSimulator;

	beforeAll(async () => {
		sim = await startSim();
	});
	afterAll(async () => await sim.close());
	beforeEach(() => {
		sim.reset('default');
		warmClient(sim);
	});

	describe('Ticket', () => {
		it('create: client, type, priority, status, team, custom field; details text escaped; ISO dates', async () => {
			const result = await runHalo(sim, {
				resource: 'ticket',
				operation: 'create',
				summary: 'Printer on fire',
				clientId: 12,
				additionalFields: {
					details: 'Flames <visible>\nsecond line',
					tickettype_id: 21,
					priority_id: 2,
					status_id: 2,
					team_id: 2,
					site_id: 35,
					third_party_id_string: 'ext-1',
					additionalJson: '{"category_1": "Hardware"}',
				},
				customFieldsUi: { field: [{ name: 'CFAssetTag', value: 'A-77' }] },
			});
			expect(result.error).toBeUndefined();
			const out = json(result);
			const stored = sim.ticket(out.id)!;
			expect(stored).toMatchObject({
				summary: 'Printer on fire',
				client_id: 12,
				site_id: 35,
				tickettype_id: 21,
				priority_id: 2,
				status_id: 2,
				team_id: 2,
				third_party_id_string: 'ext-1',
				category_1: 'Hardware',
				details_html: '<p>Flames &lt;visible&gt;<br>second line</p>',
			});
			expect((stored.customfields as Json[])[0]).toMatchObject({ name: 'CFAssetTag', value: 'A-77' });
			expect(out.datecreated).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
			expect(out.dateclosed).toBeNull();
			expect(result.items[0].pairedItem).toEqual({ item: 0 });
		});

		it('update, get (with actions), and a NodeApiError with status and Halo message for an unknown ticket', async () => {
			const t = sim.createTicketDirect({ summary: 'Old', client_id: 12 });
			const updated = await runHalo(sim, {
				resource: 'ticket',
				operation: 'update',
				ticketId: String(t.id),
				updateFields: { summary: 'New summary', agent_id: 6 },
			});
			expect(json(updated)).toMatchObject({ id: t.id, summary: 'New summary', agent_id: 6 });
			await runHalo(sim, { resource: 'ticket', operation: 'addAction', ticketId: t.id as number, note: 'first' });

			const got = await runHalo(sim, { resource: 'ticket', operation: 'get', ticketId: t.id as number, options: { includeActions: true } });
			expect(json(got)).toMatchObject({ id: t.id, summary: 'New summary' });
			expect(json(got).actions).toHaveLength(1);
			expect(json(got).actions[0].datetime).toMatch(/Z$/);

			const missing = await runHalo(sim, { resource: 'ticket', operation: 'get', ticketId: '999999' });
			expect(missing.status).toBe('error');
			expect(missing.error).toMatchObject({ name: 'NodeApiError', httpCode: '404', itemIndex: 0 });
			expect(missing.error!.thrown).toBeInstanceOf(NodeApiError);
			expect(missing.error!.message).toContain('Ticket 999999 not found');

			const nothing = await runHalo(sim, { resource: 'ticket', operation: 'update', ticketId: t.id as number });
			expect(nothing.error).toMatchObject({ name: 'NodeOperationError', message: 'Nothing to update: add at least one field' });
			const badId = await runHalo(sim, { resource: 'ticket', operation: 'get', ticketId: '95.5' });
			expect(badId.error!.thrown).toBeInstanceOf(NodeOperationError);
			expect(badId.error!.message).toMatch(/Ticket ID must be a positive whole number/);
		});

		it('getMany: returns all over more than 3 pages, or up to the limit; filters are re-checked', async () => {
			for (let i = 0; i < 350; i++) sim.createTicketDirect({ summary: `Bulk ${i}`, client_id: i % 2 ? 12 : 13 });
			sim.log.clear();
			const all = await runHalo(sim, { resource: 'ticket', operation: 'getMany', returnAll: true });
			expect(all.items).toHaveLength(350);
			expect(new Set(all.items.map((i) => (i.json as Json).id)).size).toBe(350);
			expect(sim.counts().byRoute['GET /api/tickets']).toBe(4);
			for (const item of all.items) expect(item.pairedItem).toEqual({ item: 0 });

			const limited = await runHalo(sim, { resource: 'ticket', operation: 'getMany', returnAll: false, limit: 120 });
			expect(limited.items).toHaveLength(120);

			const contoso = await runHalo(sim, { resource: 'ticket', operation: 'getMany', returnAll: true, filters: { clientId: 12, state: 'open' } });
			expect(contoso.items).toHaveLength(175);
			expect(contoso.items.every((i) => (i.json as Json).client_id === 12)).toBe(true);

			const search = await runHalo(sim, { resource: 'ticket', operation: 'getMany', returnAll: true, filters: { search: 'Bulk 349' } });
			expect(search.items.map((i) => (i.json as Json).summary)).toEqual(['Bulk 349']);
		});

		// The reconciliation's branch D (issue 18): which tickets of the open links are closed, in one request.
		it('getMany with Ticket IDs: one request for all of them, closed only; ids re-checked; an empty list asks nothing', async () => {
			const tickets = Array.from({ length: 6 }, (_, i) => sim.createTicketDirect({ summary: `Linked ${i}`, client_id: 12 }));
			sim.closeAsTechnician(tickets[1].id as number);
			sim.closeAsTechnician(tickets[4].id as number);
			sim.closeAsTechnician(tickets[5].id as number); // closed, but not asked for
			sim.log.clear();
			const asked = tickets.slice(0, 5).map((t) => t.id).join(',');
			const closed = await runHalo(sim, { resource: 'ticket', operation: 'getMany', returnAll: true, filters: { state: 'closed', ticketIds: asked } });
			expect(closed.items.map((i) => (i.json as Json).id).sort()).toEqual([tickets[1].id, tickets[4].id].sort());
			const requests = sim.log.entries().filter((e) => e.route === 'GET /api/tickets');
			expect(requests).toHaveLength(1);
			expect(requests[0].query).toMatchObject({ ticketids: asked, closed_only: 'true' });

			// A tenant that ignores `ticketids` answers with every (closed) ticket: only the asked-for ids come out.
			sim.guard((req) => {
				delete req.query.ticketids;
				return undefined;
			});
			const one = await runHalo(sim, {
				resource: 'ticket',
				operation: 'getMany',
				returnAll: true,
				filters: { state: 'closed', ticketIds: String(tickets[1].id) },
			});
			expect(one.items.map((i) => (i.json as Json).id)).toEqual([tickets[1].id]);

			// Set but naming no ticket (the expression over no open link): nothing, and no request for "every ticket".
			sim.log.clear();
			const none = await runHalo(sim, { resource: 'ticket', operation: 'getMany', returnAll: true, filters: { state: 'closed', ticketIds: '' } });
			expect(none.items).toEqual([]);
			expect(sim.log.count('GET /api/tickets')).toBe(0);
		});

		it('addAction: outcome by name, private by default, no e-mail, marker; a new status in the same call', async () => {
			const t = sim.createTicketDirect({ summary: 'Note me', client_id: 12 });
			sim.log.clear();
			const result = await runHalo(sim, {
				resource: 'ticket',
				operation: 'addAction',
				ticketId: t.id as number,
				note: 'Checked <disk>',
				outcomeSource: 'name',
				outcomeName: 'Private Note',
				options: { newStatusId: 2 },
			});
			expect(json(result)).toMatchObject({ ticketId: t.id, action: { outcome: 'Private Note', hiddenfromuser: true, sendemail: false, new_status: 2 } });
			const [action] = sim.allActions(t.id as number);
			expect(action.note_html).toContain('<p>Checked &lt;disk&gt;</p>');
			expect(action.note_html).toEqual(INSTALLATION_MARKER);
			expect(sim.ticket(t.id as number)!.status_id).toBe(2);
			expect(sim.counts().apiRequests).toBe(1);
		});

		it("the outcome-required rule: an empty outcome reaches Halo and its message comes back as NodeApiError 400", async () => {
			const t = sim.createTicketDirect({ summary: 'No outcome', client_id: 12 });
			const result = await runHalo(sim, { resource: 'ticket', operation: 'addAction', ticketId: t.id as number, note: 'x', outcomeSource: 'name', outcomeName: '' });
			expect(result.error).toMatchObject({ name: 'NodeApiError', httpCode: '400' });
			expect(result.error!.message).toContain('An Outcome must be entered for this Action');
			expect(sim.allActions(t.id as number)).toHaveLength(0);

			const byId = await runHalo(sim, {
				resource: 'ticket',
				operation: 'addAction',
				ticketId: t.id as number,
				note: 'with outcome id',
				outcomeSource: 'list',
				outcomeId: 1,
				hiddenFromUser: false,
			});
			expect(json(byId).action).toMatchObject({ outcome_id: 1, outcome: 'Note', hiddenfromuser: false });
		});

		it('close (default tenant): auto finds "Closed" (9) once per 10 min; one POST /Actions per close', async () => {
			const a = sim.createTicketDirect({ summary: 'A', client_id: 12 });
			const b = sim.createTicketDirect({ summary: 'B', client_id: 12 });
			sim.log.clear();
			const result = await runHalo(sim, { resource: 'ticket', operation: 'close', ticketId: '={{ $json.id }}' }, [
				{ json: { id: a.id as number } },
				{ json: { id: b.id as number } },
			]);
			expect(result.items.map((i) => i.json)).toEqual([
				expect.objectContaining({ ticketId: a.id, closed: true, statusId: 9, statusName: 'Closed' }),
				expect.objectContaining({ ticketId: b.id, closed: true, statusId: 9, statusName: 'Closed' }),
			]);
			expect(result.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
			expect(sim.ticket(a.id as number)).toMatchObject({ status_id: 9, hasbeenclosed: true, closure_agent_id: 42 });
			// Status and outcome (Auto defaults) are read once and cached.
			expect(sim.counts().byRoute).toEqual({ 'POST /auth/token': 1, 'GET /api/status': 1, 'GET /api/outcome': 1, 'POST /api/actions': 2 });
			const [action] = sim.allActions(a.id as number);
			expect(action).toMatchObject({ new_status: 9, outcome: 'Private Note', hiddenfromuser: true, sendemail: false });
			expect(action.note_html).toContain('The Datto RMM alert was resolved. Closed by n8n.');
		});

		it('close and reopen on a tenant whose closed status is not 9 (acme: Resolved 23, reopen Open 11)', async () => {
			sim.reset('acme');
			warmClient(sim);
			const t = sim.createTicketDirect({ summary: 'Acme alert', client_id: 502 });
			const closed = await runHalo(sim, {
				resource: 'ticket',
				operation: 'close',
				ticketId: t.id as number,
				outcomeName: 'Internal Note',
				options: { returnTicket: true },
			});
			expect(json(closed)).toMatchObject({ statusId: 23, statusName: 'Resolved', ticket: { status_id: 23, hasbeenclosed: true } });
			expect(json(closed).ticket.dateclosed).toMatch(/Z$/);
			expect(sim.allActions(t.id as number)[0]).toMatchObject({ outcome_id: 101, new_status: 23 });

			const reopened = await runHalo(sim, { resource: 'ticket', operation: 'reopen', ticketId: t.id as number, outcomeName: 'Internal Note' });
			expect(json(reopened)).toMatchObject({ ticketId: t.id, reopened: true, statusId: 11, statusName: 'Open' });
			expect(sim.ticket(t.id as number)).toMatchObject({ status_id: 11, hasbeenclosed: false, dateclosed: '1900-01-01T00:00:00' });

			// An explicit status (id override by expression) and outcome from the list: no status lookup.
			sim.log.clear();
			const cancelled = await runHalo(sim, {
				resource: 'ticket',
				operation: 'close',
				ticketId: t.id as number,
				closedStatus: 'list',
				closedStatusId: '={{ 24 }}',
				outcomeSource: 'list',
				outcomeId: 103,
			});
			expect(json(cancelled)).toMatchObject({ statusId: 24, statusName: null });
			expect(sim.counts().byRoute).toEqual({ 'POST /api/actions': 1 });
			expect(sim.ticket(t.id as number)!.status_id).toBe(24);
		});

		it('createFromAlert: summary, escaped details, client from a field, priority map with default, external ref, output shape', async () => {
			const alert = datto({ message: 'Disk <script>alert(1)</script> 96%', priority: 'Critical' });
			const result = await runHalo(
				sim,
				{
					resource: 'ticket',
					operation: 'createFromAlert',
					alertField: 'alert',
					clientIdField: 'lookup.value.clientId',
					siteIdField: 'lookup.value.siteId',
					fallbackClientId: 1,
					ticketFields: { ticketTypeId: 21, teamId: 1 },
					customFieldsUi: { field: [{ name: 'CFDattoDevice', value: '{hostname} ({deviceUid})' }] },
				},
				[{ json: { alert, lookup: { value: { clientId: 12, siteId: 35 } } } }],
			);
			expect(result.error).toBeUndefined();
			const out = json(result);
			expect(Object.keys(out).sort()).toEqual(
				['alert', 'alertUid', 'asset', 'client', 'clientId', 'dedupeKey', 'existingTicket', 'priorityId', 'priorityMapped', 'siteId', 'summary', 'ticket', 'ticketId'].sort(),
			);
			expect(out).toMatchObject({
				alertUid: alert.alertUid,
				dedupeKey: alert.dedupeKey,
				clientId: 12,
				siteId: 35,
				priorityId: 1,
				priorityMapped: true,
				summary: 'Datto RMM: Disk <script>alert(1)</script> 96% on SRV01',
				alert: { alertUid: alert.alertUid, message: alert.message },
			});
			const stored = sim.ticket(out.ticketId)!;
			expect(stored).toMatchObject({ client_id: 12, site_id: 35, priority_id: 1, tickettype_id: 21, team_id: 1, third_party_id_string: alert.alertUid });
			expect(stored.details_html).not.toContain('<script>');
			expect(stored.details_html).toContain('Disk &lt;script&gt;alert(1)&lt;/script&gt; 96%');
			expect(stored.details_html).toContain(alert.alertUid as string);
			expect(stored.details_html).toContain('href="https://merlot.rmm.datto.com/alert/');
			expect(stored.details_html).toEqual(INSTALLATION_MARKER);
			expect(stored.customfields).toEqual([expect.objectContaining({ name: 'CFDattoDevice', value: 'SRV01 (dev-uid-1)' })]);
			expect(out.ticket).toMatchObject({ id: out.ticketId, dateclosed: null });
		});

		it('createFromAlert: unmapped priority → default; no client in the item → fallback; alert at the item root; custom-field ref', async () => {
			const result = await runHalo(
				sim,
				{
					resource: 'ticket',
					operation: 'createFromAlert',
					clientMapping: 'field',
					clientIdField: 'haloClientId',
					fallbackClientId: 13,
					priorityMap: 'Critical=1, High=2',
					defaultPriorityId: 4,
					externalRef: 'customField',
					summaryTemplate: '[{priority}] {message} @ {siteName}',
				},
				[{ json: datto({ priority: 'Moderate' }) }, { json: datto({ alertUid: 'second', priority: 'Whatever' }) }],
			);
			expect(result.items.map((i) => (i.json as Json).priorityId)).toEqual([4, 4]);
			expect(result.items.map((i) => (i.json as Json).priorityMapped)).toEqual([false, false]);
			const first = sim.ticket(json(result).ticketId)!;
			expect(first).toMatchObject({ client_id: 13, priority_id: 4, summary: '[Moderate] Disk usage on C: is 96% @ Contoso Head Office' });
			expect(first.customfields).toEqual([expect.objectContaining({ name: 'CFDattoAlertUID', value: 'a7c1e3f0-1111-4a2b-9c3d-000000000001' })]);

			expect(json(result)).toMatchObject({ client: { id: 13, matchedBy: 'catchAll' }, asset: { matchedBy: 'none' } });
			const noClient = await runHalo(sim, { resource: 'ticket', operation: 'createFromAlert', clientIdField: 'x' }, [
				{ json: datto({ site: { uid: 'unknown-site', name: 'Nobody Anywhere' } }) },
			]);
			expect(noClient.error).toMatchObject({ name: 'NodeOperationError', message: expect.stringContaining('No Halo client for this alert') });
			const notAlert = await runHalo(sim, { resource: 'ticket', operation: 'createFromAlert', fallbackClientId: 12 }, [{ json: { hello: 1 } }]);
			expect(notAlert.error!.message).toMatch(/Not a Datto RMM alert: alertUid/);
		});

		it('createFromAlert never duplicates after an ambiguous 504: the recover search finds the ticket', async () => {
			sim.setGatewayTimeout({ count: 1, delayMs: 10, pathPattern: '/api/tickets', method: 'POST', applyWrite: true });
			const result = await runHalo(sim, { resource: 'ticket', operation: 'createFromAlert', fallbackClientId: 12 }, [{ json: datto() }]);
			expect(result.error).toBeUndefined();
			const tickets = sim.allTickets();
			expect(tickets).toHaveLength(1);
			expect(json(result).ticketId).toBe(tickets[0].id);
			expect(sim.counts().byRoute['POST /api/tickets']).toBe(1);

			// The write did not happen: recover finds nothing and the create is repeated once.
			sim.setGatewayTimeout({ count: 1, delayMs: 10, pathPattern: '/api/tickets', method: 'POST' });
			const second = await runHalo(sim, { resource: 'ticket', operation: 'createFromAlert', fallbackClientId: 12 }, [
				{ json: datto({ alertUid: 'other-alert' }) },
			]);
			expect(second.error).toBeUndefined();
			expect(sim.allTickets().filter((t) => t.third_party_id_string === 'other-alert')).toHaveLength(1);
		});

		it('createFromAlert with "Look for an Existing Ticket First" (a reclaimed claim) returns the ticket a dead run created', async () => {
			const params = { resource: 'ticket', operation: 'createFromAlert', fallbackClientId: 12, options: { findExisting: true } };
			const first = await runHalo(sim, params, [{ json: datto({ alertUid: 'reclaimed-alert' }) }]);
			expect(json(first)).toMatchObject({ existingTicket: false });
			const posts = sim.counts().byRoute['POST /api/tickets'];
			const again = await runHalo(sim, params, [{ json: datto({ alertUid: 'reclaimed-alert' }) }]);
			expect(json(again)).toMatchObject({ existingTicket: true, ticketId: json(first).ticketId, alertUid: 'reclaimed-alert' });
			expect(sim.counts().byRoute['POST /api/tickets']).toBe(posts);
			expect(sim.allTickets().filter((t) => t.third_party_id_string === 'reclaimed-alert')).toHaveLength(1);
			// The take-over may read the alert from the API, with another message (summary): found by the UID in the details.
			const otherText = await runHalo(sim, params, [{ json: datto({ alertUid: 'reclaimed-alert', message: 'Text from the API' }) }]);
			expect(json(otherText)).toMatchObject({ existingTicket: true, ticketId: json(first).ticketId });
			expect(sim.counts().byRoute['POST /api/tickets']).toBe(posts);
			// Off (the default): no search, a second ticket — which is why the workflows turn it on for reclaimed claims.
			const plain = await runHalo(sim, { ...params, options: {} }, [{ json: datto({ alertUid: 'reclaimed-alert' }) }]);
			expect(json(plain)).toMatchObject({ existingTicket: false });
			expect(sim.allTickets().filter((t) => t.third_party_id_string === 'reclaimed-alert')).toHaveLength(2);
		});

		it('API economy: create from alert + close with a note = exactly 2 Halo API calls and 1 token request', async () => {
			const fresh = await startSim();
			try {
				warmClient(fresh);
				// Steady state: the client/site index and the client's assets are already cached (loaded by an earlier alert).
				const warm = await runHalo(fresh, { resource: 'ticket', operation: 'createFromAlert', fallbackClientId: 12 }, [{ json: datto({ alertUid: 'warm-up' }) }]);
				await runHalo(
					fresh,
					{ resource: 'ticket', operation: 'close', ticketId: '={{ $json.ticketId }}', closedStatus: 'list', closedStatusId: 9 },
					warm.items.map((i) => ({ json: i.json })),
				);
				fresh.log.clear();
				const created = await runHalo(fresh, { resource: 'ticket', operation: 'createFromAlert', fallbackClientId: 12 }, [{ json: datto() }]);
				const closed = await runHalo(
					fresh,
					{ resource: 'ticket', operation: 'close', ticketId: '={{ $json.ticketId }}', closedStatus: 'list', closedStatusId: 9 },
					created.items.map((i) => ({ json: i.json })),
				);
				expect(json(closed)).toMatchObject({ closed: true, statusId: 9 });
				const counts = fresh.counts();
				expect(counts.apiRequests).toBe(2);
				expect(counts.tokenRequests).toBe(0);
				expect(counts.authInfoRequests).toBe(0);
				expect(counts.byRoute).toEqual({ 'POST /api/tickets': 1, 'POST /api/actions': 1 });
				expect(json(created)).toMatchObject({ client: { id: 12, siteId: 34, matchedBy: 'haloSiteDattoId' } });
				expect(fresh.ticket(json(created).ticketId)).toMatchObject({ status_id: 9, hasbeenclosed: true });
			} finally {
				await fresh.close();
			}
		});

		it('429: backs off and succeeds (fast test tuning injected through the client registry)', async () => {
			const t = sim.createTicketDirect({ summary: 'Busy', client_id: 12 });
			sim.faults.configure({ burst429: 3, pathPattern: '^/api/' });
			const started = Date.now();
			const result = await runHalo(sim, { resource: 'ticket', operation: 'get', ticketId: t.id as number });
			expect(result.error).toBeUndefined();
			expect(json(result).id).toBe(t.id);
			expect(sim.counts().rateLimited).toBe(3);
			expect(Date.now() - started).toBeLessThan(5_000);
		});

		it('continueOnFail: failing items become error items, every item keeps its pairedItem', async () => {
			const t = sim.createTicketDirect({ summary: 'Exists', client_id: 12 });
			const result = await runHalo(
				sim,
				{ resource: 'ticket', operation: 'get', ticketId: '={{ $json.id }}' },
				[{ json: { id: t.id as number } }, { json: { id: 424242 } }, { json: { id: 'abc' } }, { json: { id: t.id as number } }],
				{ continueOnFail: true },
			);
			expect(result.status).toBe('success');
			expect(result.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }, { item: 3 }]);
			expect(json(result, 0).id).toBe(t.id);
			expect(json(result, 1)).toEqual({
				error: 'HaloPSA API 404: Ticket 424242 not found (GET /Tickets/424242)',
				httpCode: '404',
				description: 'HaloPSA answered 404: Ticket 424242 not found',
			});
			expect(json(result, 2).error).toMatch(/Ticket ID must be a positive whole number/);
			expect(json(result, 3).id).toBe(t.id);

			const failing = await runHalo(sim, { resource: 'ticket', operation: 'get', ticketId: '={{ $json.id }}' }, [
				{ json: { id: t.id as number } },
				{ json: { id: 424242 } },
			]);
			expect(failing.error).toMatchObject({ name: 'NodeApiError', httpCode: '404', itemIndex: 1 });
		});
	});

	describe('Client and Site', () => {
		it('client get and search by name (partial, exact, inactive)', async () => {
			const got = await runHalo(sim, { resource: 'client', operation: 'get', clientId: '12' });
			expect(json(got)).toMatchObject({ id: 12, name: 'Contoso Ltd' });
			const search = await runHalo(sim, { resource: 'client', operation: 'search', name: 'o', returnAll: true });
			expect(search.items.map((i) => (i.json as Json).name)).toEqual(['Unallocated', 'Contoso Ltd', 'Northwind Traders']);
			const exact = await runHalo(sim, { resource: 'client', operation: 'search', name: 'contoso ltd', returnAll: false, limit: 5, options: { exact: true } });
			expect(exact.items.map((i) => (i.json as Json).id)).toEqual([12]);
			const inactive = await runHalo(sim, { resource: 'client', operation: 'search', name: 'Old', returnAll: true, options: { includeInactive: true } });
			expect(inactive.items.map((i) => (i.json as Json).id)).toEqual([15]);
			const missing = await runHalo(sim, { resource: 'client', operation: 'get', clientId: '777' });
			expect(missing.error).toMatchObject({ name: 'NodeApiError', httpCode: '404' });
		});

		it("site getMany of a client and get", async () => {
			const sites = await runHalo(sim, { resource: 'site', operation: 'getMany', clientId: 12, returnAll: true });
			expect(sites.items.map((i) => (i.json as Json).id)).toEqual([34, 35]);
			const one = await runHalo(sim, { resource: 'site', operation: 'get', siteId: 36 });
			expect(json(one)).toMatchObject({ id: 36, client_id: 13, clientsite_name: 'Fabrikam Inc/Head Office' });
		});
	});

	describe('loadOptions', () => {
		function context(params: Record<string, unknown> = {}): ILoadOptionsFunctions {
			const nodeStub: INode = { id: 'n', name: 'HaloPSA', type: 'n8n-nodes-halo-datto.haloPsa', typeVersion: 1, position: [0, 0], parameters: {} };
			return {
				getCredentials: async () => haloCredentials(sim),
				getNode: () => nodeStub,
				getCurrentNodeParameter: (name: string) => params[name],
			} as unknown as ILoadOptionsFunctions;
		}

		it('statuses, outcomes, priorities, ticket types, teams, agents, clients, sites of a client (tenant-specific)', async () => {
			sim.reset('acme');
			warmClient(sim);
			const statuses = await loadOptions.getStatuses.call(context());
			expect(statuses.find((s) => s.name === 'Resolved')).toMatchObject({ value: 23 });
			expect((await loadOptions.getOutcomes.call(context())).map((o) => o.name)).toEqual(['Customer Update', 'Internal Note', 'Reopen', 'Resolve']);
			expect((await loadOptions.getPriorities.call(context())).map((p) => p.value)).toEqual([5, 6, 7, 8]);
			expect((await loadOptions.getTicketTypes.call(context())).map((t) => t.value)).toEqual([31, 32, 33]);
			expect((await loadOptions.getTeams.call(context())).map((t) => t.value)).toEqual([62, 61]);
			expect((await loadOptions.getAgents.call(context())).map((a) => a.value)).toEqual([71, 72]);
			expect((await loadOptions.getClients.call(context())).map((c) => c.value)).toEqual([501, 502, 503]);
			expect((await loadOptions.getSites.call(context({ clientId: 502 }))).map((s) => s.name)).toEqual(['Cypress Creek', 'Springfield']);
			expect((await loadOptions.getSites.call(context())).map((s) => s.name)).toContain('Globex Corporation/Springfield');
		});
	});
});
