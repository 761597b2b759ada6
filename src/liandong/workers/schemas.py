from datetime import date

from ninja import Schema
from pydantic import Field

from liandong.core.schemas import InputSchema
from liandong.workers.models import Gender, Honour, HonourCategory, RosterImport, WorkerType


class WorkerOut(Schema):
    """A worker as everyone with access sees them: personal data masked."""

    id: int
    name: str
    gender: str
    gender_label: str
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


# Resolved once: get_worker_type_display() rebuilds the choices and resolves lazy
# translations on every row.
WORKER_TYPE_LABELS = {value: str(label) for value, label in WorkerType.choices}
GENDER_LABELS = {value: str(label) for value, label in Gender.choices}

# The columns a WorkerOut is built from, for ``QuerySet.values()``: a list answer built from
# dicts skips two model instances per row (a worker and its employer), a fifth of its cost.
WORKER_OUT_VALUES = (
    "id",
    "name",
    "gender",
    "id_number_masked",
    "mobile_masked",
    "employer_id",
    "employer__name",
    "city",
    "occupation",
    "worker_type",
    "joined_union_on",
)


def worker_item(row: dict) -> dict:
    """A WorkerOut as a plain dict, from a row of ``values(*WORKER_OUT_VALUES)``: validating a
    dict is several times faster than letting ninja read model instances attribute by attribute,
    and the list page renders the same dicts."""
    return {
        "id": row["id"],
        "name": row["name"],
        "gender": row["gender"],
        "gender_label": GENDER_LABELS.get(row["gender"], ""),
        "id_number_masked": row["id_number_masked"],
        "mobile_masked": row["mobile_masked"],
        "employer_id": row["employer_id"],
        "employer_name": row["employer__name"],
        "city": row["city"],
        "occupation": row["occupation"],
        "worker_type": row["worker_type"],
        "worker_type_label": WORKER_TYPE_LABELS.get(row["worker_type"], ""),
        "is_member": row["joined_union_on"] is not None,
        "joined_union_on": row["joined_union_on"],
    }


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
    def resolve_errors(obj: RosterImport) -> list[dict[str, object]]:
        return [
            {"row": row, "column": column, "reason": reason, "value": value}
            for row, column, reason, value in obj.errors
        ]


class HonourIn(InputSchema):
    category: HonourCategory
    title: str = Field("", max_length=120)
    awarded_by: str = Field("", max_length=120)
    awarded_on: date
    note: str = Field("", max_length=200)


class HonourOut(Schema):
    id: int
    category: str
    category_label: str
    title: str
    awarded_by: str
    awarded_on: date
    note: str


def honour_item(honour: Honour) -> dict[str, object]:
    return {
        "id": honour.pk,
        "category": honour.category,
        "category_label": honour.get_category_display(),
        "title": honour.title,
        "awarded_by": honour.awarded_by,
        "awarded_on": honour.awarded_on,
        "note": honour.note,
    }
