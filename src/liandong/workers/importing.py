"""Roster import from Excel (名册导入). STUB: being implemented; see the docstrings."""

from typing import IO, Any

from liandong.organizations.models import Organization
from liandong.workers.models import RosterImport


def roster_import(
    *,
    actor: Any,
    organization: Organization,
    file: IO[bytes],
    filename: str,
    dry_run: bool = False,
    skip_invalid: bool = False,
) -> RosterImport:
    """Validate and import a roster workbook into ``organization``'s subtree; return the saved
    RosterImport record (counts, masked row errors, file_error)."""
    raise NotImplementedError


def roster_report_xlsx(*, roster_import: RosterImport) -> bytes:
    """The import report as an xlsx workbook (行号, 列, 原因, 值(脱敏))."""
    raise NotImplementedError


def roster_template_xlsx() -> bytes:
    """An empty workbook with the expected Chinese headers and one example row."""
    raise NotImplementedError
