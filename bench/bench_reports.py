"""Benchmark of the leadership dashboard (issue 17): the dashboard page and its JSON endpoint
for the province root (``bench_staff``) and for a county union, p95 against 300 ms.

    .venv/bin/python bench/bench_reports.py [--scale 0.1] [--requests 30] [--demands-factor 1]
    DATABASE_URL=postgres://… .venv/bin/python bench/bench_reports.py   # also on PostgreSQL

It builds its data in a temporary data dir, or in ``--data-dir`` kept for the next run (and,
with DATABASE_URL, in that PostgreSQL database, which must be an empty throwaway one the first
time and is reused after): ``gen_data`` at ``--scale`` (1 = 1,000,000 workers and ~20,000
organizations), every module's records (``gen_modules``: all ten modules; a data dir kept
from before a module was added there lacks it, so start a fresh one), then the demand rollups
as the demands services keep them for 2,000,000 × scale × ``--demands-factor`` demands (rows
per month × body × category × city, the counts spread over the union and partner bodies; no
demand rows: the dashboard never reads them).

Each URL is requested in-process with Django's test client after a warm-up; the markdown
table goes to stdout and to bench/results/reports.md.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "reports.md"
TARGET_MS = 300.0
DEMANDS_AT_SCALE_1 = 2_000_000


def kept_rollups(factor: float) -> dict[str, int] | None:
    """With a kept --data-dir whose rollups were built for another demands factor: the same
    rows with every counter multiplied (ten times the demands spread as before is exactly
    that, and it takes one UPDATE per table instead of a rebuild); None to build them."""
    from django.db.models import F

    from liandong.demands.rollups import TABLES
    from liandong.demands.services import ROLLUP_COUNTERS

    marker = Path(os.environ["LIANDONG_DATA_DIR"]) / "bench-rollup-factor"
    if not marker.exists() or not TABLES[-1][0].objects.exists():
        return None
    ratio = factor / float(marker.read_text())
    if ratio != int(ratio):
        return None
    if ratio != 1:
        for model, _ in TABLES:
            model.objects.update(**{name: F(name) * int(ratio) for name in ROLLUP_COUNTERS})
    return {model.__name__: model.objects.count() for model, _ in TABLES}


def measure(scale: float, requests: int, factor: float) -> dict:
    from django.test import Client

    from liandong.accounts.models import User
    from liandong.meetings.models import Mechanism
    from liandong.workers.models import Worker
    from liandong_bench.gen_data import BENCH_COUNTY_STAFF, BENCH_STAFF, gen_data
    from liandong_bench.gen_modules import build_rollup, gen_modules

    started = time.perf_counter()
    if not Worker.objects.exists():  # --data-dir kept from an earlier run: reuse it
        gen_data(scale=scale)
    modules = {} if Mechanism.objects.exists() else gen_modules(scale=scale)
    rollup_rows = kept_rollups(factor) or build_rollup(int(DEMANDS_AT_SCALE_1 * scale * factor))
    (Path(os.environ["LIANDONG_DATA_DIR"]) / "bench-rollup-factor").write_text(str(factor))
    built = time.perf_counter() - started
    statistics_of_a_deployment()
    from django.utils import timezone

    year = timezone.localdate().year
    from django.conf import settings

    scenarios = []
    for seconds, how in [(0, "computed"), (60, "kept a minute")]:
        scenarios += [
            (f"Page dashboard, province, {how}", BENCH_STAFF, f"/reports/?year={year}", seconds),
            (
                f"API dashboard, province, {how}",
                BENCH_STAFF,
                f"/api/v1/reports/dashboard?year={year}",
                seconds,
            ),
            (
                f"Page dashboard, county, {how}",
                BENCH_COUNTY_STAFF,
                f"/reports/?year={year}",
                seconds,
            ),
        ]
    rows = []
    for name, username, url, seconds in scenarios:
        settings.LIANDONG_REPORTS_CACHE_SECONDS = seconds
        client = Client()
        client.force_login(User.objects.get(username=username))
        for _ in range(3):  # warm-up
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
        times = []
        for _ in range(requests):
            t0 = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200
        times.sort()
        p95 = times[max(int(len(times) * 0.95) - 1, 0)]
        rows.append({"name": name, "url": url, "p50": statistics.median(times), "p95": p95})
    return {
        "rows": rows,
        "built_s": built,
        "rollup_rows": rollup_rows,
        "modules": modules,
        "load": os.getloadavg(),
        "parts": parts(User.objects.get(username=BENCH_STAFF), year),
        "note": "computed: every request sums the rollups; kept a minute: "
        "LIANDONG_REPORTS_CACHE_SECONDS=60 (the default), repeated requests of one viewer",
    }


def statistics_of_a_deployment() -> None:
    """The database as a deployment has it a minute after the data came, not in the middle of
    digesting a bulk load of a million rows that no deployment writes at once: on SQLite, the
    planner's statistics from the tick's job (core/jobs.py, a sampled ANALYZE) and the
    write-ahead log checkpointed (SQLite does it by itself every thousand pages as writes
    go); on PostgreSQL, VACUUM ANALYZE (autovacuum's work: statistics, and the visibility map
    that lets an index answer alone)."""
    from django.db import connection

    from liandong.core.jobs import sqlite_optimize

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            sqlite_optimize(False)
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            cursor.execute("VACUUM ANALYZE")


def parts(user: object, year: int) -> list[tuple[str, float]]:
    """Where a province dashboard's time goes: each figure's selector alone (best of 3)."""
    from liandong.reports import selectors as s

    root = user.organization  # type: ignore[attr-defined]
    filters = s.ReportFilters(year=year)
    links = s.Links(True)
    from liandong.core.extensions import hooks

    calls = [
        *[
            (
                f"year_figures of {provider.__module__.split('.')[1]}",
                (lambda provider=provider: provider(organization=root, year=year)),
            )
            for provider in hooks("year_figures")
        ],
        ("coverage totals", lambda: s.coverage_totals(root, filters)),
        *[
            (f.__name__, (lambda f=f: f(root, filters, links)))
            for f in [
                s.founding_by_month,
                s.coverage,
                s.demand_rates_by_month,
                s.demand_top_categories,
                s.demand_breaches_by_body,
                s.demand_cities,
                s.mechanism_loops,
                s.overdue_by_body,
                s.served_by_month,
                s.places_by_kind,
                s.funds_by_line,
                s.contests_by_body,
                s.democracy,
            ]
        ],
    ]
    result = []
    for name, call in calls:
        best = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            call()
            best = min(best, (time.perf_counter() - t0) * 1000)
        result.append((name, best))
    return result


def child(scale: float, requests: int, factor: float) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    print("RESULT " + json.dumps(measure(scale, requests, factor)))


def run(database: str, env: dict, args: argparse.Namespace) -> dict:
    proc = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            "--scale",
            str(args.scale),
            "--requests",
            str(args.requests),
            "--demands-factor",
            str(args.demands_factor),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-5000:])
        raise SystemExit(f"bench on {database} failed")
    line = next(line for line in proc.stdout.splitlines() if line.startswith("RESULT "))
    return {**json.loads(line[7:]), "database": database}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--demands-factor", type=float, default=1.0)
    parser.add_argument("--skip-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--child", action="store_true")
    parser.add_argument(
        "--data-dir",
        default="",
        help="keep the SQLite data here (reused by the next run: gen-data and the module "
        "records are built once; the rollups are rebuilt for --demands-factor)",
    )
    args = parser.parse_args()
    if args.child:
        child(args.scale, args.requests, args.demands_factor)
        return
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-reports-") as tmp_dir:
        tmp = args.data_dir or tmp_dir
        env = {
            **os.environ,
            "LIANDONG_DATA_DIR": tmp,
            "DJANGO_SETTINGS_MODULE": "liandong.settings.base",
            "LIANDONG_DEBUG": "0",
            "PYTHONPATH": str(ROOT / "bench"),
        }
        env.pop("DATABASE_URL", None)
        if not args.skip_sqlite:
            results.append(run("SQLite", env, args))
        if os.environ.get("DATABASE_URL"):
            results.append(
                run("PostgreSQL", {**env, "DATABASE_URL": os.environ["DATABASE_URL"]}, args)
            )
    demands = int(DEMANDS_AT_SCALE_1 * args.scale * args.demands_factor)
    command = " ".join(
        [".venv/bin/python bench/bench_reports.py", f"--scale {args.scale}"]
        + ([f"--demands-factor {args.demands_factor}"] if args.demands_factor != 1 else [])
        + [f"--requests {args.requests}"]
    )
    lines = [
        "# Bench: reports (leadership dashboard)",
        "",
        f"gen-data at scale {args.scale} ({int(1_000_000 * args.scale):,} workers) with every "
        "module's records (liandong_bench/gen_modules.py), the demand rollups for "
        f"{demands:,} demands; {args.requests} sequential requests per row after a "
        f"warm-up, in-process (Django test client). Target: p95 < {TARGET_MS:.0f} ms "
        f"(450 ms at ten times the demands). Command: `{command}` "
        "(with DATABASE_URL of an empty PostgreSQL database for the PostgreSQL rows).",
        "",
        "| database | scenario | p50 ms | p95 ms | target | |",
        "|---|---|---:|---:|---:|---|",
    ]
    for result in results:
        for row in result["rows"]:
            verdict = "met" if row["p95"] < TARGET_MS else "MISSED"
            lines.append(
                f"| {result['database']} | {row['name']} | {row['p50']:.1f} | {row['p95']:.1f} | "
                f"< {TARGET_MS:.0f} | {verdict} |"
            )
    for result in results:
        lines += [
            "",
            f"Where the province dashboard's time goes ({result['database']}, ms, best of 3):",
            "",
        ]
        lines += [f"- {name}: {ms:.1f}" for name, ms in result["parts"]]
    lines += [
        "",
        *[
            f"{r['database']}: data built in {r['built_s']:.0f} s; demand rollup rows: "
            + ", ".join(f"{k} {v:,}" for k, v in r["rollup_rows"].items())
            + (
                "; module records: " + ", ".join(f"{k} {v:,}" for k, v in r["modules"].items())
                if r["modules"]
                else "; module records from the kept --data-dir"
            )
            + "; load average (1, 5, 15 min) at the end of the run: "
            + ", ".join(f"{x:.1f}" for x in r["load"])
            for r in results
        ],
        f"Machine: {os.cpu_count()} cores; the load average above says how busy they were (a "
        "load above the core count inflates every time).",
    ]
    text = "\n".join(lines) + "\n"
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a" if args.skip_sqlite else "w") as out:
        out.write(text if not args.skip_sqlite else "\n" + text)
    print(text)


# --- The annual report (年度工作报告), ``--annual`` ---------------------------------------------
# A separate block: the report of the province root (``bench_staff``) generated as PDF and as
# .docx through the page, on the same data as above, against the 15 s. Its own results
# file (bench/results/reports-annual.md), so the dashboard's table above is left as it is.
#
#     .venv/bin/python bench/bench_reports.py --annual [--scale 1] [--requests 3]
#     DATABASE_URL=postgres://… .venv/bin/python bench/bench_reports.py --annual --skip-sqlite

ANNUAL_RESULTS = ROOT / "bench" / "results" / "reports-annual.md"
ANNUAL_TARGET_S = 15.0


def measure_annual(scale: float, requests: int, factor: float) -> dict:
    from django.test import Client
    from django.utils import timezone

    from liandong.accounts.models import User
    from liandong.meetings.models import Mechanism
    from liandong.workers.models import Worker
    from liandong_bench.gen_data import BENCH_STAFF, gen_data
    from liandong_bench.gen_modules import build_rollup, gen_modules

    started = time.perf_counter()
    if not Worker.objects.exists():  # a --data-dir kept from the dashboard bench: reuse it
        gen_data(scale=scale)
    if not Mechanism.objects.exists():
        gen_modules(scale=scale)
    rows_by_table = kept_rollups(factor) or build_rollup(int(DEMANDS_AT_SCALE_1 * scale * factor))
    (Path(os.environ["LIANDONG_DATA_DIR"]) / "bench-rollup-factor").write_text(str(factor))
    rollup_rows = sum(rows_by_table.values())
    built = time.perf_counter() - started
    statistics_of_a_deployment()
    year = timezone.localdate().year
    client = Client()
    client.force_login(User.objects.get(username=BENCH_STAFF))
    rows = []
    for fmt in ("pdf", "docx"):
        url = f"/reports/annual/?year={year}&format={fmt}"
        times, size = [], 0
        for i in range(requests + 1):  # the first one warms up (imports, fonts), kept apart
            t0 = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - t0
            assert response.status_code == 200, (url, response.status_code)
            size = len(response.content)
            times.append(elapsed)
            if i == 0:
                first = elapsed
        rest = times[1:] or times
        rows.append(
            {
                "format": fmt,
                "first": first,
                "median": statistics.median(rest),
                "max": max(rest),
                "bytes": size,
            }
        )
    return {"rows": rows, "built_s": built, "rollup_rows": rollup_rows}


def annual_main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--annual", action="store_true")
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--requests", type=int, default=3)
    parser.add_argument("--demands-factor", type=float, default=1.0)
    parser.add_argument("--skip-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--child", action="store_true")
    parser.add_argument(
        "--data-dir", default="", help="reuse the SQLite data the dashboard bench kept here"
    )
    args = parser.parse_args()
    if args.child:
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command

        settings.ALLOWED_HOSTS = ["*"]
        call_command("migrate", verbosity=0)
        call_command("createcachetable", verbosity=0)
        result = measure_annual(args.scale, args.requests, args.demands_factor)
        print("RESULT " + json.dumps(result))
        return
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-annual-") as tmp_dir:
        tmp = args.data_dir or tmp_dir
        env = {
            **os.environ,
            "LIANDONG_DATA_DIR": tmp,
            "DJANGO_SETTINGS_MODULE": "liandong.settings.base",
            "LIANDONG_DEBUG": "0",
            "PYTHONPATH": str(ROOT / "bench"),
        }
        env.pop("DATABASE_URL", None)
        databases = [] if args.skip_sqlite else [("SQLite", env)]
        if os.environ.get("DATABASE_URL"):
            databases.append(("PostgreSQL", {**env, "DATABASE_URL": os.environ["DATABASE_URL"]}))
        for database, database_env in databases:
            command = [
                sys.executable,
                __file__,
                "--annual",
                "--child",
                "--scale",
                str(args.scale),
                "--requests",
                str(args.requests),
                "--demands-factor",
                str(args.demands_factor),
            ]
            proc = subprocess.run(
                command, env=database_env, capture_output=True, text=True, check=False
            )
            if proc.returncode != 0:
                sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-5000:])
                raise SystemExit(f"annual bench on {database} failed")
            line = next(x for x in proc.stdout.splitlines() if x.startswith("RESULT "))
            results.append({**json.loads(line[7:]), "database": database})
    lines = [
        "# Bench: the annual report (年度工作报告) of a province-level union",
        "",
        f"gen-data at scale {args.scale} ({int(1_000_000 * args.scale):,} workers), demand "
        f"rollup for {int(DEMANDS_AT_SCALE_1 * args.scale * args.demands_factor):,} demands; the "
        f"province root's report for this year through `/reports/annual/`, {args.requests} times "
        "per format after a first request (which also imports matplotlib and loads the fonts). "
        f"Target: under {ANNUAL_TARGET_S:.0f} s. Command: "
        f"`.venv/bin/python bench/bench_reports.py --annual --scale {args.scale}`.",
        "",
        "| database | format | first s | median s | max s | size | target | |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for result in results:
        for row in result["rows"]:
            verdict = "met" if max(row["max"], row["first"]) < ANNUAL_TARGET_S else "MISSED"
            lines.append(
                f"| {result['database']} | {row['format']} | {row['first']:.1f} | "
                f"{row['median']:.1f} | {row['max']:.1f} | {row['bytes'] / 1024:,.0f} KiB | "
                f"< {ANNUAL_TARGET_S:.0f} s | {verdict} |"
            )
    lines += [
        "",
        *[
            f"{r['database']}: data built in {r['built_s']:.0f} s, {r['rollup_rows']:,} rollup rows."
            for r in results
        ],
        f"Machine: {os.cpu_count()} cores, load average (1, 5, 15 min) at the end: "
        + ", ".join(f"{x:.1f}" for x in os.getloadavg())
        + ".",
    ]
    text = "\n".join(lines) + "\n"
    ANNUAL_RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with ANNUAL_RESULTS.open("a" if args.skip_sqlite else "w") as out:
        out.write(text if not args.skip_sqlite else "\n" + text)
    print(text)


if __name__ == "__main__" and "--annual" in sys.argv[1:]:
    annual_main()
    sys.exit(0)
# --- end of the annual report's block ----------------------------------------------------------


if __name__ == "__main__":
    main()
