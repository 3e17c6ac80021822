#!/usr/bin/env bash
# The project's test command (README): builds everything and runs the xunit suite, then prints one summary line.
set -uo pipefail
cd "$(dirname "$0")"
log=$(mktemp)
dotnet test IcdResearch.sln -c Release --logger "console;verbosity=normal" "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
summary=$(grep -E "^(Passed|Failed)!" "$log" | tail -1)
passed=$(sed -nE 's/.*Passed: +([0-9]+).*/\1/p' <<<"$summary"); failed=$(sed -nE 's/.*Failed: +([0-9]+),.*/\1/p' <<<"$summary"); skipped=$(sed -nE 's/.*Skipped: +([0-9]+).*/\1/p' <<<"$summary")
echo "tests: ${passed:-0} passed, ${failed:-0} failed, ${skipped:-0} skipped"
rm -f "$log"
exit $rc
