/*
 * The shipped workflows as the real-n8n runs import them (tests, benchmarks, demo): reading workflows/*.json, the
 * documented import-time transforms (seed CSV, compressed schedules and ages, table names, policy settings, copies),
 * webhook paths, the webhook credentials of the test fixture, and running the seed section with `n8n execute`.
 * test/e2e/fixtures/sync.ts documents which transform each test uses.
 */
import * as fs from 'fs';
import * as path from 'path';

import { N8nInstance } from './n8n/instance';
import { fixturePath, repoRoot } from './repo';
import { NODES, NODE_TYPES, stableUuid, type Json, type WorkflowJson, type WorkflowNode } from '../scripts/workflows/definition';

export const CREDENTIALS_FIXTURE = fixturePath('credentials.template.json');
export const DATTO_WEBHOOK_SECRET = 'e2e-datto-webhook-secret';
export const HALO_WEBHOOK_AUTH = { type: 'basic' as const, username: 'halo-webhook', password: 'e2e-halo-webhook-password' };

export function readWorkflow(relative: string): WorkflowJson {
	return JSON.parse(fs.readFileSync(path.join(repoRoot(), relative), 'utf8')) as WorkflowJson;
}

export function node(workflow: WorkflowJson, name: string): WorkflowNode {
	const found = workflow.nodes.find((n) => n.name === name);
	if (!found) throw new Error(`workflow ${workflow.id} has no node "${name}"`);
	return found;
}

export interface Transform {
	seedCsv?: string;
	/** Schedule node name → run every N seconds. */
	everySeconds?: Record<string, number>;
	/** Purge age of both Purge nodes. */
	purgeAfterHours?: number;
	/** Grace of "Resolved in Datto?" in minutes. */
	resolveGraceMinutes?: number;
	/** Postgres table of every Mapping Store node. */
	table?: string;
	/** "Reclaim Stale Claims After (Minutes)" of every "Claim alert" node. */
	reclaimAfterMinutes?: number;
	/** Merged into the Policy Settings of every Sync Policy node that has them (the deciding operations). */
	policySettings?: Record<string, Json>;
	/** Dry Run of every Sync Policy node. */
	dryRun?: boolean;
	/** Nodes to deactivate (n8n's "Deactivate"): a deactivated trigger is not started. */
	disable?: string[];
	/** Like `disable`, for transforms applied to several workflows: names a workflow does not have are skipped. */
	disableWhereFound?: string[];
	/** A copy under another workflow id and name: webhook ids are derived anew, so both can be published. */
	copyAs?: { id: string; name: string };
	/** Credential references to replace, by credential type (e.g. the dry-run copy's own simulators). */
	credentials?: Record<string, { id: string; name: string }>;
	/** IF node name → seconds: its `$now.minus({ minutes: N })` age condition becomes `$now.minus({ seconds: S })`. */
	ageSeconds?: Record<string, number>;
}

