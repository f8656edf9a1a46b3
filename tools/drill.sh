#!/usr/bin/env bash
# The reliability drills (docs/reliability.md, "Drills"), run by `./dev.sh drill`: on a simulated organisation,
#   crash   — kill -9 the sync at random points, then sync normally: the store must equal a fault-free sync's
#             and no run may stay 'running';
#   faults  — the simulator answers a share of requests with 429/500/503, slow or truncated bodies: the store
#             must equal the fault-free one within at most 3 runs (each run succeeded or partial);
#   outage  — PostgreSQL stopped for 20 s in the middle of a sync: that run fails cleanly, the next one gives
#             the fault-free store (only with the private cluster dev.sh runs; skipped with an outside database).
# Prints a JSON summary (and writes it with --json FILE). Expects ConnectionStrings__Alignment from dev.sh, and
# DRILL_OWNS_CLUSTER=1 when dev.sh runs the private cluster (the outage drill stops and starts it).
#
#   tools/drill.sh [--teams N] [--items N] [--kills N] [--rates "0.3 0.6"] [--json FILE]
set -euo pipefail
TEAMS=20 ITEMS=50000 KILLS=10 RATES="0.3 0.6" JSON_OUT="" SEED=7 NOW=2026-11-02T09:00:00Z
while [ $# -gt 0 ]; do
  case "$1" in
    --teams) TEAMS=$2; shift 2 ;; --items) ITEMS=$2; shift 2 ;; --kills) KILLS=$2; shift 2 ;;
    --rates) RATES=$2; shift 2 ;; --json) JSON_OUT=$2; shift 2 ;; --seed) SEED=$2; shift 2 ;;
    *) echo "drill: unknown option $1" >&2; exit 2 ;;
  esac
done
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ALIGNMENT=(dotnet "$ROOT/src/Alignment.Host/bin/Release/net10.0/alignment.dll")
ALIGNMENT_DEV=(dotnet "$ROOT/tools/Alignment.DevTools/bin/Release/net10.0/alignment-dev.dll")
BASE_CS=${ConnectionStrings__Alignment:?run through ./dev.sh drill}
WORK=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
START=$(date +%s)
log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# A database per scenario on the same server (the login may create databases: dev.sh gives it CREATEDB).
cs_for() { echo "$BASE_CS" | sed -E "s/Database=[^;]*/Database=$1/"; }
psql_db() { PGPASSWORD=alignment psql "$(echo "$BASE_CS" | sed -E 's/Host=([^;]*);Port=([^;]*);Database=([^;]*);Username=([^;]*);Password=([^;]*)/host=\1 port=\2 dbname='"$1"' user=\4/')" -v ON_ERROR_STOP=1 -qtA "${@:2}"; }
fresh_db() { psql_db postgres -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" -c "CREATE DATABASE $1" >/dev/null; }
# The canonical store hash: items, links, events, sprints (and sprint membership).
store_hash() {
  psql_db "$1" -c "SELECT md5(string_agg(t, E'\n' ORDER BY t)) FROM (
    SELECT 'i|' || concat_ws('|', source_id, external_id, key, type, title, status, status_category, story_points, team_id, sprint_id, parent_key, rank, deleted, sprint_ids::text) AS t FROM core.work_items
    UNION ALL SELECT DISTINCT 'l|' || concat_ws('|', from_source_id, from_key, to_source_id, to_key, kind) FROM core.links
    UNION ALL SELECT 'e|' || concat_ws('|', source_id, item_external_id, event_id, at, kind, from_value, to_value) FROM core.item_events
    UNION ALL SELECT 's|' || concat_ws('|', source_id, external_id, name, state, start_at, end_at, completed_at) FROM core.sprints
    UNION ALL SELECT 'm|' || concat_ws('|', source_id, sprint_id, item_external_id) FROM core.sprint_items) x"
}
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

# Starts a simulator with the given fault rate; writes its configuration to $WORK/config-<rate>.json.
start_sim() {
  local rate=$1 port; port=$(free_port)
  "${ALIGNMENT_DEV[@]}" simulate --port "$port" --teams "$TEAMS" --items "$ITEMS" --seed "$SEED" --now "$NOW" --fault-rate "$rate" >"$WORK/sim-$rate.log" 2>&1 &
  echo $! > "$WORK/sim-$rate.pid"
  local i; for i in $(seq 1 600); do
    if curl -fsS "http://127.0.0.1:$port/_sim/config" -o "$WORK/raw-$rate.json" 2>/dev/null \
       && python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$WORK/raw-$rate.json" 2>/dev/null; then break; fi
    sleep 0.5
  done
  python3 - "$WORK/raw-$rate.json" "$WORK/config-$rate.json" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))
for s in c["Alignment"]["Sources"]:
    s["Sync"] = {"Cron": "", "FullCron": ""}  # the product's deadlines and retries, as shipped
json.dump(c, open(sys.argv[2], "w"))
EOF
}
stop_sim() { kill "$(cat "$WORK/sim-$1.pid")" 2>/dev/null || true; }
sync_into() { ConnectionStrings__Alignment=$(cs_for "$1") "${ALIGNMENT[@]}" sync --config "$2" >>"$WORK/sync-$1.log" 2>&1; }
statuses() { psql_db "$1" -c "SELECT coalesce(string_agg(status, ',' ORDER BY id), '') FROM ops.sync_runs"; }

