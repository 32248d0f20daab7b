/**
 * n8n glue for the Halo client: the `haloPsaApi` credential → a cached HaloClient. Nodes use this instead of n8n's
 * preAuthentication (which would fetch a token per credential record without single-flight or budgets).
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { haloConfigFromCredentials } from './config';
import type { HaloClient, HaloClientOptions } from './client';
import { getHaloClient } from './registry';

export const HALO_CREDENTIAL_TYPE = 'haloPsaApi';

interface CredentialSource {
	getCredentials<T extends object = ICredentialDataDecryptedObject>(type: string, itemIndex?: number): Promise<T>;
}

/** The cached HaloClient for the node's `haloPsaApi` credential. */
export async function haloClientFor(context: CredentialSource, itemIndex?: number, options?: HaloClientOptions): Promise<HaloClient> {
	const credentials = await context.getCredentials<ICredentialDataDecryptedObject>(HALO_CREDENTIAL_TYPE, itemIndex);
	return getHaloClient(haloConfigFromCredentials(credentials), options);
}
