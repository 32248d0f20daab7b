// The first column of the first row of a query (args: [sql, params]), printed as JSON (null when there is no row).
'use strict';
/** @type {import('./types').Script<[string, unknown[]]>} */
module.exports = function value(db, [sql, params], done) {
	db.get(sql, params, (e, row) => {
		if (e) return done(3, e.message);
		done(0, JSON.stringify(row ? Object.values(row)[0] : null));
	});
};
