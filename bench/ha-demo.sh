#!/usr/bin/env bash
# ./envscore ha-demo — a PostgreSQL failover under a write load, on loopback ports only (docs/operations.md).
#   pg_auto_failover: a monitor (56540), a primary (56541) and a synchronous standby (56542), data under $ENVSCORE_DATA/ha;
#   the service (56580) with a multi-host connection string (Target Session Attributes=primary) for everything, and
#   ConnectionStrings:PublicReads = the standby first (Target Session Attributes=prefer-standby) for the public pages;
#   simulated secretaries saving sheets (bench/ha_load.py); after WARMUP s the primary node is killed (SIGKILL, keeper
#   and postgres); the load goes on until the writes succeed again on the promoted standby and a little longer; then
#   every acknowledged write is looked for in the database; readers load the public pages all along and their answers are
#   counted before the kill, while the writes fail, and after. Last line: `failover: N s, acknowledged writes lost: L`.
# Everything started is stopped at the end (also on Ctrl-C). Options: --warmup S (15), --after S (15), --workers N (8),
# --readers N (2).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="${ENVSCORE_DATA:-$ROOT/.data}"
R="$DATA/ha"
PG_BIN="${ENVSCORE_PG_BIN:-/usr/lib/postgresql/15/bin}"
MON=56540; N1=56541; N2=56542; APP=56580
WARMUP=15; AFTER=15; WORKERS=8; READERS=2
while [ $# -gt 0 ]; do
  case "$1" in
    --warmup) WARMUP="$2"; shift 2 ;; --after) AFTER="$2"; shift 2 ;; --workers) WORKERS="$2"; shift 2 ;; --readers) READERS="$2"; shift 2 ;;
    *) echo "usage: ./envscore ha-demo [--warmup S] [--after S] [--workers N] [--readers N]"; exit 2 ;;
  esac
done
say() { printf '[ha-demo] %s\n' "$*"; }
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- env PATH="$PG_BIN:$PATH" "$@"; else env PATH="$PG_BIN:$PATH" "$@"; fi; }
autoctl() { as_pg pg_autoctl "$@"; }

pids=()
api_pid=""
cleanup() {
  trap - INT TERM EXIT
  [ -n "$api_pid" ] && kill "$api_pid" 2>/dev/null && wait "$api_pid" 2>/dev/null || true
  for node in node2 node1 monitor; do
    [ -d "$R/$node" ] && autoctl stop --pgdata "$R/$node" --immediate >/dev/null 2>&1 || true
  done
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 1
  for node in node2 node1 monitor; do
    [ -f "$R/$node/postmaster.pid" ] && as_pg pg_ctl -D "$R/$node" -m immediate stop >/dev/null 2>&1 || true
  done
  say "stopped everything it started (logs kept in $R/*.log)"
  [ -f "$R/result.txt" ] && cat "$R/result.txt"
}
trap cleanup INT TERM EXIT

for port in $MON $N1 $N2 $APP; do
  if (echo >/dev/tcp/127.0.0.1/$port) 2>/dev/null; then echo "port $port is busy"; exit 1; fi
done
rm -rf "$R"; mkdir -p "$R"
if [ "$(id -u)" -eq 0 ]; then chown -R postgres:postgres "$R"; chmod o+x "$DATA" "$ROOT" 2>/dev/null || true; fi
export XDG_CONFIG_HOME="$R/xdg-config" XDG_DATA_HOME="$R/xdg-data" XDG_RUNTIME_DIR="$R/xdg-run"
mkdir -p "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR"; [ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$R"
run_bg() { # name, args…: a pg_autoctl process in the background with its log
  local name="$1"; shift
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- env PATH="$PG_BIN:$PATH" XDG_CONFIG_HOME="$XDG_CONFIG_HOME" XDG_DATA_HOME="$XDG_DATA_HOME" XDG_RUNTIME_DIR="$XDG_RUNTIME_DIR" \
      pg_autoctl "$@" >"$R/$name.log" 2>&1 &
  else
    pg_autoctl "$@" >"$R/$name.log" 2>&1 &
  fi
  pids+=($!)
}
autoctl_env() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- env PATH="$PG_BIN:$PATH" XDG_CONFIG_HOME="$XDG_CONFIG_HOME" XDG_DATA_HOME="$XDG_DATA_HOME" XDG_RUNTIME_DIR="$XDG_RUNTIME_DIR" pg_autoctl "$@"; else pg_autoctl "$@"; fi; }

say "monitor on 127.0.0.1:$MON …"
run_bg monitor create monitor --pgdata "$R/monitor" --pgport $MON --hostname 127.0.0.1 --listen 127.0.0.1 --auth trust --no-ssl --run
MONITOR_URI="postgres://autoctl_node@127.0.0.1:$MON/pg_auto_failover?sslmode=disable"
for i in $(seq 1 240); do "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p $MON -d pg_auto_failover && break; sleep 0.5; done

