from datetime import date

from ninja import Schema

from liandong.core.schemas import InputSchema


class WorkerOut(Schema):
    """A worker as everyone with access sees them: personal data masked."""

    id: int
    name: str
    gender: str
    id_number_masked: str
    mobile_masked: str
    employer_id: int
    employer_name: str
    city: str
    occupation: str
    worker_type: str
    worker_type_label: str
    is_member: bool
    joined_union_on: date | None

    @staticmethod
    def resolve_employer_name(obj: object) -> str:
        return obj.employer.name  # type: ignore[attr-defined]

    @staticmethod
    def resolve_worker_type_label(obj: object) -> str:
        return str(obj.get_worker_type_display())  # type: ignore[attr-defined]


class WorkerPage(Schema):
    items: list[WorkerOut]
    next_cursor: int | None


class WorkerPiiOut(Schema):
    id: int
    id_number: str
    mobile: str


class RevealIn(InputSchema):
    purpose: str = ""


class RowErrorOut(Schema):
    row: int
    column: str
    reason: str
    value: str


class RosterImportOut(Schema):
    id: int
    organization_id: int
    filename: str
    dry_run: bool
    skip_invalid: bool
    committed: bool
    rows_read: int
    rows_imported: int
    rows_updated: int
    rows_rejected: int
    file_error: str
    errors: list[RowErrorOut]

    @staticmethod
    def resolve_errors(obj: object) -> list[dict]:
        return [
            {"row": row, "column": column, "reason": reason, "value": value}
            for row, column, reason, value in obj.errors  # type: ignore[attr-defined]
        ]
