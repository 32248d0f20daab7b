#!/usr/bin/env node
/**
 * Replay recorded Datto RMM webhook bodies through the sync policies in dry-run and print the decision table, so a
 * team can tune the policy settings before going live. No Halo, no Datto, no n8n: an in-memory mapping store
 * (the static-data backend on a plain object) and the same runner the Sync Policy node uses.
 *
 *   node dist/scripts/replay.js [options] recorded-bodies.jsonl [more files…]
 *
 * Input: one JSON value per line (JSON Lines; empty lines and lines starting with # are skipped) or one JSON
 * array. Each value is either a webhook body as Datto posted it (its `timestamp` is the received-at time), or
 * `{ "receivedAt": "<ISO>", "body": <the body, object or text> }`, or `{ "receivedAt": "<ISO>", "haloEvent":
 * <a HaloPSA Trigger item> }`. Entries are processed in received-at order. Between them a scheduled Process Due
 * runs every --tick-minutes (grace closes, window ends), and after the last one for --drain-hours.
 *
 * Options:
 *   --config FILE       policy settings (a partial engine configuration, e.g. {"graceClose": {"minutes": 10}})
 *   --windows FILE      maintenance windows (JSON array, as stored in the "windows" collection)
 *   --calendars FILE    business-hours calendars (JSON array, as stored in the "businessHours" collection)
 *   --client-id ID      Halo client id given to every alert (for client windows and calendars)
 *   --tick-minutes N    interval of the simulated Process Due schedule (default 1; 0 = exactly when due)
 *   --drain-hours N     keep the schedule running this long after the last entry (default 24)
 *   --json              one JSON object per decision instead of the table
 * Exit status: 0 done (bad entries are reported on stderr and skipped), 2 usage or unreadable input.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';

import { AlertInputError, normaliseWebhookAlert, parseWebhookPayload } from '../nodes/shared/domain/dattoAlert';
import {
	dueWork,
	policyLayout,
	resolvePolicyConfig,
	validateBusinessHours,
	validateMaintenanceWindow,
	type AlertValue,
	type Decision,
	type GraceCloseValue,
	type PolicyConfig,
	type PolicyConfigInput,
	type PolicyEvent,
} from '../nodes/shared/policy';
import { StaticDataStore } from '../nodes/shared/store/StaticDataStore';
import { haloEventFromInput } from '../nodes/shared/policy/runtime/input';
import { runPolicyEvent, type PolicyRunOutcome } from '../nodes/shared/policy/runtime/runner';

export interface ReplayIo {
	stdout: (line: string) => void;
	stderr: (line: string) => void;
	readFile: (path: string) => string;
}

export interface ReplayRow {
	at: string;
	event: string;
	alertUid: string | null;
	dedupeKey: string | null;
	decision: Decision;
	reason: string;
	ticketId: number | null;
	wouldDo: string[];
}

interface Options {
	config: PolicyConfigInput;
	windows: unknown[];
	calendars: unknown[];
	clientId: string | null;
	tickMs: number;
	drainMs: number;
	json: boolean;
	files: string[];
}

class UsageError extends Error {}

const USAGE =
	'Usage: node dist/scripts/replay.js [--config policy.json] [--windows windows.json] [--calendars calendars.json] ' +
	'[--client-id ID] [--tick-minutes 1] [--drain-hours 24] [--json] recorded-bodies.jsonl [...]';

function readJson(io: ReplayIo, path: string, what: string): unknown {
	let text: string;
	try {
		text = io.readFile(path);
	} catch (error) {
		throw new UsageError(`Cannot read ${what} ${path}: ${(error as Error).message}`);
	}
	try {
		return JSON.parse(text);
	} catch (error) {
		throw new UsageError(`${what} ${path} is not valid JSON: ${(error as Error).message}`);
	}
}

function parseArgs(argv: string[], io: ReplayIo): Options {
	const options: Options = { config: {}, windows: [], calendars: [], clientId: null, tickMs: 60_000, drainMs: 24 * 3_600_000, json: false, files: [] };
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		const value = () => {
			const v = argv[++i];
			if (v === undefined) throw new UsageError(`${arg} needs a value`);
			return v;
		};
		const number = (v: string) => {
			const n = Number(v);
			if (!Number.isFinite(n) || n < 0) throw new UsageError(`${arg} needs a number ≥ 0, got ${v}`);
			return n;
		};
		if (arg === '--config') options.config = readJson(io, value(), 'config') as PolicyConfigInput;
		else if (arg === '--windows') options.windows = [readJson(io, value(), 'windows')].flat();
		else if (arg === '--calendars') options.calendars = [readJson(io, value(), 'calendars')].flat();
		else if (arg === '--client-id') options.clientId = value();
		else if (arg === '--tick-minutes') options.tickMs = number(value()) * 60_000;
		else if (arg === '--drain-hours') options.drainMs = number(value()) * 3_600_000;
		else if (arg === '--json') options.json = true;
		else if (arg === '--help' || arg === '-h') throw new UsageError('');
		else if (arg.startsWith('--')) throw new UsageError(`Unknown option ${arg}`);
		else options.files.push(arg);
	}
	if (options.files.length === 0) throw new UsageError('No recorded bodies given');
	return options;
}

type Entry = { at: number; seq: number; source: string; event: PolicyEvent };

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The entries of one file (JSON array or JSON Lines); bad entries are reported and skipped. */
function readEntries(io: ReplayIo, file: string, clientId: string | null, seq: { n: number }): Entry[] {
	let text: string;
	try {
		text = io.readFile(file);
	} catch (error) {
		throw new UsageError(`Cannot read ${file}: ${(error as Error).message}`);
	}
	const values: Array<{ value: unknown; where: string }> = [];
	if (text.trim().startsWith('[')) {
		let array: unknown;
		try {
			array = JSON.parse(text);
		} catch (error) {
			throw new UsageError(`${file} is not a valid JSON array: ${(error as Error).message}`);
		}
		(array as unknown[]).forEach((value, i) => values.push({ value, where: `${file}[${i}]` }));
	} else {
		text.split(/\r?\n/).forEach((line, i) => {
			const trimmed = line.trim();
			if (!trimmed || trimmed.startsWith('#')) return;
			try {
				values.push({ value: JSON.parse(trimmed), where: `${file}:${i + 1}` });
			} catch (error) {
				io.stderr(`${file}:${i + 1}: skipped: not JSON (${(error as Error).message})`);
			}
		});
	}
	const entries: Entry[] = [];
	let previous: number | null = null;
	for (const { value, where } of values) {
		try {
			const wrapped = isObj(value) && ('body' in value || 'haloEvent' in value);
			const received = wrapped ? (value.receivedAt ?? value.received_at ?? value.at) : undefined;
			const receivedAt = received === undefined ? NaN : Date.parse(String(received));
			if (wrapped && received !== undefined && !Number.isFinite(receivedAt)) throw new Error(`receivedAt ${JSON.stringify(received)} is not a time`);
			if (wrapped && 'haloEvent' in value) {
				const at: number | null = Number.isFinite(receivedAt) ? receivedAt : previous;
				if (at === null) throw new Error('no receivedAt');
				entries.push({ at, seq: seq.n++, source: where, event: { type: 'haloTicket', ticket: haloEventFromInput(value.haloEvent, new Date(at)) } });
				previous = at;
				continue;
			}
			const body = parseWebhookPayload(wrapped ? value.body : value);
			const fallback = Number.isFinite(receivedAt) ? receivedAt : previous;
			const alert = normaliseWebhookAlert(body, { now: () => new Date(fallback ?? NaN) });
			const at: number = Number.isFinite(receivedAt) ? receivedAt : Date.parse(alert.occurredAt);
			if (!Number.isFinite(at)) throw new Error('no received-at time: add "receivedAt" or a body "timestamp"');
			entries.push({ at, seq: seq.n++, source: where, event: { type: 'alert', alert, clientId } });
			previous = at;
		} catch (error) {
			const message = error instanceof AlertInputError || error instanceof Error ? error.message : String(error);
			io.stderr(`${where}: skipped: ${message}`);
		}
	}
	return entries;
}

