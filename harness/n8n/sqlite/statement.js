// One SQL statement with parameters (args: [sql, params]); prints the number of rows it changed.
'use strict';
/** @type {import('./types').Script<[string, unknown[]]>} */
module.exports = function statement(db, [sql, params], done) {
	db.run(sql, params, function (e) {
		if (e) return done(3, e.message);
		done(0, String(this.changes));
	});
};