/** A copy of a shipped workflow with the documented test-only changes. */
export function transformWorkflow(source: WorkflowJson, t: Transform): WorkflowJson {
	const wf = JSON.parse(JSON.stringify(source)) as WorkflowJson;
	const has = (name: string) => wf.nodes.some((n) => n.name === name);
	if (t.seedCsv !== undefined && has(NODES.seedImport)) node(wf, NODES.seedImport).parameters.csv = t.seedCsv;
	for (const [name, seconds] of Object.entries(t.everySeconds ?? {})) {
		if (!has(name)) continue;
		node(wf, name).parameters.rule = { interval: [{ field: 'seconds', secondsInterval: seconds }] };
	}
	if (t.purgeAfterHours !== undefined) {
		for (const name of [NODES.purgeAlerts, NODES.purgeTickets]) {
			if (has(name)) node(wf, name).parameters.olderThanHours = t.purgeAfterHours;
		}
	}
	if (t.resolveGraceMinutes !== undefined && has(NODES.resolvedInDatto)) {
		const conditions = (node(wf, NODES.resolvedInDatto).parameters.conditions as { conditions: Array<{ rightValue: unknown }> })
			.conditions;
		const grace = conditions.find((c) => typeof c.rightValue === 'string' && c.rightValue.includes('$now.minus'));
		if (!grace) throw new Error('the resolve grace condition was not found');
		grace.rightValue = (grace.rightValue as string).replace(/minutes: \d+/, `minutes: ${t.resolveGraceMinutes}`);
	}
	if (t.reclaimAfterMinutes !== undefined && has(NODES.claim)) {
		node(wf, NODES.claim).parameters.reclaimAfterMinutes = t.reclaimAfterMinutes;
	}
	if (t.table !== undefined) {
		for (const n of wf.nodes) if (n.parameters.backend === 'postgres') n.parameters.table = t.table;
	}
	for (const n of wf.nodes.filter((x) => x.type === NODE_TYPES.syncPolicy)) {
		if (t.dryRun !== undefined) n.parameters.dryRun = t.dryRun;
		if (t.policySettings && n.parameters.policySettings !== undefined) {
			n.parameters.policySettings = { ...(n.parameters.policySettings as Record<string, Json>), ...t.policySettings };
		}
	}
	for (const [name, seconds] of Object.entries(t.ageSeconds ?? {})) {
		const conditions = (node(wf, name).parameters.conditions as { conditions: Array<{ rightValue: unknown }> }).conditions;
		const age = conditions.find((c) => typeof c.rightValue === 'string' && /\$now\.minus\(\{ minutes: [\d.]+ \}\)/.test(c.rightValue));
		if (!age) throw new Error(`${name} has no $now.minus({ minutes: … }) condition`);
		age.rightValue = (age.rightValue as string).replace(/\{ minutes: [\d.]+ \}/, `{ seconds: ${seconds} }`);
	}
	for (const name of t.disable ?? []) node(wf, name).disabled = true;
	for (const found of wf.nodes.filter((n) => (t.disableWhereFound ?? []).includes(n.name))) found.disabled = true;
	if (t.copyAs) {
		wf.id = t.copyAs.id;
		wf.name = t.copyAs.name;
		for (const n of wf.nodes) if (n.webhookId) n.webhookId = stableUuid(`${wf.id}/webhook/${n.name}`);
	}
	for (const [type, ref] of Object.entries(t.credentials ?? {})) {
		for (const n of wf.nodes) if (n.credentials?.[type]) n.credentials[type] = { ...ref };
	}
	return wf;
}

/** `/webhook/<webhookId>/<path>` of a trigger node. */
export function webhookPath(workflow: WorkflowJson, name: string, suffix: string): string {
	const trigger = node(workflow, name);
	if (!trigger.webhookId) throw new Error(`${name} has no webhookId`);
	return `${trigger.webhookId}/${suffix}`;
}

/**
 * Runs the seed section (its manual trigger) with `n8n execute --id=…` while n8n is stopped, as README.md#shipped-workflows tells
 * users. n8n 2.41's CLI now and then dies with SIGSEGV while shutting down, after the execution finished and was
 * stored (the printed run says `"status": "success"`, `"finished": true`); that counts as done, anything else is
 * retried twice. The lifecycle tests check the seeded rows separately.
 */
export async function runSeedStep(n8n: N8nInstance, workflowId: string, lastNode: string = NODES.seedImport): Promise<void> {
	for (let attempt = 1; ; attempt++) {
		try {
			const { stdout } = await n8n.cli(['execute', `--id=${workflowId}`]);
			// The CLI starts from the first Manual/Schedule Trigger in node order: make sure that was the seed section.
			if (!stdout.includes(`"lastNodeExecuted": "${lastNode}"`)) {
				throw new Error(`n8n execute --id=${workflowId} did not run the seed section:\n${stdout.slice(-3000)}`);
			}
			return;
		} catch (error) {
			const message = (error as Error).message;
			if (/failed \(SIG[A-Z]+\)/.test(message) && /"status": "success"/.test(message) && /"finished": true/.test(message)) {
				process.stderr.write(`[e2e] n8n execute --id=${workflowId} crashed on exit after a successful run (ignored)\n`);
				return;
			}
			if (attempt >= 3 || /did not run the seed section/.test(message)) throw error;
		}
	}
}
