// Publishes workflows (args: their ids) as `n8n publish:workflow` does in 2.x (WorkflowRepository.publishVersion:
// active = true, activeVersionId = the current versionId, which must exist in workflow_history; archived workflows
// are refused); 1.123's `update:workflow --active=true` writes the same columns. Exit 2 when the schema lacks those
// columns (the harness then uses the CLI), 4 when not every workflow could be published.
'use strict';
/** @type {import('./types').Script<string[]>} */
module.exports = function publish(db, ids, done) {
	const marks = ids.map(() => '?').join(',');
	db.all('PRAGMA table_info(workflow_entity)', (/** @type {Error | null} */ err, /** @type {Array<{ name: string }>} */ cols) => {
		if (err) return done(3, err.message);
		const names = cols.map((c) => c.name);
		if (!['active', 'activeVersionId', 'versionId', 'isArchived'].every((c) => names.includes(c))) return done(2, 'schema');
		db.run(
			`UPDATE workflow_entity SET active = 1, activeVersionId = versionId WHERE id IN (${marks}) AND isArchived = 0
			 AND EXISTS (SELECT 1 FROM workflow_history h WHERE h.workflowId = workflow_entity.id AND h.versionId = workflow_entity.versionId)`,
			ids,
			function (e) {
				if (e) return done(3, e.message);
				const changes = this.changes;
				const finish = () => done(changes === ids.length ? 0 : 4, `published ${changes} of ${ids.length}`);
				// 2.x keeps the version the server runs in workflow_published_version (+ trigger statuses), written at
				// start from the publication outbox, and a re-import queues the PREVIOUS active version there: a workflow
				// published and started before would keep running its OLD version after a re-import. Dropping those rows
				// gives the state of a freshly imported workflow: the next start publishes the current version.
				db.all(
					`SELECT name FROM sqlite_master WHERE type = 'table' AND name IN
					 ('workflow_published_version', 'workflow_publication_trigger_status', 'workflow_publication_outbox')`,
					(/** @type {Error | null} */ e2, /** @type {Array<{ name: string }>} */ tables) => {
						if (e2) return done(3, e2.message);
						let pending = tables.length;
						if (pending === 0) return finish();
						for (const t of tables) {
							db.run(`DELETE FROM ${t.name} WHERE workflowId IN (${marks})`, ids, (e3) => {
								if (e3) return done(3, e3.message);
								if (--pending === 0) finish();
							});
						}
					},
				);
			},
		);
	});
};
