from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from liandong.core.backup import BackupError, backup_latest, backup_restore


class Command(BaseCommand):
    help = (
        "Replace the database's contents with the newest backup in DIR (or the backup file given)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="a backup directory or one backup file")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args: object, path: Path, yes: bool, **options: object) -> None:
        try:
            target = backup_latest(directory=path) if path.is_dir() else path
            if not yes and input(f"用 {target} 覆盖当前数据库？输入 yes 确认：").strip() != "yes":
                raise CommandError("已取消")
            manifest = backup_restore(path=target)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"已从 {target} 恢复（备份时间 {manifest['created_at']}）：{manifest['counts']}"
        )
