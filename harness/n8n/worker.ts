/*
 * Queue-mode workers (`n8n worker`) of an N8nInstance: each with the instance's environment, its own health-check and
 * task-broker ports (a fresh port block) and log file, under harness/watchdog.sh in its own process group.
 */
import * as fs from 'fs';
import * as path from 'path';

import { httpRequest } from '../http';
import { log } from '../log';
import { findFreePortBlock, releasePortBlock } from '../ports';
import { spawnGroup, stopGroup } from '../processes';
import { sleep } from '../wait';

/** A queue-mode worker started by N8nInstance.startWorker(). */
export interface N8nWorker {
	index: number;
	pid: number;
	/** Port of the worker's /healthz endpoints (QUEUE_HEALTH_CHECK_PORT). */
	healthPort: number;
	logFile: string;
	readonly running: boolean;
	stop(): Promise<void>;
}

export interface WorkerOptions {
	concurrency?: number;
	timeoutMs?: number;
	/** Environment on top of the instance's. */
	env?: Record<string, string>;
}

function logTail(logFile: string): string {
	return fs.readFileSync(logFile, 'utf8').split('\n').slice(-40).join('\n');
}

/**
 * Starts worker number `index` for the instance in `userFolder` with the instance's environment `instanceEnv`
 * (EXECUTIONS_MODE=queue, a Postgres DB_TYPE, QUEUE_BULL_* settings) and waits for its /healthz/readiness. `register`
 * receives the worker before the wait, so that the instance stops it also when the wait fails.
 */
export async function startN8nWorker(
	instance: { userFolder: string; env: NodeJS.ProcessEnv },
	index: number,
	options: WorkerOptions,
	register: (worker: N8nWorker) => void,
): Promise<N8nWorker> {
	const healthPort = await findFreePortBlock(2);
	const env: NodeJS.ProcessEnv = {
		...instance.env,
		QUEUE_HEALTH_CHECK_ACTIVE: 'true',
		QUEUE_HEALTH_CHECK_PORT: String(healthPort),
		N8N_RUNNERS_BROKER_PORT: String(healthPort + 1),
		...(options.env ?? {}),
	};
	const logFile = path.join(instance.userFolder, `worker-${index}.log`);
	const logFd = fs.openSync(logFile, 'a');
	const group = spawnGroup(env.N8N_BIN as string, ['worker', `--concurrency=${options.concurrency ?? 10}`], {
		cwd: instance.userFolder,
		env,
		stdio: ['ignore', logFd, logFd],
		watchdog: true,
	});
	fs.closeSync(logFd);
	const worker: N8nWorker = {
		index,
		pid: group.pid,
		healthPort,
		logFile,
		get running() {
			return group.exitCode === undefined;
		},
		stop: async () => {
			await stopGroup(group, 15_000, 10_000);
			releasePortBlock(healthPort);
		},
	};
	register(worker);
	const deadline = Date.now() + (options.timeoutMs ?? 120_000);
	for (;;) {
		if (group.exitCode !== undefined) throw new Error(`n8n worker ${index} exited while starting:\n${logTail(logFile)}`);
		try {
			const res = await httpRequest('GET', `http://127.0.0.1:${healthPort}/healthz/readiness`, { timeoutMs: 2000 });
			if (res.status === 200) break;
		} catch {
			// not listening yet
		}
		if (Date.now() > deadline) {
			await worker.stop();
			throw new Error(`n8n worker ${index} not ready after ${options.timeoutMs ?? 120_000} ms:\n${logTail(logFile)}`);
		}
		await sleep(250);
	}
	log(`n8n worker ${index} ready (health port ${healthPort}, log ${logFile})`);
	return worker;
}
