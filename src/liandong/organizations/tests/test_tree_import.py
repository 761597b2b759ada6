"""The organization tree from Excel: every rule of organizations/importing.py, the dry run, a
re-import that changes nothing, moves that keep paths and depths right, scope, the export
that imports back unchanged, and the command line."""

import io
from collections.abc import Sequence
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook, load_workbook

from liandong.core.models import AuditLog
from liandong.organizations.importing import (
    COLUMNS,
    organization_import,
    organization_template_xlsx,
    organization_tree_xlsx,
)
from liandong.organizations.models import PATH_STEP, Organization, path_segment

HEADER = ["编码", "名称", "上级编码", "类型"]


def workbook(rows: Sequence[Sequence[Any]], header: Sequence[str] = HEADER) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def run(world: Any, rows: Sequence[Sequence[Any]], *, root: Organization | None = None, **kw: Any):
    return organization_import(
        actor=world.users["staff_a"],
        root=root or world.union_a,
        file=workbook(rows, kw.pop("header", HEADER)),
        filename="架构.xlsx",
        **kw,
    )


def reasons(record: Any) -> list[str]:
    return [reason for _row, _column, reason, _value in record.errors]


def assert_paths_consistent() -> None:
    """Every node's path is its parent's path plus its own id, and its depth matches."""
    nodes = {o.pk: o for o in Organization.objects.all()}
    for node in nodes.values():
        parent = nodes.get(node.parent_id) if node.parent_id else None
        expected = (parent.path if parent else "") + path_segment(node.pk)
        assert node.path == expected, node.code
        assert node.depth == len(node.path) // PATH_STEP - 1, node.code


def test_creates_a_tree_under_the_root_in_any_row_order(world) -> None:
    record = run(
        world,
        [
            ("N-OUT", "新网点", "N-ENT", "网点"),  # its parent comes later in the file
            ("N-ENT", "新快递公司", "N-FED", "企业"),
            ("N-FED", "新快递行业联合会", "", "行业工会联合会"),
        ],
    )
    assert (record.committed, record.rows_created, record.rows_rejected) == (True, 3, 0)
    outlet = Organization.objects.get(code="N-OUT")
    assert outlet.parent.code == "N-ENT"
    assert outlet.parent.parent.parent_id == world.union_a.pk
    assert outlet.depth == world.union_a.depth + 3
    assert_paths_consistent()
    assert AuditLog.objects.filter(action="organizations.created").count() >= 3
    assert AuditLog.objects.get(action="organizations.imported").changes["rows_created"] == 3


def test_all_columns_are_read(world) -> None:
    header = COLUMNS
    record = run(
        world,
        [("N-1", "某快递", "", "企业", "基层", "兰州", "快递", "已建会", "2024-05-01", "1,200")],
        header=header,
    )
    assert record.committed, record.errors
    org = Organization.objects.get(code="N-1")
    assert (org.level, org.city, org.industry, org.union_status) == (
        "grassroots",
        "兰州",
        "快递",
        "founded",
    )
    assert str(org.union_founded_on) == "2024-05-01"
    assert org.declared_head_count == 1200
    assert org.worker_count == 0  # registered workers are counted apart


def test_dry_run_changes_nothing_and_says_what_it_would_do(world) -> None:
    before = list(Organization.objects.values_list("pk", "path", "name", "parent_id"))
    audits = AuditLog.objects.count()
    record = run(
        world,
        [
            ("N-1", "新公司", "", "企业"),
            ("W-EA", "甲快递公司（改名）", "W-A", "企业"),
            ("W-OA", "甲快递城关网点", "N-1", "网点"),
        ],
        dry_run=True,
    )
    assert (record.committed, record.rows_created, record.rows_updated) == (False, 1, 1)
    assert record.rows_moved == 1
    assert list(Organization.objects.values_list("pk", "path", "name", "parent_id")) == before
    # Only the import's own line: no created, updated or moved entries.
    assert AuditLog.objects.count() == audits + 1
    assert AuditLog.objects.latest("pk").action == "organizations.imported"


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([("N-1", "甲", "NOPE", "企业")], "上级编码“NOPE”不存在"),
        ([("N-1", "甲", "", "企业"), ("N-1", "乙", "", "企业")], "编码与第 2 行重复"),
        ([("N-1", "网点", "", "网点")], "“网点”不能设在“工会”"),
        ([("N-1", "局", "", "行业主管部门")], "“行业主管部门”不能设在“工会”"),
        ([("N-1", "甲", "", "企业"), ("N-2", "乙", "N-1", "工会")], "“工会”不能设在“企业”"),
        ([("W-EB", "乙快递公司", "", "企业")], "导入范围以外"),
        ([("N-1", "甲", "W-EB", "网点")], "上级单位“W-EB”不在导入范围内"),
        ([("W-EA", "甲快递公司", "", "工会")], "类型不能通过导入修改"),
        ([("N-1", "甲", "N-1", "企业")], "上级编码不能是本单位自己"),
        ([("N-1", "", "", "企业")], "名称不能为空"),
        ([("", "甲", "", "企业")], "编码不能为空"),
        ([("N-1", "甲", "", "公司")], "类型只能填写"),
        ([("=1+1", "甲", "", "企业")], "疑似公式"),
        ([("W-A", "甲产业工会", "W-B", "工会")], "不能通过本次导入调整它的上级"),
    ],
)
def test_each_error_is_explained_in_chinese_and_nothing_is_written(world, rows, message) -> None:
    before = list(Organization.objects.values_list("pk", "path", "name", "parent_id", "code"))
    record = run(world, [*rows, ("N-OK", "正确的一行", "", "企业")])
    assert not record.committed
    assert record.rows_rejected >= 1
    assert any(message in reason for reason in reasons(record)), reasons(record)
    assert list(Organization.objects.values_list("pk", "path", "name", "parent_id", "code")) == (
        before
    )


