#!/usr/bin/env bash
# Two service instances (two processes, ports 5101 and 5102) on one database with scheduling enabled and
# Quartz clustered; the compute trigger is set to the next whole minute (Asia/Shanghai) plus one, and we
# watch which instance runs it and what computation_runs records. Needs the 5k benchmark database
# (./envscore bench generate --villages 5000); works on a copy of it (envscore_cluster_demo).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="${ENVSCORE_DATA:-$ROOT/.data}"
PGPORT="${ENVSCORE_BENCH_PG_PORT:-55433}"
DB=envscore_cluster_demo
CS="Host=127.0.0.1;Port=$PGPORT;Username=postgres;Database=$DB"
psqlb() { runuser -u postgres -- psql -h "$DATA/bench/sock" -p "$PGPORT" -U postgres "$@"; }
psqlb -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB TEMPLATE envscore_bench_5000"
psqlb -q -d $DB -c "DELETE FROM village_result_sections; DELETE FROM township_results; DELETE FROM village_results; DELETE FROM computation_runs;"

dotnet build "$ROOT/src/EnvScore.Api/EnvScore.Api.csproj" -c Release -v quiet -nologo >/dev/null
API_DLL="$ROOT/src/EnvScore.Api/bin/Release/net10.0/EnvScore.Api.dll"
# Fire at the start of the minute after next, Shanghai time (the product evaluates cron in Asia/Shanghai).
FIRE_EPOCH=$(( ($(date +%s) / 60 + 2) * 60 ))
CRON="0 $(TZ=Asia/Shanghai date -d "@$FIRE_EPOCH" +'%-M %-H %-d %-m') ?"
echo "cluster-demo: compute cron \"$CRON\" (fires $(TZ=Asia/Shanghai date -d "@$FIRE_EPOCH" '+%F %T %Z'))"

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
for port in 5101 5102; do
  ConnectionStrings__EnvScore="$CS" Scheduling__Enabled=true Scheduling__ComputeCron="$CRON" \
    Logging__LogLevel__Default=Information Logging__LogLevel__Quartz=Information ASPNETCORE_ENVIRONMENT=Production \
    dotnet "$API_DLL" --urls "http://127.0.0.1:$port" --contentRoot "$ROOT/src/EnvScore.Api" >"$DATA/cluster-demo-$port.log" 2>&1 &
  pids+=($!)
  echo "instance on port $port: pid ${pids[-1]}, log $DATA/cluster-demo-$port.log"
done
for port in 5101 5102; do for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.5; done; done
sleep 20  # let both nodes check in
echo "both up; scheduler state:"
psqlb -d $DB -c "SELECT sched_name, instance_name, to_timestamp((last_checkin_time - 621355968000000000) / 10000000.0) AS last_checkin, checkin_interval FROM qrtz_scheduler_state"

DISTRICTS=$(psqlb -d $DB -tAc "SELECT count(*) FROM districts")
deadline=$(( FIRE_EPOCH + 240 ))
while [ "$(date +%s)" -lt "$deadline" ]; do
  done_=$(psqlb -d $DB -tAc "SELECT count(*) FROM computation_runs WHERE requested_by = 'system:schedule' AND status IN ('Succeeded','Failed')")
  [ "$done_" -ge "$DISTRICTS" ] && break
  sleep 2
done
sleep 3
echo "== computation_runs by status (expected: $DISTRICTS districts, each once)"
psqlb -d $DB -c "SELECT requested_by, status, count(*) AS runs, count(DISTINCT district_id) AS districts, min(started_at) AS first_start, max(finished_at) AS last_finish FROM computation_runs GROUP BY 1, 2"
psqlb -d $DB -c "SELECT district_id, count(*) FROM computation_runs GROUP BY 1 HAVING count(*) > 1" | tail -3
psqlb -d $DB -c "SELECT count(*) AS village_results, count(DISTINCT computation_run_id) AS runs FROM village_results WHERE month = 202610"
for port in 5101 5102; do
  echo "== instance $port: $(grep -c 'Scheduled computation of' "$DATA/cluster-demo-$port.log" || true) 'Scheduled computation' log lines"
  grep -m2 'Scheduled computation of\|Computed 20' "$DATA/cluster-demo-$port.log" || true
  grep -m3 -i 'cluster\|instance id\|Scheduler .* started' "$DATA/cluster-demo-$port.log" || true
done
