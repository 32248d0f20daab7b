/* n8n executions through the public API (the one copy for tests, benchmarks and the demo). */
import type { N8nInstance } from './n8n/instance';

export interface ExecutionSummary {
	id: number;
	status: string;
	mode: string;
	finished: boolean;
	startedAt: number;
	stoppedAt: number | null;
	workflowId: string;
}

/** Every execution (of a workflow) with an id above `sinceId`, paging through the public API (newest first). */
export async function executionsAfter(n8n: N8nInstance, sinceId: number, workflowId?: string): Promise<ExecutionSummary[]> {
	const out: ExecutionSummary[] = [];
	let cursor: string | undefined;
	for (;;) {
		const params = new URLSearchParams({ limit: '250' });
		if (workflowId) params.set('workflowId', workflowId);
		if (cursor) params.set('cursor', cursor);
		const res = await n8n.api('GET', `/executions?${params.toString()}`);
		if (res.status !== 200) throw new Error(`GET /executions: ${res.status} ${res.text.slice(0, 200)}`);
		const body = res.json as { data?: Array<Record<string, unknown>>; nextCursor?: string | null };
		let older = false;
		for (const e of body.data ?? []) {
			const id = Number(e.id);
			if (id <= sinceId) {
				older = true;
				continue;
			}
			out.push({
				id,
				status: String(e.status),
				mode: String(e.mode),
				finished: e.finished === true,
				startedAt: Date.parse(String(e.startedAt)),
				stoppedAt: e.stoppedAt ? Date.parse(String(e.stoppedAt)) : null,
				workflowId: String(e.workflowId),
			});
		}
		if (older || !body.nextCursor || (body.data ?? []).length === 0) break;
		cursor = body.nextCursor;
	}
	return out;
}

export async function lastExecutionId(n8n: N8nInstance): Promise<number> {
	const res = await n8n.api('GET', '/executions?limit=1');
	const data = (res.json as { data?: Array<{ id: string }> }).data ?? [];
	return data.length ? Number(data[0].id) : 0;
}
