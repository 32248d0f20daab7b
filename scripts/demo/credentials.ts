/* The n8n credentials of the demo (simulators or real tenants) and the webhook secrets. */
import { createHash, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

import { Json } from './api';
import { Config, SIM, STATUS_PAGE } from './config';
import { warn } from './output';
import { WorkflowJson } from './workflow';

function credentialData(
	type: string,
	cfg: Config,
	urls: { halo: string; datto: string },
	secrets: Secrets,
): Json | undefined {
	const env = process.env;
	switch (type) {
		case 'haloPsaApi':
			return cfg.haloReal
				? {
						hosting: env.HALO_HOSTING || 'cloud',
						instanceUrl: (env.HALO_INSTANCE_URL as string).replace(/\/+$/, ''),
						authUrl: env.HALO_AUTH_URL || '',
						resourceUrl: env.HALO_RESOURCE_URL || '',
						tenant: env.HALO_TENANT || '',
						clientId: env.HALO_CLIENT_ID,
						clientSecret: env.HALO_CLIENT_SECRET,
						scope: env.HALO_SCOPE || 'all',
						requestsPerWindow: 300,
						windowSeconds: 300,
					}
				: {
						hosting: 'cloud',
						instanceUrl: urls.halo,
						authUrl: '',
						resourceUrl: '',
						tenant: SIM.haloTenant,
						clientId: SIM.haloClientId,
						clientSecret: SIM.haloClientSecret,
						scope: 'all',
						requestsPerWindow: 300,
						windowSeconds: 300,
					};
		case 'dattoRmmApi':
			if (!cfg.dattoReal) {
				return {
					platform: 'custom',
					customUrl: urls.datto,
					apiKey: SIM.dattoApiKey,
					apiSecret: SIM.dattoApiSecret,
				};
			}
			return env.DATTO_API_URL
				? {
						platform: 'custom',
						customUrl: env.DATTO_API_URL.replace(/\/+$/, ''),
						apiKey: env.DATTO_API_KEY,
						apiSecret: env.DATTO_API_SECRET,
					}
				: {
						platform: (env.DATTO_PLATFORM as string).toLowerCase(),
						customUrl: '',
						apiKey: env.DATTO_API_KEY,
						apiSecret: env.DATTO_API_SECRET,
					};
		case 'dattoRmmWebhookApi':
			return { secret: secrets.dattoWebhookSecret, queryParameter: 'secret', headerName: 'x-webhook-secret' };
		case 'httpHeaderAuth':
			// The self-healing workflow's technician webhook (docs/self-healing.md).
			return { name: 'X-Remediation-Token', value: secrets.remediationToken };
		case 'haloPsaWebhookApi':
			return {
				authMethod: 'basic',
				username: secrets.haloWebhookUser,
				password: secrets.haloWebhookPassword,
				token: '',
				headerName: 'x-halo-webhook-secret',
				headerValue: '',
			};
		case 'httpBasicAuth':
			return { user: STATUS_PAGE.user, password: secrets.statusPagePassword };
		case 'mappingStorePostgresApi':
			return {
				host: env.PGHOST || '127.0.0.1',
				port: Number(env.PGPORT || 5432),
				database: env.PGDATABASE || 'postgres',
				user: env.PGUSER || 'postgres',
				password: env.PGPASSWORD || '',
				maxConnections: 5,
				ssl: 'disable',
				ignoreSslIssues: false,
			};
		default:
			return undefined;
	}
}

const DEFAULT_CREDENTIALS: Record<string, { id: string; name: string }> = {
	haloPsaApi: { id: 'DemoHaloApi00001', name: 'HaloPSA' },
	dattoRmmApi: { id: 'DemoDattoApi0001', name: 'Datto RMM' },
	dattoRmmWebhookApi: { id: 'DemoDattoHook001', name: 'Datto RMM webhook secret' },
	haloPsaWebhookApi: { id: 'DemoHaloHook0001', name: 'HaloPSA webhook auth' },
};

/**
 * The credentials the workflow references (by id and name, so the import matches them), filled for the simulators or
 * the real tenants. References without an id get one, written back into the demo's copy of the workflow.
 */
export function buildCredentials(
	workflow: WorkflowJson | undefined,
	cfg: Config,
	urls: { halo: string; datto: string },
	secrets: Secrets,
): Json[] {
	const refs = new Map<string, { id: string; name: string }>();
	for (const node of workflow?.nodes ?? []) {
		for (const [type, ref] of Object.entries(node.credentials ?? {})) {
			const known = refs.get(type);
			if (!ref.id)
				ref.id =
					known?.id ??
					DEFAULT_CREDENTIALS[type]?.id ??
					`Demo${createHash('sha1').update(type).digest('hex').slice(0, 12)}`;
			if (!known) refs.set(type, { id: ref.id, name: ref.name });
		}
	}
	for (const [type, ref] of Object.entries(DEFAULT_CREDENTIALS))
		if (![...refs.keys()].includes(type)) refs.set(type, ref);
	const out: Json[] = [];
	for (const [type, ref] of refs) {
		const data = credentialData(type, cfg, urls, secrets);
		if (!data) {
			warn(
				`the workflow uses a credential of type ${type}, which the demo does not fill; set it up in the editor`,
			);
			continue;
		}
		out.push({ id: ref.id, name: ref.name, type, data });
	}
	return out;
}

export interface Secrets {
	dattoWebhookSecret: string;
	haloWebhookUser: string;
	haloWebhookPassword: string;
	remediationToken: string;
	/** Basic-auth password of the status page (user STATUS_PAGE.user). */
	statusPagePassword: string;
}

/** Webhook secrets: the env's, else the simulators' fixed ones, else (real mode) random ones kept in the demo home. */
export function loadSecrets(cfg: Config, folder: string): Secrets {
	if (!cfg.haloReal && !cfg.dattoReal) {
		return {
			dattoWebhookSecret: process.env.DATTO_WEBHOOK_SECRET || SIM.dattoWebhookSecret,
			haloWebhookUser: process.env.HALO_WEBHOOK_USER || SIM.haloWebhookUser,
			haloWebhookPassword: process.env.HALO_WEBHOOK_PASSWORD || SIM.haloWebhookPassword,
			remediationToken: SIM.remediationToken,
			statusPagePassword: process.env.STATUS_PAGE_PASSWORD || SIM.statusPagePassword,
		};
	}
	const file = path.join(folder, 'demo-webhook-secrets.json');
	let saved: Partial<Secrets> = {};
	try {
		saved = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<Secrets>;
	} catch {
		// first run
	}
	const secrets: Secrets = {
		dattoWebhookSecret:
			process.env.DATTO_WEBHOOK_SECRET || saved.dattoWebhookSecret || randomBytes(24).toString('base64url'),
		haloWebhookUser: process.env.HALO_WEBHOOK_USER || saved.haloWebhookUser || 'halo-webhook',
		haloWebhookPassword:
			process.env.HALO_WEBHOOK_PASSWORD || saved.haloWebhookPassword || randomBytes(24).toString('base64url'),
		remediationToken: saved.remediationToken || randomBytes(24).toString('base64url'),
		statusPagePassword:
			process.env.STATUS_PAGE_PASSWORD || saved.statusPagePassword || randomBytes(18).toString('base64url'),
	};
	fs.mkdirSync(folder, { recursive: true });
	fs.writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
	return secrets;
}
