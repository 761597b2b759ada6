"""Fault drill (issue 13, fault 8): public intake under load while the server is killed.

For each database (a fresh SQLite file, and a throwaway PostgreSQL cluster from
``scripts/pg.sh``) the drill

1. migrates a new data directory, generates a small province in it (``liandong gen-data
   --scale 0.001``: 28 bodies, for the intake to route to) and starts ``liandong serve --workers 2`` (gunicorn);
2. runs ``--clients`` closed-loop clients sending public demand submissions
   (``POST /api/v1/public/demands``), each with its own ``Idempotency-Key``. A client that gets
   no answer, a 5xx or a broken connection sends the same body with the same key again (what a
   careful client, or the product's own form, does); every 2xx answer's tracking code is
   recorded as acknowledged;
3. at ``--kill-worker-at`` seconds sends SIGKILL to one gunicorn worker (the master starts
   another); at ``--kill-master-at`` seconds SIGKILL to the master (its workers notice and
   leave), then starts ``liandong serve`` again on the same port at once;
4. stops the load at ``--duration`` seconds and checks the database directly: every
   acknowledged tracking code exists exactly once, and no Idempotency-Key has two demands.

It prints (and with ``--write`` stores in ``bench/results/drill.md``) requests sent, answers
acknowledged, errors during the kills, codes missing and duplicated (both must be 0), and the
recovery time after each kill (from the kill to the next 2xx answer, and until the restarted
master has its workers up). It exits 1 when a code is missing or duplicated.

    make drill        # = .venv/bin/python bench/drill.py --write
    .venv/bin/python bench/drill.py [--databases sqlite,postgresql] [--clients 4] [--duration 20]
"""

import argparse
import contextlib
import http.client
import itertools
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from loadgen import HOST, free_port, request, with_bench_app

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "results" / "drill.md"
INTAKE = "/api/v1/public/demands"
CITIES = ["兰州", "天水", "白银", "酒泉"]


@dataclass
class Tally:
    sent: int = 0
    acknowledged: dict[str, str] = field(default_factory=dict)  # idempotency key -> code
    codes: list[str] = field(default_factory=list)  # every code a 2xx answer carried
    errors: dict[str, int] = field(default_factory=dict)  # status or exception -> count
    answers: list[tuple[float, int]] = field(default_factory=list)  # (time, status) of 2xx
    samples: dict[str, str] = field(default_factory=dict)  # the first answer of each error kind
    lock: threading.Lock = field(default_factory=threading.Lock)


def body(n: int) -> bytes:
    return json.dumps(
        {
            "description": f"网点拖欠派费两个月，站长一直拖着不给（演练第 {n} 条）。",
            "industry": "快递",
            "city": CITIES[n % len(CITIES)],
            "mobile": f"139{n % 10**8:08d}",
            "consent": True,
            "employer_name": "甲快递城关网点",
        },
        ensure_ascii=False,
    ).encode()


def client(
    port: int, tally: Tally, numbers: Iterator[int], stop: threading.Event, run: str
) -> None:
    """Sends one demand after another; retries a demand with its own key until it is
    acknowledged (or the drill ends)."""
    while not stop.is_set():
        with tally.lock:
            n = next(numbers)
        key = f"drill-{run}-{n}"
        payload = body(n)
        while not stop.is_set():
            conn = http.client.HTTPConnection(HOST, port, timeout=10)
            with tally.lock:
                tally.sent += 1
            try:
                conn.request(
                    "POST",
                    INTAKE,
                    body=payload,
                    headers={"Content-Type": "application/json", "Idempotency-Key": key},
                )
                response = conn.getresponse()
                data = response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as error:
                status, data = 0, type(error).__name__.encode()
            finally:
                conn.close()
            now = time.monotonic()
            if 200 <= status < 300:
                code = json.loads(data)["code"]
                with tally.lock:
                    tally.acknowledged[key] = code
                    tally.codes.append(code)
                    tally.answers.append((now, status))
                break
            label = str(status) if status else data.decode()
            with tally.lock:
                tally.errors[label] = tally.errors.get(label, 0) + 1
                tally.samples.setdefault(label, data[:300].decode(errors="replace"))
            time.sleep(0.05)  # the server is down or busy: try again shortly


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


