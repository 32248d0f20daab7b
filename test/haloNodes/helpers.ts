/** Shared setup for the HaloPSA node and trigger tests: simulator, credentials, fast-tuned clients, node runs. */
import type { ICredentialDataDecryptedObject, IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { HaloPsa } from '../../nodes/HaloPsa/HaloPsa.node';
import { clearHaloLookupCaches, clearMappingCaches } from '../../nodes/shared/halo';
import { getHaloClient, haloConfigFromCredentials, type HaloClient } from '../../nodes/shared/transport/halo';
import { RollingWindowLimiter } from '../../nodes/shared/transport/http';
import type { HaloSimulator } from '../../simulators/halo';
import { runNode, type RunNodeResult } from '../helpers/nodeHarness';
import { CLIENT_ID, FAST, SECRET } from '../halo/helpers';

export { startSim, sleep, CLIENT_ID, SECRET } from '../halo/helpers';

/** The `haloPsaApi` credential as n8n hands it to the node (authorisation server given: no discovery call). */
export function haloCredentials(sim: HaloSimulator): ICredentialDataDecryptedObject {
	return {
		hosting: 'cloud',
		instanceUrl: sim.baseUrl,
		authUrl: `${sim.baseUrl}${sim.authPath}`,
		tenant: sim.tenant,
		clientId: CLIENT_ID,
		clientSecret: SECRET,
		scope: 'all',
		requestsPerWindow: 300,
		windowSeconds: 300,
	};
}

/**
 * Registers the credential's client in the process-wide registry with ms-scale retry tuning and its own budget,
 * before the node asks for it: the node keeps production defaults, and `haloClientFor` returns this client
 * (options only apply when a client is first created). No request is made here.
 */
export function warmClient(sim: HaloSimulator): HaloClient {
	clearHaloLookupCaches();
	clearMappingCaches();
	const client = getHaloClient(haloConfigFromCredentials(haloCredentials(sim)), {
		tuning: FAST,
		budget: new RollingWindowLimiter(10_000, 1_000),
	});
	// sim.reset() forgets issued tokens: start each test with a fresh one instead of a 401 round trip.
	client.invalidateToken();
	return client;
}

export const node = new HaloPsa();

export async function runHalo(
	sim: HaloSimulator,
	parameters: INodeParameters,
	input: INodeExecutionData[] = [{ json: {} }],
	extra: { continueOnFail?: boolean } = {},
): Promise<RunNodeResult> {
	return await runNode({ node, parameters, input, credentials: { haloPsaApi: haloCredentials(sim) }, ...extra });
}

/** A normalised Datto alert as the Datto RMM Trigger outputs it. */
export function datto(overrides: IDataObject = {}): IDataObject {
	return {
		event: 'triggered',
		alertUid: 'a7c1e3f0-1111-4a2b-9c3d-000000000001',
		priority: 'High',
		message: 'Disk usage on C: is 96%',
		device: { uid: 'dev-uid-1', hostname: 'SRV01' },
		site: { uid: 'site-uid-contoso-ho', name: 'Contoso Head Office' },
		condition: 'perf_disk_usage_ctx:C:',
		occurredAt: '2026-05-01T10:00:00.000Z',
		platform: 'merlot',
		dedupeKey: 'dev-uid-1|perf_disk_usage_ctx:C:',
		link: 'https://merlot.rmm.datto.com/alert/a7c1e3f0-1111-4a2b-9c3d-000000000001',
		raw: {},
		...overrides,
	};
}
