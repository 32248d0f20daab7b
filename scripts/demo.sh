#!/usr/bin/env bash
# The README's quick start: `npm install && npm start` runs this. Builds the package when dist/ is missing or older than
# the sources, installs Node 24 + n8n into the cache when missing (scripts/n8n-install.sh: about 4 minutes, once), then
# runs the demo (scripts/demo.ts → dist/scripts/demo.js): both simulators, n8n with the package, credentials and the
# shipped workflow, sample alerts that open and close tickets. Ctrl-C stops everything. See README.md#demo.
#
# Usage: npm start [-- --reset]      (or bash scripts/demo.sh [--reset] [--help])
#   DEMO_SKIP_BUILD=1   use dist/ as it is (the e2e test sets it; the e2e run has just built)
#   Everything else (ports, real tenants, DEMO_EXIT_AFTER_SAMPLES=1): bash scripts/demo.sh --help, README.md#demo.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
say() { echo "[demo] $*" >&2; }

for arg in "$@"; do
	case "$arg" in -h | --help) [ -f dist/scripts/demo.js ] && exec node dist/scripts/demo.js --help ;; esac
done

if [ ! -d node_modules ] || [ ! -x node_modules/.bin/tsc ]; then
	say "node_modules is missing: run npm install first"
	exit 1
fi

# Build when needed: no dist, or a source file newer than the demo's compiled entry point.
needs_build() {
	[ -f dist/scripts/demo.js ] && [ -f dist/simulators/halo/cli.js ] && [ -f dist/simulators/datto/cli.js ] || return 0
	[ -n "$(find credentials nodes simulators scripts icons package.json tsconfig.json gulpfile.js \
		-newer dist/scripts/demo.js \( -name '*.ts' -o -name '*.json' -o -name '*.svg' -o -name '*.js' \) \
		-not -path '*/node_modules/*' -print -quit 2>/dev/null)" ]
}
if [ "${DEMO_SKIP_BUILD:-0}" != 1 ] && needs_build; then
	s=$SECONDS
	say "building the package (npm run build)"
	npm run --silent build >&2
	say "built in $((SECONDS - s)) s"
fi

# Node 24 + n8n in the cache (a no-op after the first run; the first run takes about 4 minutes).
s=$SECONDS
bash scripts/n8n-install.sh "${N8N_VERSION:-2.41.1}"
[ $((SECONDS - s)) -gt 5 ] && say "n8n installed in $((SECONDS - s)) s"

# npm puts its own variables (npm_config_*, npm_package_*) into the environment; the harness drops the ones that matter.
exec node dist/scripts/demo.js "$@"
