"""Benchmark of the leadership dashboard (issue 17): the dashboard page and its JSON endpoint
for the province root (``bench_staff``) and for a county union, p95 against 300 ms.

    .venv/bin/python bench/bench_reports.py [--scale 0.1] [--requests 30] [--demands-factor 1]
    DATABASE_URL=postgres://… .venv/bin/python bench/bench_reports.py   # also on PostgreSQL

It builds its data in a temporary data dir (and, with DATABASE_URL, in that PostgreSQL
database, which must be an empty throwaway one): ``gen_data`` at ``--scale`` (1 = 1,000,000
workers and ~20,000 organizations), then the demand rollup as the demands services keep it for
2,000,000 × scale × ``--demands-factor`` demands (rows per month × body × category × city,
the counts spread over the union and partner bodies). What it does NOT generate (stated in
the output): meetings, activities, contests and democracy records, so those figures are
measured over empty tables; gen-data does not yet build those modules.

Each URL is requested in-process with Django's test client after a warm-up; the markdown
table goes to stdout and to bench/results/reports.md.
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "reports.md"
TARGET_MS = 300.0
DEMANDS_AT_SCALE_1 = 2_000_000


def build_rollup(demands: int) -> int:
    """Rollup rows for ``demands`` demands over the last 12 months; returns the row count."""
    from django.utils import timezone

    from liandong.demands.models import Category, DemandRollup
    from liandong.organizations.models import Organization

    rng = random.Random(17)
    kinds = Organization.Kind
    bodies = list(
        Organization.objects.filter(
            kind__in=[kinds.UNION, kinds.UNION_FEDERATION, kinds.AUTHORITY, kinds.ASSOCIATION]
        ).values_list("pk", "city")
    )
    today = timezone.localdate()
    months = [date(today.year, m, 1) for m in range(1, 13)]
    categories = list(Category.values)
    cells = [(m, b, c) for m in months for b in bodies for c in categories]
    weights = [rng.lognormvariate(0, 1.2) for _ in cells]
    scale = demands / sum(weights)
    rows = []
    for (month, (body, city), category), weight in zip(cells, weights, strict=True):
        received = int(weight * scale)
        if not received:
            continue
        due = int(received * 0.9)
        resolved = int(due * rng.uniform(0.7, 0.98))
        rated = int(resolved * 0.6)
        counts = {
            "received": received,
            "response_due": due,
            "responded_on_time": int(due * rng.uniform(0.8, 0.99)),
            "resolution_due": due,
            "resolved": resolved,
            "rated": rated,
            "satisfied": int(rated * 0.9),
            "breached": due - resolved,
            "rh1": received // 2,
            "rh3": received - received // 2,
            "sh4": resolved,
        }
        for where in (city or "兰州", DemandRollup.ALL_CITIES):
            rows.append(
                DemandRollup(month=month, body_id_key=body, category=category, city=where, **counts)
            )
    DemandRollup.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def measure(scale: float, requests: int, factor: float) -> dict:
    from django.test import Client

    from liandong.accounts.models import User
    from liandong_bench.gen_data import BENCH_COUNTY_STAFF, BENCH_STAFF, gen_data

    started = time.perf_counter()
    gen_data(scale=scale)
    rollup_rows = build_rollup(int(DEMANDS_AT_SCALE_1 * scale * factor))
    built = time.perf_counter() - started
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
        "parts": parts(User.objects.get(username=BENCH_STAFF), year),
        "note": "computed: every request sums the rollups; kept a minute: "
        "LIANDONG_REPORTS_CACHE_SECONDS=60 (the default), repeated requests of one viewer",
    }


def parts(user: object, year: int) -> list[tuple[str, float]]:
    """Where a province dashboard's time goes: each figure's selector alone (best of 3)."""
    from liandong.reports import selectors as s

    root = user.organization  # type: ignore[attr-defined]
    filters = s.ReportFilters(year=year)
    links = s.Links(True)
    calls = [
        (
            "headline figures (every app's year_figures)",
            lambda: s.headline_figures(root, year, user=user),
        ),
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
    args = parser.parse_args()
    if args.child:
        child(args.scale, args.requests, args.demands_factor)
        return
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-reports-") as tmp:
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
    lines = [
        "# Bench: reports (leadership dashboard)",
        "",
        f"gen-data at scale {args.scale} ({int(1_000_000 * args.scale):,} workers), demand "
        f"rollup for {demands:,} demands; {args.requests} sequential requests per row after a "
        f"warm-up, in-process (Django test client). Target: p95 < {TARGET_MS:.0f} ms. "
        "Meetings, activities, contests and democracy tables are empty (gen-data does not build "
        "them yet), so their figures cost here only their queries over empty tables. Command: "
        f"`.venv/bin/python bench/bench_reports.py --scale {args.scale}`.",
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
            f"{r['database']}: data built in {r['built_s']:.0f} s, {r['rollup_rows']:,} rollup rows."
            for r in results
        ],
        "Machine: 2 cores shared with other work.",
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
    from liandong_bench.gen_data import BENCH_STAFF, gen_data

    started = time.perf_counter()
    gen_data(scale=scale)
    rollup_rows = build_rollup(int(DEMANDS_AT_SCALE_1 * scale * factor))
    built = time.perf_counter() - started
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
    with tempfile.TemporaryDirectory(prefix="bench-annual-") as tmp:
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
        "Machine: 2 cores shared with other work.",
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
