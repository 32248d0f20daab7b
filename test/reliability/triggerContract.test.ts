/**
 * Contract between the Datto RMM Trigger and the rest of the shipped workflow, for hostile input (fast, no n8n):
 * whatever alertUid the trigger accepts (starts an execution for) must be a key the Mapping Store accepts, else the
 * execution is certain to fail at "Claim alert" after Datto was already told 200; and no body, however deeply nested,
 * may make the trigger throw (n8n answers 500 and records a failed execution). Bodies the trigger refuses must be
 * refused with a 4xx and a message. The same cases run end to end in test/e2e/badInput.test.ts.
 */
import { DattoRmmTrigger } from '../../nodes/DattoRmmTrigger/DattoRmmTrigger.node';
import { HaloPsaTrigger } from '../../nodes/HaloPsaTrigger/HaloPsaTrigger.node';
import { HaloPsaWebhookApi } from '../../credentials/HaloPsaWebhookApi.credentials';
import { StaticDataStore } from '../../nodes/shared/store';
import { callWebhook } from '../helpers/webhookHarness';
import { WEBHOOK_SECRET, credentialTypes, webhookCredentials } from '../dattoNodes/helpers';

const datto = new DattoRmmTrigger();

async function deliver(body: string) {
	return await callWebhook({
		node: datto,
		credentials: webhookCredentials(),
		credentialTypes,
		request: { headers: { 'content-type': 'application/json' }, body, query: { secret: WEBHOOK_SECRET } },
	});
}

/**
 * Each case says which way it must go: accepted (an execution starts with the UID unchanged, and the claim the
 * workflow makes first works) or refused (400 naming alertUid, no execution). A case that switches sides fails.
 */
const TRICKY_UIDS: Array<[string, string, 'accepted' | 'refused']> = [
	['NUL', 'abc\u0000def', 'refused'],
	['lone high surrogate', '\ud800abc', 'refused'],
	['lone low surrogate', 'abc\udc00', 'refused'],
	['replacement character (undecodable bytes)', '\ufffd\ufffd', 'accepted'],
	['C0 control character', 'abc\u0001def', 'refused'],
	['DEL', 'abc\u007fdef', 'refused'],
	['zero-width space', 'abc\u200bdef', 'accepted'],
	['right-to-left override', 'abc\u202edef', 'accepted'],
	['emoji', 'alert-🚨-1', 'accepted'],
	['HTML without spaces', '<script>alert(1)</script>', 'accepted'],
	['SQL-looking without spaces', "x';DROP_TABLE_t;--", 'accepted'],
	['200 characters', 'a'.repeat(200), 'accepted'],
	['a GUID', '5f0c2b9e-7a1d-4e8b-b3c2-9d4e1f6a7b80', 'accepted'],
];

describe('Datto RMM Trigger ↔ Mapping Store: every accepted alertUid is a storable key', () => {
	test.each(TRICKY_UIDS.map(([name, uid, expected]) => [`${name} → ${expected}`, uid, expected] as const))('%s', async (_name, alertUid, expected) => {
		const result = await deliver(JSON.stringify({ source: 'datto-rmm', event: 'triggered', alertUid, alertMessage: 'x', siteUid: 's', siteName: 'S' }));
		expect(result.error).toBeUndefined();
		if (expected === 'accepted') {
			expect(result.response.statusCode ?? 200).toBe(200);
			const item = result.workflowData?.[0][0].json as { alertUid: string } | undefined;
			expect(item?.alertUid).toBe(alertUid);
			// The claim the workflow makes first: must not throw for an alert the trigger let through.
			const store = new StaticDataStore('contract-test', {}, { executionsMode: 'regular' });
			await expect(store.claim('alerts', alertUid, { value: {}, status: 'pending' })).resolves.toMatchObject({ claimed: true });
		} else {
			expect(result.workflowData).toBeUndefined();
			expect(result.response.statusCode).toBe(400);
			expect(result.response.json).toEqual({ error: 'Field "alertUid" is not a Datto alert UID' });
		}
	});
});

describe('no body makes a trigger throw', () => {
	const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
	const nestedArray = (depth: number) => `{"alertUid":"deep-1","event":"triggered","x":${'['.repeat(depth)}${']'.repeat(depth)}}`;

	test.each([
		['objects nested 5,000 deep', nested(5000)],
		['arrays nested 20,000 deep inside a valid alert', nestedArray(20000)],
	])('Datto RMM Trigger: %s → 4xx with a message', async (_name, body) => {
		const result = await deliver(body);
		expect(result.error).toBeUndefined();
		expect(result.workflowData).toBeUndefined();
		expect(result.response.statusCode).toBeGreaterThanOrEqual(400);
		expect(result.response.statusCode).toBeLessThan(500);
	});

	// The old case (5,000 levels, no ticket id) was refused for having no ticket id, so it passed for the wrong reason;
	// the old trigger accepted (200) a 20,000-deep body that carried a linked ticket id and acted on it.
	test.each([
		['objects nested 5,000 deep', nested(5000)],
		[
			'a 20,000-deep body carrying a linked ticket id',
			`{"event":"Ticket Closed","ticket":{"id":1001,"status_id":9,"status":{"id":9,"name":"Closed"}},"x":${nested(20000)}}`,
		],
	])('HaloPSA Trigger: %s → 400 naming the depth limit, no execution', async (_name, body) => {
		const result = await callWebhook({
			node: new HaloPsaTrigger(),
			parameters: { events: ['closed'] } as never,
			credentials: { haloPsaWebhookApi: { authMethod: 'basic', username: 'u', password: 'p' } },
			credentialTypes: [new HaloPsaWebhookApi()],
			request: {
				headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from('u:p').toString('base64')}` },
				body,
			},
		});
		expect(result.error).toBeUndefined();
		expect(result.workflowData).toBeUndefined();
		expect(result.response.statusCode).toBe(400);
		expect(JSON.stringify(result.response.json)).toContain('Body is nested deeper than 32 levels (limit 32)');
	});
});
