#!/usr/bin/env bash
# Start or stop a throwaway PostgreSQL cluster on 127.0.0.1 for the test suite and bench.
#   scripts/pg.sh start DIR PORT [tests]   -> prints the DATABASE_URL
#   scripts/pg.sh stop DIR
# With "tests" the cluster does not wait for the disk (fsync, synchronous_commit and
# full_page_writes off): the suite's cluster is thrown away after the run, and a crash of the
# machine, the only thing those settings guard against, ends the run anyway. What a test sees
# is the same (a commit is visible to every connection at once either way); the transactional
# tests' table flushes cost about a tenth less. The bench and the drill keep the defaults.
set -euo pipefail
action=$1; dir=$2; port=${3:-54329}; mode=${4:-}
bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case "$action" in
  start)
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir"
    if [ ! -f "$dir/PG_VERSION" ]; then
      as_pg "$bindir/initdb" -D "$dir" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
      {
        echo "listen_addresses = '127.0.0.1'"
        echo "port = $port"
        echo "unix_socket_directories = '$dir'"
        echo "max_connections = 300"
        echo "shared_buffers = 256MB"
        if [ "$mode" = "tests" ]; then
          echo "fsync = off"
          echo "synchronous_commit = off"
          echo "full_page_writes = off"
        else
          echo "fsync = on"
          echo "synchronous_commit = on"
        fi
      } | as_pg tee -a "$dir/postgresql.conf" >/dev/null
    fi
    as_pg "$bindir/pg_ctl" -D "$dir" -l "$dir/server.log" -w start >/dev/null
    echo "postgres://postgres@127.0.0.1:$port/liandong"
    ;;
  stop)
    as_pg "$bindir/pg_ctl" -D "$dir" -m fast -w stop >/dev/null || true
    ;;
esac
