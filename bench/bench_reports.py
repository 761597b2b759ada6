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


def build_rollup(demands: int) -> dict[str, int]:
    """The three demand rollups as the services keep them for ``demands`` demands over the
    last 12 months (``demands.rollups.write_counts``); returns each table's row count. The
    counts are spread over the union and partner bodies, the categories and the demand
    industries; the row count does not depend on ``demands``."""
    from django.utils import timezone

    from liandong.demands.models import Category, Industry
    from liandong.demands.rollups import write_counts
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
    industries = list(Industry.values)
    cells = [(m, b, c) for m in months for b in bodies for c in categories]
    weights = [rng.lognormvariate(0, 1.2) for _ in cells]
    scale = demands / sum(weights)
    out = []
    for (month, (body, city), category), weight in zip(cells, weights, strict=True):
        received_all = int(weight * scale)
        if not received_all:
            continue
        shares = [rng.random() for _ in industries]
        for industry, share in zip(industries, shares, strict=True):
            received = int(received_all * share / sum(shares))
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
            out.append(((month, body, category, industry, city or "兰州"), counts))
    return write_counts(out)


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


if __name__ == "__main__":
    main()
