#!/usr/bin/env bash
# Profiles one benchmark run (README, "Sizing"): dotnet-counters (System.Runtime, 1-second samples) and vmstat for the whole
# run, and a dotnet-trace sampled-thread-time trace from each marker line of the bench's log for the given seconds.
#   tools/profile-bench.sh OUT_PREFIX "initial sync (sources" 15 "analyzers…" 11 "the organisation moves on" 9
# Needs dotnet-trace and dotnet-counters on PATH (dotnet tool install --tool-path DIR dotnet-trace dotnet-counters), the
# dev database (./dev.sh db) or ConnectionStrings__Alignment, and BENCH_ARGS (default: the default size).
set -euo pipefail
OUT=$1; shift
cd "$(dirname "$0")/.."
LOG=$OUT.log
# shellcheck disable=SC2086
./dev.sh bench ${BENCH_ARGS:---teams 200 --items 200000 --links 20000} --json "$OUT.json" > "$LOG" 2>&1 &
BENCH=$!
pid=""
for _ in $(seq 1 600); do pid=$(pgrep -f "alignment-dev.dll bench" | head -1 || true); [ -n "$pid" ] && break; sleep 0.5; done
[ -n "$pid" ] || { echo "the bench process did not start; see $LOG" >&2; exit 1; }
dotnet-counters collect -p "$pid" --counters System.Runtime --refresh-interval 1 --format csv -o "$OUT.counters.csv" > /dev/null 2>&1 &
vmstat -t 1 > "$OUT.vmstat" & VM=$!
n=0
while [ $# -ge 2 ]; do
  marker=$1; seconds=$2; shift 2; n=$((n + 1))
  for _ in $(seq 1 2400); do grep -q "$marker" "$LOG" && break; sleep 0.25; done
  dotnet-trace collect -p "$pid" --profile dotnet-sampled-thread-time --duration "00:00:00:$seconds" -o "$OUT-$n.nettrace" > "$OUT-$n.trace.log" 2>&1
done
wait "$BENCH"
kill "$VM" 2>/dev/null || true
echo "done: $LOG, $OUT.counters.csv, $OUT.vmstat, $OUT-*.nettrace (dotnet-trace report FILE topN -n 30)"
