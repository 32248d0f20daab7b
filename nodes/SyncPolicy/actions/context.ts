/**
 * What every deciding operation needs from n8n: the clock, the store (the Mapping Store node's backend fields and
 * openStore), the engine configuration, the Halo writer and facts provider (one cached client per credential), and
 * the routing of outcomes to the named outputs.
 */
import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';

import { openStore } from '../../shared/n8n/storeBackend';
import { cachedApiAgentId } from '../../shared/halo';
import { DECISIONS, type Decision, type PolicyConfig } from '../../shared/policy';
import { DEFAULT_HISTORY_LIMIT, type RecordStore } from '../../shared/store';
import { getDattoClientForCredentials } from '../../shared/transport/datto';
import { haloClientFor, type HaloClient } from '../../shared/transport/halo';
import { toNodeError } from '../../shared/transport/n8n';
import { errorItem as sharedErrorItem } from '../../shared/n8n/itemRunner';
import { markersOf } from '../../shared/domain/haloMarker';
import { factsFromActions } from '../../shared/policy/runtime/facts';
import { HaloPolicyWriter } from '../../shared/policy/runtime/haloWriter';
import type { FactsProvider, PolicyRunOptions, PolicyRunOutcome } from '../../shared/policy/runtime/runner';
import { readPolicyConfig, readsFactsFromApi, readWriterSettings } from './settings';
import { testClockNow } from './testClock';

/** The named outputs of the deciding operations, in order (the engine's decisions). */
export const DECISION_OUTPUTS: readonly Decision[] = DECISIONS;

/**
 * "Now": the real clock, or a test-only time: the hidden parameter `clockOverride` (an ISO time; used by the unit
 * tests to play hours of alert history in seconds) or the file named by HALO_DATTO_POLICY_TEST_CLOCK_FILE
 * (testClock.ts; the tests in real n8n). Never set either in production.
 */
export function clockOf(this: IExecuteFunctions, itemIndex = 0): Date {
	const override = String(this.getNodeParameter('clockOverride', itemIndex, '') ?? '').trim();
	if (!override) return testClockNow() ?? new Date();
	const t = Date.parse(override);
	if (!Number.isFinite(t)) throw new NodeOperationError(this.getNode(), `Clock override "${override}" is not an ISO time`, { itemIndex });
	return new Date(t);
}

export async function storeOf(this: IExecuteFunctions, itemIndex: number): Promise<RecordStore> {
	// Closed records keep their whole decision log: explain and the status page read it.
	return await openStore.call(this, itemIndex, { closedHistoryLimit: DEFAULT_HISTORY_LIMIT });
}

function hasCredential(this: IExecuteFunctions, type: string): boolean {
	return Boolean(this.getNode().credentials?.[type]);
}

export interface RunEnvironment {
	store: RecordStore;
	config: PolicyConfig;
	now: Date;
	options: PolicyRunOptions;
	/** The cached Halo client of the node's credential, when one is selected. */
	halo: HaloClient | null;
}

/** Store, configuration, clock, writer and facts provider for item `itemIndex`. */
export async function runEnvironment(this: IExecuteFunctions, itemIndex: number): Promise<RunEnvironment> {
	const config = readPolicyConfig.call(this, itemIndex);
	const now = clockOf.call(this, itemIndex);
	const store = await storeOf.call(this, itemIndex);
	const withHalo = hasCredential.call(this, 'haloPsaApi');
	if (!config.dryRun && !withHalo) {
		throw new NodeOperationError(this.getNode(), 'Select a HaloPSA credential (the node writes the tickets), or switch on Dry Run', {
			itemIndex,
		});
	}
	const halo = withHalo ? await haloClientFor(this, itemIndex) : null;
	let writer: HaloPolicyWriter | null = null;
	if (halo && !config.dryRun) {
		const resolveInNode = this.getNodeParameter('resolveDattoAlerts', itemIndex, false) as boolean;
		const datto = resolveInNode ? getDattoClientForCredentials(await this.getCredentials('dattoRmmApi', itemIndex)) : null;
		writer = new HaloPolicyWriter(halo, readWriterSettings.call(this, itemIndex), datto);
	}
	let facts: FactsProvider | null = null;
	if (halo && config.closeRules.enabled && readsFactsFromApi.call(this, itemIndex)) {
		const integration = config.integrationAgentIds;
		facts = async (ticketId, since) => {
			const apiAgent = await cachedApiAgentId(halo);
			const actions = await halo.listActions(ticketId);
			return factsFromActions(actions, since, { integrationAgentIds: [...integration, apiAgent], markers: markersOf(halo.marker) });
		};
	}
	return {
		store,
		config,
		now,
		halo,
		options: {
			store,
			config,
			now,
			// Retries after a guard conflict decide at their own time; a test clock (clockOverride) stays fixed, the
			// test clock file is read again.
			clock: String(this.getNodeParameter('clockOverride', itemIndex, '') ?? '').trim() ? null : () => testClockNow() ?? new Date(),
			writer,
			facts,
			owner: `n8n execution ${this.getExecutionId?.() ?? '?'}`,
		},
	};
}

