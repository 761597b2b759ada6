"""Benchmark of the notifications app (issue 15, "Tests, benchmark"), on SQLite and on a
throwaway PostgreSQL (scripts/pg.sh):

    .venv/bin/python bench/bench_notifications.py [--workers 100000] [--sms 10000]
                                                  [--no-postgres] [--pg-port 55497]

1. **A notice to every worker's inbox**: ``notify`` of one event to 100,000 worker accounts
   (a queryset, as a service passes it), in one transaction, in a process of its own; target
   under 60 s with bounded memory (peak RSS of that process, ``wait4``).
2. **SMS through the HTTP gateway**: one urgent notice by SMS to 10,000 mobiles, delivered by
   two ``liandong worker`` processes (the database queue, django-tasks-db) through
   ``accounts.sms.HttpGatewayBackend`` to a fake gateway on 127.0.0.1 that this script runs;
   target 200 SMS/s or more, each number exactly once.

The workers and their accounts are generated with ``bulk_create`` (not through the services:
that is the roster import's bench). Results go to stdout and bench/results/notifications.md.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "results" / "notifications.md"
NOTICE_TARGET_S, SMS_TARGET_RATE = 60.0, 200.0


# -- in the child processes ---------------------------------------------------------------------


def setup_django() -> None:
    import django

    django.setup()


def generate(count: int) -> None:
    """``count`` workers with accounts under one enterprise, by bulk_create."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from liandong.accounts.models import Role, User
    from liandong.core import crypto
    from liandong.organizations.models import Organization
    from liandong.organizations.services import organization_create
    from liandong.workers.models import Worker

    union = organization_create(
        actor=None, name="某省总工会", code="B-ROOT", kind=Organization.Kind.UNION
    )
    employer = organization_create(
        actor=None,
        name="某快递公司",
        code="B-ENT",
        kind=Organization.Kind.ENTERPRISE,
        parent=union,
    )
    batch = 5_000
    for start in range(0, count, batch):
        numbers = range(start, min(start + batch, count))
        User.objects.bulk_create(
            [
                User(username=f"w{n:07d}", password="!", role=Role.WORKER, display_name=f"职工{n}")
                for n in numbers
            ]
        )
        ids = dict(
            User.objects.filter(username__in=[f"w{n:07d}" for n in numbers]).values_list(
                "username", "pk"
            )
        )
        cipher = crypto.encrypt("13800000000")  # the notice bench sends no SMS
        Worker.objects.bulk_create(
            [
                Worker(
                    name=f"职工{n}",
                    gender="M",
                    id_number_cipher="-",
                    id_number_digest=f"id{n}",
                    id_number_masked="62**************00",
                    mobile_cipher=cipher,
                    mobile_digest=f"m{n}",
                    mobile_masked="138****0000",
                    mobile_tail=f"{n % 10_000:04d}",
                    employer=employer,
                    user_id=ids[f"w{n:07d}"],
                )
                for n in numbers
            ]
        )
    print("RESULT " + json.dumps({"users": User.objects.filter(role=Role.WORKER).count()}))


def notice(count: int) -> None:
    """One notice to every worker account's inbox, timed in this process."""
    from django.db import transaction

    from liandong.accounts.models import Role, User
    from liandong.notifications import kinds
    from liandong.notifications.models import Delivery, Message
    from liandong.notifications.services import notify

    # An inbox-only kind (as a union's announcement to its members would be).
    kinds.all_kinds()["bench.notice"] = kinds.Kind(
        key="bench.notice",
        label="通知公告",
        title="{title}",
        body="{text}",
        defaults=frozenset(),
        webhook=False,
    )
    started = time.perf_counter()
    with transaction.atomic():
        written = notify(
            "bench.notice",
            User.objects.filter(role=Role.WORKER, is_active=True),
            context={"title": "关于开展职工疗休养活动的通知", "text": "各位职工：……" * 10},
            event_key="bench.notice:1",
            link="/notices/1/",
            target="bench.notice:1",
        )
    seconds = time.perf_counter() - started
    messages = Message.objects.filter(event_key="bench.notice:1").count()
    assert messages == count, (messages, count)
    assert not Delivery.objects.exists()
    print("RESULT " + json.dumps({"seconds": seconds, "written": written, "messages": messages}))


