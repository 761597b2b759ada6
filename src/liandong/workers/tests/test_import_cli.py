"""``liandong import-workers``: output, exit status, --dry-run, --skip-invalid, --report, --user."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from liandong.core.models import AuditLog
from liandong.workers.models import RosterImport, Worker
from liandong.workers.tests.test_importing import WORKER_A_MOBILE, db_state, person, roster_xlsx


def import_workers(*args: str) -> tuple[str, CommandError | None]:
    """Run the command in-process; its stdout and the CommandError it ended with, if any."""
    out = io.StringIO()
    try:
        call_command("import-workers", *args, stdout=out)
    except CommandError as error:
        return out.getvalue(), error
    return out.getvalue(), None


@pytest.fixture
def roster(tmp_path: Path):
    def _write(rows: list[dict[str, object]], name: str = "名册.xlsx") -> str:
        path = tmp_path / name
        path.write_bytes(roster_xlsx(rows))
        return str(path)

    return _write


def test_a_clean_file_imports_and_exits_zero(world, roster) -> None:
    out, error = import_workers(roster([person(), person()]), "--org", "W-A")
    assert error is None
    assert "读取 2 行，新增 2 人，更新 0 人，拒绝 0 行。已写入名册。" in out
    assert Worker.objects.count() == 4
    record = RosterImport.objects.get()
    assert (record.actor, record.organization, record.filename) == (
        None,
        world.union_a,
        "名册.xlsx",
    )
    assert AuditLog.objects.get(action="workers.imported").actor_repr == "system"


def test_rejected_rows_are_listed_and_exit_one(world, roster) -> None:
    before = db_state()
    rows = [person(), person(身份证号="620102198403152713"), person(手机号=WORKER_A_MOBILE)]
    out, error = import_workers(roster(rows), "--org", "W-A")
    assert error is not None
    assert error.returncode == 1
    assert "读取 3 行，新增 1 人，更新 0 人，拒绝 2 行。有错误，整批未写入" in out
    assert "第 3 行 [身份证号] 身份证号校验位错误，请核对是否抄错（620102********2713）" in out
    assert "第 4 行 [手机号] 该手机号已被其他职工登记（139****0001）" in out
    assert WORKER_A_MOBILE not in out
    assert db_state() == before


def test_skip_invalid_writes_valid_rows_and_still_exits_one(world, roster) -> None:
    out, error = import_workers(
        roster([person(), person(手机号="1")]), "--org", "W-A", "--skip-invalid"
    )
    assert error is not None
    assert error.returncode == 1
    assert "新增 1 人" in out
    assert "已写入名册" in out
    assert Worker.objects.count() == 3


def test_dry_run_writes_nothing_and_exits_zero_when_valid(world, roster) -> None:
    before = db_state()
    out, error = import_workers(roster([person()]), "--org", "W-A", "--dry-run")
    assert error is None
    assert "新增 1 人" in out
    assert "试导入，未写入" in out
    assert db_state() == before
    assert RosterImport.objects.get().dry_run


def test_a_file_error_exits_two(world, tmp_path) -> None:
    path = tmp_path / "名册.xlsx"
    path.write_bytes(b"name,id\n")
    before = db_state()
    _out, error = import_workers(str(path), "--org", "W-A")
    assert error is not None
    assert error.returncode == 2
    assert "文本（CSV）文件" in str(error)
    assert db_state() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--org", "NO-SUCH"], "找不到编码为 NO-SUCH 的组织"),
        (["--org", "W-A", "--user", "nobody"], "找不到账号 nobody"),
        (["--org", "W-A", "--user", "staff_b"], "账号 staff_b 无权向 甲产业工会 导入名册"),
    ],
)
def test_bad_arguments_exit_two(world, roster, args, message) -> None:
    before = db_state()
    _, error = import_workers(roster([person()]), *args)
    assert error is not None
    assert error.returncode == 2
    assert str(error) == message
    assert db_state() == before
    assert not RosterImport.objects.exists()


def test_a_missing_file_exits_two(world, tmp_path) -> None:
    _, error = import_workers(str(tmp_path / "nope.xlsx"), "--org", "W-A")
    assert error is not None
    assert error.returncode == 2
    assert "无法打开文件" in str(error)


def test_user_is_the_actor_and_report_is_written(world, roster, tmp_path) -> None:
    report = tmp_path / "报告.xlsx"
    out, error = import_workers(
        roster([person(), person(手机号="1")]),
        "--org",
        "W-A",
        "--user",
        "staff_a",
        "--report",
        str(report),
    )
    assert error is not None
    assert error.returncode == 1
    assert f"导入报告：{report}" in out
    record = RosterImport.objects.get()
    assert record.actor == world.users["staff_a"]
    assert AuditLog.objects.get(action="workers.imported").actor == world.users["staff_a"]
    book = load_workbook(report)
    assert list(book["错误明细"].iter_rows(values_only=True))[1][:2] == (3, "手机号")


def test_the_installed_command_runs_in_a_subprocess(tmp_path) -> None:
    """``.venv/bin/liandong import-workers`` end to end on its own SQLite database."""
    liandong = Path(sys.executable).with_name("liandong")
    if not liandong.exists():
        pytest.skip("the liandong script is not installed in this environment")
    env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env["LIANDONG_DATA_DIR"] = str(tmp_path / "data")

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(  # noqa: S603
            [str(liandong), *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    assert cli("migrate", "-v", "0").returncode == 0
    setup = cli(
        "shell",
        "-c",
        (
            "from liandong.organizations.services import organization_create as c; "
            "u = c(actor=None, name='甲工会', code='S-U', kind='union'); "
            "e = c(actor=None, name='甲快递公司', code='S-E', kind='enterprise', parent=u); "
            "c(actor=None, name='甲快递城关网点', code='S-O', kind='outlet', parent=e)"
        ),
    )
    assert setup.returncode == 0, setup.stderr
    good, bad = tmp_path / "good.xlsx", tmp_path / "bad.xlsx"
    good.write_bytes(roster_xlsx([person(), person()]))
    bad.write_bytes(roster_xlsx([person(), person(身份证号="620102198403152713")]))
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n")

    result = cli("import-workers", str(good), "--org", "S-U")
    assert result.returncode == 0, result.stderr
    assert "读取 2 行，新增 2 人" in result.stdout
    result = cli("import-workers", str(bad), "--org", "S-U", "--dry-run")
    assert result.returncode == 1
    assert "第 3 行 [身份证号] 身份证号校验位错误" in result.stdout
    result = cli("import-workers", str(broken), "--org", "S-U")
    assert result.returncode == 2
    assert "文件不是 Excel 工作簿" in result.stderr
