#!/usr/bin/env bash
# The README's test command (npm test): lint (ESLint over the repository + type-check of everything, tests included),
# build, unit tests (jest), end-to-end tests (scripts/e2e.sh).
# Every step runs even when an earlier one failed (except e2e after a failed build: it needs dist/), a summary shows each
# step's result and time, and the exit status is non-zero when any step failed.
#
#   TEST_STEPS="lint build unit e2e"   the steps to run (default all four)
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

steps=${TEST_STEPS:-lint build unit e2e}
declare -a summary=()
failed=()
build_failed=0

run_step() {
	local name=$1
	shift
	if [ "$build_failed" = 1 ] && [ "$name" = e2e ]; then
		summary+=("$(printf '%-6s SKIPPED (build failed)' "$name")")
		failed+=("$name")
		return
	fi
	echo
	echo "==> [$name] $*"
	local start=$SECONDS rc=0
	"$@" || rc=$?
	local took=$((SECONDS - start))
	if [ "$rc" = 0 ]; then
		summary+=("$(printf '%-6s ok      %4d s' "$name" "$took")")
	else
		summary+=("$(printf '%-6s FAILED  %4d s  (exit %d): %s' "$name" "$took" "$rc" "$*")")
		failed+=("$name")
		[ "$name" = build ] && build_failed=1
		echo "==> [$name] FAILED (exit $rc)" >&2
	fi
}

for step in $steps; do
	case "$step" in
		lint) run_step lint bash -c 'npm run --silent lint && npm run --silent typecheck' ;;
		build) run_step build npm run --silent build ;;
		unit) run_step unit node node_modules/jest/bin/jest.js -c jest.config.js ;;
		e2e) run_step e2e env E2E_SKIP_BUILD=1 bash scripts/e2e.sh ;;
		*) echo "unknown step $step" >&2 && exit 2 ;;
	esac
done

echo
echo "==> test summary"
printf '    %s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
	echo "==> FAILED: ${failed[*]}" >&2
	exit 1
fi
echo "==> all steps passed"
