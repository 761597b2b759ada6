import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from liandong.organizations.models import Organization
from liandong_bench.gen_data import DEFAULT_SEED, gen_data, roster_workbook_write


class Command(BaseCommand):
    help = (
        "Generate a province for the benchmark: --scale 1 is 1,000,000 workers in about 20,000 "
        "organizations, with two staff accounts. With --roster FILE, write a roster workbook of "
        "new people for the import benchmark instead."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale", type=float, default=1.0, help="1 = 1,000,000 workers (default 1)"
        )
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
        parser.add_argument(
            "--force", action="store_true", help="Add a province even if workers exist."
        )
        parser.add_argument("--batch-size", type=int, default=5000)
        parser.add_argument("--json", action="store_true", help="Print the summary as JSON.")
        parser.add_argument(
            "--roster", type=Path, help="Write a roster workbook (.xlsx) to this path."
        )
        parser.add_argument(
            "--rows", type=int, default=100_000, help="Rows of the roster workbook."
        )
        parser.add_argument("--org", default="", help="Code of the organization the roster is for.")
        parser.add_argument(
            "--modules",
            action="store_true",
            help="Also build every module's records (meetings, activities with 100,000 "
            "applications, contests, democracy, volunteers, campaigns, outreach, training, "
            "mediation; liandong_bench/gen_modules.py) and the demand rollups for 2,000,000 "
            "demands × --demands-factor, at --scale.",
        )
        parser.add_argument(
            "--demands-factor",
            type=float,
            default=1.0,
            help="with --modules: demands in the rollups, × 2,000,000 × scale (10 = 20,000,000)",
        )

    def handle(
        self,
        *args: object,
        scale: float,
        seed: int,
        force: bool,
        batch_size: int,
        json: bool,
        roster: Path | None,
        rows: int,
        org: str,
        modules: bool = False,
        demands_factor: float = 1.0,
        **options: object,
    ) -> None:
        if roster is not None:
            organization = Organization.objects.filter(code=org).first()
            if organization is None:
                raise CommandError(f"No organization with code {org!r}.")
            try:
                employers = roster_workbook_write(
                    path=roster, organization=organization, rows=rows, seed=seed
                )
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
            self.stdout.write(
                f"{roster}: {rows} rows, {employers} employers under {organization.name}"
            )
            return
        progress = None if json else self.stdout.write
        try:
            result = gen_data(
                scale=scale, seed=seed, force=force, batch_size=batch_size, progress=progress
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        if json:
            self.stdout.write(_json_dumps(result.as_dict()))
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.organizations} organizations, {result.workers} workers ({result.members} members) "
                f"in {result.seconds['total']} s. Root: {result.root.name} ({result.root.code})."
            )
        )
        for username, password, organization in result.accounts:
            self.stdout.write(f"  {username}  密码 {password}  {organization}")
        if modules:
            from liandong_bench.gen_modules import (
                DEMANDS_AT_SCALE_1,
                build_rollup,
                gen_modules,
                summary,
            )

            self.stdout.write(summary(gen_modules(scale=scale, seed=seed)))
            rows_written = build_rollup(int(DEMANDS_AT_SCALE_1 * scale * demands_factor))
            self.stdout.write("demand rollups: " + summary(rows_written))


def _json_dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False)
