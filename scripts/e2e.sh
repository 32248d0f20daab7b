#!/usr/bin/env bash
# End-to-end tests against real n8n (npm run test:e2e), on every supported n8n line: installs each n8n version into
# the cache when missing (scripts/n8n-install.sh), builds the package once, then runs the e2e jest project
# (jest.e2e.config.js) once per version with N8N_VERSION set, and prints a per-version summary. The same test files
# run on every version; the harness (harness/n8n/, scripts/n8n-env.sh) handles what differs between the
# lines (README.md#supported-n8n-versions).
#
# Usage: scripts/e2e.sh [jest args...]      e.g. scripts/e2e.sh test/e2e/package-load.test.ts
#   N8N_VERSIONS="2.41.1 1.123.81"   versions to run, in order (default both maintained lines)
#   N8N_VERSION=1.123.81             only this version (when N8N_VERSIONS is not set)
#   E2E_SKIP_BUILD=1   reuse dist/ (scripts/test.sh just built it)    E2E_WORKERS=N   parallel test files
#   E2E_KEEP=1         keep n8n user folders (logs) for inspection
#   E2E_FULL_VERSIONS="2.41.1"   versions that also run the long reliability suites (faults, faults-postgres,
#                      queueMode, secrets: about 20 minutes); default the first version of the list. The other versions
#                      run every other file (lifecycle static and Postgres, policies, bad input, editor, demo, ...).
# Exit status: non-zero when any version failed (every version still runs).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

DEFAULT_VERSIONS="2.41.1 1.123.81"
if [ -n "${N8N_VERSIONS:-}" ]; then
	versions=$N8N_VERSIONS
elif [ -n "${N8N_VERSION:-}" ]; then
	versions=$N8N_VERSION
else
	versions=$DEFAULT_VERSIONS
fi
say() { echo "[e2e] $*" >&2; }

start=$SECONDS
declare -A install_rc=()
for v in $versions; do
	s=$SECONDS
	rc=0
	bash scripts/n8n-install.sh "$v" || rc=$?
	install_rc[$v]=$rc
	if [ "$rc" = 0 ]; then
		say "n8n $v available ($((SECONDS - s)) s)"
	else
		say "n8n $v could not be installed (exit $rc)"
	fi
done

# Debian's chromium for the headless editor check (test/e2e/editor.test.ts); a no-op when /usr/bin/chromium exists.
bash scripts/install-chromium.sh || exit 1

if [ "${E2E_SKIP_BUILD:-0}" != 1 ]; then
	npm run build || exit 1
fi

# The reliability suites (issue: faults / queue mode / secrets) run on the primary line only: they exercise the
# package's own retry, budget and reclaim logic, which is the same code on every line, and take ~20 minutes each run.
RELIABILITY_FILES='test/e2e/(faults|faults-postgres|queueMode|secrets)\.test\.ts$'
full_versions=${E2E_FULL_VERSIONS:-${versions%% *}}
is_full() { case " $full_versions " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

summary=()
failed=()
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for v in $versions; do
	if [ "${install_rc[$v]}" != 0 ]; then
		summary+=("$(printf '%-10s FAILED  %4s s  n8n install failed (exit %s)' "$v" 0 "${install_rc[$v]}")")
		failed+=("$v")
		continue
	fi
	echo
	say "==> n8n $v: jest -c jest.e2e.config.js $*"
	s=$SECONDS
	extra=()
	if ! is_full "$v"; then
		extra=(--testPathIgnorePatterns "$RELIABILITY_FILES")
		say "n8n $v: the reliability suites run on n8n $full_versions only (E2E_FULL_VERSIONS)"
	fi
	N8N_VERSION=$v node node_modules/jest/bin/jest.js -c jest.e2e.config.js "${extra[@]}" "$@" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	took=$((SECONDS - s))
	# jest's own summary lines, e.g. "Tests:       41 passed, 41 total"
	suites=$(grep -E '^Test Suites:' "$out" | tail -1 | sed 's/^Test Suites: *//')
	tests=$(grep -E '^Tests:' "$out" | tail -1 | sed 's/^Tests: *//')
	if [ "$rc" = 0 ]; then
		summary+=("$(printf '%-10s ok      %4d s  suites: %s; tests: %s' "$v" "$took" "${suites:-?}" "${tests:-?}")")
	else
		summary+=("$(printf '%-10s FAILED  %4d s  (exit %d) suites: %s; tests: %s' "$v" "$took" "$rc" "${suites:-?}" "${tests:-?}")")
		failed+=("$v")
	fi
done

echo
say "==> e2e summary per n8n version ($((SECONDS - start)) s in all)"
printf '    %s\n' "${summary[@]}" >&2
if [ ${#failed[@]} -gt 0 ]; then
	say "==> FAILED on n8n ${failed[*]}"
	exit 1
fi
say "==> passed on n8n ${versions}"
