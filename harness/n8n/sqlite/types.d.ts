/*
 * The part of n8n's sqlite3 module (node-sqlite3) the scripts of this folder use, for the type check of the scripts
 * (tsconfig.test.json checks harness/**\/*.js). The module itself is n8n's, loaded at run time by run.js.
 */

/** `this` inside a db.run() callback. */
export interface RunResult {
	changes: number;
	lastID: number;
}

export interface Database {
	configure(option: 'busyTimeout', ms: number): void;
	run(sql: string, params: unknown[], callback: (this: RunResult, error: Error | null) => void): void;
	run(sql: string, callback: (this: RunResult, error: Error | null) => void): void;
	all<T = Record<string, unknown>>(sql: string, params: unknown[], callback: (error: Error | null, rows: T[]) => void): void;
	all<T = Record<string, unknown>>(sql: string, callback: (error: Error | null, rows: T[]) => void): void;
	get<T = Record<string, unknown>>(sql: string, params: unknown[], callback: (error: Error | null, row: T | undefined) => void): void;
	close(callback?: (error: Error | null) => void): void;
}

/** Ends a script: prints `message` (read by harness/n8n/sqlite.ts), closes the database, exits with `code`. */
export type Done = (code: number, message?: string) => void;

/** What every script of this folder exports: run.js calls it with the open database and the arguments. */
export type Script<Args> = (db: Database, args: Args, done: Done) => void;