/**
 * The configuration for a Halo ticket event: the credential's API agent (GET /Agent/me, cached for an hour) counts
 * as the integration too, so our own changes never count as a technician's touch, even when the HaloPSA Trigger
 * passed them on (its "Ignore Own Changes" normally drops them).
 */
export async function withApiAgent(env: RunEnvironment): Promise<PolicyRunOptions> {
	if (!env.halo) return env.options;
	const apiAgent = await cachedApiAgentId(env.halo);
	if (env.config.integrationAgentIds.includes(apiAgent)) return env.options;
	const config = { ...env.config, integrationAgentIds: [...env.config.integrationAgentIds, apiAgent] };
	return { ...env.options, config };
}

/** Index of the `ignore` output (items that could not be decided go there with "On Error: Continue"). */
export const IGNORE = DECISION_OUTPUTS.indexOf('ignore');

/** Eight empty outputs, one per decision. */
export function decisionOutputs(): INodeExecutionData[][] {
	return DECISION_OUTPUTS.map(() => []);
}

/** The output item of an outcome: what the next node needs, without expressions. */
export function outcomeJson(outcome: PolicyRunOutcome, extra: IDataObject = {}): IDataObject {
	const firstNote = outcome.actions.find((a) => a.type === 'addNote');
	const created = outcome.created;
	return {
		decision: outcome.decision,
		reason: outcome.reason,
		dryRun: outcome.dryRun,
		ticketId: outcome.subject.ticketId,
		alertUid: outcome.subject.alertUid,
		dedupeKey: outcome.subject.dedupeKey,
		note: firstNote && firstNote.type === 'addNote' ? firstNote.text : null,
		noteKind: firstNote && firstNote.type === 'addNote' ? firstNote.kind : null,
		created: { ticket: created.ticket ?? null, parent: created.parent ?? null },
		actions: outcome.actions as unknown as IDataObject[],
		dattoAlertUids: outcome.dattoAlertUids,
		haloCalls: outcome.calls,
		factsFetched: outcome.factsFetched,
		mapping: (outcome.mapping as IDataObject | null | undefined) ?? null,
		attempts: outcome.attempts,
		warnings: outcome.warnings,
		...(outcome.failure
			? { error: outcome.failure.message, httpCode: outcome.failure.httpCode, failedEventKey: outcome.failure.failedEventKey }
			: {}),
		...extra,
	};
}

/**
 * Puts an outcome on its decision's output. A failed outcome: with "On Error: Continue" an error item on the same
 * output (n8n moves it to the error output with "continue (using error output)"); otherwise the NodeApiError /
 * NodeOperationError to throw is returned.
 */
export function route(
	this: IExecuteFunctions,
	outputs: INodeExecutionData[][],
	outcome: PolicyRunOutcome,
	itemIndex: number,
	extra: IDataObject = {},
): Error | null {
	const index = Math.max(0, DECISION_OUTPUTS.indexOf(outcome.decision));
	const json = outcomeJson(outcome, extra);
	if (!outcome.failure) {
		outputs[index].push({ json, pairedItem: { item: itemIndex } });
		return null;
	}
	const error = toNodeError(this.getNode(), outcome.failure.error, itemIndex);
	const where = outcome.failure.failedEventKey
		? `Recorded in the failed-event list as "${outcome.failure.failedEventKey}": run the Replay Failed Events operation once the cause is fixed.`
		: 'It could not be recorded in the failed-event list.';
	error.description = [error.description, `Sync policy: ${outcome.reason}`, where].filter(Boolean).join(' ');
	if (!this.continueOnFail()) return error;
	outputs[index].push(sharedErrorItem.call(this, itemIndex, error, json));
	return null;
}

/**
 * An error item for a failure before any decision (bad input, store unavailable) on `target` (the deciding
 * operations use the `ignore` output), or the error to throw without "On Error: Continue".
 */
export function errorItem(this: IExecuteFunctions, target: INodeExecutionData[], error: unknown, itemIndex: number): Error | null {
	const nodeError = toNodeError(this.getNode(), error, itemIndex);
	if (!this.continueOnFail()) return nodeError;
	target.push(sharedErrorItem.call(this, itemIndex, nodeError));
	return null;
}
