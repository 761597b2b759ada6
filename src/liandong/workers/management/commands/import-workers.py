"""``liandong import-workers FILE.xlsx --org CODE``: the roster import from the command line.

Exit status: 0 when every row was accepted, 1 when rows were rejected, 2 when the file (or
the command line) could not be used at all.
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
from liandong.organizations.models import Organization
from liandong.workers.importing import iter_errors, roster_import, roster_report_xlsx
from liandong.workers.models import RosterImport
from liandong.workers.permissions import can_manage_roster


def summary_line(record: RosterImport) -> str:
    line = (
        f"读取 {record.rows_read} 行，新增 {record.rows_imported} 人，"
        f"更新 {record.rows_updated} 人，拒绝 {record.rows_rejected} 行"
    )
    unchanged = record.rows_read - record.rows_imported - record.rows_updated - record.rows_rejected
    if unchanged > 0:
        line += f"，未变化 {unchanged} 人"
    if record.committed:
        return line + "。已写入名册。"
    if record.dry_run:
        return line + "。试导入，未写入。"
    return line + "。有错误，整批未写入（加 --skip-invalid 可只导入正确的行）。"


class Command(BaseCommand):
    help = "从 Excel（.xlsx）导入职工名册到某个组织的范围内。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="名册文件（.xlsx）")
        parser.add_argument("--org", required=True, help="导入到的组织编码")
        parser.add_argument("--dry-run", action="store_true", help="只校验，不写入")
        parser.add_argument(
            "--skip-invalid", action="store_true", help="跳过有错误的行，只导入正确的行"
        )
        parser.add_argument("--report", type=Path, help="把导入报告另存为此 .xlsx 文件")
        parser.add_argument("--user", help="以此账号的名义导入（记入操作日志）；默认是系统")

    def handle(
        self,
        *args: object,
        file: Path,
        org: str,
        dry_run: bool,
        skip_invalid: bool,
        report: Path | None,
        user: str | None,
        **options: Any,
    ) -> None:
        organization = Organization.objects.filter(code=org).first()
        if organization is None:
            raise CommandError(f"找不到编码为 {org} 的组织", returncode=EXIT_FILE_ERROR)
        actor = acting_account(
            user,
            lambda account: can_manage_roster(account, organization),
            f"账号 {{user}} 无权向 {organization.name} 导入名册",
        )
        with open_file(file) as stream:
            record = roster_import(
                actor=actor,
                organization=organization,
                file=stream,
                filename=file.name,
                dry_run=dry_run,
                skip_invalid=skip_invalid,
            )
        if report is not None:
            report.write_bytes(roster_report_xlsx(roster_import=record))
        if record.file_error:
            raise CommandError(f"文件无法导入：{record.file_error}", returncode=EXIT_FILE_ERROR)
        self.stdout.write(summary_line(record))
        write_row_errors(self.stdout, iter_errors(record), len(record.errors))
        if report is not None:
            self.stdout.write(f"导入报告：{report}")
        if record.rows_rejected:
            raise CommandError(f"{record.rows_rejected} 行被拒绝", returncode=EXIT_REJECTED)
