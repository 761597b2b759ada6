"""``liandong import-organizations FILE.xlsx --into CODE``: the organization-tree import from
the command line (organizations/importing.py).

Exit status: 0 when every row was accepted, 1 when rows were rejected (nothing is then
written), 2 when the file (or the command line) could not be used at all.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from liandong.core.importcli import (
    EXIT_FILE_ERROR,
    EXIT_REJECTED,
    acting_account,
    open_file,
    write_row_errors,
)
from liandong.organizations.forms import CHILD_KINDS
from liandong.organizations.importing import organization_import
from liandong.organizations.models import Organization, OrganizationImport
from liandong.organizations.permissions import can_import_tree


def summary_line(record: OrganizationImport) -> str:
    line = (
        f"读取 {record.rows_read} 行，新增 {record.rows_created} 个单位，"
        f"更新 {record.rows_updated} 个，调整上级 {record.rows_moved} 个，"
        f"拒绝 {record.rows_rejected} 行"
    )
    if record.committed:
        return line + "。已写入组织架构。"
    if record.dry_run:
        return line + "。试导入，未写入。"
    return line + "。有错误，整批未写入。"


class Command(BaseCommand):
    help = "从 Excel（.xlsx）导入组织架构到某个单位之下（只在它的范围内新增、更新、调整）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="组织架构文件（.xlsx）")
        parser.add_argument("--into", required=True, help="导入到的单位编码")
        parser.add_argument("--dry-run", action="store_true", help="只校验，不写入")
        parser.add_argument("--user", help="以此账号的名义导入（记入操作日志）；默认是系统")

    def handle(
        self,
        *args: object,
        file: Path,
        into: str,
        dry_run: bool,
        user: str | None,
        **options: Any,
    ) -> None:
        root = Organization.objects.filter(code=into).first()
        if root is None:
            raise CommandError(f"找不到编码为 {into} 的单位", returncode=EXIT_FILE_ERROR)
        if not CHILD_KINDS.get(root.kind):
            raise CommandError(
                f"{root.name} 之下不能设下级单位（{root.get_kind_display()}）",
                returncode=EXIT_FILE_ERROR,
            )
        actor = acting_account(
            user,
            lambda account: can_import_tree(account, root),
            f"账号 {{user}} 无权向 {root.name} 导入组织架构",
        )
        with open_file(file) as stream:
            record = organization_import(
                actor=actor, root=root, file=stream, filename=file.name, dry_run=dry_run
            )
        if record.file_error and not record.committed:
            raise CommandError(f"文件无法导入：{record.file_error}", returncode=EXIT_FILE_ERROR)
        self.stdout.write(summary_line(record))
        if record.file_error:
            self.stdout.write(record.file_error)
        write_row_errors(self.stdout, record.errors, len(record.errors))
        if record.rows_rejected:
            raise CommandError(f"{record.rows_rejected} 行被拒绝", returncode=EXIT_REJECTED)
        if record.file_error:
            raise CommandError("导入中断", returncode=EXIT_FILE_ERROR)
