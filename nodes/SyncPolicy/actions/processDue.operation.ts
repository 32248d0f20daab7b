/**
 * Process Due (for a Schedule Trigger, e.g. every minute): grace closes whose time has come and held alerts
 * (maintenance window ended, business hours started) → the policies → routed like Decide. Runs once per
 * execution, whatever the number of input items; every output item is paired with the first input item.
 */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { dueWork, policyLayout, type AlertValue, type GraceCloseValue } from '../../shared/policy';
import { runPolicyEvent } from '../../shared/policy/runtime/runner';
import { decisionOutputs, errorItem, IGNORE, route, runEnvironment } from './context';

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const outputs = decisionOutputs();
	let firstFailure: Error | null = null;
	try {
		const env = await runEnvironment.call(this, 0);
		const L = policyLayout(env.config.dryRun);
		const [graces, suppressed, deferred] = await Promise.all([
			env.store.list(L.graceCloses, { status: 'open' }),
			env.store.list(L.alerts, { status: 'suppressed' }),
			env.store.list(L.alerts, { status: 'deferred' }),
		]);
		const due = dueWork(
			{
				graceCloses: graces.map((r) => r.value as unknown as GraceCloseValue),
				heldAlerts: [...suppressed, ...deferred].map((r) => r.value as unknown as AlertValue),
			},
			env.now,
		);
		// Every due item is processed even when one fails; the first failure is raised at the end.
		for (const item of due) {
			const outcome = await runPolicyEvent({ type: 'tick', due: item }, env.options);
			const failure = route.call(this, outputs, outcome, 0, { event: 'tick', due: item });
			firstFailure ??= failure;
		}
	} catch (error) {
		firstFailure ??= errorItem.call(this, outputs[IGNORE], error, 0);
	}
	if (firstFailure) throw firstFailure;
	return outputs;
}
