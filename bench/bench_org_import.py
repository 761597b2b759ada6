"""Benchmark of the organization-tree import (issue 14, item 5): 20,000 organizations from one
workbook in under 60 s, on SQLite and PostgreSQL.

    .venv/bin/python bench/bench_org_import.py
    DATABASE_URL=postgres://… .venv/bin/python bench/bench_org_import.py   # also on PostgreSQL

It writes a workbook with openpyxl: under a province union, 46 city unions and 6 industry
federations, 4,987 enterprises (about 96 under each) and 14,961 outlets (3 under each
enterprise), 20,000 rows with every column filled, in shuffled order (children often before
their parents). In a temporary data dir (an SQLite file; and, when DATABASE_URL is set, that
PostgreSQL database, which must be an empty throwaway one: it migrates and fills it) it times,
through ``organization_import`` as the page, API and command call it: the dry run, the import,
the same file again (nothing to change), and a file that moves 1,000 enterprises (with their
3,000 outlets) to other city unions and renames 2,000 outlets. After each write it checks that
every path is its parent's path plus its own id. The table goes to stdout and to
bench/results/org_import.md.
"""

import argparse
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "org_import.md"
TARGET_S = 60.0
CITIES, FEDERATIONS, ENTERPRISES, OUTLETS_EACH = 46, 6, 4_987, 3
HEADER = [
    "编码",
    "名称",
    "上级编码",
    "类型",
    "层级",
    "城市",
    "行业",
    "建会状态",
    "建会日期",
    "职工人数",
]


def rows(moved: bool = False) -> list[list[object]]:
    rng = random.Random(14)
    unions = [f"C{i:03d}" for i in range(CITIES)] + [f"F{i:03d}" for i in range(FEDERATIONS)]
    out: list[list[object]] = []
    for i, code in enumerate(unions):
        kind = "工会" if code.startswith("C") else "行业工会联合会"
        out.append([code, f"第{i}市总工会" if kind == "工会" else f"第{i}行业联合会", "", kind,
                    "市/县", f"城市{i}", "", "", "", ""])  # fmt: skip
    for e in range(ENTERPRISES):
        parent = unions[e % len(unions)]
        if moved and e < 1000:
            parent = unions[(e + 1) % CITIES]
        status = rng.choice(["已建会", "未建会", "联合建会覆盖"])
        founded = f"20{rng.randrange(10, 25)}-0{rng.randrange(1, 10)}-1{rng.randrange(0, 9)}"
        out.append([f"E{e:05d}", f"快递企业{e}有限公司", parent, "企业", "基层", "兰州", "快递",
                    status, founded if status != "未建会" else "", rng.randrange(10, 3000)])  # fmt: skip
        for o in range(OUTLETS_EACH):
            number = e * OUTLETS_EACH + o
            name = f"快递企业{e}第{o}网点" + ("（更名）" if moved and number % 7 == 0 else "")
            out.append([f"E{e:05d}-{o}", name, f"E{e:05d}", "网点", "基层", "兰州", "快递",
                        "联合建会覆盖", "", rng.randrange(3, 40)])  # fmt: skip
    rng.shuffle(out)
    return out


def workbook(data: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("组织架构")
    sheet.append(HEADER)
    for row in data:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def check_paths() -> None:
    from liandong.organizations.models import PATH_STEP, Organization, path_segment

    nodes = dict(Organization.objects.values_list("pk", "path"))
    for pk, parent_id, path, depth in Organization.objects.values_list(
        "pk", "parent_id", "path", "depth"
    ):
        expected = (nodes[parent_id] if parent_id else "") + path_segment(pk)
        assert path == expected, (pk, path, expected)
        assert depth == len(path) // PATH_STEP - 1, (pk, depth)


def measure() -> list[dict]:
    from liandong.accounts.models import Role, User
    from liandong.organizations.importing import organization_import
    from liandong.organizations.models import Organization
    from liandong.organizations.services import organization_create

    root = organization_create(
        actor=None, name="某省总工会", code="P-ROOT", kind=Organization.Kind.UNION
    )
    staff = User.objects.create_user(
        username="bench_tree", password="x", role=Role.UNION_ADMIN, organization=root
    )
    first, second = workbook(rows()), workbook(rows(moved=True))
    results = []
    for name, content, dry_run in [
        ("dry run, 20,000 new", first, True),
        ("import, 20,000 new", first, False),
        ("re-import, nothing changes", first, False),
        ("1,000 enterprises (+3,000 outlets) moved, 1 outlet in 7 renamed", second, False),
    ]:
        t0 = time.perf_counter()
        record = organization_import(
            actor=staff, root=root, file=io.BytesIO(content), filename="tree.xlsx", dry_run=dry_run
        )
        seconds = time.perf_counter() - t0
        assert not record.file_error, record.file_error
        assert not record.rows_rejected, record.errors[:5]
        sys.stderr.write(f"{name}: {seconds:.1f} s\n")
        if not dry_run:
            check_paths()
        results.append(
            {
                "name": name,
                "seconds": seconds,
                "read": record.rows_read,
                "created": record.rows_created,
                "updated": record.rows_updated,
                "moved": record.rows_moved,
                "committed": record.committed,
            }
        )
    assert Organization.objects.count() == 20_001
    return results


def child() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liandong.settings.base")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print("RESULT " + json.dumps(measure()))


def run(database: str, env: dict) -> list[dict]:
    proc = subprocess.run(
        [sys.executable, __file__, "--child"], env=env, capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-5000:])
        raise SystemExit(f"bench on {database} failed")
    line = next(line for line in proc.stdout.splitlines() if line.startswith("RESULT "))
    return [{**row, "database": database} for row in json.loads(line[7:])]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args()
    if args.child:
        child()
        return
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-org-import-") as tmp:
        env = {
            **os.environ,
            "LIANDONG_DATA_DIR": tmp,
            "DJANGO_SETTINGS_MODULE": "liandong.settings.base",
            "LIANDONG_DEBUG": "0",
        }
        env.pop("DATABASE_URL", None)
        results += run("SQLite", env)
        if os.environ.get("DATABASE_URL"):
            results += run("PostgreSQL", {**env, "DATABASE_URL": os.environ["DATABASE_URL"]})
    lines = [
        "# Bench: organization-tree import",
        "",
        "One workbook of 20,000 organizations (52 unions, 4,987 enterprises, 14,961 outlets, "
        "shuffled rows, every column) imported under a province union through "
        f"`organization_import`. Target: < {TARGET_S:.0f} s. Command: "
        "`.venv/bin/python bench/bench_org_import.py` (with `DATABASE_URL` set to an empty "
        "throwaway database for PostgreSQL, e.g. one started by `scripts/pg.sh start DIR PORT`).",
        "",
        "| database | run | s | created | updated | moved | target | |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for row in results:
        verdict = "met" if row["seconds"] < TARGET_S else "MISSED"
        lines.append(
            f"| {row['database']} | {row['name']} | {row['seconds']:.1f} | {row['created']} | "
            f"{row['updated']} | {row['moved']} | < {TARGET_S:.0f} | {verdict} |"
        )
    lines += ["", "Machine: 2 cores, shared with other work while it ran."]
    table = "\n".join(lines) + "\n"
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(table, encoding="utf-8")
    sys.stdout.write(table)


if __name__ == "__main__":
    main()
