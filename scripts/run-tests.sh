#!/usr/bin/env bash
# The whole suite on SQLite, then on a real PostgreSQL started here. Fails if either fails.
# The PostgreSQL pass also starts a throwaway Redis (scripts/redis.sh) and sets REDIS_URL, so
# that the delivery tests on the Redis-backed task queue run once (skipped in the SQLite pass).
#   scripts/run-tests.sh            both
#   scripts/run-tests.sh postgres   PostgreSQL only
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=${VENV:-.venv}/bin
only=${1:-all}
status=0

if [ "$only" != "postgres" ]; then
  echo "== Test suite on SQLite =="
  env -u DATABASE_URL -u REDIS_URL "$BIN/pytest" -q || status=1
fi

echo "== Test suite on PostgreSQL =="
pgdir=$(mktemp -d /tmp/liandong-pg.XXXXXX)
port=$((55000 + RANDOM % 5000))
url=$(scripts/pg.sh start "$pgdir" "$port") || { echo "PostgreSQL did not start"; cat "$pgdir/server.log" 2>/dev/null; exit 1; }
redisdir=$(mktemp -d /tmp/liandong-redis.XXXXXX)
redis_url=$(scripts/redis.sh start "$redisdir") || { echo "Redis did not start"; scripts/pg.sh stop "$pgdir"; exit 1; }
DATABASE_URL="$url" REDIS_URL="$redis_url" "$BIN/pytest" -q || status=1
scripts/redis.sh stop "$redisdir"
rm -rf "$redisdir"
scripts/pg.sh stop "$pgdir"
rm -rf "$pgdir"

if [ $status -ne 0 ]; then echo "FAILED: see above"; fi
exit $status