@pytest.mark.parametrize(
    ("header", "row", "message"),
    [
        (["编码", "名称", "类型", "建会状态"], ("N-1", "甲", "工会", "已建会"), "只有企业"),
        (["编码", "名称", "类型", "建会日期"], ("N-1", "甲", "企业", "2024-13-01"), "建会日期"),
        (["编码", "名称", "类型", "建会日期"], ("N-1", "甲", "企业", "2999-01-01"), "晚于今天"),
        (
            ["编码", "名称", "类型", "建会状态", "建会日期"],
            ("N-1", "甲", "企业", "未建会", "2020-01-01"),
            "未建会的单位",
        ),
        (["编码", "名称", "类型", "职工人数"], ("N-1", "甲", "企业", "-3"), "职工人数"),
        (["编码", "名称", "类型", "层级"], ("N-1", "甲", "企业", "宇宙级"), "层级只能填写"),
    ],
)
def test_bad_cells(world, header, row, message) -> None:
    record = run(world, [row], header=header)
    assert not record.committed
    assert any(message in reason for reason in reasons(record)), reasons(record)
    assert not Organization.objects.filter(code="N-1").exists()


def test_a_cycle_in_the_file_is_refused(world) -> None:
    record = run(
        world,
        [("N-1", "甲", "N-2", "工会"), ("N-2", "乙", "N-3", "工会"), ("N-3", "丙", "N-1", "工会")],
    )
    assert not record.committed
    cycle = [r for r in reasons(record) if "循环" in r]
    assert len(cycle) == 3
    assert "N-1 → N-2 → N-3 → N-1" in cycle[0] or "→" in cycle[0]
    assert not Organization.objects.filter(code__startswith="N-").exists()


def test_a_move_under_its_own_descendant_is_a_cycle(world) -> None:
    from liandong.organizations.tests.factories import UnionFactory

    upper = UnionFactory(code="U-1", parent=world.union_a)
    lower = UnionFactory(code="U-2", parent=upper)
    record = run(world, [("U-1", upper.name, "U-2", "工会")])
    assert not record.committed
    assert any("循环" in r for r in reasons(record))
    upper.refresh_from_db()
    assert upper.parent_id == world.union_a.pk
    assert lower.parent_id == upper.pk


def test_moves_keep_paths_and_depths_of_whole_subtrees(world) -> None:
    from liandong.organizations.tests.factories import UnionFactory

    first = UnionFactory(code="U-1", parent=world.union_a)
    second = UnionFactory(code="U-2", parent=world.union_a)
    # enterprise A (with its outlet) moves under U-1; U-2 moves under a new union of the file;
    # U-1 moves under U-2, so that enterprise A ends three levels lower than it was.
    record = run(
        world,
        [
            ("W-EA", "甲快递公司", "U-1", "企业"),
            ("U-1", first.name, "U-2", "工会"),
            ("N-1", "新区工会", "", "工会"),
            ("U-2", second.name, "N-1", "工会"),
        ],
    )
    assert record.committed, record.errors
    assert (record.rows_created, record.rows_moved) == (1, 3)
    outlet = Organization.objects.get(code="W-OA")
    chain = [
        o.code for o in Organization.objects.filter(pk__in=outlet.ancestor_ids).order_by("depth")
    ]
    assert chain == ["W-P", "W-A", "N-1", "U-2", "U-1", "W-EA"]
    assert_paths_consistent()
    assert AuditLog.objects.filter(action="organizations.moved").count() == 3
    # The roster's scopes follow: worker A is still inside union A's subtree, not union B's.
    assert world.worker_a.employer.pk == outlet.pk


