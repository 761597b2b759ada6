"""Benchmark of the demands module (issue 4). Standalone:

    .venv/bin/python bench/bench_demands.py [--rows 2000000] [--duration 15] [--concurrency 8]

1. Public intake throughput: ``POST /api/v1/public/demands`` against a bare Django view that
   inserts two rows (``POST /bench/two-rows``), same run, gunicorn with 2 workers
   (``liandong serve --workers 2``), closed loop of ``--concurrency`` clients; target ≥ 0.7×.
2. Statistics over ``--rows`` demands (``GET /api/v1/demands/stats``, several filters and
   groupings), p95 < 300 ms.
3. The staff list filtered by body, state and breach (``GET /api/v1/demands/``) at ``--rows``
   demands, p95 < 150 ms.
4. The category suggestion's accuracy on the independent set (bench/bench_classifier.py).

Runs on SQLite in a temp dir, and also on PostgreSQL when DATABASE_URL is set (that database
is wiped). Prints a markdown table and writes it to bench/results/demands.md.
"""

import argparse
import itertools
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

from loadgen import BENCH_SETTINGS, LoadResult, app_server, percentile, run_load, with_bench_app

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "results" / "demands.md"


# ---------------------------------------------------------------------------------------------
# Part 1: intake throughput over HTTP


def intake_bodies() -> Iterator[bytes]:
    from liandong.demands.sample_texts import LABELLED

    rng = random.Random(4)
    for n in itertools.count():
        _category, text = LABELLED[n % len(LABELLED)]
        yield json.dumps(
            {
                "description": text,
                "industry": rng.choice(["快递", "即时配送", "美发美容"]),
                "city": rng.choice(["兰州", "天水", "白银"]),
                "mobile": f"139{n % 10**8:08d}",
                "consent": True,
                "employer_name": "中通快递兰州分公司",
            },
            ensure_ascii=False,
        ).encode()


def measure_intake(
    env: dict[str, str], workdir: Path, duration: float, concurrency: int
) -> list[dict]:
    rows = []
    with app_server(env, workdir / "serve.log") as port:
        bodies = intake_bodies()

        def post_load(path: str, seconds: float) -> LoadResult:
            return run_load(
                port=port,
                paths=[path],
                headers={"Content-Type": "application/json"},
                duration=seconds,
                concurrency=concurrency,
                method="POST",
                bodies=bodies,
            )

        post_load("/bench/two-rows", 2)  # warm-up, not counted
        post_load("/api/v1/public/demands", 2)
        results: dict[str, list[LoadResult]] = {"baseline": [], "intake": []}
        for _ in range(2):  # interleaved, so that both see the same machine
            results["baseline"].append(post_load("/bench/two-rows", duration / 2))
            results["intake"].append(post_load("/api/v1/public/demands", duration / 2))
    summary = {}
    for name, runs in results.items():
        total = runs[0] + runs[1]
        summary[name] = {
            "rps": total.throughput,
            "errors": total.errors,
            "p95": total.percentile(0.95),
            "ok": total.requests - total.errors,
        }
    ratio = summary["intake"]["rps"] / summary["baseline"]["rps"]
    rows.append(
        {
            "what": "bare Django view inserting two rows (POST /bench/two-rows)",
            "target": "—",
            "value": f"{summary['baseline']['rps']:.0f} req/s (p95 {summary['baseline']['p95']:.0f} ms, "
            f"{summary['baseline']['errors']} errors)",
            "met": "—",
        }
    )
    rows.append(
        {
            "what": "public intake POST /api/v1/public/demands",
            "target": "≥ 0.7× baseline",
            "value": f"{summary['intake']['rps']:.0f} req/s = {ratio:.2f}× (p95 {summary['intake']['p95']:.0f} ms, "
            f"{summary['intake']['errors']} errors)",
            "met": "met" if ratio >= 0.7 else "missed",
        }
    )
    return rows


