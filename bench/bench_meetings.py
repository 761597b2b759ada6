"""Benchmark of the meetings app (issue 3), standalone:

    .venv/bin/python bench/bench_meetings.py            # a temp SQLite file
    DATABASE_URL=postgres://… .venv/bin/python bench/bench_meetings.py   # also that PostgreSQL

Builds its own data at province scale: one province union with 40 industry unions, 400
partner bodies, 300 mechanisms with 5 meetings and 40 action items each, and the mechanism
under test with 50 meetings and 2,000 action items (with progress reports and targets). Then
measures:

- the year-end summary as .docx for that mechanism (data + document), target < 3 s;
- its mechanism page (GET /meetings/<pk>/, in-process Django test client, signed in as union
  staff), 300 requests after 20 warm-up ones, target p95 < 150 ms.

Prints a markdown table and writes it to bench/results/meetings.md.
"""

import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "meetings.md"
DOCX_TARGET_S = 3.0
PAGE_P95_TARGET_MS = 150.0
YEAR = 2026
ZONE = ZoneInfo("Asia/Shanghai")


def setup(database_url: str | None) -> str:
    data_dir = tempfile.mkdtemp(prefix="bench-meetings-")
    os.environ["LIANDONG_DATA_DIR"] = data_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "liandong.settings.base"
    os.environ["LIANDONG_ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    from django.db import connection

    return connection.vendor


def build() -> tuple[int, int]:
    """The province; returns (mechanism id, staff user id)."""
    from liandong.accounts.models import Role, User
    from liandong.meetings.models import (
        ActionItem,
        AnnualPlan,
        Attendance,
        Mechanism,
        MechanismMember,
        Meeting,
        PlannedMeeting,
        PlanTarget,
        ProgressReport,
    )
    from liandong.organizations.models import Organization, path_segment

    rng = random.Random(2026)

    def org(name: str, kind: str, parent: Organization | None = None) -> Organization:
        node = Organization.objects.create(
            name=name,
            code=f"B-{Organization.objects.count() + 1}",
            kind=kind,
            parent=parent,
            path=f"tmp-{name}",
            depth=(parent.depth + 1) if parent else 0,
        )
        node.path = (parent.path if parent else "") + path_segment(node.pk)
        node.save(update_fields=["path"])
        return node

    province = org("某省总工会", Organization.Kind.UNION)
    unions = [org(f"某省第{i}产业工会", Organization.Kind.UNION, province) for i in range(40)]
    partners = [org(f"某省行业协会{i}", Organization.Kind.ASSOCIATION) for i in range(400)]
    staff = User.objects.create_user(
        username="bench_meetings",
        password="bench-pass-2026",
        role=Role.UNION_STAFF,
        organization=unions[0],
    )

    def mechanism(
        union: Organization, members: list[Organization], meetings: int, items: int, n: int
    ) -> Mechanism:
        m = Mechanism.objects.create(
            name=f"{union.name}联席会议{n}",
            industry="快递",
            convening_union=union,
            collaboration_mode="authority",
        )
        MechanismMember.objects.bulk_create(
            [MechanismMember(mechanism=m, organization=union, role="convener")]
            + [MechanismMember(mechanism=m, organization=o, liaison_name="联络员") for o in members]
        )
        bodies = [union, *members]
        plan = AnnualPlan.objects.create(
            mechanism=m, year=YEAR, status="approved", approved_on=date(YEAR, 3, 1)
        )
        PlannedMeeting.objects.bulk_create(
            PlannedMeeting(plan=plan, month=month, topic=f"议题{month}")
            for month in range(1, 13, 3)
        )
        targets = PlanTarget.objects.bulk_create(
            PlanTarget(
                plan=plan,
                title=f"目标{i}",
                lead_body=bodies[i % len(bodies)],
                target_value=40,
                unit="人",
                achieved_value=rng.randint(0, 50),
            )
            for i in range(10)
        )
        start = datetime(YEAR, 1, 10, 9, tzinfo=ZONE)
        rows = Meeting.objects.bulk_create(
            Meeting(
                mechanism=m,
                title=f"第{i + 1}次联席会议",
                topic=f"议题{i % 6}",
                starts_at=start + timedelta(days=i * 300 // max(meetings, 1)),
                location="会议室",
                host_body=bodies[i % len(bodies)],
                status="published" if i < meetings - 2 else "preparing",
                minutes="纪要" * 50,
            )
            for i in range(meetings)
        )
        Attendance.objects.bulk_create(
            Attendance(meeting=meeting, organization=b, present=True)
            for meeting in rows
            for b in bodies
        )
        today = date(YEAR, 11, 25)
        created = ActionItem.objects.bulk_create(
            ActionItem(
                mechanism=m,
                meeting=rows[i % len(rows)],
                number=i // len(rows) + 1,
                year=YEAR,
                resolution=f"议定事项{i}：推动快递网点建会和服务延伸",
                lead_body=bodies[i % len(bodies)],
                deadline=today + timedelta(days=rng.randint(-120, 60)),
                expected_output="成果",
                status=rng.choice(["todo", "in_progress", "done", "done", "cancelled"]),
                progress=rng.randint(0, 100),
                target=targets[i % 10] if i % 3 == 0 else None,
            )
            for i in range(items)
        )
        ProgressReport.objects.bulk_create(
            ProgressReport(action_item=item, percent=item.progress, text="进展")
            for item in created[::2]
        )
        return m

    for n in range(300):
        union = unions[n % len(unions)]
        mechanism(union, rng.sample(partners, 3), meetings=5, items=40, n=n)
    target = mechanism(unions[0], partners[:6], meetings=50, items=2000, n=999)
    return target.pk, staff.pk


def measure(mechanism_id: int, staff_id: int) -> list[tuple[str, str, str, str]]:
    from django.db import reset_queries
    from django.test import Client

    from liandong.accounts.models import User
    from liandong.core.documents import docx_render
    from liandong.meetings.models import Mechanism
    from liandong.meetings.selectors import summary_blocks, summary_context

    mechanism = Mechanism.objects.select_related("convening_union").get(pk=mechanism_id)
    docx_times = []
    size = 0
    for _ in range(5):
        started = time.perf_counter()
        content = docx_render(
            summary_blocks(summary_context(mechanism, YEAR)), title="年度工作总结"
        )
        docx_times.append(time.perf_counter() - started)
        size = len(content)
    client = Client()
    client.force_login(User.objects.get(pk=staff_id))
    url = f"/meetings/{mechanism_id}/?year={YEAR}"
    for _ in range(20):
        assert client.get(url).status_code == 200
    page_times = []
    for _ in range(300):
        started = time.perf_counter()
        response = client.get(url)
        page_times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
        reset_queries()
    p95 = statistics.quantiles(page_times, n=100)[94]
    worst_docx = max(docx_times)
    return [
        (
            "年度工作总结 .docx（50 次会议、2,000 项督办事项）",
            f"< {DOCX_TARGET_S:.0f} s",
            f"最慢 {worst_docx:.2f} s（中位 {statistics.median(docx_times):.2f} s，{size // 1024} KB）",
            "met" if worst_docx < DOCX_TARGET_S else "missed",
        ),
        (
            "机制页面 GET /meetings/<pk>/ p95（300 次）",
            f"< {PAGE_P95_TARGET_MS:.0f} ms",
            f"p95 {p95:.1f} ms（中位 {statistics.median(page_times):.1f} ms）",
            "met" if p95 < PAGE_P95_TARGET_MS else "missed",
        ),
    ]


def run_one(database_url: str | None) -> list[tuple[str, ...]]:
    vendor = setup(database_url)
    started = time.perf_counter()
    mechanism_id, staff_id = build()
    built = time.perf_counter() - started
    rows = measure(mechanism_id, staff_id)
    return [(vendor, *row) for row in rows] + [(vendor, "（造数用时）", "", f"{built:.1f} s", "")]


def main() -> None:
    # One database per process: Django is set up once, so PostgreSQL runs in a child process.
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        database_url = sys.argv[2] if len(sys.argv) > 2 else None
        for row in run_one(database_url):
            print("ROW\t" + "\t".join(row))
        return
    import subprocess

    rows: list[list[str]] = []
    targets = [None] + ([os.environ["DATABASE_URL"]] if os.environ.get("DATABASE_URL") else [])
    for url in targets:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        out = subprocess.run(
            [sys.executable, __file__, "--child", *([url] if url else [])],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        rows += [line.split("\t")[1:] for line in out.splitlines() if line.startswith("ROW\t")]
    table = ["| 数据库 | 指标 | 目标 | 实测 | 结果 |", "|---|---|---|---|---|"]
    table += ["| " + " | ".join(row) + " |" for row in rows]
    text = (
        "# meetings bench\n\n"
        f"`.venv/bin/python bench/bench_meetings.py`, {datetime.now(tz=ZONE):%Y-%m-%d}, "
        f"{os.uname().machine}, Python {sys.version.split()[0]}\n\n" + "\n".join(table) + "\n"
    )
    print(text)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
