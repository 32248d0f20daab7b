#!/usr/bin/env bash
# Runs a command and stops it (SIGTERM) when the process that started it is gone, even after a SIGKILL of that
# process (no exit hook runs then): leads the command's process group, passes SIGTERM/SIGINT on, exits with the
# command's exit code. Used for n8n, its queue-mode workers and the demo's simulators (harness/processes.ts).
#
# Usage: bash harness/watchdog.sh <parent-pid> <command> [args...]
parent=$1
shift
"$@" &
child=$!
trap 'kill -TERM "$child" 2>/dev/null' TERM INT
while kill -0 "$child" 2>/dev/null; do
	if ! kill -0 "$parent" 2>/dev/null; then kill -TERM "$child" 2>/dev/null; fi
	sleep 1
done
wait "$child"