def sms_setup(count: int) -> None:
    """One urgent event by SMS to ``count`` mobiles: the outbox rows and one queued task."""
    from django.db import transaction
    from django_tasks_db.models import DBTaskResult

    from liandong.notifications.services import notify

    mobiles = [f"139{n:08d}" for n in range(count)]
    started = time.perf_counter()
    with transaction.atomic():
        notify(
            "notifications.test",
            [],
            context={"note": "基准"},
            event_key="bench.sms:1",
            mobiles=mobiles,
            urgent=True,
        )
    seconds = time.perf_counter() - started
    print(
        "RESULT "
        + json.dumps({"seconds": seconds, "tasks": DBTaskResult.objects.count(), "rows": count})
        # (no rows in the database's queue with the Redis queue)
    )


def sms_check() -> None:
    from django.db.models import Count

    from liandong.notifications.models import Delivery

    status = dict(
        Delivery.objects.filter(event_key="bench.sms:1")
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    print("RESULT " + json.dumps(status))


# -- in the parent --------------------------------------------------------------------------------


def child(env: dict[str, str], *args: str) -> tuple[dict, float]:
    """Run this script's ``--child`` step; its RESULT and its peak RSS in MB (wait4)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            [sys.executable, __file__, "--child", *args], env=env, stdout=out, stderr=err
        )
        _pid, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if proc.returncode != 0:
        sys.stderr.write(stdout[-3000:] + stderr[-5000:])
        raise SystemExit(f"step {args} failed")
    line = next(line for line in stdout.splitlines() if line.startswith("RESULT "))
    return json.loads(line[7:]), usage.ru_maxrss / 1024


class Gateway:
    """The fake SMS gateway: counts requests per mobile, answers {"code": 0}."""

    def __init__(self) -> None:
        self.mobiles: dict[str, int] = {}
        self.times: list[float] = []
        self.lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                mobile = json.loads(raw)["mobile"]
                with gateway.lock:
                    gateway.mobiles[mobile] = gateway.mobiles.get(mobile, 0) + 1
                    gateway.times.append(time.monotonic())
                body = b'{"code": 0, "msg": "OK"}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.request_queue_size = 128
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms/send"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def count(self) -> int:
        with self.lock:
            return len(self.times)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def run_sms(env: dict[str, str], count: int, processes: int) -> dict:
    setup, _ = child(env, "sms-setup", str(count))
    gateway = Gateway()
    worker_env = {
        **env,
        "LIANDONG_SMS_BACKEND": "liandong.accounts.sms.HttpGatewayBackend",
        "LIANDONG_SMS_GATEWAY_URL": gateway.url,
        "LIANDONG_SMS_PER_HOUR": "5",
    }
    logs = [tempfile.TemporaryFile() for _ in range(processes)]  # noqa: SIM115 - closed below
    cpu_before = os.times()
    started = time.monotonic()
    workers = [
        subprocess.Popen(
            [str(BIN / "liandong"), "worker", "--no-tick", "--interval", "0.2"],
            env=worker_env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        for log in logs
    ]
    worker_cpu = 0.0
    try:
        deadline = started + max(600, count / 10)
        last, last_change = 0, time.monotonic()
        while gateway.count() < count and time.monotonic() < deadline:
            time.sleep(0.5)
            now_count = gateway.count()
            if now_count != last:
                last, last_change = now_count, time.monotonic()
            elif time.monotonic() - last_change > 120:
                break  # nothing for two minutes: report what went out
        finished = time.monotonic()
        gateway_cpu = sum(os.times()[:2]) - sum(cpu_before[:2])
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            _pid, _status, usage = os.wait4(worker.pid, 0)
            worker.returncode = 0
            worker_cpu += usage.ru_utime + usage.ru_stime
        gateway.close()
    errors = ""
    for log in logs:
        log.seek(0)
        text = log.read().decode()
        if "Traceback" in text or "ERROR" in text:
            errors += text[-2000:]
        log.close()
    status, _ = child(env, "sms-check")
    sent = gateway.count()
    first = gateway.times[0] if gateway.times else finished
    return {
        "setup_s": setup["seconds"],
        "tasks": setup["tasks"],
        "requests": sent,
        "distinct": len(gateway.mobiles),
        "twice": sum(1 for n in gateway.mobiles.values() if n > 1),
        "wall_s": finished - started,
        "first_to_last_s": (gateway.times[-1] - first) if gateway.times else 0.0,
        "rate_wall": sent / (finished - started),
        "rate": sent / max(1e-9, (gateway.times[-1] - first)) if len(gateway.times) > 1 else 0.0,
        # CPU seconds of the two workers (start-up included) and of the fake gateway, per SMS
        "worker_cpu_ms": 1000 * worker_cpu / max(1, sent),
        "gateway_cpu_ms": 1000 * gateway_cpu / max(1, sent),
        "status": status,
        "errors": errors.strip()[-500:],
    }


def run_database(name: str, env: dict[str, str], args: argparse.Namespace) -> dict:
    sys.stderr.write(f"{name}: generating {args.workers:,} workers with accounts\n")
    t0 = time.perf_counter()
    gen, _ = child(env, "generate", str(args.workers))
    gen_s = time.perf_counter() - t0
    sys.stderr.write(f"{name}: {gen['users']:,} accounts in {gen_s:.0f} s; notice\n")
    result, rss = child(env, "notice", str(args.workers))
    sys.stderr.write(f"{name}: notice {result['seconds']:.1f} s, peak RSS {rss:.0f} MB; SMS\n")
    sms = run_sms(env, args.sms, args.processes) if args.sms else None
    if sms:
        sys.stderr.write(f"{name}: SMS {sms['requests']:,} at {sms['rate']:.0f}/s\n")
    return {"database": name, "gen_s": gen_s, "notice": result, "notice_rss": rss, "sms": sms}


def write(results: list[dict], args: argparse.Namespace) -> str:
    import platform

    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    load = os.getloadavg()[0]
    lines = [
        "# Bench: notifications",
        "",
        f"Run on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} at commit {commit} · "
        f"{os.cpu_count()} CPUs · Python {platform.python_version()} · 1-minute load average "
        f"at the end {load:.2f} (the machine is shared). Command: "
        f"`.venv/bin/python bench/bench_notifications.py --workers {args.workers} "
        f"--sms {args.sms}`.",
        "",
        f"1. One notice (an inbox-only kind) to {args.workers:,} worker accounts: `notify` with "
        "a queryset of the accounts, in one transaction, in a process of its own. Target: "
        f"< {NOTICE_TARGET_S:.0f} s with bounded memory (peak RSS of that process, which also "
        "loads Django and the app).",
        f"2. One urgent notice by SMS to {args.sms:,} mobiles through the HTTP gateway backend "
        f"to a fake gateway on 127.0.0.1 (in the bench's process), delivered by {args.processes} "
        f"`liandong worker` processes on the {'Redis' if args.queue == 'rq' else 'database'} queue. Target: "
        f"≥ {SMS_TARGET_RATE:.0f} SMS/s, each number once.",
        "",
        "| database | measure | value | target | |",
        "|---|---|---:|---:|---|",
    ]
    for row in results:
        db, notice, sms = row["database"], row["notice"], row["sms"]
        ok = notice["seconds"] < NOTICE_TARGET_S
        lines += [
            f"| {db} | generate {args.workers:,} workers + accounts (bulk_create) | "
            f"{row['gen_s']:.1f} s | — | |",
            f"| {db} | notice to {notice['messages']:,} inboxes | {notice['seconds']:.1f} s "
            f"| < {NOTICE_TARGET_S:.0f} s | {'met' if ok else 'MISSED'} |",
            f"| {db} | peak RSS of the notifying process | {row['notice_rss']:.0f} MB | bounded | |",
        ]
        if sms is None:
            continue
        lines.append(
            f"| {db} | {args.sms:,} SMS written to the outbox (`notify`, one transaction) | "
            f"{sms['setup_s']:.1f} s | — | |"
        )
        rate_ok = sms["rate"] >= SMS_TARGET_RATE and sms["distinct"] == args.sms
        lines += [
            f"| {db} | SMS sent, first to last request | {sms['requests']:,} in "
            f"{sms['first_to_last_s']:.1f} s = **{sms['rate']:.0f}/s** | ≥ {SMS_TARGET_RATE:.0f}/s"
            f" | {'met' if rate_ok else 'MISSED'} |",
            f"| {db} | SMS, from starting the workers (incl. their start-up) | "
            f"{sms['wall_s']:.1f} s = {sms['rate_wall']:.0f}/s | — | |",
            f"| {db} | CPU per SMS: the {args.processes} workers (incl. start-up) / the fake "
            f"gateway | {sms['worker_cpu_ms']:.2f} ms / {sms['gateway_cpu_ms']:.2f} ms | — | |",
            f"| {db} | what {os.cpu_count()} free cores would allow (CPU-bound: cores ÷ CPU per "
            f"SMS, workers and gateway) | "
            f"{os.cpu_count() * 1000 / (sms['worker_cpu_ms'] + sms['gateway_cpu_ms']):.0f}/s "
            "| — | |",
            f"| {db} | numbers sent twice / outbox status | {sms['twice']} / "
            f"{', '.join(f'{k} {v:,}' for k, v in sorted(sms['status'].items()))} | 0 | |",
        ]
        if sms["errors"]:
            lines.append(f"| {db} | worker stderr (tail) | `{sms['errors'][-200:]}` | | |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", nargs="+")
    parser.add_argument("--workers", type=int, default=100_000)
    parser.add_argument("--sms", type=int, default=10_000)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--pg-port", type=int, default=55497)
    parser.add_argument("--no-write", action="store_true", help="stdout only")
    parser.add_argument(
        "--queue",
        choices=["db", "rq"],
        default="db",
        help="task queue: the database's, or Redis's (a redis-server started here; SQLite only)",
    )
    args = parser.parse_args()
    if args.child:
        setup_django()
        step, *rest = args.child
        {"generate": generate, "notice": notice, "sms-setup": sms_setup}.get(
            step, lambda *_: sms_check()
        )(*(int(value) for value in rest))
        return
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-notifications-") as tmp:
        env = {
            **os.environ,
            "LIANDONG_DATA_DIR": tmp,
            "DJANGO_SETTINGS_MODULE": "liandong.settings.base",
            "LIANDONG_DEBUG": "0",
            "LIANDONG_TASKS_BACKEND": args.queue,
        }
        env.pop("DATABASE_URL", None)
        if args.queue == "rq":  # the Redis queue: a throwaway redis-server for this run
            redis_dir = Path(tmp) / "redis"
            env["LIANDONG_REDIS_URL"] = subprocess.run(
                [str(ROOT / "scripts" / "redis.sh"), "start", str(redis_dir)],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
        try:
            results.append(run_database("SQLite", env, args))
        finally:
            if args.queue == "rq":
                subprocess.run([str(ROOT / "scripts" / "redis.sh"), "stop", str(redis_dir)])
        if not args.no_postgres and args.queue == "db":
            # Its own directory under /tmp: pg.sh hands it to the postgres user, who cannot
            # enter this run's private temp dir.
            pgdir = Path(tempfile.mkdtemp(prefix="bench-notifications-pg-"))
            url = subprocess.run(
                [str(ROOT / "scripts" / "pg.sh"), "start", str(pgdir), str(args.pg_port)],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
            try:
                subprocess.run(
                    [str(BIN / "python"), "-c", CREATE_DB, url], check=True, capture_output=True
                )
                pg_env = {**env, "DATABASE_URL": url, "LIANDONG_DATA_DIR": str(Path(tmp) / "d")}
                results.append(run_database("PostgreSQL", pg_env, args))
            finally:
                subprocess.run([str(ROOT / "scripts" / "pg.sh"), "stop", str(pgdir)], check=False)
                shutil.rmtree(pgdir, ignore_errors=True)
    table = write(results, args)
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        # The analysis written below the table by hand stays.
        old = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
        notes = old[old.find("\n<!-- notes") :] if "\n<!-- notes" in old else ""
        RESULTS.write_text(table + notes, encoding="utf-8")
    sys.stdout.write(table)


CREATE_DB = """
import sys, psycopg
url = sys.argv[1].rsplit("/", 1)[0] + "/postgres"
with psycopg.connect(url, autocommit=True) as c:
    c.execute("DROP DATABASE IF EXISTS liandong")
    c.execute("CREATE DATABASE liandong")
"""


if __name__ == "__main__":
    main()