def rule_costs(repeat: int = 5, n: int = 150) -> list[dict]:
    """What each rule of the intake costs, in-process (Django's test client, the same routing
    rules), as CPU time of this process (robust when the machine is shared): the intake with
    every rule, then with one rule switched off at a time, interleaved with the bare view.
    Switching a rule off is for this measurement only."""
    import statistics

    from django.test import Client

    from liandong.demands import api, services, throttle
    from liandong.demands.models import DemandEvent

    client = Client(HTTP_HOST="127.0.0.1")
    bodies = intake_bodies()

    def run(path: str) -> float:
        started = time.process_time()
        for _ in range(n):
            response = client.post(path, next(bodies), content_type="application/json")
            assert response.status_code == 200, response.content
        return (time.process_time() - started) / n * 1000

    saved: dict[tuple[object, str], object] = {}

    def patch(module: object, name: str, value: object) -> None:
        saved[(module, name)] = getattr(module, name)
        setattr(module, name, value)

    variants = {
        "every rule": lambda: None,
        "without the rate limits (one UPSERT)": lambda: patch(
            throttle, "claim", lambda *items: True
        ),
        "without the audit entry (one INSERT)": lambda: patch(
            services, "audit_log", lambda **kwargs: None
        ),
        "without the timeline (one INSERT of 2 rows)": lambda: patch(
            DemandEvent.objects, "bulk_create", lambda objs, **kwargs: objs
        ),
        "without the statistics rollup (one UPSERT of 2 rows)": lambda: patch(
            services, "_rollup_move", lambda before, demand: None
        ),
        "without the duplicate search (one SELECT)": lambda: patch(
            services, "_find_duplicate", lambda demand, now: None
        ),
        "without encrypting the mobile": lambda: patch(
            services.crypto, "encrypt", lambda value: value
        ),
        "without validating the mobile (phonenumbers)": lambda: (
            patch(services, "valid_mobile", lambda m: m),
            patch(api, "valid_mobile", lambda m: m),
        ),
        "without the category suggestion": lambda: patch(
            services, "suggest_category", lambda text: "other"
        ),
    }
    run("/bench/two-rows")
    run("/api/v1/public/demands")  # warm-up
    times: dict[str, list[float]] = {name: [] for name in variants}
    bare: list[float] = []
    for _ in range(repeat):
        for name, switch_off in variants.items():
            bare.append(run("/bench/two-rows"))
            switch_off()
            try:
                times[name].append(run("/api/v1/public/demands"))
            finally:
                for (module, attr), value in saved.items():
                    setattr(module, attr, value)
                saved.clear()
    base = statistics.median(bare)
    full = statistics.median(times["every rule"])
    rows = [
        {
            "what": "in-process CPU per request: bare two-row view",
            "target": "—",
            "value": f"{base:.2f} ms",
            "met": "—",
        }
    ]
    for name, values in times.items():
        value = statistics.median(values)
        saving = "" if name == "every rule" else f", saves {full - value:+.2f} ms"
        rows.append(
            {
                "what": f"in-process CPU per request: intake {name}",
                "target": "—",
                "value": f"{value:.2f} ms = {base / value:.2f}×{saving}",
                "met": "—",
            }
        )
    return rows


# ---------------------------------------------------------------------------------------------
# Part 2 and 3: statistics and the staff list at scale (in-process, Django's test client)


