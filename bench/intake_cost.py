"""What one call of ``demands.services.demand_submit`` costs, in process: milliseconds per
intake (wall clock and CPU, median of a few rounds) and the statements it sends (Django's
CaptureQueriesContext). Standalone, on a throwaway database:

    .venv/bin/python bench/intake_cost.py [--calls 300] [--rounds 5]
    DATABASE_URL=postgres://... .venv/bin/python bench/intake_cost.py   (that database is wiped)

SQLite runs on a file in a temp dir with the production settings (WAL, busy timeout). The
routing rules are those of the demands tests (a rule with a co-handling body matches), and
the rate limits are claimed as the public API does, so every statement of an intake counts.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("LIANDONG_DATA_DIR", tempfile.mkdtemp(prefix="liandong-intake-"))
    os.environ.setdefault("LIANDONG_SECRET_KEY", "bench-" + "x" * 50)
    os.environ.setdefault("LIANDONG_FIELD_KEY", "bench-field-key-" + "y" * 32)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liandong.settings.base")
    import django

    django.setup()
    from django.core.management import call_command

    if os.environ.get("DATABASE_URL"):
        call_command("flush", "--no-input", verbosity=0)
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)


def world() -> None:
    from liandong.demands.services import routing_rule_create
    from liandong.organizations.models import Organization
    from liandong.organizations.tests.factories import OrganizationFactory, UnionFactory

    union = UnionFactory(name="甘肃省总工会", code="B-P", level=Organization.Level.PROVINCE)
    authority = OrganizationFactory(name="省邮政管理局", code="B-GOV", kind="authority")
    association = OrganizationFactory(name="省快递协会", code="B-ASSOC", kind="association")
    routing_rule_create(
        actor=None,
        union=union,
        body=authority,
        category="wages",
        industry="快递",
        co_bodies=[association],
    )
    routing_rule_create(actor=None, union=union, body=union, priority=200)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    setup()
    world()
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from liandong.demands import throttle
    from liandong.demands.services import demand_submit

    counter = iter(range(10**9))

    def intake() -> None:
        n = next(counter)
        mobile = f"139{n % 10**8:08d}"
        with transaction.atomic():
            throttle.claim(("submit-ip", f"10.0.{n % 250}.1"), ("submit-mobile", mobile))
            demand_submit(
                channel="api",
                description=f"网点两个月没结算派费，站长一直拖着不给（第{n}次反映）。",
                industry="快递",
                city="兰州",
                mobile=mobile,
                employer_name="中通快递兰州分公司",
                consent=True,
            )

    for _ in range(50):  # warm-up: configuration copy, caches, connection
        intake()
    with CaptureQueriesContext(connection) as captured:
        intake()
    walls, cpus = [], []
    for _ in range(args.rounds):
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(args.calls):
            intake()
        walls.append((time.perf_counter() - wall) / args.calls * 1000)
        cpus.append((time.process_time() - cpu) / args.calls * 1000)
    print(f"database: {connection.vendor}")
    print(f"statements per intake (BEGIN/COMMIT included when sent): {len(captured)}")
    for query in captured.captured_queries:
        print("   ", query["sql"][:110])
    print(
        f"ms per intake over {args.rounds} x {args.calls} calls: "
        f"wall median {statistics.median(walls):.2f} (min {min(walls):.2f}), "
        f"CPU median {statistics.median(cpus):.2f} (min {min(cpus):.2f})"
    )


if __name__ == "__main__":
    main()
