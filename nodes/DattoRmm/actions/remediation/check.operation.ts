import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { remediationNoteText, type RemediationOutcome } from '../../../shared/policy/remediation';
import { isFinishedDeployment } from '../../../shared/transport/datto';
import type { DattoClient } from '../../../shared/transport/datto';
import { isApiRequestError } from '../../../shared/transport/http';
import { forOperation } from '../common';
import { clockOf, ledgerFor, nextWaitSeconds, readDefaults, readObject, readPollSeconds, settingsField } from './fields';
import { secretValuesOf, type RemediationContext } from './state';

export const description: INodeProperties[] = forOperation('remediation', 'check', [
	{
		displayName: 'Remediation',
		name: 'remediation',
		type: 'json',
		default: '={{ $json.remediation }}',
		description: 'The remediation object from Remediation → Start (or a previous Check)',
	},
	settingsField,
]);

function outcomeOf(status: string | null | undefined): RemediationOutcome {
	return status === 'Success' || status === 'Warning' ? 'success' : 'failure';
}

/**
 * Remediation → Check: reads the job's result on the device. Finished, or past the deadline: records the outcome
 * in the decision log and sets `remediation.noteText` (status, trimmed StdOut/StdErr, secrets scrubbed) with
 * `next: 'report'`. Otherwise `next: 'wait'` with the next `waitSeconds` (backoff, never past the deadline).
 */
export async function execute(this: IExecuteFunctions, client: DattoClient, itemIndex: number): Promise<IDataObject[]> {
	const input = this.getInputData()[itemIndex]?.json ?? {};
	const context = readObject.call(this, 'remediation', itemIndex) as unknown as RemediationContext & { jobUid?: string; deadline?: string; polls?: number };
	if (!context.jobUid || !context.deviceUid || !context.key) throw new Error('The remediation has no jobUid / deviceUid: connect this node after Remediation → Start');
	const now = clockOf.call(this, itemIndex)();
	const deadline = Date.parse(String(context.deadline ?? '')) || now;
	const defaults = readDefaults.call(this, itemIndex);
	let deploymentStatus: string | null = null;
	let stdout = '';
	let stderr = '';
	let readError: string | null = null;
	try {
		const results = await client.getJobResults(context.jobUid, context.deviceUid, { withOutput: true });
		deploymentStatus = results.jobDeploymentStatus ?? null;
		stdout = results.stdout ?? '';
		stderr = results.stderr ?? '';
	} catch (error) {
		// A result that cannot be read yet (404 right after creation, a passing outage) is retried until the deadline.
		readError = isApiRequestError(error) ? `${error.status ?? ''} ${error.apiMessage}`.trim() : (error as Error).message;
	}
	const finished = readError === null && isFinishedDeployment(deploymentStatus);
	if (!finished && now < deadline) {
		const polls = (context.polls ?? 0) + 1;
		return [{ ...input, remediation: { ...context, polls, deploymentStatus, waitSeconds: nextWaitSeconds(readPollSeconds.call(this, itemIndex), polls, now, deadline), next: 'wait' } }];
	}
	const outcome: RemediationOutcome = finished ? outcomeOf(deploymentStatus) : readError && !deploymentStatus ? 'error' : 'timeout';
	const ledger = await ledgerFor.call(this, itemIndex);
	const { rules } = await ledger.loadRules();
	await ledger.finished(context.key, { outcome, jobUid: context.jobUid, deploymentStatus, error: outcome === 'error' ? readError : null, ticketId: context.ticketId });
	const noteText = remediationNoteText({
		plan: { ...context, secretValues: secretValuesOf(rules, context) },
		outcome,
		jobUid: context.jobUid,
		deploymentStatus,
		stdout,
		stderr,
		error: outcome === 'error' ? readError : null,
		startedBy: context.startedBy === 'alert' ? undefined : context.startedBy,
		maxOutputChars: defaults.maxOutputChars,
	});
	return [{ ...input, remediation: { ...context, deploymentStatus, outcome, noteText, finishedAt: new Date(now).toISOString(), next: 'report' } }];
}
