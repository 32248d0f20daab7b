// Sets settings.userActivated = true on the owner row (no args), so that n8n never rewrites the whole user row on a
// first production execution; see N8nInstance.markOwnerActivated() for the race this avoids. Prints
// "owner rows <n>", or "skipped: schema" when the user table has no settings/roleSlug columns.
'use strict';
/** @type {import('./types').Script<unknown>} */
module.exports = function ownerActivated(db, _args, done) {
	db.all("SELECT name FROM pragma_table_info('user')", (/** @type {Error | null} */ err, /** @type {Array<{ name: string }>} */ cols) => {
		if (err) return done(3, err.message);
		const names = cols.map((c) => c.name);
		if (!names.includes('settings') || !names.includes('roleSlug')) return done(0, 'skipped: schema');
		db.run(
			"UPDATE user SET settings = json_set(COALESCE(settings, '{}'), '$.userActivated', json('true')) WHERE roleSlug = 'global:owner'",
			function (e) {
				if (e) return done(3, e.message);
				done(0, `owner rows ${this.changes}`);
			},
		);
	});
};
