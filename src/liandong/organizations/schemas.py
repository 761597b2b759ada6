from ninja import Schema

from liandong.organizations.models import Organization, OrganizationImport


class OrganizationOut(Schema):
    id: int
    name: str
    short_name: str
    code: str
    kind: str
    kind_label: str
    level: str
    parent_id: int | None
    depth: int
    industry: str
    city: str
    union_status: str
    union_status_label: str
    union_founded_on: str | None
    worker_count: int
    member_count: int
    declared_head_count: int | None

    @staticmethod
    def resolve_kind_label(obj: Organization) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_union_status_label(obj: Organization) -> str:
        return str(obj.get_union_status_display())

    @staticmethod
    def resolve_union_founded_on(obj: Organization) -> str | None:
        value = obj.union_founded_on
        return value.isoformat() if value else None


class CoverageOut(Schema):
    unions: int
    enterprises: int
    enterprises_with_union: int
    enterprise_union_rate: float | None
    outlets: int
    outlets_reached: int
    outlet_reach_rate: float | None
    workers: int
    members: int
    membership_rate: float | None


class OrganizationDetailOut(OrganizationOut):
    coverage: CoverageOut
    partner_ids: list[int]


class OrganizationPage(Schema):
    items: list[OrganizationOut]
    next_cursor: int | None


class TreeRowErrorOut(Schema):
    row: int
    column: str
    reason: str
    value: str


class OrganizationImportOut(Schema):
    id: int
    organization_id: int
    filename: str
    dry_run: bool
    committed: bool
    rows_read: int
    rows_created: int
    rows_updated: int
    rows_moved: int
    rows_rejected: int
    file_error: str
    errors: list[TreeRowErrorOut]

    @staticmethod
    def resolve_errors(obj: OrganizationImport) -> list[dict[str, object]]:
        return [
            {"row": row, "column": column, "reason": reason, "value": value}
            for row, column, reason, value in obj.errors
        ]
