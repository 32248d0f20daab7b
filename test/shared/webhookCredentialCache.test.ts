/**
 * The webhook credential cache both triggers use (nodes/shared/n8n/webhookCredentialCache.ts): hit, expiry, rotation,
 * two credentials, a node without a credential id. The triggers' own tests (test/dattoNodes/trigger.test.ts,
 * test/haloNodes/haloPsaTrigger.test.ts) run through it with real n8n-core webhook contexts.
 */
import type { ICredentialDataDecryptedObject, IWebhookFunctions } from 'n8n-workflow';

import {
	DEFAULT_CREDENTIAL_TTL_MS,
	checkWithCachedCredential,
	clearWebhookCredentialCache,
} from '../../nodes/shared/n8n/webhookCredentialCache';

const TYPE = 'dattoRmmWebhookApi';

/** The credential store of a fake n8n: what getCredentials returns per credential id, and how often it was read. */
class FakeCredentials {
	secrets = new Map<string, string>();
	reads = 0;
	context(credentialId: string | undefined): IWebhookFunctions {
		return {
			getNode: () => ({ credentials: credentialId === undefined ? undefined : { [TYPE]: { id: credentialId, name: credentialId } } }),
			getCredentials: async () => {
				this.reads++;
				return { secret: this.secrets.get(credentialId ?? '') ?? '' } as ICredentialDataDecryptedObject;
			},
		} as unknown as IWebhookFunctions;
	}
}

let clock = 1_000_000;
const now = () => clock;

/** A request with `given` as its secret, checked the way a trigger does. */
async function request(creds: FakeCredentials, credentialId: string | undefined, given: string) {
	return await checkWithCachedCredential(
		creds.context(credentialId),
		TYPE,
		(data) => data.secret !== '' && data.secret === given,
		(ok) => ok,
		{ now },
	);
}

beforeEach(() => {
	clearWebhookCredentialCache();
	clock = 1_000_000;
});

it('reads the credential once and answers later requests from the cache', async () => {
	const creds = new FakeCredentials();
	creds.secrets.set('c1', 's3cret');
	expect(await request(creds, 'c1', 's3cret')).toMatchObject({ result: true, fromCache: false });
	for (let i = 0; i < 5; i++) expect(await request(creds, 'c1', 's3cret')).toMatchObject({ result: true, fromCache: true });
	expect(creds.reads).toBe(1);
});

it('reads again once the entry is older than the time to live (60 s by default)', async () => {
	expect(DEFAULT_CREDENTIAL_TTL_MS).toBe(60_000);
	const creds = new FakeCredentials();
	creds.secrets.set('c1', 's3cret');
	await request(creds, 'c1', 's3cret');
	clock += DEFAULT_CREDENTIAL_TTL_MS - 1;
	expect(await request(creds, 'c1', 's3cret')).toMatchObject({ fromCache: true });
	clock += 1;
	expect(await request(creds, 'c1', 's3cret')).toMatchObject({ result: true, fromCache: false });
	expect(creds.reads).toBe(2);
});

it('accepts a rotated secret at its first request (re-read on a mismatch) and caches the new one', async () => {
	const creds = new FakeCredentials();
	creds.secrets.set('c1', 'old-secret');
	await request(creds, 'c1', 'old-secret');
	creds.secrets.set('c1', 'new-secret'); // rotated in n8n while the old one is cached
	expect(await request(creds, 'c1', 'new-secret')).toMatchObject({ result: true, fromCache: false });
	expect(await request(creds, 'c1', 'new-secret')).toMatchObject({ result: true, fromCache: true });
	// The fresh read replaced the entry: the old secret is refused from now on.
	expect(await request(creds, 'c1', 'old-secret')).toMatchObject({ result: false, fromCache: false });
	expect(creds.reads).toBe(3);
});

it('refuses a wrong secret after a fresh read, every time (no negative caching)', async () => {
	const creds = new FakeCredentials();
	creds.secrets.set('c1', 's3cret');
	await request(creds, 'c1', 's3cret');
	expect(await request(creds, 'c1', 'guess-1')).toMatchObject({ result: false, fromCache: false });
	expect(await request(creds, 'c1', 'guess-2')).toMatchObject({ result: false, fromCache: false });
	expect(creds.reads).toBe(3);
});

it('keeps one entry per credential id: two credentials never answer for each other', async () => {
	const creds = new FakeCredentials();
	creds.secrets.set('c1', 'secret-one');
	creds.secrets.set('c2', 'secret-two');
	expect((await request(creds, 'c1', 'secret-one')).result).toBe(true);
	expect((await request(creds, 'c2', 'secret-two')).result).toBe(true);
	expect(await request(creds, 'c1', 'secret-one')).toMatchObject({ result: true, fromCache: true });
	expect(await request(creds, 'c2', 'secret-two')).toMatchObject({ result: true, fromCache: true });
	expect((await request(creds, 'c2', 'secret-one')).result).toBe(false);
	expect((await request(creds, 'c1', 'secret-two')).result).toBe(false);
	expect(creds.reads).toBe(4);
});

it('reads every time for a node without a credential id (not saved yet)', async () => {
	const creds = new FakeCredentials();
	creds.secrets.set('', 's3cret');
	await request(creds, undefined, 's3cret');
	expect(await request(creds, undefined, 's3cret')).toMatchObject({ result: true, fromCache: false });
	expect(creds.reads).toBe(2);
});
