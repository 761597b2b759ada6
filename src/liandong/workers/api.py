import tempfile

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import File, Form, Query, Router, Status
from ninja.errors import ValidationError as NinjaValidationError
from ninja.files import UploadedFile

from liandong.accounts.models import AuthenticatedHttpRequest
from liandong.accounts.permissions import is_worker
from liandong.core.api_errors import prevalidated
from liandong.core.documents import XLSX
from liandong.core.schemas import InputSchema
from liandong.organizations.permissions import organizations_in_scope
from liandong.workers.exporting import workers_export
from liandong.workers.importing import roster_import
from liandong.workers.models import RosterImport, WorkerType
from liandong.workers.permissions import (
    can_export_workers,
    can_manage_honours,
    can_manage_roster,
    can_view_worker_pii,
    roster_imports_visible_to,
    workers_visible_to,
)
from liandong.workers.schemas import (
    WORKER_OUT_VALUES,
    HonourIn,
    HonourOut,
    RevealIn,
    RosterImportOut,
    WorkerOut,
    WorkerPage,
    WorkerPiiOut,
    honour_item,
    worker_item,
)
from liandong.workers.selectors import (
    WorkerFilters,
    is_identifying_query,
    worker_list,
    worker_page,
)
from liandong.workers.services import honour_add, worker_reveal

router = Router(tags=["workers"])


class WorkerQuery(InputSchema):
    q: str = ""
    employer: str = ""
    worker_type: WorkerType | None = None
    city: str = ""
    organization: int | None = None
    member: bool | None = None
    cursor: int | None = None
    limit: int = 20


NUMBER_IN_URL_MESSAGE = (
    "完整的手机号或身份证号不能放在网址的查询参数里（网址会被记入访问日志）："
    "请改用 POST /api/v1/workers/search，把 q 放在 JSON 请求体中"
)


def refuse_number_in_url(query: WorkerQuery) -> None:
    """A full mobile or ID number as ``?q=``: a 422 naming ``q`` (README: full numbers go by
    POST /api/v1/workers/search). The message never repeats the number."""
    if is_identifying_query(query.q):
        raise NinjaValidationError(
            [{"loc": ["query", "q"], "msg": NUMBER_IN_URL_MESSAGE, "type": "number_in_url"}]
        )


def filters_from(request: HttpRequest, query: WorkerQuery) -> WorkerFilters:
    organization = None
    if query.organization is not None:
        # Workers are employed inside one's own subtree: a partner body, visible elsewhere,
        # is not a roster scope (the page's form offers the same units).
        organization = get_object_or_404(
            organizations_in_scope(request.user), pk=query.organization
        )
    return WorkerFilters(
        q=query.q,
        employer=query.employer,
        worker_type=query.worker_type or "",
        city=query.city,
        organization=organization,
        member=query.member,
    )


@router.get("/", response=WorkerPage, url_name="worker-list", operation_id="workers_list")
def list_workers(request: AuthenticatedHttpRequest, query: Query[WorkerQuery]) -> HttpResponse:
    """Workers the caller may see, newest first; page with ``next_cursor``. A full mobile or
    ID number is searched with POST /api/v1/workers/search, never in the URL (422 here)."""
    refuse_number_in_url(query)
    return _worker_page(request, query)


def _worker_page(request: AuthenticatedHttpRequest, query: WorkerQuery) -> HttpResponse:
    if not (is_worker(request.user) or can_export_workers(request.user)):
        raise PermissionDenied  # as on the page: no roster for roles without a scope
    page = worker_page(
        user=request.user,
        filters=filters_from(request, query),
        cursor=query.cursor,
        size=query.limit,
    )
    # worker_item builds each WorkerOut field by field; a test checks the answer against the schema.
    return prevalidated({"items": page.items, "next_cursor": page.next_cursor})


@router.post(
    "/search", response=WorkerPage, url_name="worker-search", operation_id="workers_search"
)
def search_workers(request: AuthenticatedHttpRequest, query: WorkerQuery) -> HttpResponse:
    """The same as the list, with the filters in a JSON body: use it to search by a full
    mobile or ID number, which should not travel in a URL (access logs keep URLs)."""
    return _worker_page(request, query)


