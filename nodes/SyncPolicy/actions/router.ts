import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import * as checkSetup from './checkSetup.operation';
import * as decide from './decide.operation';
import * as explain from './explain.operation';
import * as health from './health.operation';
import * as processDue from './processDue.operation';
import * as replayFailed from './replayFailed.operation';
import * as statusPage from './statusPage.operation';

type Operation = { execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> };

const operations: Record<string, Operation> = { checkSetup, decide, explain, health, processDue, replayFailed, statusPage };

/**
 * Dispatches to the operation. Each operation owns its item loop because the routing differs: Decide routes every
 * input item to its decision's output; Process Due, Replay Failed Events and Check Health run once per execution;
 * Explain answers one item per input item. Errors: see context.ts (route / errorItem).
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const operation = this.getNodeParameter('operation', 0) as string;
	const op = operations[operation];
	if (op === undefined) throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported`);
	return await op.execute.call(this);
}
