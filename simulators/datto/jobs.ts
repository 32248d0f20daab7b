/**
 * Datto RMM components and quick jobs for the simulator (shapes from the OpenAPI types shipped in the npm package
 * datto-rmm-api@0.1.0, dist/generated/types.d.ts: Component, ComponentVariable, CreateQuickJobRequest/Response, Job,
 * JobResults, JobComponentResult, JobStdData; see docs/self-healing.md "API facts").
 *
 * Lifecycle of a quick job: scheduled (Job.status "active", results jobDeploymentStatus "Pending") → running
 * ("active", "Running") after `startDelayMs` → success or failure ("completed", "Success" / "Failure") after `runMs`.
 * A component can be set to never finish (the job stays "Running"), and to "fix" alerts: when its job succeeds, the
 * device's open alerts that match `fixes` are resolved in Datto (and the resolved webhook fires, through the server).
 */
import { randomUUID } from 'crypto';
import type { JsonObject } from './data';

export interface SimComponentVariable extends JsonObject {
	name: string;
	defaultVal: string;
	type: string;
	direction: boolean;
	description: string;
	variablesIdx: number;
}

/** What a simulated component does when it runs (simulator-only, never sent by the API). */
export interface SimComponentBehaviour {
	/** Outcome of the job (default success). */
	outcome?: 'success' | 'failure';
	/** StdOut text; `{{name}}` is replaced by the value of the job variable `name`. */
	stdout?: string;
	stderr?: string;
	/** Override of the simulator's run time for this component. */
	runMs?: number;
	/** The job never finishes (stays Running). */
	neverFinishes?: boolean;
	/**
	 * On success, resolve the device's open alerts whose [alert_message] or alertContext @class matches this regular
	 * expression (case-insensitive); "*" resolves every open alert of the device.
	 */
	fixes?: string;
}

export interface SimComponent extends JsonObject {
	id: number;
	uid: string;
	name: string;
	description: string;
	categoryCode: string;
	credentialsRequired: boolean;
	variables: SimComponentVariable[];
}

export interface SimComponentInput {
	uid?: string;
	name: string;
	description?: string;
	categoryCode?: string;
	/** Variable names, or full variables. */
	variables?: Array<string | Partial<SimComponentVariable> & { name: string }>;
	behaviour?: SimComponentBehaviour;
}

export type SimJobPhase = 'scheduled' | 'running' | 'success' | 'failure';

export interface SimJob {
	id: number;
	uid: string;
	name: string;
	dateCreated: string;
	createdAt: number;
	deviceUid: string;
	componentUid: string;
	variables: Array<{ name: string; value: string }>;
	/** Phase changes (for assertions and the demo). */
	phases: Array<{ phase: SimJobPhase; at: number }>;
	fixedAlertUids: string[];
}

export interface JobTimings {
	/** scheduled → running. */
	startDelayMs: number;
	/** running → success/failure. */
	runMs: number;
}

export const DEFAULT_JOB_TIMINGS: JobTimings = { startDelayMs: 200, runMs: 800 };

/** Seed components: common first responses of an MSP. */
export const SEED_COMPONENTS: SimComponentInput[] = [
	{
		uid: 'c0a1b2c3-0001-4000-8000-000000000001',
		name: 'Restart Print Spooler',
		description: 'Stops and starts the Spooler service.',
		categoryCode: 'scripts',
		behaviour: { stdout: 'Stopping Spooler... OK\nStarting Spooler... OK\nService state: RUNNING', fixes: 'spooler' },
	},
	{
		uid: 'c0a1b2c3-0001-4000-8000-000000000002',
		name: 'Restart Service',
		description: 'Restarts the Windows service given in ServiceName.',
		categoryCode: 'scripts',
		variables: ['ServiceName'],
		behaviour: { stdout: 'Restarting {{ServiceName}}... OK', fixes: 'srvc_status_ctx' },
	},
	{
		uid: 'c0a1b2c3-0001-4000-8000-000000000003',
		name: 'Clear Temp Folders',
		description: 'Deletes temporary files older than MaxAgeDays.',
		categoryCode: 'scripts',
		variables: [{ name: 'MaxAgeDays', defaultVal: '7', type: 'string' }],
		behaviour: { stdout: 'Removed 1532 files (4.2 GB) older than {{MaxAgeDays}} days', fixes: 'perf_disk_usage_ctx' },
	},
	{
		uid: 'c0a1b2c3-0001-4000-8000-000000000004',
		name: 'Collect Diagnostics',
		description: 'Collects event logs; never changes anything.',
		categoryCode: 'scripts',
		behaviour: { outcome: 'failure', stdout: 'Collecting...', stderr: 'Access denied: C:\\Windows\\System32\\winevt' },
	},
];

