"""What one request costs in process, against the generated province (no HTTP server, no load
generator): the figure to watch while making a page or endpoint cheaper.

    .venv/bin/python bench/inprocess.py PATH [PATH ...] [--auth token|session|none]
                                        [--database sqlite|postgresql] [--rounds 7] [--profile]

Runs on the database ``bench/run.py`` generated and keeps (``bench/out/<database>``; for
PostgreSQL start its cluster first: ``scripts/pg.sh start /tmp/liandong-bench-pg 55499``), as
the bench account ``bench_staff`` (province scope), through Django's test client with the
production middleware. For each path: the SQL it sends, then milliseconds per request (best
and median of ``--rounds`` rounds of 200 requests, after 30 not counted), and with
``--profile`` the 40 costliest functions. ``/bench/baseline`` is the bare view the ratios are
taken against.
"""

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = "postgres://postgres@127.0.0.1:55499/liandong"  # bench/run.py's cluster


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--auth", choices=["token", "session", "none"], default="token")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    data = ROOT / "bench" / "out" / args.database
    os.environ.update(
        {
            "LIANDONG_DATA_DIR": str(data),
            "LIANDONG_LOG_LEVEL": "WARNING",
            # The product's settings plus bench/liandong_bench (this script's directory is on
            # sys.path), for /bench/baseline.
            "DJANGO_SETTINGS_MODULE": "liandong_bench.settings",
            "DATABASE_URL": PG_URL
            if args.database == "postgresql"
            else f"sqlite:///{data / 'liandong.sqlite3'}",
        }
    )
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from liandong.accounts.models import User
    from liandong_bench.gen_data import BENCH_STAFF

    client = Client(HTTP_HOST="127.0.0.1")
    headers: dict[str, str] = {}
    if args.auth == "token":
        from liandong.accounts.services import api_token_issue

        token, _record = api_token_issue(user=User.objects.get(username=BENCH_STAFF))
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    elif args.auth == "session":
        client.force_login(User.objects.get(username=BENCH_STAFF))

    for path in args.paths:
        for _ in range(30):
            client.get(path, **headers)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path, **headers)
        print(
            f"{path}: {response.status_code}, {len(response.content):,} bytes, {len(queries)} queries"
        )
        for query in queries.captured_queries:
            print(f"  {query['time']} s  {query['sql'][:150]}")  # Django keeps milliseconds only
        rounds = []
        for _ in range(args.rounds):
            started = time.perf_counter()
            for _ in range(200):
                client.get(path, **headers)
            rounds.append((time.perf_counter() - started) * 1000 / 200)
        print(f"  ms per request: best {min(rounds):.2f}, median {statistics.median(rounds):.2f}")
        if args.profile:
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(200):
                client.get(path, **headers)
            profile.disable()
            out = io.StringIO()
            pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(40)
            print(out.getvalue())


if __name__ == "__main__":
    sys.exit(main())
