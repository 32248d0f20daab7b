/** The sync status page: data gathered from the mapping store and rendered as light HTML (no scripts, escaped). */
import { ageText, renderStatusPage } from '../../nodes/shared/domain/statusPage';
import { recordHeartbeat } from '../../nodes/shared/policy/runtime/health';
import { gatherStatus } from '../../nodes/shared/policy/runtime/status';
import { StaticDataStore } from '../../nodes/shared/store/StaticDataStore';
import type { JsonObject } from '../../nodes/shared/store';
import { SyncPolicy } from '../../nodes/SyncPolicy/SyncPolicy.node';
import { runNode } from '../helpers/nodeHarness';

function alert(uid: string, ticketId: number, state: string, extra: Record<string, unknown> = {}): JsonObject {
	return {
		version: 1,
		alertUid: uid,
		dedupeKey: `dev|${uid}`,
		state,
		ticketId,
		parentTicketId: null,
		clientId: '12',
		firstSeenAt: new Date(Date.now() - 3 * 3600_000).toISOString(),
		resolvedAt: null,
		heldUntil: null,
		heldBy: null,
		alert: {
			event: 'triggered',
			alertUid: uid,
			priority: 'High',
			message: `Disk <b>full</b> on ${uid}`,
			device: { uid: 'd1', hostname: 'SRV01' },
			site: { uid: 's1', name: 'Contoso' },
			condition: 'disk',
			occurredAt: new Date().toISOString(),
			platform: 'merlot',
			dedupeKey: `dev|${uid}`,
			link: `https://merlot.rmm.datto.com/alert/${uid}`,
		},
		...extra,
	} as JsonObject;
}

