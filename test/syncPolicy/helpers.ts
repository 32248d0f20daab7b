/**
 * Shared setup for the Sync Policy node tests: the node runs through n8n-core's WorkflowExecute (test/helpers/
 * nodeHarness.ts) against the in-process Halo simulator, with the workflow-static-data store of the harness
 * workflow and an injected clock (the hidden `clockOverride` parameter), so hours of alert history play in seconds.
 */
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { SyncPolicy } from '../../nodes/SyncPolicy/SyncPolicy.node';
import { DECISIONS, POLICY_COLLECTIONS, policyLayout, type Decision } from '../../nodes/shared/policy';
import { StaticDataStore } from '../../nodes/shared/store';
import type { HaloSimulator } from '../../simulators/halo';
import { runNode, type RunNodeResult } from '../helpers/nodeHarness';
import { datto, haloCredentials } from '../haloNodes/helpers';

export { startSim, warmClient, haloCredentials, datto } from '../haloNodes/helpers';

export const node = new SyncPolicy();
export const SEC = 1000;
export const MIN = 60 * SEC;
export const HOUR = 60 * MIN;

/** The id the harness gives every workflow: all runs of a test file share this static-data store. */
export const HARNESS_WORKFLOW_ID = 'harness-workflow';

/** The live static-data store the node uses in the harness (same process, same workflow id). */
export function harnessStore(): StaticDataStore {
	return new StaticDataStore(HARNESS_WORKFLOW_ID, {});
}

/** Deletes every record the Sync Policy writes (live and dry-run), so each test starts empty. */
export async function wipeStore(): Promise<void> {
	const store = harnessStore();
	const collections = new Set<string>([
		...Object.values(POLICY_COLLECTIONS),
		...Object.values(policyLayout(true)),
		'failedEvents',
		'dryRun.failedEvents',
		'health',
	]);
	for (const collection of collections) {
		for (const record of await store.list(collection)) await store.delete(collection, record.key);
	}
}

/** A clock for one test: starts at the real now (Halo's action times are real), moved forward by the test. */
export class Clock {
	readonly start = Math.floor(Date.now() / 1000) * 1000;
	offset = 0;
	iso(at = this.offset): string {
		return new Date(this.start + at).toISOString();
	}
	set(at: number): string {
		this.offset = at;
		return this.iso();
	}
}

/** Node parameters of the deciding operations: fixed status ids (no GET /Status), client 12 of the simulator. */
export function deciding(extra: INodeParameters = {}): INodeParameters {
	const { haloOptions, ...rest } = extra;
	return {
		operation: 'decide',
		fallbackClientId: 12,
		haloOptions: { closedStatusId: 9, reopenStatusId: 2, ...((haloOptions as IDataObject) ?? {}) },
		...rest,
	};
}

export interface PolicyRun extends RunNodeResult {
	/** Output items per decision name. */
	byDecision: Record<Decision, IDataObject[]>;
	/** The decisions of all output items, in output order. */
	decisions: Decision[];
	/** Every output item's json. */
	all: IDataObject[];
}

export async function runPolicy(
	sim: HaloSimulator | null,
	parameters: INodeParameters,
	input: INodeExecutionData[] = [{ json: {} }],
	extra: { continueOnFail?: boolean; credentials?: Record<string, IDataObject>; onError?: 'continueErrorOutput' } = {},
): Promise<PolicyRun> {
	const credentials = extra.credentials ?? (sim ? { haloPsaApi: haloCredentials(sim) } : {});
	const result = await runNode({
		node,
		parameters,
		input,
		credentials: credentials as never,
		mode: 'webhook',
		continueOnFail: extra.continueOnFail,
		onError: extra.onError,
	});
	const byDecision = Object.fromEntries(DECISIONS.map((d, i) => [d, (result.outputs[i] ?? []).map((item) => item.json)])) as Record<Decision, IDataObject[]>;
	const all = result.outputs.flat().map((i) => i.json);
	return { ...result, byDecision, all, decisions: all.map((j) => j.decision as Decision) };
}

/** Decide for alerts (items) at the clock's time. */
export async function decideAt(
	sim: HaloSimulator | null,
	clock: Clock,
	at: number,
	alerts: IDataObject[],
	parameters: INodeParameters = {},
	extra: Parameters<typeof runPolicy>[3] = {},
): Promise<PolicyRun> {
	return await runPolicy(sim, deciding({ clockOverride: clock.set(at), ...parameters }), alerts.map((json) => ({ json })), extra);
}

export async function processDueAt(sim: HaloSimulator | null, clock: Clock, at: number, parameters: INodeParameters = {}): Promise<PolicyRun> {
	return await runPolicy(sim, deciding({ operation: 'processDue', clockOverride: clock.set(at), ...parameters }));
}

/** A normalised Datto alert of device `n` (dedupeKey per device + the disk condition). */
export function alertOf(uid: string, over: { device?: string; event?: 'triggered' | 'resolved'; site?: string; priority?: string } = {}): IDataObject {
	const device = over.device ?? 'dev-1';
	const site = over.site ?? 'site-uid-contoso-ho';
	return datto({
		alertUid: uid,
		event: over.event ?? 'triggered',
		device: { uid: device, hostname: device.toUpperCase() },
		site: { uid: site, name: 'Contoso Head Office' },
		dedupeKey: `${device}|perf_disk_usage_ctx:C:`,
		link: null,
		...(over.priority ? { priority: over.priority } : {}),
	}) as IDataObject;
}

export const resolvedOf = (alert: IDataObject): IDataObject => ({ ...alert, event: 'resolved' });

/** API calls at the simulator by route (e.g. `POST /api/tickets`), token requests excluded. */
export function routeCounts(sim: HaloSimulator): Record<string, number> {
	const counts = { ...sim.counts().byRoute };
	delete counts['POST /auth/token'];
	return counts;
}

/** Write calls (POST/PUT/DELETE under /api) the simulator answered. */
export function writeCalls(sim: HaloSimulator): number {
	return sim.log.entries().filter((e) => /^\/api\//i.test(e.path) && e.method !== 'GET').length;
}
