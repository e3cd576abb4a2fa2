#!/usr/bin/env bash
# API under load (docs/performance.md): the district ranking query through the product's OData endpoint
# with a bearer token, then the same rows from the raw-Npgsql yardstick app, each with wrk on loopback,
# 32 connections for a bounded time. Usage (through ./envscore bench api): [--villages N] [--seconds 25] [--connections 32]
# [--miss]: the cache-miss path instead — another filter on every request (bench/miss.lua), product and yardstick,
# at the given connections; the public page is not measured then.
# Ports: ENVSCORE_BENCH_API_PORT (5098) and ENVSCORE_BENCH_YS_PORT (5099).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="${ENVSCORE_DATA:-$ROOT/.data}"
PGPORT="${ENVSCORE_BENCH_PG_PORT:-55433}"
VILLAGES=500000; SECONDS_=25; CONNS=32; MONTH=202610; MISS=0
while [ $# -gt 0 ]; do case "$1" in --villages) VILLAGES="$2"; shift 2;; --seconds) SECONDS_="$2"; shift 2;; --connections) CONNS="$2"; shift 2;; --miss) MISS=1; shift;; *) echo "unknown $1"; exit 2;; esac; done
DB="envscore_bench_$VILLAGES"
CS="Host=127.0.0.1;Port=$PGPORT;Username=postgres;Database=$DB;Maximum Pool Size=100"
API_PORT=${ENVSCORE_BENCH_API_PORT:-5098}; YS_PORT=${ENVSCORE_BENCH_YS_PORT:-5099}
command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null; }
psqlb() { runuser -u postgres -- psql -h "$DATA/bench/sock" -p "$PGPORT" -U postgres -d "$DB" -tA -c "$1"; }

# The largest township of district 1 with computed results for the month.
read -r TOWNSHIP DISTRICT_CODE < <(psqlb "SELECT r.township_id, d.code FROM village_results r JOIN districts d ON d.id = r.district_id
  WHERE r.month = $MONTH AND r.district_id = 1 GROUP BY r.township_id, d.code ORDER BY count(*) DESC, r.township_id LIMIT 1" | tr '|' ' ')
[ -n "${TOWNSHIP:-}" ] || { echo "no results for $MONTH in $DB: run ./envscore bench compute --villages $VILLAGES first"; exit 1; }
DISTRICT_ID=1
ROWS=$(psqlb "SELECT count(*) FROM village_results WHERE township_id = $TOWNSHIP AND month = $MONTH")
echo "api: $DB, township $TOWNSHIP ($ROWS villages) of district $DISTRICT_CODE, month $MONTH, $CONNS connections, ${SECONDS_} s each"

dotnet build "$ROOT/src/EnvScore.Api/EnvScore.Api.csproj" -c Release -v quiet -nologo >/dev/null
dotnet build "$ROOT/bench/EnvScore.RankingYardstick/EnvScore.RankingYardstick.csproj" -c Release -v quiet -nologo >/dev/null
API_DLL="$ROOT/src/EnvScore.Api/bin/Release/net10.0/EnvScore.Api.dll"
PASSWORD="Bench-$(head -c 12 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')9x"
USER_NAME="bench-admin-$(date +%s)"
ENVSCORE_DB="$CS" ENVSCORE_ADMIN_PASSWORD="$PASSWORD" dotnet "$API_DLL" create-admin "$USER_NAME" "$DISTRICT_CODE" >/dev/null

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; } # utime + stime of a process, in clock ticks
wait_up() { for _ in $(seq 1 120); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.5; done; echo "not up: $1"; exit 1; }

# ENVSCORE_BENCH_API_CS_EXTRA: appended to the product's connection string only (e.g. ";Max Auto Prepare=0" for a before/after).
ConnectionStrings__EnvScore="$CS${ENVSCORE_BENCH_API_CS_EXTRA:-}" Scheduling__Enabled=false Accounts__FailedLoginsPerAddress=1000 Logging__LogLevel__Default=Warning \
  ASPNETCORE_ENVIRONMENT=Production dotnet "$API_DLL" --urls "http://127.0.0.1:$API_PORT" --contentRoot "$ROOT/src/EnvScore.Api" >"$DATA/bench-api.log" 2>&1 &
pids+=($!)
dotnet "$ROOT/bench/EnvScore.RankingYardstick/bin/Release/net10.0/EnvScore.RankingYardstick.dll" "$CS" "$YS_PORT" >"$DATA/bench-yardstick.log" 2>&1 &
pids+=($!)
wait_up "http://127.0.0.1:$API_PORT/healthz"; wait_up "http://127.0.0.1:$YS_PORT/healthz"

TOKEN=$(curl -fs -X POST "http://127.0.0.1:$API_PORT/api/auth/login" -H 'content-type: application/json' \
  -d "{\"userName\":\"$USER_NAME\",\"password\":\"$PASSWORD\"}" | sed 's/.*"accessToken":"\([^"]*\)".*/\1/')
ODATA="http://127.0.0.1:$API_PORT/odata/VillageResults?%24filter=townshipId%20eq%20$TOWNSHIP%20and%20month%20eq%20$MONTH&%24orderby=townshipRank&%24top=50"
YARD="http://127.0.0.1:$YS_PORT/ranking?townshipId=$TOWNSHIP&month=$MONTH"
n1=$(curl -fs -H "Authorization: Bearer $TOKEN" "$ODATA" | grep -o '"villageId"' | wc -l)
n2=$(curl -fs "$YARD" | grep -o '"villageId"' | wc -l)
b1=$(curl -fs -H "Authorization: Bearer $TOKEN" "$ODATA" | wc -c); b2=$(curl -fs "$YARD" | wc -c)
echo "rows: product $n1 ($b1 bytes), yardstick $n2 ($b2 bytes)"
[ "$n1" -eq "$n2" ] && [ "$n1" -gt 0 ] || { echo "the two endpoints disagree"; exit 1; }

