from django.core.management.base import BaseCommand, CommandParser

from liandong.core.tick import tick_run


class Command(BaseCommand):
    help = "Run the periodic jobs (time limits, reminders, escalations, clean-ups). Idempotent; run every minute."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args: object, dry_run: bool, **options: object) -> None:
        for name, outcome in tick_run(dry_run=dry_run):
            self.stdout.write(f"{name}: {outcome}")