const VAR_PATTERN = /\{\{\s*([^}\s]+)\s*\}\}/g;

export class SimJobs {
	readonly components: SimComponent[] = [];
	readonly behaviours = new Map<string, SimComponentBehaviour>();
	readonly jobs = new Map<string, SimJob>();
	timings: JobTimings = { ...DEFAULT_JOB_TIMINGS };
	private nextComponentId = 9100;
	private nextJobId = 7_000_000;
	private readonly timers = new Set<NodeJS.Timeout>();

	/** Called when a job reaches success or failure (the server resolves fixed alerts here). */
	onFinished: (job: SimJob, phase: 'success' | 'failure') => Promise<string[]> | string[] = () => [];

	constructor(seed: SimComponentInput[] = SEED_COMPONENTS) {
		for (const input of seed) this.addComponent(input);
	}

	addComponent(input: SimComponentInput): SimComponent {
		if (!input?.name) throw new Error('A component needs a name');
		const variables = (input.variables ?? []).map((v, index): SimComponentVariable => {
			const value = typeof v === 'string' ? { name: v } : v;
			return {
				name: value.name,
				defaultVal: value.defaultVal ?? '',
				type: value.type ?? 'string',
				direction: value.direction ?? false,
				description: value.description ?? '',
				variablesIdx: value.variablesIdx ?? index,
			};
		});
		const component: SimComponent = {
			id: this.nextComponentId++,
			uid: input.uid ?? randomUUID(),
			name: input.name,
			description: input.description ?? '',
			categoryCode: input.categoryCode ?? 'scripts',
			credentialsRequired: false,
			variables,
		};
		const existing = this.components.findIndex((c) => c.uid === component.uid);
		if (existing >= 0) this.components.splice(existing, 1, component);
		else this.components.push(component);
		this.behaviours.set(component.uid, { ...(input.behaviour ?? {}) });
		return component;
	}

	component(uid: string): SimComponent | undefined {
		return this.components.find((c) => c.uid.toLowerCase() === uid.toLowerCase());
	}

	setBehaviour(componentUid: string, behaviour: SimComponentBehaviour): SimComponentBehaviour {
		const component = this.component(componentUid);
		if (!component) throw new Error('Component was not found.');
		const next = { ...(this.behaviours.get(component.uid) ?? {}), ...behaviour };
		this.behaviours.set(component.uid, next);
		return next;
	}

	job(uid: string): SimJob | undefined {
		return this.jobs.get(uid.toLowerCase());
	}

	phaseOf(job: SimJob): SimJobPhase {
		return job.phases[job.phases.length - 1].phase;
	}