log "drill: $TEAMS teams, $ITEMS items; fault-free sync"
start_sim 0
fresh_db drill_clean
sync_into drill_clean "$WORK/config-0.json" || { tail -20 "$WORK/sync-drill_clean.log" >&2; exit 1; }
CLEAN=$(store_hash drill_clean)

log "crash: $KILLS kill -9 at random points, then a normal sync"
fresh_db drill_crash
for k in $(seq 1 "$KILLS"); do
  # Even kills hit a full re-read (an incremental run with nothing changed has nothing to interrupt).
  full=(); [ $((k % 2)) = 0 ] && full=(--full)
  ConnectionStrings__Alignment=$(cs_for drill_crash) "${ALIGNMENT[@]}" sync --config "$WORK/config-0.json" "${full[@]}" >>"$WORK/crash.log" 2>&1 &
  pid=$!
  if [ $((k % 2)) = 0 ]; then
    # In the middle of a run: once this process has recorded its run, a little later.
    for _ in $(seq 1 600); do
      [ "$(psql_db drill_crash -c "SELECT count(*) FROM ops.sync_runs WHERE status = 'running'" 2>/dev/null || echo 0)" != 0 ] && break
      kill -0 "$pid" 2>/dev/null || break; sleep 0.1
    done
    sleep "$(python3 -c "import random; random.seed($k * 7919); print(round(random.uniform(0.0, 1.0), 2))")"
  else
    sleep "$(python3 -c "import random; random.seed($k * 7919); print(round(random.uniform(0.5, 4.0), 2))")" # anywhere from start-up on
  fi
  kill -9 "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
done
sync_into drill_crash "$WORK/config-0.json" || true
CRASH_HASH=$(store_hash drill_crash)
RUNNING_LEFT=$(psql_db drill_crash -c "SELECT count(*) FROM ops.sync_runs WHERE status = 'running'")
ABANDONED=$(psql_db drill_crash -c "SELECT count(*) FROM ops.sync_runs WHERE status = 'abandoned'")
stop_sim 0

FAULTS="["
for rate in $RATES; do
  log "faults: --fault-rate $rate, at most 3 runs"
  db="drill_f${rate/./}"; fresh_db "$db"; start_sim "$rate"
  runs=0; hash=""; t0=$(date +%s)
  while [ "$runs" -lt 3 ]; do
    runs=$((runs + 1)); sync_into "$db" "$WORK/config-$rate.json" || true
    hash=$(store_hash "$db"); [ "$hash" = "$CLEAN" ] && break
  done
  stop_sim "$rate"
  st=$(statuses "$db")
  [ "$FAULTS" = "[" ] || FAULTS+=","
  FAULTS+="{\"rate\":$rate,\"runsToConverge\":$([ "$hash" = "$CLEAN" ] && echo "$runs" || echo null),\"identical\":$([ "$hash" = "$CLEAN" ] && echo true || echo false),\"statuses\":\"$st\",\"seconds\":$(( $(date +%s) - t0 ))}"
done
FAULTS+="]"

OUTAGE='{"skipped":"ConnectionStrings__Alignment points outside the private cluster"}'
if [ "${DRILL_OWNS_CLUSTER:-0}" = 1 ]; then
  log "outage: PostgreSQL stopped for 20 s in the middle of a sync"
  start_sim 0
  fresh_db drill_outage
  ConnectionStrings__Alignment=$(cs_for drill_outage) "${ALIGNMENT[@]}" sync --config "$WORK/config-0.json" >"$WORK/outage.log" 2>&1 &
  pid=$!
  # Stop the database once the run is under way (its run recorded), in the middle of its writes.
  for _ in $(seq 1 600); do
    [ "$(psql_db drill_outage -c "SELECT count(*) FROM ops.sync_runs WHERE status = 'running'" 2>/dev/null || echo 0)" != 0 ] && break
    kill -0 "$pid" 2>/dev/null || break; sleep 0.1
  done
  sleep 0.5
  "$ROOT/dev.sh" db stop >/dev/null 2>&1 || true
  sleep 20
  env -u ConnectionStrings__Alignment "$ROOT/dev.sh" db >/dev/null 2>&1
  first=0; wait "$pid" || first=$?
  second=0; sync_into drill_outage "$WORK/config-0.json" || second=$?
  [ "$second" = 0 ] || { echo "drill: the sync after the outage exited $second:" >&2; tail -15 "$WORK/sync-drill_outage.log" >&2; }
  OUTAGE="{\"interruptedRunExit\":$first,\"abandonedClosed\":$(psql_db drill_outage -c "SELECT count(*) FROM ops.sync_runs WHERE status = 'abandoned'"),\"runningLeft\":$(psql_db drill_outage -c "SELECT count(*) FROM ops.sync_runs WHERE status = 'running'"),\"recovered\":$([ "$second" = 0 ] && [ "$(store_hash drill_outage)" = "$CLEAN" ] && echo true || echo false),\"statuses\":\"$(statuses drill_outage)\"}"
  stop_sim 0
fi

SUMMARY="{\"teams\":$TEAMS,\"items\":$ITEMS,\"crash\":{\"kills\":$KILLS,\"identical\":$([ "$CRASH_HASH" = "$CLEAN" ] && echo true || echo false),\"runningLeft\":$RUNNING_LEFT,\"abandonedClosed\":$ABANDONED},\"faults\":$FAULTS,\"outage\":$OUTAGE,\"minutes\":$(python3 -c "print(round(($(date +%s) - $START) / 60, 1))")}"
echo "$SUMMARY" | python3 -m json.tool
[ -z "$JSON_OUT" ] || echo "$SUMMARY" > "$JSON_OUT"
