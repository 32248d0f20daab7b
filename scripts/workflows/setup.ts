/**
 * The setup workflows (workflows/setup/*.json), built from the helpers of ./definition.ts:
 * - check-setup.json: Manual Trigger → Sync Policy "Check Setup" (report as JSON and an HTML file to view/download);
 * - status-page.json: Webhook (GET /webhook/halo-datto-status, Basic auth) → Sync Policy "Status Page" (Postgres
 *   mapping store, the table the Postgres sync workflows share) → Respond to Webhook with the HTML page.
 * The static-data sync keeps its store inside its own workflow: there, copy the three status nodes into it (docs/setup.md).
 */
import {
	CORE_NODE_VERSIONS,
	CREDENTIALS,
	NODE_TYPES,
	SETTINGS,
	stableUuid,
	type BuiltWorkflow,
	type WorkflowJson,
	type WorkflowNode,
} from './definition';

export const SETUP_WORKFLOW_IDS = { checkSetup: 'HaloDattoCheckSt1', statusPage: 'HaloDattoStatusP' } as const;

/** Path of the status page under n8n's /webhook/. */
export const STATUS_PAGE_PATH = 'halo-datto-status';

const WEBHOOK_TYPE = 'n8n-nodes-base.webhook';
const RESPOND_TYPE = 'n8n-nodes-base.respondToWebhook';
/** Both exist in n8n 1.123.x and 2.41.x. */
const WEBHOOK_VERSION = 2;
const RESPOND_VERSION = 1.1;

const credential = (type: keyof typeof CREDENTIALS) => ({ [type]: { ...CREDENTIALS[type] } });

function node(workflowId: string, name: string, type: string, typeVersion: number, position: [number, number], parameters: WorkflowNode['parameters'], extra: Partial<WorkflowNode> = {}): WorkflowNode {
	return { id: stableUuid(`${workflowId}/${name}`), name, type, typeVersion, position, parameters, ...extra };
}

function workflow(id: string, name: string, nodes: WorkflowNode[], chain: string[]): WorkflowJson {
	const connections: WorkflowJson['connections'] = {};
	for (let i = 0; i + 1 < chain.length; i++) connections[chain[i]] = { main: [[{ node: chain[i + 1], type: 'main', index: 0 }]] };
	return { id, name, active: false, nodes, connections, settings: { executionOrder: 'v1' }, pinData: {}, meta: { templateCredsSetupCompleted: false }, tags: [] };
}

function checkSetupWorkflow(): WorkflowJson {
	const id = SETUP_WORKFLOW_IDS.checkSetup;
	const nodes = [
		node(id, 'Note: about', NODE_TYPES.sticky, CORE_NODE_VERSIONS[NODE_TYPES.sticky], [-460, -300], {
			content:
				'# Check Setup\nRun once after entering the credentials: **Execute workflow**, then open *Check Setup*\'s output ' +
				'(JSON, or the binary `report`: view / download the HTML). Put your Datto RMM Trigger\'s and HaloPSA Trigger\'s ' +
				'Production URLs and the settings your sync uses into *Check Setup*. The report never contains a secret. ' +
				'Same checks from a shell: `halo-datto-check-setup config.json` (docs/setup.md).',
			width: 620,
			height: 220,
			color: 1,
		}),
		node(id, 'Run check', NODE_TYPES.manual, CORE_NODE_VERSIONS[NODE_TYPES.manual], [-400, 0], {}),
		node(
			id,
			'Check Setup',
			NODE_TYPES.syncPolicy,
			1,
			[-160, 0],
			{
				operation: 'checkSetup',
				dattoWebhookUrl: 'https://n8n.example.com/webhook/REPLACE/datto-alert',
				haloWebhookUrl: 'https://n8n.example.com/webhook/REPLACE/halo',
				checkSettings: { priorityMap: 'Critical=1, High=2, Moderate=3, Low=4, Information=4' },
			},
			{ credentials: { ...credential('haloPsaApi'), ...credential('dattoRmmApi') } },
		),
	];
	return workflow(id, 'Datto RMM ⇄ HaloPSA: Check Setup', nodes, ['Run check', 'Check Setup']);
}

function statusPageWorkflow(): WorkflowJson {
	const id = SETUP_WORKFLOW_IDS.statusPage;
	const nodes = [
		node(id, 'Note: about', NODE_TYPES.sticky, CORE_NODE_VERSIONS[NODE_TYPES.sticky], [-460, -320], {
			content:
				'# Sync status page\nPublish, then open `<n8n>/webhook/' +
				STATUS_PAGE_PATH +
				'` in a browser (Basic auth: the *Status page login* credential). Shows open alert ↔ ticket links, the last ' +
				'delivery from Datto and Halo, failed events, decisions of the last 24 h, counts per day. Reads the Postgres ' +
				'mapping store of the Postgres sync workflows; for the static-data sync copy these three nodes into that workflow ' +
				'and set *Status* to Workflow Static Data. Set *Halo Ticket Link* to your tenant.',
			width: 660,
			height: 240,
			color: 1,
		}),
		node(
			id,
			'Status request',
			WEBHOOK_TYPE,
			WEBHOOK_VERSION,
			[-400, 0],
			{ httpMethod: 'GET', path: STATUS_PAGE_PATH, authentication: 'basicAuth', responseMode: 'responseNode', options: {} },
			{ webhookId: stableUuid(`${id}/webhook`), credentials: { httpBasicAuth: { id: 'StatusPageAuth01', name: 'Status page login' } } },
		),
		node(
			id,
			'Status',
			NODE_TYPES.syncPolicy,
			1,
			[-160, 0],
			{ operation: 'statusPage', backend: 'postgres', table: SETTINGS.table, haloTicketUrl: 'https://yourco.halopsa.com/ticket?id={ticket}' },
			{ credentials: { ...credential('mappingStorePostgresApi'), ...credential('haloPsaApi') } },
		),
		node(id, 'Send page', RESPOND_TYPE, RESPOND_VERSION, [80, 0], {
			respondWith: 'text',
			responseBody: '={{ $json.html }}',
			options: { responseHeaders: { entries: [{ name: 'Content-Type', value: 'text/html; charset=utf-8' }, { name: 'Cache-Control', value: 'no-store' }] } },
		}),
	];
	return workflow(id, 'Datto RMM ⇄ HaloPSA: status page', nodes, ['Status request', 'Status', 'Send page']);
}

export function buildSetupWorkflows(): BuiltWorkflow[] {
	return [
		{ file: 'workflows/setup/check-setup.json', workflow: checkSetupWorkflow() },
		{ file: 'workflows/setup/status-page.json', workflow: statusPageWorkflow() },
	];
}