def generate(rows: int) -> dict:
    """``rows`` demands over 24 months and 40 bodies, inserted in batches, with their rollup
    computed on the way (what the services keep current row by row)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from liandong.accounts.models import Role, User
    from liandong.core import crypto
    from liandong.demands.models import Demand, DemandRollup
    from liandong.demands.services import _bucket, default_union, new_code
    from liandong.organizations.services import organization_create, organization_link_partner

    province = organization_create(
        actor=None,
        name="甘肃省经贸工会",
        code="B-JMGH",
        kind="union",
        level="province",
        city="兰州",
    )
    bodies = [province]
    for i in range(25):
        bodies.append(
            organization_create(
                actor=None,
                name=f"兰州快递企业{i}",
                code=f"B-E{i}",
                kind="enterprise",
                parent=province,
                industry="快递",
                city="兰州",
            )
        )
    for i in range(14):
        partner = organization_create(
            actor=None,
            name=f"行业主管部门{i}",
            code=f"B-A{i}",
            kind="authority",
            industry="快递",
            city="兰州",
        )
        organization_link_partner(actor=None, union=province, partner=partner)
        bodies.append(partner)
    User.objects.create_user(
        username="bench_staff",
        password="bench-pass-2026",
        role=Role.UNION_STAFF,
        organization=province,
    )
    default_union()
    cipher = crypto.encrypt("13900000000")
    digest = crypto.blind_index("mobile", "13900000000")
    categories = [
        "wages",
        "safety",
        "insurance",
        "injury",
        "rest",
        "skills",
        "rights",
        "hardship",
        "other",
    ]
    cities = [
        "兰州",
        "天水",
        "白银",
        "酒泉",
        "张掖",
        "武威",
        "定西",
        "庆阳",
        "平凉",
        "陇南",
        "金昌",
        "嘉峪关",
        "临夏",
        "甘南",
    ]
    states = (
        ["dispatched"] * 5
        + ["in_progress"] * 10
        + ["resolved"] * 25
        + ["rated"] * 55
        + ["rejected"] * 5
    )
    rng = random.Random(2)
    home = {
        b.pk: (cities[i % len(cities)], cities[(i + 1) % len(cities)])
        for i, b in enumerate(bodies)
        if b.kind == "enterprise"
    }
    now = timezone.now()
    fields = [f for f in Demand._meta.concrete_fields if f.name != "id"]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {Demand._meta.db_table} ({columns}) VALUES ({marks})"
    rollup: dict[tuple, dict[str, int]] = {}
    batch = 20_000
    codes = set()
    for start in range(0, rows, batch):
        values = []
        for _ in range(min(batch, rows - start)):
            created = now - timedelta(minutes=rng.randrange(60 * 24 * 730))
            body = rng.choice(bodies)
            state = rng.choice(states)
            category = rng.choice(categories)
            # An enterprise's demands come from its own city or a neighbour; a provincial
            # authority's (and the union's) from anywhere in the province.
            city = home[body.pk][rng.random() < 0.2] if body.pk in home else rng.choice(cities)
            responded = (
                created + timedelta(hours=rng.expovariate(1 / 10))
                if state != "dispatched"
                else None
            )
            resolved = (
                responded + timedelta(hours=rng.expovariate(1 / 50))
                if state in ("resolved", "rated") and responded
                else None
            )
            response_breached = bool(
                responded and (responded - created).total_seconds() > 86400 * 1.4
            ) or (state == "dispatched" and rng.random() < 0.5)
            resolution_breached = bool(
                resolved and (resolved - created).total_seconds() > 86400 * 7
            )
            breached = response_breached or resolution_breached
            rating = (
                rng.choice(["satisfied"] * 8 + ["basically", "unsatisfied"])
                if state == "rated"
                else ""
            )
            code = new_code()
            while code in codes:
                code = new_code()
            codes.add(code)
            row = {
                "created_at": created,
                "updated_at": created,
                "code": code,
                "channel": "online",
                "category": category,
                "suggested_category": category,
                "urgency": "normal",
                "description": "网点拖欠派费两个月。",
                "industry": "快递",
                "employer_name": "",
                "city": city,
                "submitter_name": "",
                "mobile_cipher": cipher,
                "mobile_digest": digest,
                "mobile_masked": "139****0000",
                "mobile_tail": "0000",
                "consent_at": created,
                "idempotency_key": None,
                "entered_by_id": None,
                "state": state,
                "union_id": province.pk,
                "body_id": body.pk,
                "response_due": created + timedelta(days=1),
                "resolution_due": created + timedelta(days=7),
                "calendar_fallback": False,
                "responded_at": responded,
                "resolved_at": resolved,
                "response_breached": response_breached,
                "resolution_breached": resolution_breached,
                "is_breached": breached,
                "response_reminded": False,
                "resolution_reminded": False,
                "escalated_at": created + timedelta(days=2) if breached else None,
                "agenda_at": None,
                "resolution_note": "",
                "reject_reason": "",
                "rating": rating,
                "rating_comment": "",
                "reopen_count": 0,
                "ratings_total": 1 if rating else 0,
                "ratings_satisfied": 1 if rating in ("satisfied", "basically") else 0,
                "possible_duplicate_of_id": None,
                "merged_into_id": None,
            }
            values.append([f.get_db_prep_save(row[f.attname], connection) for f in fields])
            key = (timezone.localtime(created).date().replace(day=1), body.pk, category, city)
            counts = rollup.setdefault(key, {})

            def add(name: str, n: int = 1, counts: dict = counts) -> None:
                counts[name] = counts.get(name, 0) + n

            add("received")
            if responded or response_breached:
                add("response_due")
            if responded and not response_breached:
                add("responded_on_time")
            if resolved or resolution_breached:
                add("resolution_due")
            if resolved:
                add("resolved")
                add(f"sh{_bucket(created, resolved)}")
            if responded:
                add(f"rh{_bucket(created, responded)}")
            if breached:
                add("breached")
            add("rated", 1 if rating else 0)
            add("satisfied", 1 if rating in ("satisfied", "basically") else 0)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, values)
        print(f"  {start + len(values):,} demands", file=sys.stderr, flush=True)
    all_cities: dict[tuple, dict[str, int]] = {}
    for (month, body_id, category, _city), counts in rollup.items():
        total = all_cities.setdefault((month, body_id, category, DemandRollup.ALL_CITIES), {})
        for name, n in counts.items():
            total[name] = total.get(name, 0) + n
    rollup.update(all_cities)
    DemandRollup.objects.bulk_create(
        [
            DemandRollup(month=k[0], body_id_key=k[1], category=k[2], city=k[3], **v)
            for k, v in rollup.items()
        ],
        batch_size=5000,
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {
        "bodies": [b.pk for b in bodies],
        "rollup_rows": len(rollup),
        "categories": categories,
        "cities": cities,
    }


def timed(client, urls: list[str], repeat: int) -> tuple[list[float], int]:
    latencies, bad, by_url = [], 0, {}
    for url in urls:
        client.get(url)  # each request once to warm the page cache, not counted
    for n in range(repeat):
        url = urls[n % len(urls)]
        started = time.perf_counter()
        response = client.get(url)
        latencies.append(time.perf_counter() - started)
        by_url[url] = max(by_url.get(url, 0), latencies[-1])
        bad += response.status_code != 200
    for url, worst in sorted(by_url.items(), key=lambda item: -item[1])[:4]:
        print(f"  slowest: {worst * 1000:.0f} ms {url}", file=sys.stderr, flush=True)
    return latencies, bad


def existing_data() -> dict:
    """For --reuse: the generated database brought to the current schema (indexes added, the
    all-cities rollup rows derived from the city rows when missing)."""
    from django.db import connection

    from liandong.demands.models import Demand, DemandRollup
    from liandong.organizations.models import Organization

    with connection.schema_editor() as editor:
        for model in (Demand, DemandRollup):
            with connection.cursor() as cursor:
                present = connection.introspection.get_constraints(cursor, model._meta.db_table)
            for index in model._meta.indexes:
                columns = [model._meta.get_field(name).column for name in index.fields]
                if index.name in present and present[index.name]["columns"] != columns:
                    print(f"  replacing index {index.name}", file=sys.stderr, flush=True)
                    editor.remove_index(model, index)
                    editor.add_index(model, index)
                elif index.name not in present:
                    print(f"  adding index {index.name}", file=sys.stderr, flush=True)
                    editor.add_index(model, index)
    if not DemandRollup.objects.filter(city=DemandRollup.ALL_CITIES).exists():
        from liandong.demands.selectors import SUMS

        table = DemandRollup._meta.db_table
        sums = ", ".join(f"SUM({name})" for name in SUMS)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (month, body_id_key, category, city, {', '.join(SUMS)}) "
                f"SELECT month, body_id_key, category, %s, {sums} FROM {table} GROUP BY month, body_id_key, category",
                [DemandRollup.ALL_CITIES],
            )
            cursor.execute("ANALYZE")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # statistics for the indexes added above
    bodies = list(Organization.objects.filter(code__startswith="B-").values_list("pk", flat=True))
    return {
        "bodies": bodies,
        "rollup_rows": DemandRollup.objects.count(),
        "categories": [
            "wages",
            "safety",
            "insurance",
            "injury",
            "rest",
            "skills",
            "rights",
            "hardship",
            "other",
        ],
        "cities": [
            "兰州",
            "天水",
            "白银",
            "酒泉",
            "张掖",
            "武威",
            "定西",
            "庆阳",
            "平凉",
            "陇南",
            "金昌",
            "嘉峪关",
            "临夏",
            "甘南",
        ],
    }


def measure_scale(rows: int, reuse: bool = False) -> list[dict]:
    from django.test import Client

    from liandong.accounts.models import User

    started = time.perf_counter()
    data = existing_data() if reuse else generate(rows)
    generated = time.perf_counter() - started
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username="bench_staff"))
    rng = random.Random(9)
    today = datetime.now().astimezone().date()
    stats_urls = []
    for n in range(60):
        group = ["category", "body", "city", "month"][n % 4]
        params = [f"group_by={group}"]
        if n % 3 == 0:
            params.append(f"start={today - timedelta(days=365)}&end={today}")
        if n % 5 == 1:
            params.append(f"body={rng.choice(data['bodies'])}")
        if n % 7 == 2:
            params.append(f"category={rng.choice(data['categories'])}")
        if n % 6 == 3:
            params.append(f"city={rng.choice(data['cities'])}")
        stats_urls.append("/api/v1/demands/stats?" + "&".join(params))
    list_urls = []
    for n in range(60):
        params = [f"body={rng.choice(data['bodies'])}"]
        if n % 2 == 0:
            params.append(f"state={rng.choice(['dispatched', 'in_progress', 'resolved', 'rated'])}")
        if n % 3 != 2:
            params.append(f"breached={'true' if n % 2 else 'false'}")
        list_urls.append("/api/v1/demands/?" + "&".join(params))
    list_urls += [
        "/api/v1/demands/",
        "/api/v1/demands/?breached=true",
        "/api/v1/demands/?state=in_progress",
    ]
    stats_lat, stats_bad = timed(client, stats_urls, 300)
    list_lat, list_bad = timed(client, list_urls, 300)
    stats_p95 = percentile(stats_lat, 0.95) * 1000
    list_p95 = percentile(list_lat, 0.95) * 1000
    first = (
        {
            "what": f"reused the generated {rows:,} demands ({data['rollup_rows']:,} rollup rows)",
            "target": "—",
            "value": f"schema brought up to date in {generated:.0f} s",
            "met": "—",
        }
        if reuse
        else {
            "what": f"generate {rows:,} demands + {data['rollup_rows']:,} rollup rows",
            "target": "—",
            "value": f"{generated:.0f} s",
            "met": "—",
        }
    )
    return [
        first,
        {
            "what": f"statistics GET /api/v1/demands/stats at {rows:,} (mixed filters and groupings)",
            "target": "p95 < 300 ms",
            "value": f"p95 {stats_p95:.1f} ms, median {percentile(stats_lat, 0.5) * 1000:.1f} ms"
            + (f", {stats_bad} non-200" if stats_bad else ""),
            "met": "met" if stats_p95 < 300 and not stats_bad else "missed",
        },
        {
            "what": f"staff list GET /api/v1/demands/ filtered by body/state/breach at {rows:,}",
            "target": "p95 < 150 ms",
            "value": f"p95 {list_p95:.1f} ms, median {percentile(list_lat, 0.5) * 1000:.1f} ms"
            + (f", {list_bad} non-200" if list_bad else ""),
            "met": "met" if list_p95 < 150 and not list_bad else "missed",
        },
    ]


def classification_rows() -> list[dict]:
    """The shipped category model on the independent set (bench/bench_classifier.py has the
    full report)."""
    from liandong.demands import classify

    scores = classify.evaluate(classify.model_at(classify.SHIPPED_MODEL), classify.independent())
    return [
        {
            "what": f"category suggestion on {scores['n']} independent texts (top-1 / top-3)",
            "target": "≥ 85% / ≥ 95%",
            "value": f"{scores['top1']:.1%} / {scores['top3']:.1%}",
            "met": "met" if scores["top1"] >= 0.85 and scores["top3"] >= 0.95 else "missed",
        }
    ]


# ---------------------------------------------------------------------------------------------


def run_database(label: str, database_url: str | None, args: argparse.Namespace) -> list[dict]:
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-demands-{label}-"))
    env = with_bench_app(
        {
            **os.environ,
            "LIANDONG_DATA_DIR": str(workdir),
            "LIANDONG_DEMANDS_SUBMITS_PER_IP_HOUR": "1000000000",
            "LIANDONG_DEMANDS_SUBMITS_PER_MOBILE_DAY": "1000000000",
        }
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    else:
        env.pop("DATABASE_URL", None)
    subprocess.run(
        [str(BIN / "liandong"), "flush", "--no-input"], env=env, capture_output=True, check=False
    )
    for command in (["migrate", "-v0"], ["createcachetable"]):
        subprocess.run([str(BIN / "liandong"), *command], env=env, check=True)
    # One routing rule, as in any installation, so that the intake routes what it receives.
    subprocess.run(
        [
            str(BIN / "liandong"),
            "shell",
            "-c",
            (
                "from liandong.organizations.services import organization_create as c;"
                "from liandong.demands.services import routing_rule_create as r;"
                "u=c(actor=None,name='甘肃省经贸工会',code='I-U',kind='union',level='province',city='兰州');"
                "a=c(actor=None,name='甘肃省邮政管理局',code='I-A',kind='authority',industry='快递',city='兰州');"
                "r(actor=None,union=u,body=a,category='wages',industry='快递');r(actor=None,union=u,body=u,priority=200)"
            ),
        ],
        env=env,
        check=True,
    )
    rows = measure_intake(env, workdir, args.duration, args.concurrency)
    for name, value in env.items():
        os.environ[name] = value
    if not database_url:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    if args.rule_costs:
        rows += rule_costs()
    if not args.rows:  # --rows 0: no scale part
        return [{**row, "db": label} for row in rows]
    # Part 2 in this process, on a fresh database of the same kind.
    from django.db import connections

    connections.close_all()
    subprocess.run(
        [str(BIN / "liandong"), "flush", "--no-input"], env=env, capture_output=True, check=False
    )
    from django.core.management import call_command

    if not database_url:
        from django.db import connection

        connection.close()
        (workdir / "liandong.sqlite3").unlink(missing_ok=True)
    call_command("migrate", verbosity=0)
    call_command("createcachetable")
    rows += measure_scale(args.rows)
    return [{**row, "db": label} for row in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument(
        "--duration", type=float, default=20, help="seconds per intake scenario (split in 2 runs)"
    )
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument(
        "--rule-costs", action="store_true", help="measure what each intake rule costs in-process"
    )
    parser.add_argument(
        "--scale-db",
        choices=["sqlite", "postgresql", "both"],
        default="both",
        help="the database(s) the --rows part runs on (the other measures the intake only)",
    )
    parser.add_argument("--only", choices=["sqlite", "postgresql"], help=argparse.SUPPRESS)
    parser.add_argument(
        "--reuse", help="data dir of an earlier run: measure the scale part on its database only"
    )
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    database_url = os.environ.get("DATABASE_URL")
    if args.reuse:
        os.environ.update(
            {
                "LIANDONG_DATA_DIR": args.reuse,
                "DJANGO_SETTINGS_MODULE": BENCH_SETTINGS,
            }
        )
        import django

        django.setup()
        rows = [{**r, "db": "SQLite"} for r in measure_scale(args.rows, reuse=True)]
        print(
            "\n".join(
                f"| {r['db']} | {r['what']} | {r['target']} | {r['value']} | {r['met']} |"
                for r in rows
            )
        )
        return
    if args.only:  # one database per process (Django is set up once per process)
        label = "SQLite" if args.only == "sqlite" else "PostgreSQL"
        if args.scale_db not in (args.only, "both"):
            args.rows = 0
        rows = run_database(label, database_url if args.only == "postgresql" else None, args)
        if args.only == "sqlite":
            rows += [{**r, "db": "—"} for r in classification_rows()]
        print("ROWS " + json.dumps(rows, ensure_ascii=False))
        return
    results = []
    for only in ["sqlite", "postgresql"] if database_url else ["sqlite"]:
        passed = list(sys.argv[1:])
        out = subprocess.run(
            [sys.executable, __file__, *passed, "--only", only],
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        ).stdout
        results += json.loads(
            next(line for line in out.splitlines() if line.startswith("ROWS "))[5:]
        )
    lines = [
        "# demands benchmark",
        "",
        f"`{' '.join(['.venv/bin/python', 'bench/bench_demands.py', *sys.argv[1:]])}` on {platform.node()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"{datetime.now().astimezone():%Y-%m-%d %H:%M %Z}. Intake: gunicorn 2 sync workers, "
        f"{args.concurrency} closed-loop clients, {args.duration:.0f} s per scenario (two interleaved halves). "
        "Scale: in-process Django test client, 300 requests each, session of a province-level union staff account "
        "(every demand in scope).",
        "",
        "| database | measure | target | result | |",
        "|---|---|---|---|---|",
    ]
    for row in results:
        lines.append(
            f"| {row['db']} | {row['what']} | {row['target']} | {row['value']} | {row['met']} |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
