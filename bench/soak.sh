#!/usr/bin/env bash
# ./envscore soak [--minutes 10] [--secretaries 200] [--townships 20] [--inspectors 4] [--readers 10] [--think 8]
# — bounded soak benchmark at issue 19's size by default (docs/performance.md). A private cluster of its own
# ($ENVSCORE_DATA/soak, port 56600, durable settings) and the service on 56680, both loopback and both stopped at the
# end; the demo district grown to --townships townships (the demo's 3 + generated ones of 10 villages, each with its
# secretary account: Demo:ExtraTownships) with two computed months (the older one published) as the base.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="${ENVSCORE_DATA:-$ROOT/.data}"
PG_BIN="${ENVSCORE_PG_BIN:-/usr/lib/postgresql/15/bin}"
R="$DATA/soak"; PGP="${ENVSCORE_SOAK_PG_PORT:-56600}"; APP="${ENVSCORE_SOAK_PORT:-56680}"
ARGS=("$@")
TOWNSHIPS=20
for ((i = 1; i <= $#; i++)); do [ "${!i}" = "--townships" ] && { j=$((i + 1)); TOWNSHIPS="${!j}"; }; done
EXTRA=$((TOWNSHIPS > 3 ? TOWNSHIPS - 3 : 0))
pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$PG_BIN/$1" "${@:2}"; else "$PG_BIN/$1" "${@:2}"; fi; }
api_pid=""
cleanup() {
  trap - INT TERM EXIT
  [ -n "$api_pid" ] && kill "$api_pid" 2>/dev/null && wait "$api_pid" 2>/dev/null || true
  [ -f "$R/data/postmaster.pid" ] && pg pg_ctl -D "$R/data" -m fast -w stop >/dev/null 2>&1 || true
}
trap cleanup INT TERM EXIT
rm -rf "$R"; mkdir -p "$R/sock"
if [ "$(id -u)" -eq 0 ]; then chown -R postgres:postgres "$R"; chmod o+x "$DATA" "$ROOT" 2>/dev/null || true; fi
pg initdb -D "$R/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$R/initdb.log" 2>&1
pg pg_ctl -D "$R/data" -l "$R/server.log" -w -t 60 start -o "-p $PGP -k $R/sock -c listen_addresses=127.0.0.1 -c max_connections=200" >/dev/null
pg createdb -h "$R/sock" -p $PGP -U postgres envscore
# ENVSCORE_SKIP_BUILD=1: use the Release build as it is (e.g. right after ./envscore ha-demo built it).
[ -n "${ENVSCORE_SKIP_BUILD:-}" ] || dotnet build "$ROOT/src/EnvScore.Api/EnvScore.Api.csproj" -c Release -v quiet -nologo >"$R/build.log" 2>&1 || { tail -30 "$R/build.log"; exit 1; }
PASSWORD="Soak-Passw0rd-1"
ConnectionStrings__EnvScore="Host=127.0.0.1;Port=$PGP;Username=postgres;Database=envscore" Demo__Seed=true Demo__SampleMonths=2 Demo__ExtraTownships=$EXTRA Demo__ExtraVillages=10 \
  Demo__Password="$PASSWORD" Scheduling__Enabled=false Accounts__LoginPermitsPerMinute=10000 ASPNETCORE_ENVIRONMENT=Production \
  Logging__LogLevel__Default=Warning \
  dotnet "$ROOT/src/EnvScore.Api/bin/Release/net10.0/EnvScore.Api.dll" --urls "http://127.0.0.1:$APP" --contentRoot "$ROOT/src/EnvScore.Api" >"$R/service.log" 2>&1 &
api_pid=$!
for i in $(seq 1 600); do curl -sf "http://127.0.0.1:$APP/healthz" >/dev/null && break; kill -0 "$api_pid" 2>/dev/null || break; sleep 0.5; done
PSQL="$PG_BIN/psql -h $R/sock -p $PGP -U postgres -d envscore -tA -F|"
[ "$(id -u)" -eq 0 ] && PSQL="runuser -u postgres -- $PSQL"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB (shared with other sessions), $(date -u '+%Y-%m-%d %H:%M UTC')"
/usr/bin/python3 "$ROOT/bench/soak.py" --base "http://127.0.0.1:$APP" --password "$PASSWORD" --pid "$api_pid" --psql "$PSQL" "${ARGS[@]}"
echo "service log lines at Warning or above: $(grep -c -E '^(warn|fail|crit)' "$R/service.log" || true) (5xx logged: $(grep -c 'status 5' "$R/service.log" || true))"