	/** Creates a job and schedules its phases. Validation (device, component, variables) is done by the caller. */
	create(input: { deviceUid: string; componentUid: string; name: string; variables: Array<{ name: string; value: string }> }): SimJob {
		const now = Date.now();
		const job: SimJob = {
			id: this.nextJobId++,
			uid: randomUUID(),
			name: input.name,
			dateCreated: new Date(now).toISOString(),
			createdAt: now,
			deviceUid: input.deviceUid,
			componentUid: input.componentUid,
			variables: input.variables,
			phases: [{ phase: 'scheduled', at: now }],
			fixedAlertUids: [],
		};
		this.jobs.set(job.uid, job);
		const behaviour = this.behaviours.get(input.componentUid) ?? {};
		this.later(this.timings.startDelayMs, () => {
			job.phases.push({ phase: 'running', at: Date.now() });
			if (behaviour.neverFinishes) return;
			this.later(behaviour.runMs ?? this.timings.runMs, () => {
				const phase = behaviour.outcome === 'failure' ? 'failure' : 'success';
				job.phases.push({ phase, at: Date.now() });
				void Promise.resolve(this.onFinished(job, phase))
					.then((uids) => job.fixedAlertUids.push(...uids))
					.catch(() => undefined);
			});
		});
		return job;
	}

	private later(ms: number, fn: () => void): void {
		const timer = setTimeout(() => {
			this.timers.delete(timer);
			fn();
		}, Math.max(0, ms));
		timer.unref?.();
		this.timers.add(timer);
	}

	/** Stops pending phase changes (server close / reset). */
	stop(): void {
		for (const timer of this.timers) clearTimeout(timer);
		this.timers.clear();
	}

	reset(): void {
		this.stop();
		this.jobs.clear();
		this.components.length = 0;
		this.behaviours.clear();
		for (const input of SEED_COMPONENTS) this.addComponent(input);
	}

	// ---------------------------------------------------------------- API views

	/** `Job` (GET /v2/job/{jobUid}). */
	jobView(job: SimJob): JsonObject {
		const phase = this.phaseOf(job);
		return {
			id: job.id,
			uid: job.uid,
			name: job.name,
			dateCreated: job.dateCreated,
			status: phase === 'success' || phase === 'failure' ? 'completed' : 'active',
		};
	}

	/** `JobComponent` entries of a job. */
	jobComponentsView(job: SimJob): JsonObject[] {
		const component = this.component(job.componentUid);
		return [{ uid: job.componentUid, name: component?.name ?? '', variables: job.variables.map((v) => ({ name: v.name, value: v.value })) }];
	}

	/** `JobResults` for the job's device. */
	resultsView(job: SimJob): JsonObject {
		const phase = this.phaseOf(job);
		const component = this.component(job.componentUid);
		const behaviour = this.behaviours.get(job.componentUid) ?? {};
		const done = phase === 'success' || phase === 'failure';
		const running = job.phases.find((p) => p.phase === 'running');
		return {
			jobUid: job.uid,
			deviceUid: job.deviceUid,
			ranOn: running ? new Date(running.at).toISOString() : null,
			jobDeploymentStatus: { scheduled: 'Pending', running: 'Running', success: 'Success', failure: 'Failure' }[phase],
			componentResults: done
				? [
						{
							componentUid: job.componentUid,
							componentName: component?.name ?? '',
							componentStatus: phase === 'success' ? 'Success' : 'Failure',
							numberOfWarnings: 0,
							hasStdOut: Boolean(behaviour.stdout),
							hasStdErr: Boolean(behaviour.stderr),
						},
					]
				: [],
		};
	}

	/** `JobStdData[]` for stdout or stderr (empty until the job has finished). */
	stdView(job: SimJob, stream: 'stdout' | 'stderr'): JsonObject[] {
		const phase = this.phaseOf(job);
		if (phase !== 'success' && phase !== 'failure') return [];
		const behaviour = this.behaviours.get(job.componentUid) ?? {};
		const raw = behaviour[stream];
		if (!raw) return [];
		const values = new Map(job.variables.map((v) => [v.name, v.value]));
		const stdData = raw.replace(VAR_PATTERN, (_, name: string) => values.get(name) ?? '');
		return [{ componentUid: job.componentUid, componentName: this.component(job.componentUid)?.name ?? '', stdData }];
	}
}
