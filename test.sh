#!/usr/bin/env bash
# The project's test command (README): builds everything and runs the xunit suite, then prints one summary line.
set -uo pipefail
cd "$(dirname "$0")"
log=$(mktemp)
dotnet test IcdResearch.sln -c Release --logger "console;verbosity=normal" "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
count() { grep -E "^\s+$1: +[0-9]+" "$log" | sed -nE "s/.*$1: +([0-9]+).*/\1/p" | awk '{s+=$1} END {print s+0}'; }
passed=$(count Passed); failed=$(count Failed); skipped=$(count Skipped)
echo "tests: ${passed:-0} passed, ${failed:-0} failed, ${skipped:-0} skipped"
rm -f "$log"
exit $rc
