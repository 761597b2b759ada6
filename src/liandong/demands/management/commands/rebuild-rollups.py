import time

from django.core.management.base import BaseCommand, CommandParser

from liandong.core.extensions import hooks
from liandong.demands.rollups import TABLES, computed_rollups, rebuild_rollups, stored_rollups


class Command(BaseCommand):
    help = (
        "Recompute the demand statistics rollups (by month, body, category and city; by "
        "industry; by area; by month and body) from the demands, and every other app's rollups "
        "(the delegates trained…) from their records, after an upgrade that adds a rollup or "
        "to repair one; --check only compares and exits 1 when they differ."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check", action="store_true", help="compare the stored rollups with the records"
        )

    def handle(self, *args: object, check: bool, **options: object) -> None:
        started = time.perf_counter()
        if check:
            differ = [
                name
                for name, stored, computed in zip(
                    [model.__name__ for model, _ in TABLES],
                    stored_rollups(),
                    computed_rollups(),
                    strict=True,
                )
                if stored != computed
            ]
            differ += [rollup.name for rollup in hooks("ROLLUPS") if not rollup.matches()]
            if differ:
                self.stderr.write("differ from the records: " + ", ".join(differ))
                raise SystemExit(1)
            self.stdout.write(f"rollups match the records ({time.perf_counter() - started:.1f} s)")
            return
        result = rebuild_rollups()
        rows = ", ".join(f"{name} {count} rows" for name, count in result.rows.items())
        self.stdout.write(
            f"{result.demands} demands: {rows} ({time.perf_counter() - started:.1f} s)"
        )
        for rollup in hooks("ROLLUPS"):
            self.stdout.write(f"{rollup.name}: {rollup.rebuild()} rows")
