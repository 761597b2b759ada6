from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from liandong.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Write a consistent backup of the database (and a manifest) into DIR. The keys are not included."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path)

    def handle(self, *args: object, directory: Path, **options: object) -> None:
        try:
            path = backup_create(directory=directory)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"备份已写入 {path}（密钥 LIANDONG_FIELD_KEY 不在其中，请另行保管）")
