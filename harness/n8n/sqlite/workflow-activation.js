// The activation columns of workflows as stored (args: their ids), as JSON rows ordered by id: what publishing or
// n8n's activation CLI wrote (package-load.test.ts compares them per n8n version).
'use strict';
/** @type {import('./types').Script<string[]>} */
module.exports = function workflowActivation(db, ids, done) {
	const marks = ids.map(() => '?').join(',');
	db.all(
		`SELECT id, active, versionId, activeVersionId FROM workflow_entity WHERE id IN (${marks}) ORDER BY id`,
		ids,
		(err, rows) => (err ? done(3, err.message) : done(0, JSON.stringify(rows))),
	);
};
