/** Pure parts of the HaloPSA nodes: webhook body → ticket event, status choice, alert → ticket fields, dates. */
import {
	HaloEventInputError,
	normaliseHaloTicketEvent,
	normaliseHaloWebhookBody,
	refetchedElement,
} from '../../nodes/shared/domain/haloTicketEvent';
import { isClosedName, pickClosedStatus, pickReopenStatus } from '../../nodes/shared/domain/haloStatus';
import {
	buildAlertDetailsHtml,
	buildAlertTicket,
	readAlert,
	renderAlertTemplate,
	ticketMatchesAlert,
	toSummary,
} from '../../nodes/shared/domain/haloAlertTicket';
import { withIsoDates } from '../../nodes/shared/domain/haloRecords';
import { LEGACY_HALO_MARKER } from '../../nodes/shared/domain/haloMarker';
import { parsePriorityMap, DEFAULT_PRIORITY_MAP } from '../../nodes/shared/domain/priority';
import { TENANT_PROFILES } from '../../simulators/halo/profiles';
import { datto } from './helpers';

const NOW = new Date('2026-05-01T12:00:00Z');

describe('haloTicketEvent', () => {
	it('small payload of a close: closed by dateclosed, actor = closure agent, ISO changedAt from the envelope', () => {
		const e = normaliseHaloTicketEvent({
			id: '3f0c0000-0000-4000-8000-000000000001',
			notification_id: 4,
			event: 'Ticket Closed',
			webhook_id: 'w1',
			object_id: 1001,
			timestamp: '2026-05-01T10:02:11',
			ticket: {
				id: 1001,
				status_id: 23,
				client_id: 502,
				agent_id: 71,
				dateclosed: '2026-05-01T10:02:11',
				hasbeenclosed: true,
				closure_agent_id: 77,
				third_party_id_string: 'alert-uid-1',
			},
		});
		expect(e).toMatchObject({
			event: 'closed',
			eventName: 'Ticket Closed',
			eventId: '3f0c0000-0000-4000-8000-000000000001',
			ticketId: 1001,
			statusId: 23,
			statusName: null,
			closed: true,
			closedBy: 'event',
			clientId: 502,
			externalRef: 'alert-uid-1',
			agentId: 77,
			assignedAgentId: 71,
			changedAt: '2026-05-01T10:02:11.000Z',
			payloadType: 'small',
		});
	});

	it('a status change to a closed status counts as closed (by status name, by status id, by dateclosed)', () => {
		const base = { event: 'Ticket Status Changed', object_id: 5, webhook_id: 'w' };
		expect(normaliseHaloTicketEvent({ ...base, ticket: { id: 5, status: { id: 23, name: 'Resolved' } } })).toMatchObject({
			event: 'closed',
			closedBy: 'statusName',
			statusName: 'Resolved',
		});
		expect(normaliseHaloTicketEvent({ ...base, ticket: { id: 5, status_id: 30 } }, { closedStatusIds: [30] })).toMatchObject({
			event: 'closed',
			closedBy: 'statusId',
		});
		expect(normaliseHaloTicketEvent({ ...base, ticket: { id: 5, status_id: 30, dateclosed: '2026-05-01T09:00:00' } })).toMatchObject({
			event: 'closed',
			closedBy: 'dateclosed',
		});
	});

	it('not closed: 1900 dateclosed wins over a stale hasbeenclosed; "Pending Closure" is not closed', () => {
		const reopened = normaliseHaloTicketEvent({
			event: 'Ticket Status Changed',
			webhook_id: 'w',
			ticket: { id: 7, status_id: 2, dateclosed: '1900-01-01T00:00:00', hasbeenclosed: true },
		});
		expect(reopened).toMatchObject({ event: 'statusChanged', closed: false, closedBy: null });
		const pending = normaliseHaloTicketEvent({ event: 'Ticket Status Changed', webhook_id: 'w', ticket: { id: 7, status: { id: 26, name: 'Pending Closure' } } });
		expect(pending).toMatchObject({ event: 'statusChanged', closed: false, statusName: 'Pending Closure' });
	});

	it('full payload: actor from the causing action, marker found in its note', () => {
		const e = normaliseHaloTicketEvent({
			event: 'Ticket Closed',
			webhook_id: 'w',
			object_id: 9,
			ticket: { id: 9, status: { id: 9, name: 'Closed' }, client: { id: 12, name: 'Contoso Ltd' }, agent_id: 5, lastaction: { who_agentid: 5 } },
			action: { who_agentid: 42, note_html: `<p>done</p><p>${LEGACY_HALO_MARKER}</p>` },
		});
		expect(e).toMatchObject({ payloadType: 'full', agentId: 42, markerFound: true, clientId: 12, clientName: 'Contoso Ltd', statusName: 'Closed' });
	});

	it('event-only payload: ticket id from object_id, closed from the event name, no ticket data', () => {
		const e = normaliseHaloTicketEvent({ id: 'uuid', event: 'Ticket Closed', webhook_id: 'w', object_id: '1002', timestamp: '2026-05-01T10:00:00' });
		expect(e).toMatchObject({ payloadType: 'event', ticketId: 1002, closed: true, statusId: null, agentId: null });
		const fresh = normaliseHaloTicketEvent({ id: 'uuid', event: 'New Ticket Logged', webhook_id: 'w', object_id: 1003 }, { now: NOW });
		expect(fresh).toMatchObject({ event: 'new', closed: false, changedAt: NOW.toISOString() });
	});

	it('runbook (ilert-style) body: status object, no event name → closed / statusChanged inferred', () => {
		const closed = normaliseHaloTicketEvent({ ticket: { id: 44, status: { id: 9, name: 'Closed' }, dateclosed: '2026-05-01T11:00:00' } });
		expect(closed).toMatchObject({ payloadType: 'runbook', event: 'closed', ticketId: 44, statusId: 9, eventName: null, eventId: null, changedAt: '2026-05-01T11:00:00.000Z' });
		const moved = normaliseHaloTicketEvent({ ticket: { id: 44, status: { id: 2, name: 'In Progress' }, dateclosed: null } });
		expect(moved).toMatchObject({ event: 'statusChanged', closed: false });
	});

	it('"display values" payloads: names instead of ids are read as names', () => {
		const e = normaliseHaloTicketEvent({ event: 'Ticket Updated', webhook_id: 'w', ticket: { id: 3, status_id: 'Closed', client_id: 'Contoso Ltd' } });
		expect(e).toMatchObject({ event: 'updated', statusId: null, statusName: 'Closed', closed: true, clientId: null, clientName: 'Contoso Ltd' });
	});

	it('status names from a lookup fill small payloads; the external ref may come from a custom field', () => {
		const e = normaliseHaloTicketEvent(
			{ event: 'Ticket Status Changed', webhook_id: 'w', ticket: { id: 3, status_id: 23, customfields: [{ name: 'CFDattoAlertUID', value: 'uid-9' }] } },
			{ statusNames: new Map([[23, 'Resolved']]) },
		);
		expect(e).toMatchObject({ statusName: 'Resolved', closed: true, event: 'closed', externalRef: 'uid-9' });
	});

	it('batches give one event per element and keep the good ones; malformed bodies name the problem', () => {
		const parsed = normaliseHaloWebhookBody(
			JSON.stringify([
				{ event: 'New Ticket Logged', webhook_id: 'w', ticket: { id: 1 } },
				{ event: 'Ticket Closed', webhook_id: 'w' },
				{ event: 'Ticket Closed', webhook_id: 'w', object_id: 2 },
			]),
		);
		expect(parsed.events.map((e) => [e.ticketId, e.event])).toEqual([
			[1, 'new'],
			[2, 'closed'],
		]);
		expect(parsed.rejected).toEqual([{ index: 1, reason: expect.stringContaining('No ticket id') }]);
		expect(() => normaliseHaloWebhookBody('not json')).toThrow(/not valid JSON/);
		expect(() => normaliseHaloWebhookBody({})).toThrow(/empty JSON object/);
		expect(() => normaliseHaloWebhookBody([])).toThrow(/empty array/);
		expect(() => normaliseHaloWebhookBody(undefined)).toThrow(/empty/);
		expect(() => normaliseHaloWebhookBody({ foo: 1 })).toThrow(HaloEventInputError);
		expect(() => normaliseHaloWebhookBody({ id: 'a-uuid', event: 'Ticket Closed', webhook_id: 'w' })).toThrow(/No ticket id/);
	});

	it('refetchedElement: API data wins, the newest action stands in for the causing action', () => {
		const raw = { id: 'e1', event: 'Ticket Status Changed', webhook_id: 'w', object_id: 8 };
		const e = normaliseHaloTicketEvent(
			refetchedElement(raw, { id: 8, status_id: 9, dateclosed: '2026-05-01T10:00:00', closure_agent_id: 42 }, { who_agentid: 42, note: 'x' }),
		);
		expect(e).toMatchObject({ ticketId: 8, closed: true, event: 'closed', agentId: 42, eventId: 'e1' });
	});
});

