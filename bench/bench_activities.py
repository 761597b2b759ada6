"""Benchmark of the activities app (issue 5): the lottery over 100,000 applicants, and the
application endpoint's throughput under contention against a bare Django baseline.

    .venv/bin/python bench/bench_activities.py                    # SQLite in a temp dir
    DATABASE_URL=postgres://… .venv/bin/python bench/bench_activities.py   # and PostgreSQL

It builds its own data in a throwaway database (a temp SQLite file; with DATABASE_URL, that
PostgreSQL database, which it migrates and fills), prints a markdown table and writes it to
bench/results/activities.md (appending the PostgreSQL section when DATABASE_URL is set).

Method
- Lottery: 100,000 applications (10 bodies with quotas, a priority tier for members), then
  ``activity_draw`` timed end to end: reading the applicants, tiers, the keyed-hash order,
  marking selected and waiting, check-in tokens, the published order and the audit entry.
- Applications: THREADS clients (threads, each with its own database connection and a signed-in
  worker session, Django's test Client in-process: middleware, session auth, CSRF-exempt API)
  POST /api/v1/activities/{id}/apply, every request claiming a place of the same activity (one
  counter row: the contention). The baseline, in the same run and the same way, is a bare Django
  view that claims a place with the same conditional UPDATE and answers JSON: no eligibility,
  no application row, no audit. The ratio is app throughput / baseline throughput.
"""

import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
DATA_DIR = tempfile.mkdtemp(prefix="bench-activities-")
os.environ.setdefault("LIANDONG_DATA_DIR", DATA_DIR)
os.environ["DJANGO_SETTINGS_MODULE"] = "liandong.settings.base"
os.environ.setdefault("LIANDONG_SECRET_KEY", "bench-activities-not-secret")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import F  # noqa: E402
from django.http import HttpRequest, JsonResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.urls import include, path  # noqa: E402
from django.views.decorators.csrf import csrf_exempt  # noqa: E402

LOTTERY_APPLICANTS = 100_000
LOTTERY_TARGET_S = 2.0
THREADS = 8
REQUESTS = 1_600  # per measured endpoint (each a different worker for the app)
RATIO_TARGET = 0.25


@csrf_exempt
def baseline_claim(request: HttpRequest, activity_id: int) -> JsonResponse:
    """Bare Django: the same conditional UPDATE on the same counter row, nothing else."""
    from liandong.activities.models import Activity

    with transaction.atomic():
        claimed = Activity.objects.filter(
            pk=activity_id, places_taken__lt=F("total_places")
        ).update(places_taken=F("places_taken") + 1)
    return JsonResponse({"claimed": bool(claimed)}, status=201 if claimed else 422)


urlpatterns = [
    path("bench-baseline/<int:activity_id>", baseline_claim),
    path("", include("liandong.urls")),
]


def setup_world(n_workers: int, with_users: int):
    from datetime import date

    from liandong.accounts.models import Role, User
    from liandong.organizations.services import organization_create
    from liandong.workers.models import Worker

    union = organization_create(actor=None, code="BENCH-U", name="基准测试工会", kind="union")
    enterprises = [
        organization_create(
            actor=None, code=f"BENCH-E{i}", name=f"基准快递公司{i}", kind="enterprise", parent=union
        )
        for i in range(10)
    ]
    users = User.objects.bulk_create(
        [User(username=f"bw{i}", role=Role.WORKER) for i in range(with_users)], batch_size=2000
    )
    if connection.vendor == "sqlite":
        users = list(User.objects.filter(username__startswith="bw").order_by("id"))
    workers = []
    for i in range(n_workers):
        workers.append(
            Worker(
                name=f"职工{i}",
                gender="M",
                id_number_cipher="v1:bench",
                id_number_digest=f"i{i:063d}",
                id_number_masked="620102********0000",
                mobile_cipher="v1:bench",
                mobile_digest=f"m{i:063d}",
                mobile_masked="139****0000",
                mobile_tail="0000",
                employer=enterprises[i % 10],
                city="兰州",
                occupation="快递员",
                worker_type="courier",
                joined_union_on=date(2020, 1, 1) if i % 3 == 0 else None,
                user=users[i] if i < with_users else None,
            )
        )
    Worker.objects.bulk_create(workers, batch_size=5000)
    return union, enterprises


def bench_lottery(union, enterprises) -> float:
    from liandong.activities.models import Activity, Application, ApplicationStatus, Selection
    from liandong.activities.services import activity_create, activity_draw, tallies_recount
    from liandong.workers.models import Worker

    activity = activity_create(
        actor=None,
        organizer=union,
        publish=True,
        title="十万人抽签",
        kind="recuperation",
        starts_on="2027-06-01",
        ends_on="2027-06-06",
        total_places=1000,
        selection=Selection.LOTTERY,
        priority_rules=["member"],
        quotas=[(e, 100) for e in enterprises],
        applications_open_at="2026-01-01T00:00:00+08:00",
        applications_close_at="2026-02-01T00:00:00+08:00",
    )
    rows = Worker.objects.order_by("id").values_list("id", "employer_id")[:LOTTERY_APPLICANTS]
    Application.objects.bulk_create(
        [
            Application(activity=activity, worker_id=w, body_id=e, status=ApplicationStatus.APPLIED)
            for w, e in rows
        ],
        batch_size=5000,
    )
    tallies_recount(Activity.objects.filter(pk=activity.pk))
    if connection.vendor == "postgresql":
        # Applications arrive over a window of days, during which autovacuum has run; a bulk
        # load followed at once by the draw would instead time the first reader setting hint
        # bits on every page.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE activities_application")
            cursor.execute("VACUUM ANALYZE workers_worker")
    started = time.perf_counter()
    activity = activity_draw(actor=None, activity=Activity.objects.get(pk=activity.pk))
    seconds = time.perf_counter() - started
    selected = Application.objects.filter(activity=activity, status="selected").count()
    assert selected == 1000, selected
    assert len(activity.draw_order) == LOTTERY_APPLICANTS
    return seconds