def test_an_existing_code_in_scope_updates_and_reimport_is_idempotent(world) -> None:
    rows = [
        ("W-EA", "甲快递有限公司", "W-A", "企业"),
        ("N-1", "新公司", "W-A", "企业"),
        ("N-2", "新网点", "N-1", "网点"),
    ]
    first = run(world, rows)
    assert (first.rows_created, first.rows_updated, first.rows_moved) == (2, 1, 0)
    world.enterprise_a.refresh_from_db()
    assert world.enterprise_a.name == "甲快递有限公司"
    entry = AuditLog.objects.get(
        action="organizations.updated", target_id=str(world.enterprise_a.pk)
    )
    assert entry.changes["name"] == ["甲快递公司", "甲快递有限公司"]
    snapshot = list(
        Organization.objects.values_list("pk", "path", "name", "parent_id", "updated_at")
    )
    audits = AuditLog.objects.exclude(action="organizations.imported").count()
    again = run(world, rows)
    assert again.committed
    assert (again.rows_created, again.rows_updated, again.rows_moved) == (0, 0, 0)
    assert (
        list(Organization.objects.values_list("pk", "path", "name", "parent_id", "updated_at"))
        == snapshot
    )
    assert AuditLog.objects.exclude(action="organizations.imported").count() == audits


def test_a_missing_optional_column_keeps_what_is_stored(world) -> None:
    record = run(world, [("W-EA", "甲快递公司", "", "企业")])
    assert record.committed
    world.enterprise_a.refresh_from_db()
    assert world.enterprise_a.union_status == "founded"  # no 建会状态 column in the file


def test_import_into_a_unit_below_ones_own(world) -> None:
    record = run(world, [("N-1", "新网点", "", "网点")], root=world.enterprise_a)
    assert record.committed, record.errors
    assert Organization.objects.get(code="N-1").parent_id == world.enterprise_a.pk


def test_file_errors_are_reported_not_raised(world) -> None:
    record = organization_import(
        actor=None,
        root=world.union_a,
        file=io.BytesIO(b"code,name\n1,2\n"),
        filename="x.xlsx",
    )
    assert "CSV" in record.file_error
    missing = run(world, [("N-1", "甲")], header=["编码", "名称"])
    assert "缺少必需的列：类型" in missing.file_error


def test_the_example_row_of_the_template_is_skipped(world) -> None:
    record = organization_import(
        actor=None,
        root=world.union_a,
        file=io.BytesIO(organization_template_xlsx()),
        filename="template.xlsx",
    )
    assert record.file_error == "表格只有表头，没有数据行"


def test_export_imports_back_unchanged(world) -> None:
    content = organization_tree_xlsx(actor=None, root=world.union_a)
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == COLUMNS
    assert [r[0] for r in rows[1:]] == ["W-A", "W-EA", "W-OA"]
    assert rows[1][2] == "W-P"  # the root's own parent, outside the scope
    record = organization_import(
        actor=None, root=world.union_a, file=io.BytesIO(content), filename="export.xlsx"
    )
    assert record.committed, record.errors
    assert (record.rows_created, record.rows_updated, record.rows_moved) == (0, 0, 0)


def test_command_line(world, tmp_path: Path) -> None:
    path = tmp_path / "tree.xlsx"
    path.write_bytes(workbook([("N-1", "新公司", "", "企业")]).getvalue())
    out = StringIO()
    call_command("import-organizations", str(path), "--into", "W-A", "--dry-run", stdout=out)
    assert "新增 1 个单位" in out.getvalue()
    assert "试导入" in out.getvalue()
    assert not Organization.objects.filter(code="N-1").exists()
    call_command("import-organizations", str(path), "--into", "W-A", stdout=StringIO())
    assert Organization.objects.filter(code="N-1").exists()
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(workbook([("N-2", "甲", "NOPE", "企业")]).getvalue())
    out = StringIO()
    with pytest.raises(CommandError) as error:
        call_command("import-organizations", str(bad), "--into", "W-A", stdout=out)
    assert error.value.returncode == 1
    assert "第 2 行 [上级编码]" in out.getvalue()
    with pytest.raises(CommandError) as error:
        call_command("import-organizations", str(bad), "--into", "NOPE")
    assert error.value.returncode == 2
    with pytest.raises(CommandError) as error:
        call_command(
            "import-organizations", str(path), "--into", "W-A", "--user", "staff_b", stdout=out
        )
    assert error.value.returncode == 2


def test_a_blank_parent_leaves_a_registered_unit_where_it_is(world) -> None:
    record = run(world, [("W-OA", "甲快递城关新网点", "", "网点")])
    assert record.committed, record.errors
    assert (record.rows_updated, record.rows_moved) == (1, 0)
    outlet = Organization.objects.get(code="W-OA")
    assert outlet.parent_id == world.enterprise_a.pk
    assert outlet.name == "甲快递城关新网点"


def test_a_dry_run_with_errors_counts_only_the_valid_rows(world) -> None:
    record = run(world, [("N-1", "甲", "", "企业"), ("N-1", "乙", "", "企业")], dry_run=True)
    assert (record.rows_created, record.rows_rejected) == (1, 1)
