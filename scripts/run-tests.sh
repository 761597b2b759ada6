#!/usr/bin/env bash
# The whole suite on SQLite and on a real PostgreSQL started here, the two passes side by side
# (the PostgreSQL pass as two processes, one per half of the test files; the machines have two
# cores, so this halves the wall time of CI).
# Fails if either fails. Each pass's output is printed when it ends, SQLite's first.
# The PostgreSQL pass also starts a throwaway Redis (scripts/redis.sh) and sets REDIS_URL, so
# that the delivery tests on the Redis-backed task queue run once (skipped in the SQLite pass).
#   scripts/run-tests.sh            both
#   scripts/run-tests.sh postgres   PostgreSQL only
#   scripts/run-tests.sh sqlite     SQLite only
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=${VENV:-.venv}/bin
only=${1:-all}
logs=$(mktemp -d /tmp/liandong-tests.XXXXXX)

sqlite_pass() {
  env -u DATABASE_URL -u REDIS_URL "$BIN/pytest" -q --durations=15 >"$logs/sqlite.log" 2>&1
}

postgres_pass() {
  local pgdir port url redisdir redis_url status=0
  pgdir=$(mktemp -d /tmp/liandong-pg.XXXXXX)
  port=$((55000 + RANDOM % 5000))
  url=$(scripts/pg.sh start "$pgdir" "$port" tests) || {
    echo "PostgreSQL did not start" >"$logs/postgres.log"
    cat "$pgdir/server.log" >>"$logs/postgres.log" 2>/dev/null
    return 1
  }
  redisdir=$(mktemp -d /tmp/liandong-redis.XXXXXX)
  if ! redis_url=$(scripts/redis.sh start "$redisdir"); then
    echo "Redis did not start" >"$logs/postgres.log"
    scripts/pg.sh stop "$pgdir"
    return 1
  fi
  # Two shares of the test files (LIANDONG_TEST_SHARD, src/liandong/conftest.py), each on its
  # own database of the one cluster: a pass keeps one core busy in Python, so the two shares
  # and the SQLite pass share the two cores instead of the PostgreSQL pass running alone for
  # its last quarter of an hour.
  local share pids=()
  for share in 1 2; do
    DATABASE_URL="${url}_$share" REDIS_URL="${redis_url%/0}/$share" LIANDONG_TEST_SHARD="$share/2" \
      "$BIN/pytest" -q --durations=15 >"$logs/postgres-$share.log" 2>&1 &
    pids+=($!)
  done
  for share in 1 2; do
    wait "${pids[$((share - 1))]}" || status=1
    { echo "-- share $share of 2 --"; cat "$logs/postgres-$share.log"; } >>"$logs/postgres.log"
  done
  scripts/redis.sh stop "$redisdir"
  rm -rf "$redisdir"
  scripts/pg.sh stop "$pgdir"
  rm -rf "$pgdir"
  return $status
}

sqlite_status=0
postgres_status=0
started=$SECONDS
if [ "$only" != "postgres" ]; then sqlite_pass & sqlite_pid=$!; fi
if [ "$only" != "sqlite" ]; then postgres_pass & postgres_pid=$!; fi
if [ "$only" != "postgres" ]; then
  wait "$sqlite_pid" || sqlite_status=1
  echo "== Test suite on SQLite ($((SECONDS - started)) s) =="
  cat "$logs/sqlite.log"
fi
if [ "$only" != "sqlite" ]; then
  wait "$postgres_pid" || postgres_status=1
  echo "== Test suite on PostgreSQL ($((SECONDS - started)) s) =="
  cat "$logs/postgres.log"
fi
rm -rf "$logs"

if [ $sqlite_status -ne 0 ] || [ $postgres_status -ne 0 ]; then
  echo "FAILED:$([ $sqlite_status -ne 0 ] && echo " SQLite")$([ $postgres_status -ne 0 ] && echo " PostgreSQL")"
  exit 1
fi
