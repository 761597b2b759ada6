"""Roster export to Excel with personal data masked. STUB: being implemented."""

from typing import IO, Any

from django.db.models import QuerySet

from liandong.workers.models import Worker


def workers_export(*, actor: Any, workers: QuerySet[Worker], stream: IO[bytes]) -> int:
    """Write ``workers`` as xlsx to ``stream``; return the number of rows. Audited."""
    raise NotImplementedError