def run_clients(url_for, sessions) -> tuple[float, list[float], int]:
    """THREADS closed-loop clients, each working through its share of ``sessions``."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    barrier = threading.Barrier(THREADS + 1)

    def client_thread(share) -> None:
        nonlocal errors
        mine: list[float] = []
        bad = 0
        try:
            barrier.wait()
            for client in share:
                started = time.perf_counter()
                response = client.post(url_for(), {}, content_type="application/json")
                mine.append(time.perf_counter() - started)
                if response.status_code != 201:
                    bad += 1
        finally:
            with lock:
                latencies.extend(mine)
                errors += bad
            connection.close()

    threads = [
        threading.Thread(target=client_thread, args=(sessions[i::THREADS],)) for i in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, latencies, errors


def bench_applications(union) -> dict[str, float]:
    from liandong.accounts.models import User
    from liandong.activities.models import Activity, Selection
    from liandong.activities.services import activity_create

    activity = activity_create(
        actor=None,
        organizer=union,
        publish=True,
        title="先到先得",
        kind="training",
        starts_on="2027-06-01",
        ends_on="2027-06-06",
        total_places=REQUESTS,
        selection=Selection.FIRST_COME,
        applications_open_at="2026-01-01T00:00:00+08:00",
        applications_close_at="2030-01-01T00:00:00+08:00",
    )
    baseline_row = activity_create(
        actor=None,
        organizer=union,
        publish=True,
        title="基线",
        kind="training",
        starts_on="2027-06-01",
        ends_on="2027-06-06",
        total_places=REQUESTS * 10,
        selection=Selection.FIRST_COME,
        applications_open_at="2026-01-01T00:00:00+08:00",
        applications_close_at="2030-01-01T00:00:00+08:00",
    )
    users = list(User.objects.filter(username__startswith="bw").order_by("id")[:REQUESTS])
    sessions = []
    for user in users:
        client = Client()
        client.force_login(user)
        sessions.append(client)
    results: dict[str, float] = {}
    with override_settings(ROOT_URLCONF=__name__, ALLOWED_HOSTS=["testserver"]):
        # Warm-up, not counted: imports, template/URL caches, connections.
        run_clients(lambda: f"/bench-baseline/{baseline_row.pk}", sessions[: THREADS * 4])
        base_s, base_lat, base_err = run_clients(
            lambda: f"/bench-baseline/{baseline_row.pk}", sessions
        )
        app_s, app_lat, app_err = run_clients(
            lambda: f"/api/v1/activities/{activity.pk}/apply", sessions
        )
    taken = Activity.objects.get(pk=activity.pk).places_taken
    assert app_err == 0, f"{app_err} applications failed"
    assert taken == REQUESTS, taken
    results["baseline_rps"] = (len(base_lat) - base_err) / base_s
    results["app_rps"] = (len(app_lat) - app_err) / app_s
    results["app_p95_ms"] = statistics.quantiles(app_lat, n=20)[18] * 1000
    results["baseline_p95_ms"] = statistics.quantiles(base_lat, n=20)[18] * 1000
    results["ratio"] = results["app_rps"] / results["baseline_rps"]
    return results


def main() -> None:
    database = "PostgreSQL" if connection.vendor == "postgresql" else "SQLite"
    call_command("migrate", verbosity=0)
    if connection.vendor == "postgresql":
        call_command("flush", interactive=False, verbosity=0)
    union, enterprises = setup_world(LOTTERY_APPLICANTS, REQUESTS)
    lottery_s = bench_lottery(union, enterprises)
    sys.stderr.write(f"lottery: {lottery_s:.2f} s\n")
    apps = bench_applications(union)

    def met(ok: bool) -> str:
        return "met" if ok else "missed"

    lines = [
        f"### {database} ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} CPUs,"
        f" Python {sys.version.split()[0]})",
        "",
        "| measure | value | target | |",
        "|---|---|---|---|",
        f"| lottery draw, {LOTTERY_APPLICANTS:,} applicants, 1,000 places, 10 quotas, 2 tiers | {lottery_s:.2f} s |"
        f" < {LOTTERY_TARGET_S:.0f} s | {met(lottery_s < LOTTERY_TARGET_S)} |",
        f"| apply endpoint, {THREADS} concurrent clients, one counter row | {apps['app_rps']:.0f} req/s"
        f" (p95 {apps['app_p95_ms']:.0f} ms) | | |",
        f"| bare Django baseline, same claim, same clients | {apps['baseline_rps']:.0f} req/s"
        f" (p95 {apps['baseline_p95_ms']:.0f} ms) | | |",
        f"| apply / baseline throughput | {apps['ratio']:.2f} | ≥ {RATIO_TARGET} | {met(apps['ratio'] >= RATIO_TARGET)} |",
        f"| places taken after {REQUESTS:,} concurrent applications for {REQUESTS:,} places | {REQUESTS:,} |"
        f" exact | met |",
        "",
    ]
    table = "\n".join(lines)
    sys.stdout.write(table + "\n")
    results = ROOT / "bench" / "results" / "activities.md"
    results.parent.mkdir(parents=True, exist_ok=True)
    header = "# Benchmark: activities\n\nProduced by `bench/bench_activities.py` (see its docstring for the method).\n\n"
    if database == "SQLite" or not results.exists():
        results.write_text(header + table)
    else:
        results.write_text(results.read_text() + "\n" + table)
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        sys.stdout.write(f"(SQLite file in {DATA_DIR})\n")


if __name__ == "__main__":
    main()
