#!/usr/bin/env bash
# Target 5 of issue 6: the JSON scenario on the production server as production.ini
# ships it (egg:podium#workers, unpinned by the operator) against one waitress
# process pinned to a core (wrk on the other core), and one unpinned. Needs wrk.
# Usage: bench/deployment.sh   (DUR=seconds per run, default 5; 3 rounds;
#        SCENARIO=db with PODIUM_DATABASE_URL of a seeded database for target 4)
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT; cd "$WORK"
# A generated secret: production.ini refuses a guessable one such as 48 times the same letter.
export PODIUM_ALLOWED_HOSTS="127.0.0.1 localhost"  # production.ini requires them; wrk asks for 127.0.0.1
export PODIUM_PLUGINS=bench PODIUM_SECRET=$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))') PODIUM_DB_REQUIRE_CURRENT=false
export PODIUM_DATABASE_URL=${PODIUM_DATABASE_URL:-sqlite:///$WORK/p.sqlite}
SCENARIO=${SCENARIO:-json}  # db needs a seeded database: see bench/README.md
SINGLE_PORT=${SINGLE_PORT:-18081} WORKERS_PORT=${WORKERS_PORT:-18082}  # python -m bench.deployment picks free ones
mk() { # name listen server-lines
  sed -e "s|%(here)s/alembic|$ROOT/alembic|" "$ROOT/production.ini" | python3 -c "
import sys,re
s=sys.stdin.read()
start=s.index('\n[server:main]')+1; end=s.index('\n[loggers]')+1
s=s[:start]+'''[server:main]
$3
'''+'\n'+s[end:]
s=s.replace('level = WARN\nhandlers = console','level = ERROR\nhandlers = console')
print(s)" > $1.ini
}
mk single "" "use = egg:waitress#main
listen = 127.0.0.1:$SINGLE_PORT
threads = 4"
mk workers "" "use = egg:podium#workers
listen = 127.0.0.1:$WORKERS_PORT
workers = auto
pin = true
threads = 4"
run() { # label port taskset-prefix wrk-prefix
  setsid $3 $ROOT/.venv/bin/pserve $5.ini > $1.log 2>&1 &
  pid=$!
  for i in $(seq 50); do curl -s -o /dev/null http://127.0.0.1:$2/bench/$SCENARIO && break; sleep 0.2; done
  $4 wrk -t1 -c8 -d2s --latency http://127.0.0.1:$2/bench/$SCENARIO > /dev/null 2>&1
  # CPU of the server's processes, PostgreSQL's and wrk's over the run: the
  # cores are shared, so what each takes per request bounds the ratios.
  before=$(PYTHONPATH=$ROOT $ROOT/.venv/bin/python -m bench.cpu_times $pid)
  out=$( { TIMEFORMAT='%U %S'; time $4 wrk -t1 -c8 -d${DUR:-5}s --latency http://127.0.0.1:$2/bench/$SCENARIO; } 2>wrk.time)
  after=$(PYTHONPATH=$ROOT $ROOT/.venv/bin/python -m bench.cpu_times $pid)
  requests=$(echo "$out" | awk '/requests in/ {print $1}')
  cpu=$(echo "$before $after $(tail -n1 wrk.time) ${requests:-0}" | awk '$7 > 0 {
    printf "cpu us/request app %.0f postgres %.0f wrk %.0f", ($3-$1)*1e6/$7, ($4-$2)*1e6/$7, ($5+$6)*1e6/$7}')
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  # Non-2xx/3xx responses and socket errors (connect, read, write, timeout), summed.
  errors=$(echo "$out" | awk '/Non-2xx or 3xx responses:/ {n += $NF}
    /Socket errors:/ {for (i = 3; i <= NF; i++) {v = $i; gsub(",", "", v); if (v ~ /^[0-9]+$/) n += v}}
    END {print n + 0}')
  echo "$1 $rps req/s p99 $p99 errors $errors $cpu"
  kill -TERM -$pid 2>/dev/null; sleep 1; kill -KILL -$pid 2>/dev/null; wait $pid 2>/dev/null
}
for round in 1 2 3; do
  run "single-pinned" $SINGLE_PORT "taskset -c 0" "taskset -c 1" single
  run "single-unpinned" $SINGLE_PORT "" "" single
  run "workers-unpinned" $WORKERS_PORT "" "" workers
done