state_of() { # node name → its current reported state
  autoctl_env show state --pgdata "$R/monitor" --json 2>/dev/null | python3 -c '
import json,sys
name=sys.argv[1]
try:
  for n in json.load(sys.stdin):
    if n.get("nodename", n.get("node_name"))==name: print(n.get("current_group_state", n.get("reported_state",""))); break
except Exception: pass' "$1"
}
wait_state() { # node, state, seconds
  local i; for i in $(seq 1 $(( $3 * 2 ))); do [ "$(state_of "$1")" = "$2" ] && return 0; sleep 0.5; done
  echo "node $1 did not reach $2 (now: $(state_of "$1"))"; autoctl_env show state --pgdata "$R/monitor" || true; exit 1
}

say "primary node1 on 127.0.0.1:$N1 …"
run_bg node1 create postgres --pgdata "$R/node1" --pgport $N1 --hostname 127.0.0.1 --listen 127.0.0.1 --name node1 --dbname envscore \
  --auth trust --no-ssl --monitor "$MONITOR_URI" --run
wait_state node1 single 120
say "synchronous standby node2 on 127.0.0.1:$N2 …"
run_bg node2 create postgres --pgdata "$R/node2" --pgport $N2 --hostname 127.0.0.1 --listen 127.0.0.1 --name node2 --dbname envscore \
  --auth trust --no-ssl --monitor "$MONITOR_URI" --run
wait_state node2 secondary 180
wait_state node1 primary 60
autoctl_env show state --pgdata "$R/monitor" | sed 's/^/    /'
say "synchronous_standby_names on node1: $(as_pg psql -h 127.0.0.1 -p $N1 -U postgres -d envscore -tAc 'show synchronous_standby_names')"

say "building and starting the service on 127.0.0.1:$APP (multi-host connection string) …"
[ -n "${ENVSCORE_SKIP_BUILD:-}" ] || dotnet build "$ROOT/src/EnvScore.Api/EnvScore.Api.csproj" -c Release -v quiet -nologo >"$R/build.log" 2>&1 || { tail -30 "$R/build.log"; exit 1; }
PASSWORD="Ha-Demo-Passw0rd"
CS="Host=127.0.0.1:$N1,127.0.0.1:$N2;Username=postgres;Database=envscore;Target Session Attributes=primary;Host Recheck Seconds=1;Timeout=3;Command Timeout=10"
# The public pages read the standby (node2) while there is one, else whichever node answers (docs/operations.md, PublicReads).
READS="Host=127.0.0.1:$N2,127.0.0.1:$N1;Username=postgres;Database=envscore;Target Session Attributes=prefer-standby;Host Recheck Seconds=1;Timeout=3;Command Timeout=10"
# Two sample months: the earlier one is published, so the public pages have a ranking to show.
ConnectionStrings__EnvScore="$CS" ConnectionStrings__PublicReads="$READS" Demo__Seed=true Demo__SampleMonths=2 Demo__Password="$PASSWORD" Scheduling__Enabled=false \
  Accounts__LoginPermitsPerMinute=10000 ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning \
  dotnet "$ROOT/src/EnvScore.Api/bin/Release/net10.0/EnvScore.Api.dll" --urls "http://127.0.0.1:$APP" --contentRoot "$ROOT/src/EnvScore.Api" \
  >"$R/service.log" 2>&1 &
api_pid=$!
for i in $(seq 1 240); do curl -sf "http://127.0.0.1:$APP/healthz" >/dev/null && break; kill -0 "$api_pid" 2>/dev/null || break; sleep 0.5; done
curl -sf "http://127.0.0.1:$APP/healthz" >/dev/null || { tail -30 "$R/service.log"; exit 1; }
say "service up: $(curl -s http://127.0.0.1:$APP/healthz)"

# The whole node1 at once: its keeper (so nothing restarts it) and its postgres (SIGKILL: no clean shutdown).
cat >"$R/kill-primary.sh" <<KILL
#!/usr/bin/env bash
keeper="\$(pgrep -f "pg_autoctl create postgres --pgdata $R/node1" | head -n1)"
pm="\$(head -n1 "$R/node1/postmaster.pid" 2>/dev/null)"
desc() { local c; for c in \$(pgrep -P "\$1"); do echo "\$c"; desc "\$c"; done; }
all="\$keeper \$(desc "\$keeper") \$pm"
kill -9 \$all 2>/dev/null
echo "[ha-demo] killed node1 (SIGKILL): keeper \$keeper, its \$(echo \$all | wc -w) processes, postgres \$pm"
KILL

/usr/bin/python3 "$ROOT/bench/ha_load.py" --base "http://127.0.0.1:$APP" --password "$PASSWORD" --workers "$WORKERS" --readers "$READERS" \
  --warmup "$WARMUP" --after "$AFTER" --kill "bash $R/kill-primary.sh" \
  --check "$PG_BIN/psql -h 127.0.0.1 -p $N2 -U postgres -d envscore -tA" --run-as-postgres "$([ "$(id -u)" -eq 0 ] && echo 1 || echo 0)" --result "$R/result.txt.tmp"
mv "$R/result.txt.tmp" "$R/result.txt"
say "state after the failover:"
autoctl_env show state --pgdata "$R/monitor" | sed 's/^/    /' || true