describe('haloStatus', () => {
	it('picks the closed status by name per tenant (never assuming 9)', () => {
		expect(pickClosedStatus(TENANT_PROFILES.default.statuses)?.id).toBe(9);
		expect(pickClosedStatus(TENANT_PROFILES.acme.statuses)?.id).toBe(23);
		expect(pickClosedStatus([{ id: 5, name: 'Done and dusted', type: 4 }, { id: 6, name: 'Pending Closure', type: 4 }])?.id).toBe(5);
		expect(pickClosedStatus([{ id: 1, name: 'New', type: 1 }])).toBeUndefined();
		expect(pickReopenStatus(TENANT_PROFILES.default.statuses)?.id).toBe(2);
		expect(pickReopenStatus(TENANT_PROFILES.acme.statuses)?.id).toBe(11);
	});

	it('isClosedName', () => {
		for (const name of ['Closed', 'Ticket Closed', 'Resolved', 'Completed', 'Cancelled']) expect(isClosedName(name)).toBe(true);
		for (const name of ['Pending Closure', 'New Ticket Logged', 'Reopened', 'In Progress', 'Awaiting Resolution']) expect(isClosedName(name)).toBe(false);
	});
});

describe('haloAlertTicket', () => {
	const map = parsePriorityMap(DEFAULT_PRIORITY_MAP);

	it('escapes untrusted alert text in details_html and keeps alertUid and link', () => {
		const alert = readAlert(datto({ message: '<script>alert("x")</script> & more', device: { uid: 'd"1', hostname: '<b>SRV</b>' } }));
		const html = buildAlertDetailsHtml(alert);
		expect(html).not.toContain('<script>');
		expect(html).not.toContain('<b>SRV</b>');
		expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more');
		expect(html).toContain('a7c1e3f0-1111-4a2b-9c3d-000000000001');
		expect(html).toContain('href="https://merlot.rmm.datto.com/alert/a7c1e3f0-1111-4a2b-9c3d-000000000001"');
		expect(html).toContain(LEGACY_HALO_MARKER);
		const evil = buildAlertDetailsHtml(readAlert(datto({ link: 'javascript:alert(1)' })));
		expect(evil).not.toContain('href="javascript');
	});

	it('summary from the template, one line, cut to the limit; priority mapped or defaulted', () => {
		const alert = readAlert(datto({ message: 'line1\nline2' }));
		expect(renderAlertTemplate('Datto RMM: {message} on {hostname} [{unknown}]', alert)).toBe('Datto RMM: line1\nline2 on SRV01 [{unknown}]');
		expect(toSummary('x'.repeat(300)).length).toBe(250);
		const built = buildAlertTicket(alert, { priorityMap: map, defaultPriorityId: 3, clientId: 12, externalRef: { target: 'field', field: 'third_party_id_string' } });
		expect(built).toMatchObject({ summary: 'Datto RMM: line1 line2 on SRV01', priorityId: 2, priorityMapped: true });
		expect(built.fields).toMatchObject({ client_id: 12, priority_id: 2, third_party_id_string: alert.alertUid });
		const unmapped = buildAlertTicket(readAlert(datto({ priority: 'Unknown' })), { priorityMap: map, defaultPriorityId: 3 });
		expect(unmapped).toMatchObject({ priorityId: 3, priorityMapped: false });
		const custom = buildAlertTicket(alert, {
			priorityMap: map,
			customFields: [{ name: 'CFDevice', value: '{hostname}' }],
			externalRef: { target: 'customField', name: 'CFDattoAlertUID' },
		});
		expect(custom.fields.customfields).toEqual([
			{ name: 'CFDevice', value: 'SRV01' },
			{ name: 'CFDattoAlertUID', value: alert.alertUid },
		]);
	});

	it('readAlert rejects what is not an alert; ticketMatchesAlert checks ref, custom fields and details', () => {
		expect(() => readAlert({ message: 'x' })).toThrow(/alertUid/);
		expect(() => readAlert([1])).toThrow(/array/);
		expect(ticketMatchesAlert({ third_party_id_string: 'u1' }, 'u1')).toBe(true);
		expect(ticketMatchesAlert({ customfields: [{ value: 'u1' }] }, 'u1')).toBe(true);
		expect(ticketMatchesAlert({ details_html: '<td>u1</td>' }, 'u1')).toBe(true);
		expect(ticketMatchesAlert({ details_html: '<td>u2</td>' }, 'u1')).toBe(false);
	});
});

describe('haloRecords.withIsoDates', () => {
	it('converts Halo timestamps in place (no zone = UTC, 1900 = null), nested too, other values untouched', () => {
		expect(
			withIsoDates({
				id: 1,
				datecreated: '2026-05-01T10:02:11',
				dateclosed: '1900-01-01T00:00:00',
				deadlinedate: '2026-05-02T10:00:00.123Z',
				summary: '2026-05-01T10:02:11 is not a date field but looks like one',
				lastaction: { datetime: '2026-05-01T10:00:00' },
				customfields: [{ value: '2026-05-01T10:00:00' }],
			}),
		).toEqual({
			id: 1,
			datecreated: '2026-05-01T10:02:11.000Z',
			dateclosed: null,
			deadlinedate: '2026-05-02T10:00:00.123Z',
			summary: '2026-05-01T10:02:11 is not a date field but looks like one',
			lastaction: { datetime: '2026-05-01T10:00:00.000Z' },
			customfields: [{ value: '2026-05-01T10:00:00.000Z' }],
		});
	});
});
