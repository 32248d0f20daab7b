// Runs one script of this folder against an n8n user folder's SQLite database, with n8n's own sqlite3 module (the
// harness has no SQLite driver of its own). harness/n8n/sqlite.ts starts it on n8n's Node:
//
//   node run.js <script.js> <database.sqlite> <path of n8n's sqlite3 module> <arguments as JSON>
//
// The script exports function (db, args, done): `done(code, message)` prints the message (the harness reads it from
// stdout), closes the database and exits with the code (0 ok, 2 unsupported schema, 3 SQL error, 4 fewer rows than
// asked for). A busy database is waited for up to 10 s (n8n may be running).
'use strict';
const [scriptFile, dbFile, sqlitePath, argsJson] = process.argv.slice(2);
const sqlite3 = require(sqlitePath);
/** @type {import('./types').Database} */
const db = new sqlite3.Database(dbFile);
db.configure('busyTimeout', 10000);
/** @type {import('./types').Done} */
const done = (code, msg) => {
	if (msg) console.log(msg);
	db.close(() => process.exit(code));
};
require(scriptFile)(db, JSON.parse(argsJson), done);
