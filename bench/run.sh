#!/usr/bin/env bash
# npm run bench: the benchmarks of docs/benchmarks.md, results in bench/results/*.json and bench/results/summary.md.
#
#   store       mapping store latency at 100k records, both backends (bench/store.bench.ts)
#   economy     Halo / Datto calls per alert lifecycle and token requests per token lifetime, real n8n
#   throughput  shipped alert workflow vs bare Webhook → Respond, same n8n, interleaved rounds
#   storm       500 alerts in 60 s against Halo's 300 requests / 5 minutes (about 7 minutes)
#   store-1m    Postgres store claim/get/set/purge at 100k and 1M rows, one table grown in one run (not in the default
#               set; bench/results/store-postgres-1m.json)
#   store-growth shipped all-in-one workflow with 10k stored records vs an empty store (not in the default set;
#               STORE_GROWTH_* variables, see bench/storeGrowth.bench.ts)
#   adversarial adversarial bodies up to the size limit through both triggers' parsers, worst time (in process, seconds)
#   latency     alert → ticket latency added by n8n + package at 2 alerts/s, Halo answering after 100 ms (2–3 minutes)
#   chaos       CHAOS_MINUTES (30) of alerts with seeded faults on the Postgres workflows in queue mode (Redis,
#               Postgres), lost / duplicate / unclosed after reconciliation (not in the default set)
#
# Environment:
#   BENCH_ONLY="economy storm"   run only these (default: store economy throughput storm adversarial latency)
#   BENCH_QUICK=1                CI-sized variants: storm 60 alerts / 10 s against 30 per 30 s (results in
#                                storm-quick.json), 2 throughput rounds of 100, 3 lifecycles of each kind with 20-second
#                                tokens, store at 20k records. A few minutes in all.
#   BENCH_SKIP_BUILD=1           reuse dist/
#   BENCH_RESULTS_DIR=DIR        write the n8n benchmarks' results elsewhere (store.bench.ts always writes bench/results)
#   BENCH_N8N_ENV='{"K":"V"}'    extra n8n environment for experiments (recorded in the results)
#   plus each benchmark's own variables (THROUGHPUT_*, ECONOMY_*, STORM_*, CHAOS_*; see the file headers).
# The machine's load average is printed before and after each benchmark and recorded in every results file: run the
# final figures when the machine is otherwise idle.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

only=${BENCH_ONLY:-store economy throughput storm adversarial latency}
say() { echo "[bench] $*" >&2; }

if [ "${BENCH_QUICK:-0}" = 1 ]; then
	export STORM_ALERTS=${STORM_ALERTS:-60} STORM_SECONDS=${STORM_SECONDS:-10} STORM_HALO_LIMIT=${STORM_HALO_LIMIT:-30}
	export STORM_HALO_WINDOW=${STORM_HALO_WINDOW:-30} STORM_DEVICES=${STORM_DEVICES:-50}
	export THROUGHPUT_ROUNDS=${THROUGHPUT_ROUNDS:-2} THROUGHPUT_REQUESTS=${THROUGHPUT_REQUESTS:-100} THROUGHPUT_WARMUP=${THROUGHPUT_WARMUP:-20}
	export ECONOMY_LIFECYCLES=${ECONOMY_LIFECYCLES:-3} ECONOMY_TOKEN_LIFETIME=${ECONOMY_TOKEN_LIFETIME:-20} ECONOMY_MIN_SECONDS=${ECONOMY_MIN_SECONDS:-50}
	store_records=20000
else
	store_records=100000
fi

bash scripts/n8n-install.sh "${N8N_VERSION:-2.41.1}" || exit 1
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
	npm run build >/dev/null || { say "build failed"; exit 1; }
fi

declare -a summary=()
failed=()
for name in $only; do
	case "$name" in
		store) cmd=(node dist/bench/store.bench.js "$store_records") ;;
		economy | throughput | storm | adversarial | latency | chaos) cmd=(node "dist/bench/$name.bench.js") ;;
		store-growth) cmd=(node dist/bench/storeGrowth.bench.js) ;;
		store-1m) cmd=(env STORE_BENCH_POSTGRES_SIZES="100000 1000000" STORE_BENCH_STATIC=0 STORE_BENCH_NAME=store-postgres-1m node dist/bench/store.bench.js) ;;
		*) say "unknown benchmark $name" && exit 2 ;;
	esac
	say "==> $name: ${cmd[*]} (load average $(cut -d' ' -f1-3 /proc/loadavg))"
	start=$SECONDS
	rc=0
	"${cmd[@]}" || rc=$?
	took=$((SECONDS - start))
	if [ "$rc" = 0 ]; then
		summary+=("$(printf '%-11s ok      %5d s' "$name" "$took")")
	else
		summary+=("$(printf '%-11s FAILED  %5d s  (exit %d)' "$name" "$took" "$rc")")
		failed+=("$name")
	fi
	say "<== $name done in ${took} s (load average $(cut -d' ' -f1-3 /proc/loadavg))"
done

node dist/bench/summary.js >/dev/null && say "summary: ${BENCH_RESULTS_DIR:-bench/results}/summary.md"
echo
say "==> benchmark summary"
printf '    %s\n' "${summary[@]}" >&2
if [ ${#failed[@]} -gt 0 ]; then
	say "==> FAILED or target missed: ${failed[*]}"
	exit 1
fi