@router.get(
    "/export",
    url_name="worker-export",
    operation_id="workers_export",
    response={200: None},
    openapi_extra={"responses": {200: {"content": {XLSX: {}}}}},
)
def export_workers(request: AuthenticatedHttpRequest, query: Query[WorkerQuery]) -> FileResponse:
    """The filtered list as xlsx, personal data masked. No full number in ``q`` (422)."""
    if not can_export_workers(request.user):
        raise PermissionDenied
    refuse_number_in_url(query)
    filters = filters_from(request, query)
    workers = worker_list(user=request.user, filters=filters)
    stream = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it when sent
    workers_export(actor=request.user, workers=workers, stream=stream, filters=filters)
    stream.seek(0)
    return FileResponse(stream, as_attachment=True, filename="职工名册.xlsx", content_type=XLSX)


@router.get(
    "/{int:worker_id}", response=WorkerOut, url_name="worker-detail", operation_id="workers_detail"
)
def worker_detail(request: AuthenticatedHttpRequest, worker_id: int) -> dict[str, object]:
    return worker_item(
        get_object_or_404(workers_visible_to(request.user).values(*WORKER_OUT_VALUES), pk=worker_id)
    )


@router.get(
    "/{int:worker_id}/honours",
    response=list[HonourOut],
    url_name="worker-honours",
    operation_id="workers_honours",
)
def worker_honours(request: AuthenticatedHttpRequest, worker_id: int) -> list[dict[str, object]]:
    """The worker's honours register (全国劳模, 工匠, 最美快递员, 受邀观礼…)."""
    worker = get_object_or_404(workers_visible_to(request.user), pk=worker_id)
    return [honour_item(h) for h in worker.honours.all()]


@router.post(
    "/{int:worker_id}/honours",
    response={201: HonourOut},
    url_name="worker-honour-add",
    operation_id="workers_add_honour",
)
def add_honour(request: AuthenticatedHttpRequest, worker_id: int, payload: HonourIn) -> Status:
    """Record an honour (roster staff over the worker's employer); audited."""
    worker = get_object_or_404(
        workers_visible_to(request.user).select_related("employer"), pk=worker_id
    )
    if not can_manage_honours(request.user, worker):
        raise PermissionDenied
    honour = honour_add(actor=request.user, worker=worker, **payload.dict())
    return Status(201, honour_item(honour))


@router.post(
    "/{int:worker_id}/reveal",
    response=WorkerPiiOut,
    url_name="worker-reveal",
    operation_id="workers_reveal",
)
def reveal_worker(
    request: AuthenticatedHttpRequest, worker_id: int, payload: RevealIn
) -> dict[str, object]:
    """The full ID and mobile numbers, for roles that must act on them. Written to the audit log."""
    worker = get_object_or_404(
        workers_visible_to(request.user).select_related("employer"), pk=worker_id
    )
    if not can_view_worker_pii(request.user, worker):
        raise PermissionDenied
    return {
        "id": worker.pk,
        **worker_reveal(actor=request.user, worker=worker, purpose=payload.purpose),
    }


@router.post(
    "/imports", response=RosterImportOut, url_name="roster-import", operation_id="workers_import"
)
def import_roster(
    request: AuthenticatedHttpRequest,
    file: File[UploadedFile],
    organization: Form[int],
    dry_run: Form[bool] = False,
    skip_invalid: Form[bool] = False,
) -> RosterImport:
    """Import a roster workbook (xlsx) into an organization's subtree. See README for columns."""
    if not can_manage_roster(request.user):
        raise PermissionDenied
    target = get_object_or_404(organizations_in_scope(request.user), pk=organization)
    if not can_manage_roster(request.user, target):
        raise PermissionDenied
    return roster_import(
        actor=request.user,
        organization=target,
        file=file,
        filename=file.name or "",
        dry_run=dry_run,
        skip_invalid=skip_invalid,
    )


@router.get(
    "/imports/{int:import_id}",
    response=RosterImportOut,
    url_name="roster-import-detail",
    operation_id="workers_import_detail",
)
def import_detail(request: AuthenticatedHttpRequest, import_id: int) -> RosterImport:
    return get_object_or_404(roster_imports_visible_to(request.user), pk=import_id)
