"""Public intake while a roster import runs (issue 13, fault 1).

The product's promise on its embedded default: while a 100,000-row roster import runs, public
intake keeps answering, with 0 errors and p95 under 1 s. For each database this script takes a
copy of the generated province (``bench/run.py``'s data in ``bench/out/``, made by
``make bench``; it does not generate), starts the app on it (``liandong serve``, gunicorn with
2 sync workers, as ``bench/run.py`` does), and

1. sends public demand submissions (``POST /api/v1/public/demands``, the bodies of
   ``bench/bench_demands.py``) from ``--clients`` closed-loop clients for ``--alone`` seconds:
   the intake on its own;
2. starts ``liandong import-workers roster-100000.xlsx --org <root>`` on the same database and
   keeps the same load going until the import ends: the intake during the import.

Errors are any answer outside 2xx (a 503 "busy" counts) or a broken connection. The rate
limits per IP and per mobile are raised for the run (every client is 127.0.0.1), so that the
intake still does all of its work, the limit's UPSERT included, without being refused.

    .venv/bin/python bench/bench_import_intake.py [--databases sqlite,postgresql]
        [--clients 4] [--rows 100000] [--alone 15]

Results go to stdout and ``bench/results/import_intake.md``. PostgreSQL uses the cluster
``bench/run.py`` keeps in /tmp/liandong-bench-pg (started if it is not running, and then
stopped again at the end).
"""

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime

from bench_demands import intake_bodies
from loadgen import LoadResult, app_server, run_load
from run import BIN, OUT, ROOT, Database, PostgresDatabase, SqliteDatabase, _revision

RESULTS = ROOT / "bench" / "results" / "import_intake.md"
P95_TARGET_MS = 1000.0
INTAKE = "/api/v1/public/demands"
NO_LIMIT = str(10**9)


def _env(db: Database, url: str) -> dict[str, str]:
    env = db.env(url)
    env["LIANDONG_DEMANDS_SUBMITS_PER_IP_HOUR"] = NO_LIMIT
    env["LIANDONG_DEMANDS_SUBMITS_PER_MOBILE_DAY"] = NO_LIMIT
    return env


def _load(port: int, seconds: float, clients: int, bodies: object) -> LoadResult:
    return run_load(
        port=port,
        paths=[INTAKE],
        headers={"Content-Type": "application/json"},
        duration=seconds,
        concurrency=clients,
        method="POST",
        bodies=bodies,  # type: ignore[arg-type]
    )


def measure(db: Database, rows: int, clients: int, alone: float) -> dict:
    summary = json.loads(db.marker.read_text())["summary"]
    code = summary["root"]["code"]
    workbook = db.data_dir / f"roster-{rows}.xlsx"
    if not workbook.exists():
        raise SystemExit(f"{workbook} is missing: run bench/run.py once (it writes it)")
    with db.copy() as url:
        env = _env(db, url)
        db.liandong("migrate", "--no-input", "-v0", url=url)
        bodies = intake_bodies()
        with app_server(env, db.data_dir / "intake-server.log") as port:
            _load(port, 2, clients, bodies)  # warm-up, not counted
            before = _load(port, alone, clients, bodies)
            log = db.data_dir / "intake-import.log"
            with log.open("w") as out:
                started = time.perf_counter()
                proc = subprocess.Popen(
                    [str(BIN / "liandong"), "import-workers", str(workbook), "--org", code],
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
                waited: dict = {}

                def wait() -> None:
                    _, status, usage = os.wait4(proc.pid, 0)
                    waited.update(
                        status=os.waitstatus_to_exitcode(status),
                        seconds=time.perf_counter() - started,
                        rss_mb=usage.ru_maxrss / 1024,
                        cpu_s=usage.ru_utime + usage.ru_stime,
                    )

                waiter = threading.Thread(target=wait, daemon=True)
                waiter.start()
                during = LoadResult()
                while waiter.is_alive():
                    during = during + _load(port, 1.0, clients, bodies)
            waiter.join()
    output = log.read_text()
    return {
        "database": db.name,
        "alone": before,
        "during": during,
        "import_seconds": round(waited["seconds"], 1),
        "import_rss_mb": round(waited["rss_mb"]),
        "import_cpu_s": round(waited["cpu_s"], 1),
        "load_at_end": os.getloadavg()[0],
        "import_status": waited["status"],
        "import_output": output.strip().splitlines()[:3],
    }


def _row(name: str, label: str, result: LoadResult) -> str:
    p95 = result.percentile(0.95)
    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(result.statuses.items()))
    met = "yes" if result.errors == 0 and p95 < P95_TARGET_MS else "NO"
    return (
        f"| {name} | {label} | {result.requests} | {result.throughput:.1f} | "
        f"{result.percentile(0.5):.0f} | {p95:.0f} | {max(result.latencies, default=0) * 1000:.0f} | "
        f"{result.errors} | {statuses} | {met} |"
    )


def report(results: list[dict], args: argparse.Namespace) -> str:
    lines = [
        f"Run on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC at commit {_revision()}, "
        f"{args.clients} intake clients, gunicorn with 2 sync workers, "
        f"{args.rows:,}-row roster import. Command: `.venv/bin/python bench/bench_import_intake.py "
        + " ".join(sys.argv[1:])
        + "`",
        "",
        "| database | intake | requests | req/s | p50 ms | p95 ms | max ms | errors | statuses "
        "| 0 errors, p95 < 1 s? |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    lines[0] += (
        " 1-minute load average when it ended: "
        + ", ".join(f"{r['database']} {r['load_at_end']:.2f}" for r in results)
        + "."
    )
    for r in results:
        lines.append(_row(r["database"], "alone", r["alone"]))
        lines.append(_row(r["database"], "during the import", r["during"]))
    lines += [
        "",
        "| database | import | wall s | CPU s | peak RSS MB | exit | output |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['database']} | {args.rows:,} rows beside the intake | {r['import_seconds']} | "
            f"{r['import_cpu_s']} | {r['import_rss_mb']} | {r['import_status']} | {' '.join(r['import_output'])[:120]} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--alone", type=float, default=15.0, help="seconds of intake alone")
    parser.add_argument("--pg-port", type=int, default=55499)
    args = parser.parse_args()
    results = []
    for name in args.databases.split(","):
        db: Database
        if name == "sqlite":
            db = SqliteDatabase("SQLite", OUT / "sqlite")
        else:
            db = PostgresDatabase("PostgreSQL", OUT / "postgresql")
            db.port = args.pg_port
        print(f"== {db.name}", flush=True)
        was_running = isinstance(db, PostgresDatabase) and _pg_running(db)
        try:
            db.start()
            results.append(measure(db, args.rows, args.clients, args.alone))
            print(report(results[-1:], args), flush=True)
        finally:
            if not was_running:
                db.stop()
    section = report(results, args)
    print()
    print(section)
    RESULTS.write_text("# Public intake during a roster import\n\n" + section + "\n")


def _pg_running(db: PostgresDatabase) -> bool:
    try:
        db._admin("SELECT 1")
    except Exception:
        return False
    return True


if __name__ == "__main__":
    main()