const pad = (text: string, width: number) => (text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width));

/** Runs the replay; returns the exit status. */
export async function main(argv: string[], io: ReplayIo = defaultIo()): Promise<number> {
	let options: Options;
	let entries: Entry[];
	let config: PolicyConfig;
	try {
		options = parseArgs(argv, io);
		config = resolvePolicyConfig({ ...options.config, dryRun: true });
		const seq = { n: 0 };
		entries = options.files.flatMap((f) => readEntries(io, f, options.clientId, seq)).sort((a, b) => a.at - b.at || a.seq - b.seq);
	} catch (error) {
		const message = (error as Error).message;
		if (message) io.stderr(message);
		io.stderr(USAGE);
		return 2;
	}

	let now = entries[0]?.at ?? Date.now();
	const store = new StaticDataStore(`replay-${randomUUID()}`, {}, { clock: () => new Date(now), executionsMode: 'regular' });
	for (const w of options.windows) {
		const errors = validateMaintenanceWindow(w);
		if (errors.length > 0 || !isObj(w)) io.stderr(`window ${JSON.stringify((w as { id?: unknown })?.id ?? null)} ignored: ${errors.join('; ')}`);
		else await store.set('windows', String(w.id), { value: w as never });
	}
	for (const c of options.calendars) {
		const errors = validateBusinessHours(c);
		if (errors.length > 0 || !isObj(c)) io.stderr(`calendar ${JSON.stringify((c as { clientId?: unknown })?.clientId ?? null)} ignored: ${errors.join('; ')}`);
		else await store.set('businessHours', String(c.clientId), { value: c as never });
	}

	const rows: ReplayRow[] = [];
	const L = policyLayout(true);
	let syntheticId = 0;
	const run = async (event: PolicyEvent, label: string): Promise<void> => {
		const outcome: PolicyRunOutcome = await runPolicyEvent(event, {
			store,
			config,
			now: new Date(now),
			syntheticId: () => --syntheticId,
			retryDelayMs: () => 0,
		});
		const row: ReplayRow = {
			at: new Date(now).toISOString(),
			event: label,
			alertUid: outcome.subject.alertUid,
			dedupeKey: outcome.subject.dedupeKey,
			decision: outcome.decision,
			reason: outcome.reason.replace(/^\[dry-run\] (would \w+: )?/, ''),
			ticketId: outcome.subject.ticketId,
			wouldDo: outcome.actions.filter((a) => ['createTicket', 'createParent', 'addNote', 'reopenTicket', 'closeTicket', 'attachToParent', 'resolveDattoAlert'].includes(a.type)).map((a) => a.type),
		};
		rows.push(row);
		if (options.json) io.stdout(JSON.stringify(row));
		else io.stdout(`${pad(row.at, 24)}  ${pad(row.event, 9)}  ${pad(row.alertUid ?? '-', 24)}  ${pad(row.dedupeKey ?? '-', 36)}  ${pad(row.decision, 9)}  ${row.reason}`);
	};

	/** The scheduled check: runs at every tick at which something is due, up to `until`. */
	const ticksUntil = async (until: number): Promise<void> => {
		for (let guard = 0; guard < 100_000; guard++) {
			const [graces, suppressed, deferred] = await Promise.all([
				store.list(L.graceCloses, { status: 'open' }),
				store.list(L.alerts, { status: 'suppressed' }),
				store.list(L.alerts, { status: 'deferred' }),
			]);
			const graceCloses = graces.map((r) => r.value as unknown as GraceCloseValue);
			const heldAlerts = [...suppressed, ...deferred].map((r) => r.value as unknown as AlertValue);
			const times = [...graceCloses.map((g) => Date.parse(g.dueAt)), ...heldAlerts.map((a) => Date.parse(a.heldUntil ?? ''))].filter(Number.isFinite);
			if (times.length === 0) return;
			const next = Math.min(...times);
			const tick = options.tickMs > 0 ? Math.ceil(next / options.tickMs) * options.tickMs : next;
			if (tick > until) return;
			now = Math.max(now, tick);
			const due = dueWork({ graceCloses, heldAlerts }, new Date(now));
			if (due.length === 0) return;
			for (const item of due) await run({ type: 'tick', due: item }, 'tick');
		}
	};

	if (!options.json) {
		io.stdout(`${pad('time', 24)}  ${pad('event', 9)}  ${pad('alertUid', 24)}  ${pad('dedupeKey', 36)}  ${pad('decision', 9)}  reason`);
	}
	for (const entry of entries) {
		await ticksUntil(entry.at);
		now = Math.max(now, entry.at);
		const label = entry.event.type === 'alert' ? entry.event.alert.event : entry.event.type === 'haloTicket' ? 'halo' : 'tick';
		await run(entry.event, label);
	}
	await ticksUntil((entries.at(-1)?.at ?? now) + options.drainMs);

	if (!options.json) {
		const counts = new Map<string, number>();
		for (const r of rows) counts.set(r.decision, (counts.get(r.decision) ?? 0) + 1);
		const wouldDo = new Map<string, number>();
		for (const r of rows) for (const w of r.wouldDo) wouldDo.set(w, (wouldDo.get(w) ?? 0) + 1);
		io.stdout('');
		io.stdout(`${entries.length} entries, ${rows.length} decisions: ${[...counts].map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`);
		io.stdout(`would call: ${[...wouldDo].map(([k, v]) => `${k} ${v}`).join(', ') || 'nothing'}`);
	}
	return 0;
}

function defaultIo(): ReplayIo {
	return {
		stdout: (line) => process.stdout.write(`${line}\n`),
		stderr: (line) => process.stderr.write(`${line}\n`),
		readFile: (path) => readFileSync(path, 'utf8'),
	};
}

if (require.main === module) {
	main(process.argv.slice(2)).then(
		(code) => process.exit(code),
		(error: unknown) => {
			process.stderr.write(`replay failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
			process.exit(1);
		},
	);
}