run() { # label url [header]
  local label="$1" url="$2"; shift 2
  wrk -t"$(( CONNS < 2 ? 1 : 2 ))" -c"$CONNS" -d5s "$@" "$url" >/dev/null            # warm-up (JIT, pools, plans)
  echo "== $label"; wrk -t"$(( CONNS < 2 ? 1 : 2 ))" -c"$CONNS" -d"${SECONDS_}s" --latency -s "$ROOT/bench/percentiles.lua" "$@" "$url" | tee "$DATA/bench-wrk-$label.txt"
}
if [ "$MISS" = 1 ]; then
  TOWNSHIPS=$(psqlb "SELECT string_agg(DISTINCT township_id::text, ',') FROM village_results WHERE district_id = $DISTRICT_ID AND month = $MONTH")
  echo "cache-miss path: townships $TOWNSHIPS; load $(cut -d' ' -f1-3 /proc/loadavg)"
  miss() { # label mode url [header]
    local label="$1" mode="$2" url="$3"; shift 3
    wrk -t"$(( CONNS < 2 ? 1 : 2 ))" -c"$CONNS" -d5s -s "$ROOT/bench/miss.lua" "$@" "$url" -- "$mode" "$MONTH" "$TOWNSHIPS" >/dev/null
    echo "== $label (load $(cut -d' ' -f1-3 /proc/loadavg))"
    # ENVSCORE_BENCH_TRACE=1: CPU samples of the product during its first measured run (dotnet-trace, a dotnet tool).
    if [ "$mode" = odata ] && [ -n "${ENVSCORE_BENCH_TRACE:-}" ] && [ ! -f "$DATA/bench-miss.nettrace" ]; then
      "${HOME}/.dotnet/tools/dotnet-trace" collect -p "${pids[0]}" --profile dotnet-sampled-thread-time --duration 00:00:00:15 -o "$DATA/bench-miss.nettrace" >/dev/null 2>&1 &
    fi
    local pid; pid=$([ "$mode" = odata ] && echo "${pids[0]}" || echo "${pids[1]}")
    local cpu0; cpu0=$(cpu_ticks "$pid")
    wrk -t"$(( CONNS < 2 ? 1 : 2 ))" -c"$CONNS" -d"${SECONDS_}s" --timeout 10s --latency -s "$ROOT/bench/miss.lua" "$@" "$url" -- "$mode" "$MONTH" "$TOWNSHIPS" \
      | tee "$DATA/bench-wrk-$label.txt" | grep -E 'percentiles|Non-2xx|Socket errors'
    # CPU time of the server process per request (user + system, from /proc): robust to how many cores it got.
    local cpu1 n; cpu1=$(cpu_ticks "$pid"); n=$(sed -n 's/.*; \([0-9]*\) requests,.*/\1/p' "$DATA/bench-wrk-$label.txt")
    [ -n "$n" ] && [ "$n" -gt 0 ] && echo "server CPU: $(( (cpu1 - cpu0) * 1000 / $(getconf CLK_TCK) )) ms for $n requests = $(awk -v c=$(( cpu1 - cpu0 )) -v n="$n" -v t="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", c * 1000 / t / n }') ms per request"
  }
  for i in 1 2; do
    miss product-miss odata "http://127.0.0.1:$API_PORT" -H "Authorization: Bearer $TOKEN"
    miss yardstick-miss yardstick "http://127.0.0.1:$YS_PORT"
  done
  exit 0
fi
run product "$ODATA" -H "Authorization: Bearer $TOKEN"
run yardstick "$YARD"

# The public ranking page (anonymous, output-cached) against the raw rows it renders. It shows published months
# only: publish the month for the district (revision 1, or a new revision when one exists), measure, then open a
# correction so that `bench compute` may recompute the district afterwards.
MONTH_TEXT="$((MONTH / 100))-$(printf %02d $((MONTH % 100)))"   # 202610 → 2026-10
curl -fs -o /dev/null -X POST "http://127.0.0.1:$API_PORT/api/publications/$MONTH_TEXT/publish" \
  -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{"reason":"bench api"}' \
  || { echo "publishing $MONTH for district $DISTRICT_ID failed"; exit 1; }
PAGE="http://127.0.0.1:$API_PORT/?d=$DISTRICT_ID&m=$MONTH_TEXT"
PUBLISHED="http://127.0.0.1:$YS_PORT/published?districtId=$DISTRICT_ID&month=$MONTH"
p1=$(curl -fs "$PAGE" | grep -c 'href="/village/' || true); p2=$(curl -fs "$PUBLISHED" | grep -o '"villageId"' | wc -l)
echo "public page: $(curl -fs "$PAGE" | wc -c) bytes, $p1 village links; published rows (yardstick): $p2"
run public-page "$PAGE"
run published-yardstick "$PUBLISHED"
curl -fs -o /dev/null -X POST "http://127.0.0.1:$API_PORT/api/publications/$MONTH_TEXT/corrections" \
  -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{"reason":"bench api: reopen for recomputation"}' || true
