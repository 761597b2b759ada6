from typing import Any

from django.core.management.commands.flush import Command as FlushCommand
from django.db import connections

from liandong.core.audit import audit_purge_allowed


class Command(FlushCommand):
    """Django's flush, allowed to empty the append-only audit log (and only it may).

    Flushing wipes the whole database; the test suite's transactional tests use it."""

    def handle(self, **options: Any) -> None:
        connection = connections[options["database"]]
        token = audit_purge_allowed.set(True)
        try:
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET liandong.audit_purge = 'allowed'")
            super().handle(**options)
        finally:
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("RESET liandong.audit_purge")
            audit_purge_allowed.reset(token)
