/**
 * Replay Failed Events: the failed-event list (Halo or Datto writes that failed) run again, oldest first, and
 * routed like Decide. An `event` record is decided again (the state has not changed since it failed, unless other
 * events moved it on); an `actions` record executes only the writes that were left. Replayed records are closed.
 */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { bindActions, type CreatedTickets } from '../../shared/policy';
import { failedEventOf, listFailedEvents, markReplayed, recordFailure } from '../../shared/policy/runtime/failures';
import { runPolicyEvent, type PolicyRunOutcome } from '../../shared/policy/runtime/runner';
import { executeSteps, planSteps } from '../../shared/policy/runtime/steps';
import { decisionOutputs, errorItem, IGNORE, route, runEnvironment } from './context';

export const description: INodeProperties[] = [
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		hint: 'Failed events replayed per run, oldest first',
		displayOptions: { show: { operation: ['replayFailed'] } },
	},
];

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const outputs = decisionOutputs();
	let firstFailure: Error | null = null;
	try {
		const env = await runEnvironment.call(this, 0);
		const { store, config, now } = env;
		const records = await listFailedEvents(store, config.dryRun, this.getNodeParameter('limit', 0, 50) as number);
		for (const record of records) {
			const failed = failedEventOf(record);
			if (!failed) continue;
			let outcome: PolicyRunOutcome;
			if (failed.kind === 'event') {
				outcome = await runPolicyEvent(failed.event, env.options);
				// Success, or committed with some writes left (recorded under a new key): this record is done.
				if (!outcome.failure || outcome.failure.committed) {
					await markReplayed(store, config.dryRun, record.key, now, outcome);
				}
			} else {
				const exec = env.options.writer ? await executeSteps(planSteps(failed.actions), env.options.writer) : null;
				const created: CreatedTickets = exec?.created ?? {};
				const error = exec === null ? new Error('No HaloPSA writer: select a HaloPSA credential') : (exec.failure?.error ?? null);
				let failedEventKey: string | null = null;
				if (error === null) {
					await markReplayed(store, config.dryRun, record.key, now, failed);
				} else {
					failedEventKey = await recordFailure(store, {
						key: record.key,
						kind: 'actions',
						event: failed.event,
						actions: exec?.failure?.remaining ?? failed.actions,
						decision: failed.decision,
						reason: failed.reason,
						subject: failed.subject,
						error,
						dryRun: config.dryRun,
						now,
					});
				}
				const message = error === null ? null : error instanceof Error ? error.message : String(error);
				outcome = {
					decision: failed.decision,
					reason: error === null ? `replayed: ${failed.reason}` : `failed again: ${message} (${failed.reason})`,
					dryRun: config.dryRun,
					result: null,
					subject: { alertUid: failed.subject.alertUid, dedupeKey: failed.subject.dedupeKey, ticketId: typeof failed.subject.ticketId === 'number' ? failed.subject.ticketId : null },
					created,
					actions: bindActions(failed.actions, created),
					calls: exec?.calls ?? 0,
					warnings: [],
					attempts: 1,
					factsFetched: [],
					dattoAlertUids: exec?.dattoAlertUids ?? [],
					failure: error === null ? null : { message: message ?? '', httpCode: null, error, failedEventKey, committed: true },
				};
			}
			const failure = route.call(this, outputs, outcome, 0, { event: 'replay', replayOf: record.key, failedEvent: failed as never });
			firstFailure ??= failure;
		}
	} catch (error) {
		firstFailure ??= errorItem.call(this, outputs[IGNORE], error, 0);
	}
	if (firstFailure) throw firstFailure;
	return outputs;
}
