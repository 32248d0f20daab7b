/**
 * Registry key of a Halo credential: a hash of the URLs, tenant, client id, scope and a hash of the secret, so the
 * plain secret is never a map key (and never shows up where keys are logged).
 */
import { createHash } from 'crypto';
import { HaloConnectionConfig, ResolvedHaloConfig, resolveHaloConfig } from './config';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

export function haloClientKey(config: HaloConnectionConfig | ResolvedHaloConfig): string {
	const r = 'windowMs' in config ? config : resolveHaloConfig(config);
	const material = JSON.stringify([
		r.hosting,
		r.instanceUrl.toLowerCase(),
		(r.authUrl ?? '').toLowerCase(),
		r.resourceUrl.toLowerCase(),
		(r.tenant ?? '').toLowerCase(),
		r.clientId,
		r.scope,
		sha256(`halo-secret:${r.clientSecret}`),
	]);
	return sha256(material).slice(0, 40);
}