describe('sync status page', () => {
	it('gathers open links, heartbeats, failed events and decisions; renders them with links and ages', async () => {
		const store = new StaticDataStore(`status-page-${process.pid}`, {});
		await store.set('alerts', 'a-1', { value: alert('a-1', 1001, 'open'), history: { event: 'create', reason: 'new alert' } });
		await store.set('alerts', 'a-2', { value: alert('a-2', 1002, 'open'), history: { event: 'create', reason: 'new alert' } });
		await store.set('alerts', 'a-3', { value: alert('a-3', 1003, 'resolved'), status: 'closed', history: { event: 'close', reason: 'resolved' } });
		await store.set('failedEvents', 'f-1', {
			value: { kind: 'event', decision: 'close', error: 'HaloPSA API 503: down', failedAt: new Date().toISOString(), failures: 2 } as JsonObject,
		});
		const now = new Date();
		await recordHeartbeat(store, 'datto', new Date(now.getTime() - 5 * 60_000), { id: 'a-2', event: 'triggered' });
		await recordHeartbeat(store, 'halo', new Date(now.getTime() - 2 * 3600_000), { id: '1003', event: 'closed' });

		const data = await gatherStatus(store, now, {
			haloTicketUrl: 'https://acme.halopsa.com/ticket?id={ticket}',
			rateBudget: [{ api: 'HaloPSA', requests: 42, rateLimited: 1, limit: '300 per 300 s' }],
		});
		expect(data.openLinks.map((l) => [l.alertUid, l.ticketId]).sort()).toEqual([
			['a-1', 1001],
			['a-2', 1002],
		]);
		expect(data.decisions24h).toEqual({ create: 2, close: 1 });
		expect(data.failedCount).toBe(1);
		expect(data.datto?.count).toBe(1);

		const html = renderStatusPage(data);
		expect(html).toContain('<a href="https://acme.halopsa.com/ticket?id=1001">#1001</a>');
		expect(html).toContain('<a href="https://merlot.rmm.datto.com/alert/a-2">a-2</a>');
		expect(html).toMatch(/data-source="Datto RMM">5 min ago</);
		expect(html).toMatch(/data-source="HaloPSA">2 h 0 min ago</);
		expect(html).toContain('HaloPSA API 503: down');
		expect(html).toContain('Replay Failed Events');
		expect(html).toContain('Disk &lt;b&gt;full&lt;/b&gt;');
		expect(html).not.toMatch(/<script|<link |@import|src=/i);
	});

	it('the plain sync workflows\' store (no policy state, no heartbeats): open links, last deliveries from the history, failed Datto resolves', async () => {
		const store = new StaticDataStore(`status-page-plain-${process.pid}`, {});
		// As datto-halo-sync.json / workflows/postgres write them (Claim → Save alert link; Halo close; failed resolve).
		await store.claim('alerts', 'p-1', { value: { ticketId: null } as unknown as JsonObject, status: 'pending', history: { event: 'alertReceived', reason: 'Datto alert triggered' } });
		await store.set('alerts', 'p-1', { value: { ticketId: 2001, clientId: 12, dedupeKey: 'dev|p-1' }, status: 'open', history: { event: 'ticketCreated', reason: 'Ticket 2001' } });
		await store.claim('alerts', 'p-2', { value: { ticketId: null } as unknown as JsonObject, status: 'pending', history: { event: 'alertReceived', reason: 'Datto alert triggered' } });
		await store.set('alerts', 'p-2', { value: { ticketId: 2002, clientId: 12, dedupeKey: 'dev|p-2' }, status: 'open' });
		await store.updateStatus('alerts', 'p-2', 'closed', { event: 'ticketClosedInHalo', reason: 'Closed in Halo' }, { mergeValue: { closedBy: 'halo' } });
		await store.set('failedEvents', 'p-2', { value: { kind: 'dattoResolve' }, status: 'open', history: { event: 'dattoResolveFailed', reason: 'Datto RMM API 503' } });
		const data = await gatherStatus(store, new Date(), { haloTicketUrl: 'https://acme.halopsa.com/ticket?id={ticket}' });
		expect(data.openLinks.map((l) => [l.alertUid, l.ticketId, l.priority])).toEqual([['p-1', 2001, 'Unknown']]);
		// p-2's "alertReceived" is gone: a closed record in static data keeps only its newest history entry (compact
		// closed records, issue 19), so deliveries are counted from the open records and the closes.
		expect(data.datto?.count).toBe(1);
		expect(data.halo?.count).toBe(1);
		expect(data.failed.map((f) => [f.key, f.kind, f.error, f.failures])).toEqual([['p-2', 'dattoResolve', 'Datto RMM API 503', 1]]);
		const html = renderStatusPage(data);
		expect(html).toContain('<a href="https://acme.halopsa.com/ticket?id=2001">#2001</a>');
		expect(html).toMatch(/data-source="HaloPSA">\d+ s ago</);
		expect(html).toContain('Replay Failed Events');
	});

	it('ages read as a technician would say them; links other than http(s) are not made clickable', () => {
		const now = new Date('2026-05-01T12:00:00Z');
		expect(ageText(null, now)).toBe('never');
		expect(ageText('2026-05-01T11:59:30Z', now)).toBe('30 s ago');
		expect(ageText('2026-05-01T11:15:00Z', now)).toBe('45 min ago');
		expect(ageText('2026-04-28T12:00:00Z', now)).toBe('3 d ago');
		const html = renderStatusPage({
			generatedAt: now.toISOString(),
			haloTicketUrl: 'javascript:alert(1)?{ticket}',
			openLinks: [{ alertUid: 'x', ticketId: 5, message: 'm', siteName: null, hostname: null, priority: 'Low', since: now.toISOString(), dattoLink: 'javascript:evil()' }],
			moreOpenLinks: 0,
			datto: null,
			halo: null,
			failed: [],
			failedCount: 0,
			decisions24h: {},
			perDay: [],
			rateBudget: [],
		});
		expect(html).not.toContain('javascript:');
		expect(html).toMatch(/data-source="Datto RMM">never</);
	});
});

describe('Sync Policy node: Status Page operation', () => {
	it('answers one item with the page of an empty store', async () => {
		const first = await runNode({ node: new SyncPolicy(), parameters: { operation: 'statusPage', haloTicketUrl: 'https://acme.halopsa.com/ticket?id={ticket}' } });
		expect(first.error).toBeUndefined();
		expect(first.items).toHaveLength(1);
		const html = String(first.items[0].json.html);
		expect(html).toContain('No open alert ↔ ticket links.');
		expect(html).toMatch(/data-source="Datto RMM">never</);
	});
});
