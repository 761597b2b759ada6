"""Benchmark of democracy (issue 7): the proposal list and the figures of an enterprise with
10,000 proposals, p95 under 150 ms.

    .venv/bin/python bench/bench_democracy.py [--requests 200]
    DATABASE_URL=postgres://… .venv/bin/python bench/bench_democracy.py   # also on PostgreSQL

It builds its own data in a temporary data dir (an SQLite file; and, when DATABASE_URL is set,
in that PostgreSQL database too, which must be an empty throwaway database: it migrates it and
fills it): a city union with a
park of five enterprises, the measured one with 10,000 proposals in every state and four
others with 5,000 each (30,000 in all), 60 delegates each; tallies as the services keep them.
Each URL is requested in-process with Django's test client (so the numbers are the app and
the database, without the network), after a warm-up, and the p95 is compared with the target.
The markdown table goes to stdout and to bench/results/democracy.md.
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
RESULTS = ROOT / "bench" / "results" / "democracy.md"
TARGET_MS = 150.0
PROPOSALS = 10_000
OTHER_ENTERPRISES, OTHER_PROPOSALS = 4, 5_000


def build() -> dict:
    """The data, written fast (bulk inserts) but in the shape the services leave it."""
    import random
    from datetime import timedelta

    from django.utils import timezone

    from liandong.accounts.models import Role, User
    from liandong.core.sample_data import id_number, mobile, person_name
    from liandong.democracy.models import Congress, Delegate, Department, Proposal, ProposalTally
    from liandong.organizations.models import Organization
    from liandong.organizations.services import organization_create
    from liandong.workers.services import worker_register

    rng = random.Random(7)
    today = timezone.localdate()
    city = organization_create(
        actor=None, name="威海市总工会", code="B-CITY", kind=Organization.Kind.UNION
    )
    park = organization_create(
        actor=None,
        name="服务贸易产业园工会联合会",
        code="B-PARK",
        kind=Organization.Kind.UNION_FEDERATION,
        parent=city,
    )
    staff = User.objects.create_user(
        username="bench_city", password="x", role=Role.UNION_STAFF, organization=city
    )
    states = (
        [("closed", "satisfied")] * 50
        + [("closed", "basic")] * 12
        + [("closed", "unsatisfied")] * 3
        + [("answered", "")] * 8
        + [("accepted", "")] * 15
        + [("converted", "")] * 5
        + [("rejected", "")] * 3
        + [("cosigning", "")] * 4
    )
    measured = None
    ent_user = worker_user = None
    for e in range(1 + OTHER_ENTERPRISES):
        enterprise = organization_create(
            actor=None,
            name=f"园区企业{e}",
            code=f"B-E{e}",
            kind=Organization.Kind.ENTERPRISE,
            parent=park,
            union_status=Organization.UnionStatus.FOUNDED,
        )
        congress = Congress.objects.create(
            enterprise=enterprise,
            term=1,
            session=1,
            title="一届一次职代会",
            held_on=today - timedelta(days=30),
            cosign_threshold=3,
        )
        department = Department.objects.create(enterprise=enterprise, name="行政部")
        delegates = []
        for i in range(60):
            worker = worker_register(
                actor=None,
                name=person_name(rng),
                id_number=id_number(rng),
                mobile=mobile(rng),
                employer=enterprise,
                occupation="职员",
            )
            delegates.append(
                Delegate.objects.create(
                    congress=congress, worker=worker, constituency=f"第{i % 4 + 1}选区"
                )
            )
        count = PROPOSALS if e == 0 else OTHER_PROPOSALS
        rows, tally = (
            [],
            dict.fromkeys(
                [
                    "collected",
                    "accepted",
                    "converted",
                    "rejected",
                    "answered",
                    "closed",
                    "satisfied",
                    "basic",
                    "unsatisfied",
                ],
                0,
            ),
        )
        for n in range(count):
            status, rating = rng.choice(states)
            accepted = status in {"accepted", "answered", "closed"}
            rows.append(
                Proposal(
                    congress=congress,
                    enterprise=enterprise,
                    proposer=rng.choice(delegates),
                    number=n + 1,
                    title=f"关于改进第{n + 1}项工作的提案",
                    reasons="理由" * 20,
                    measures="措施" * 20,
                    category=rng.choice(Proposal.Category.values),
                    status=status,
                    rating=rating,
                    cosign_count=3,
                    department=department if accepted else None,
                    deadline=today + timedelta(days=30) if accepted else None,
                    answer="已办理。" if status in {"answered", "closed"} else "",
                )
            )
            tally["collected"] += 1
            tally["accepted"] += accepted
            tally["converted"] += status == "converted"
            tally["rejected"] += status == "rejected"
            tally["answered"] += status in {"answered", "closed"}
            tally["closed"] += status == "closed"
            if rating:
                tally[rating] += 1
        Proposal.objects.bulk_create(rows, batch_size=2000)
        ProposalTally.objects.create(enterprise=enterprise, year=congress.held_on.year, **tally)
        if e == 0:
            measured = enterprise
            ent_user = User.objects.create_user(
                username="bench_ent",
                password="x",
                role=Role.ENTERPRISE_UNION,
                organization=enterprise,
            )
            worker_user = User.objects.create_user(
                username="bench_worker", password="x", role=Role.WORKER
            )
            delegate_worker = delegates[0].worker
            delegate_worker.user = worker_user
            delegate_worker.save(update_fields=["user"])
    assert measured is not None
    return {
        "enterprise": measured,
        "park": park,
        "staff": staff,
        "ent_user": ent_user,
        "worker_user": worker_user,
        "year": today.year,
    }


def measure(requests: int) -> list[dict]:
    from django.test import Client

    from liandong.democracy.models import Proposal

    started = time.perf_counter()
    data = build()
    built = time.perf_counter() - started
    ent, park, year = data["enterprise"].pk, data["park"].pk, data["year"]
    clients = {}
    for key in ["staff", "ent_user", "worker_user"]:
        client = Client()
        client.force_login(data[key])
        clients[key] = client
    middle = (
        Proposal.objects.filter(enterprise_id=ent)
        .order_by("-id")
        .values_list("id", flat=True)[PROPOSALS // 2]
    )
    scenarios = [
        (
            "API proposal list, enterprise filter (union staff)",
            "staff",
            f"/api/v1/democracy/proposals?organization={ent}",
        ),
        (
            "API proposal list, status filter, page in the middle",
            "staff",
            f"/api/v1/democracy/proposals?organization={ent}&status=accepted&cursor={middle}",
        ),
        ("API proposal list, whole city (union staff)", "staff", "/api/v1/democracy/proposals"),
        ("API proposal list (enterprise union)", "ent_user", "/api/v1/democracy/proposals"),
        ("Page proposal list (enterprise union)", "ent_user", "/democracy/proposals/"),
        ("Page public proposal list (worker)", "worker_user", "/democracy/proposals/"),
        (
            "API figures, enterprise",
            "staff",
            f"/api/v1/democracy/figures?organization={ent}&year={year}",
        ),
        (
            "API figures, park",
            "staff",
            f"/api/v1/democracy/figures?organization={park}&year={year}",
        ),
        (
            "Page figures, enterprise",
            "staff",
            f"/democracy/figures/?organization={ent}&year={year}",
        ),
    ]
    rows = []
    for name, who, url in scenarios:
        client = clients[who]
        for _ in range(10):  # warm-up
            assert client.get(url).status_code == 200, url
        times = []
        for _ in range(requests):
            t0 = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200
        times.sort()
        p95 = times[int(len(times) * 0.95) - 1]
        rows.append(
            {
                "name": name,
                "url": url,
                "p50": statistics.median(times),
                "p95": p95,
                "n": requests,
                "built_s": built,
            }
        )
    return rows


def child(requests: int) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liandong.settings.base")
    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    print("RESULT " + json.dumps(measure(requests)))


def run(database: str, env: dict, requests: int) -> list[dict]:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", "--requests", str(requests)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-5000:])
        raise SystemExit(f"bench on {database} failed")
    line = next(line for line in proc.stdout.splitlines() if line.startswith("RESULT "))
    return [{**row, "database": database} for row in json.loads(line[7:])]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args()
    if args.child:
        child(args.requests)
        return
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-democracy-") as tmp:
        env = {
            **os.environ,
            "LIANDONG_DATA_DIR": tmp,
            "DJANGO_SETTINGS_MODULE": "liandong.settings.base",
            "LIANDONG_DEBUG": "0",
        }
        env.pop("DATABASE_URL", None)
        rows += run("SQLite", env, args.requests)
        if os.environ.get("DATABASE_URL"):
            rows += run(
                "PostgreSQL", {**env, "DATABASE_URL": os.environ["DATABASE_URL"]}, args.requests
            )
    lines = [
        "# Bench: democracy",
        "",
        f"Enterprise with {PROPOSALS:,} proposals ({PROPOSALS + OTHER_ENTERPRISES * OTHER_PROPOSALS:,} in the park), "
        f"{args.requests} sequential requests per row after a warm-up, in-process (Django test client). "
        f"Target: p95 < {TARGET_MS:.0f} ms. Command: `.venv/bin/python bench/bench_democracy.py` "
        "(with `DATABASE_URL` set to an empty throwaway database for PostgreSQL, e.g. one started by "
        "`scripts/pg.sh start DIR PORT`).",
        "",
        "| database | scenario | p50 ms | p95 ms | target | |",
        "|---|---|---:|---:|---:|---|",
    ]
    for row in rows:
        verdict = "met" if row["p95"] < TARGET_MS else "MISSED"
        lines.append(
            f"| {row['database']} | {row['name']} | {row['p50']:.1f} | {row['p95']:.1f} | "
            f"< {TARGET_MS:.0f} | {verdict} |"
        )
    lines += [
        "",
        f"Data built in {rows[0]['built_s']:.0f} s (SQLite). Machine: 2 cores, as every machine here.",
    ]
    table = "\n".join(lines) + "\n"
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(table, encoding="utf-8")
    sys.stdout.write(table)


if __name__ == "__main__":
    main()
