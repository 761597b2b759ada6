#!/usr/bin/env bash
# Start or stop a throwaway Redis on 127.0.0.1 (no persistence) for the delivery tests on the
# Redis-backed task queue and for the bench.
#   scripts/redis.sh start DIR [PORT]   -> prints the REDIS_URL (a random port when none given)
#   scripts/redis.sh stop DIR
set -euo pipefail
action=$1; dir=$2; port=${3:-$((61000 + RANDOM % 3000))}
case "$action" in
  start)
    mkdir -p "$dir"
    redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" --save "" --appendonly no \
      --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" \
      --databases 16 --protected-mode yes >/dev/null
    echo "$port" >"$dir/port"
    for _ in $(seq 100); do
      if redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG; then
        echo "redis://127.0.0.1:$port/0"
        exit 0
      fi
      sleep 0.1
    done
    echo "Redis did not start on port $port" >&2
    cat "$dir/redis.log" >&2 2>/dev/null || true
    exit 1
    ;;
  stop)
    if [ -f "$dir/port" ]; then
      redis-cli -h 127.0.0.1 -p "$(cat "$dir/port")" shutdown nosave >/dev/null 2>&1 || true
    fi
    if [ -f "$dir/redis.pid" ] && kill -0 "$(cat "$dir/redis.pid")" 2>/dev/null; then
      kill "$(cat "$dir/redis.pid")" || true
    fi
    ;;
esac
