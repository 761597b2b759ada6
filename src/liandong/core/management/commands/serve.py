import os
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve the app with gunicorn on 127.0.0.1 (put nginx in front for anything else)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--bind", default="", help="host:port; overrides --port")
        parser.add_argument(
            "--workers", type=int, default=settings.LIANDONG_WORKERS, help="LIANDONG_WORKERS"
        )

    def handle(self, *args: object, port: int, bind: str, workers: int, **options: object) -> None:
        # The deployment checks tagged for it (e.g. accounts' SMS backend check): an error
        # stops the start before gunicorn runs.
        self.check(tags=["liandong-serve"], include_deployment_checks=True)
        # The static files and their manifest (WhiteNoise's CompressedManifestStaticFilesStorage
        # answers 500 for any page without it) are collected at every start, so a fresh or
        # restored data directory, or an upgrade, serves pages without a manual collectstatic
        # (about 3 s; files that did not change are left as they are).
        call_command("collectstatic", interactive=False, verbosity=0)
        address = bind or f"127.0.0.1:{port}"
        self.stdout.write(f"联动 serving on http://{address}/ (Ctrl+C to stop)")
        self.stdout.flush()
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "liandong.wsgi:application",
            "--bind",
            address,
            "--workers",
            str(workers),
            "--timeout",
            "180",
            "--access-logfile",
            "-",
            "--graceful-timeout",
            "10",
        ]
        os.execv(sys.executable, argv)  # noqa: S606 - replaces this process with gunicorn