@contextlib.contextmanager
def database(name: str, workdir: Path) -> Iterator[str]:
    """A database URL: a fresh SQLite file, or a database in a throwaway PostgreSQL cluster."""
    if name == "sqlite":
        yield f"sqlite:///{workdir / 'liandong.sqlite3'}"
        return
    pg_dir = Path(tempfile.mkdtemp(prefix="liandong-drill-pg-"))
    pg_dir.chmod(0o755)
    url = subprocess.run(
        [str(ROOT / "scripts" / "pg.sh"), "start", str(pg_dir), str(free_port())],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout.strip()
    try:
        import psycopg

        with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            conn.execute("CREATE DATABASE liandong")
        yield url
    finally:
        subprocess.run([str(ROOT / "scripts" / "pg.sh"), "stop", str(pg_dir)], check=False)
        shutil.rmtree(pg_dir, ignore_errors=True)


def stored(url: str, keys: list[str]) -> tuple[dict[str, int], dict[str, int]]:
    """(demands per code, demands per Idempotency-Key) for the drill's keys."""
    sql_codes = "SELECT code, count(*) FROM demands_demand GROUP BY code"
    sql_keys = (
        "SELECT idempotency_key, count(*) FROM demands_demand "
        "WHERE idempotency_key LIKE 'drill-%' GROUP BY idempotency_key"
    )
    if url.startswith("sqlite:"):
        with contextlib.closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as conn:
            return dict(conn.execute(sql_codes).fetchall()), dict(conn.execute(sql_keys).fetchall())
    import psycopg

    with psycopg.connect(url) as conn:
        return (
            dict(conn.execute(sql_codes).fetchall()),  # type: ignore[arg-type]
            dict(conn.execute(sql_keys).fetchall()),  # type: ignore[arg-type]
        )


def serve(env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    with log.open("a") as out:
        return subprocess.Popen(
            [str(BIN / "liandong"), "serve", "--workers", "2", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def wait_up(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            if request(port, "GET", "/healthz")[0] == 200:
                return
        time.sleep(0.1)
    raise RuntimeError("the app did not start")


def drill(name: str, args: argparse.Namespace) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix=f"liandong-drill-{name}-"))
    log = workdir / "serve.log"
    started_pids: list[int] = []
    try:
        with database(name, workdir) as url:
            env = {
                k: v
                for k, v in os.environ.items()
                if not k.startswith(("LIANDONG_", "DATABASE_URL", "DJANGO_"))
            }
            env.update(
                LIANDONG_DATA_DIR=str(workdir),
                DATABASE_URL=url,
                LIANDONG_LOG_LEVEL="WARNING",
                # Every client is 127.0.0.1: the limits would refuse the load, not the faults.
                LIANDONG_DEMANDS_SUBMITS_PER_IP_HOUR=str(10**9),
                LIANDONG_DEMANDS_SUBMITS_PER_MOBILE_DAY=str(10**9),
            )
            for command in (["migrate", "--no-input", "-v0"], ["createcachetable"]):
                subprocess.run([str(BIN / "liandong"), *command], env=env, check=True)
            # A small province (28 bodies, 1,000 workers): intake needs unions to route to.
            subprocess.run(
                [str(BIN / "liandong"), "gen-data", "--scale", "0.001"],
                env=with_bench_app(dict(env)),
                check=True,
                stdout=subprocess.DEVNULL,
            )
            port = free_port()
            master = serve(env, port, log)
            started_pids.append(master.pid)
            wait_up(port)
            tally = Tally()
            stop = threading.Event()
            numbers = itertools.count()
            run = f"{name}-{int(time.time())}"
            threads = [
                threading.Thread(target=client, args=(port, tally, numbers, stop, run), daemon=True)
                for _ in range(args.clients)
            ]
            t0 = time.monotonic()
            for thread in threads:
                thread.start()
            events: dict[str, float] = {}
            errors_before_kills = 0

            def at(seconds: float) -> None:
                time.sleep(max(0.0, t0 + seconds - time.monotonic()))

            at(args.kill_worker_at)
            with tally.lock:
                errors_before_kills = sum(tally.errors.values())
            workers = children(master.pid)
            started_pids += workers
            victim = workers[0]
            os.kill(victim, signal.SIGKILL)
            events["worker"] = time.monotonic()
            at(args.kill_master_at)
            workers = children(master.pid)
            started_pids += workers
            os.kill(master.pid, signal.SIGKILL)
            events["master"] = time.monotonic()
            master.wait()
            # gunicorn's sync workers look for their parent only between connections, so under
            # load they would serve on for good: the supervisor (systemd, KillMode=control-group)
            # kills what is left of the service before it starts it again. So does the drill,
            # with SIGKILL, requests in flight and all.
            for pid in workers:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            events["orphans"] = time.monotonic()
            master = serve(env, port, log)
            started_pids.append(master.pid)
            # The new master binds once the old workers' listening socket is gone.
            # If it gives up binding first, it is started again, as a supervisor would.
            restarts = 1
            while not children(master.pid) or any(Path(f"/proc/{p}").exists() for p in workers):
                if master.poll() is not None:
                    if restarts >= 10:
                        raise RuntimeError(
                            "the restarted server keeps exiting:\n" + log.read_text()[-3000:]
                        )
                    master = serve(env, port, log)
                    started_pids.append(master.pid)
                    restarts += 1
                time.sleep(0.05)
            events["restarted"] = time.monotonic()
            at(args.duration)
            stop.set()
            for thread in threads:
                thread.join(timeout=15)
            with tally.lock:
                errors_total = sum(tally.errors.values())
            master.send_signal(signal.SIGTERM)
            master.wait(timeout=30)
            per_code, per_key = stored(url, list(tally.acknowledged))
    finally:
        for pid in started_pids:  # orphans of the killed master, if any still run
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        shutil.rmtree(workdir, ignore_errors=True)

    def recovery(event: str, since: str | None = None) -> float | None:
        """From ``event`` to the first 2xx answer after ``since`` (default: the event)."""
        after = [t for t, _ in tally.answers if t > events[since or event]]
        return round(min(after) - events[event], 2) if after else None

    missing = [c for c in tally.acknowledged.values() if per_code.get(c, 0) == 0]
    duplicated = [c for c in tally.acknowledged.values() if per_code.get(c, 0) > 1]
    duplicated += [k for k, count in per_key.items() if count > 1]
    return {
        "database": "SQLite" if name == "sqlite" else "PostgreSQL",
        "sent": tally.sent,
        "acknowledged": len(tally.acknowledged),
        "answers_2xx": len(tally.codes),
        "errors": errors_total,
        "errors_during_kills": errors_total - errors_before_kills,
        "error_kinds": dict(sorted(tally.errors.items())),
        "error_samples": tally.samples,
        "missing": len(missing),
        "duplicates": len(duplicated),
        "stored": sum(per_key.values()),
        "recovery_worker_s": recovery("worker"),
        # An answer an orphaned worker gave before it was killed is not a recovery.
        "recovery_master_s": recovery("master", since="orphans"),
        "new_master_serving_s": round(events["restarted"] - events["master"], 2),
        "starts_after_master_kill": restarts,
    }


def report(results: list[dict], args: argparse.Namespace) -> str:
    revision = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    lines = [
        f"Run on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC at commit {revision}: {args.clients} "
        f"clients for {args.duration:g} s, gunicorn with 2 sync workers; SIGKILL to a worker at "
        f"{args.kill_worker_at:g} s and to the master at {args.kill_master_at:g} s, restarted at "
        f"once. Command: `.venv/bin/python bench/drill.py {' '.join(sys.argv[1:])}`",
        "",
        "| database | requests sent | acknowledged | errors (all during the kills) | kinds "
        "| codes missing | duplicates | demands stored | recovery after worker kill s "
        "| recovery after master kill s | new master up s |",
        "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        kinds = ", ".join(f"{k}: {v}" for k, v in r["error_kinds"].items()) or "—"
        lines.append(
            f"| {r['database']} | {r['sent']} | {r['acknowledged']} | {r['errors']} "
            f"({r['errors_during_kills']}) | {kinds} | {r['missing']} | {r['duplicates']} | "
            f"{r['stored']} | {r['recovery_worker_s']} | {r['recovery_master_s']} | "
            f"{r['new_master_serving_s']} ({r['starts_after_master_kill']} start(s)) |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--kill-worker-at", type=float, default=5.0)
    parser.add_argument("--kill-master-at", type=float, default=10.0)
    parser.add_argument("--write", action="store_true", help=f"write {RESULTS.name}")
    args = parser.parse_args()
    results = []
    for name in args.databases.split(","):
        print(f"== drill on {name}", flush=True)
        result = drill(name, args)
        print(json.dumps(result, ensure_ascii=False), flush=True)
        results.append(result)
    section = report(results, args)
    print()
    print(section)
    if args.write:
        RESULTS.write_text("# Fault drill\n\n" + section + "\n")
    if any(r["missing"] or r["duplicates"] or not r["acknowledged"] for r in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
