/*
 * SQL against an n8n user folder's SQLite database (the harness's default database), run with n8n's own sqlite3
 * module on n8n's Node: the scripts are real files in harness/n8n/sqlite/ (run.js opens the database and calls one
 * of them). Used while n8n is stopped, or for statements that tolerate a running n8n.
 */
import * as fs from 'fs';
import * as path from 'path';

import { run } from '../processes';
import { harnessFile } from '../repo';

/** The scripts of harness/n8n/sqlite/ (file names without .js). */
export type SqliteScript = 'publish' | 'workflow-activation' | 'owner-activated' | 'statement' | 'value';

/** A user folder and the n8n environment for it (an N8nInstance is one). */
export interface SqliteTarget {
	readonly userFolder: string;
	readonly env: NodeJS.ProcessEnv;
}

/**
 * Runs a script of harness/n8n/sqlite/ with `args` (JSON) and returns what it printed (trimmed), or undefined when the
 * user folder has no database yet. Rejects with the exit code in the message (`failed (2)`) when the script fails.
 */
export async function runSqliteScript(target: SqliteTarget, script: SqliteScript, args: unknown): Promise<string | undefined> {
	const env = target.env;
	const dbFile = path.join(target.userFolder, '.n8n', 'database.sqlite');
	const sqlitePath = path.join(env.N8N_INSTALL_DIR as string, 'node_modules', 'sqlite3');
	if (!fs.existsSync(dbFile) || !fs.existsSync(sqlitePath)) return undefined;
	const argv = [harnessFile('n8n', 'sqlite', 'run.js'), harnessFile('n8n', 'sqlite', `${script}.js`), dbFile, sqlitePath, JSON.stringify(args)];
	const { stdout } = await run('node', argv, { cwd: target.userFolder, env });
	return stdout.trim();
}

function requireDatabase(target: SqliteTarget, out: string | undefined): string {
	if (out === undefined) throw new Error(`no SQLite database in ${target.userFolder} yet`);
	return out;
}

/** Runs one statement; returns the number of rows it changed. */
export async function sqliteStatement(target: SqliteTarget, sql: string, params: unknown[]): Promise<number> {
	return Number(requireDatabase(target, await runSqliteScript(target, 'statement', [sql, params]))) || 0;
}

/** The first column of the first row of a query, as a string; undefined without a row or for NULL. */
export async function sqliteValue(target: SqliteTarget, sql: string, params: unknown[]): Promise<string | undefined> {
	const value = JSON.parse(requireDatabase(target, await runSqliteScript(target, 'value', [sql, params]))) as unknown;
	return value === null || value === undefined ? undefined : String(value);
}
