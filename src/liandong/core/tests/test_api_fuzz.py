"""The API fuzzed through WSGI (no server): every operation of the OpenAPI document gets
schemathesis' examples, boundary ("coverage") and random cases, valid and invalid, as the demo's
province union admin (bearer token) on the whole demo data set. Each case runs twice: as
generated, and with its path ids pointing at records that exist, so that the handlers behind
the 404 are fuzzed too (a year out of range on a real mechanism, a transition of a real
meeting). Checks: no 5xx, the response conforms to its declared schema, and a client error is
JSON ``{"detail": ...}``.

Bounded and repeatable: a few examples per operation, derandomized, no shrinking; about two
minutes on SQLite. Schemathesis' knobs are its own (``schemathesis.toml`` is not used)."""

import zlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.test import Client
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from liandong.accounts.demo import DEMO_PASSWORD
from liandong.activities.models import Activity, Application, Booking, Home
from liandong.competitions.models import Contest, Round, ScoreSheet
from liandong.core.tests.demo_data import demo_load_analyzed
from liandong.demands.models import Demand
from liandong.democracy.models import AgendaItem as CongressAgendaItem
from liandong.democracy.models import Disclosure, Nomination, Proposal
from liandong.meetings.models import ActionItem, Mechanism, Meeting
from liandong.organizations.models import Organization
from liandong.workers.models import RosterImport, Worker

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())

# A path parameter -> the records it names; ``item_id`` names two kinds, told apart by path.
EXISTING: dict[str, Callable[[], Any]] = {
    "organization_id": lambda: Organization.objects.order_by("pk").values_list("pk", flat=True),
    "worker_id": lambda: Worker.objects.order_by("pk").values_list("pk", flat=True),
    "import_id": lambda: RosterImport.objects.order_by("pk").values_list("pk", flat=True),
    "mechanism_id": lambda: Mechanism.objects.order_by("pk").values_list("pk", flat=True),
    "meeting_id": lambda: Meeting.objects.order_by("pk").values_list("pk", flat=True),
    "meetings:item_id": lambda: ActionItem.objects.order_by("pk").values_list("pk", flat=True),
    "democracy:item_id": lambda: CongressAgendaItem.objects.order_by("pk").values_list(
        "pk", flat=True
    ),
    "demand_id": lambda: Demand.objects.order_by("pk").values_list("pk", flat=True),
    "code": lambda: Demand.objects.order_by("pk").values_list("code", flat=True),
    "home_id": lambda: Home.objects.order_by("pk").values_list("pk", flat=True),
    "booking_id": lambda: Booking.objects.order_by("pk").values_list("pk", flat=True),
    "application_id": lambda: Application.objects.order_by("pk").values_list("pk", flat=True),
    "activity_id": lambda: Activity.objects.order_by("pk").values_list("pk", flat=True),
    "contest_id": lambda: Contest.objects.order_by("pk").values_list("pk", flat=True),
    "round_id": lambda: Round.objects.order_by("pk").values_list("pk", flat=True),
    "sheet_id": lambda: ScoreSheet.objects.order_by("pk").values_list("pk", flat=True),
    "proposal_id": lambda: Proposal.objects.order_by("pk").values_list("pk", flat=True),
    "disclosure_id": lambda: Disclosure.objects.order_by("pk").values_list("pk", flat=True),
    "nomination_id": lambda: Nomination.objects.order_by("pk").values_list("pk", flat=True),
}


@schemathesis.check
def json_detail_on_client_errors(ctx: Any, response: Any, case: Any) -> None:
    if 400 <= response.status_code < 500 and response.status_code != 405:
        try:
            body = response.json()
        except ValueError:
            raise AssertionError(
                f"{response.status_code} answered without JSON: {response.text[:200]!r}"
            ) from None
        assert isinstance(body, dict), body
        assert set(body) == {"detail"}, body


@pytest.fixture(scope="module")
def demo_world(
    django_db_setup: None, django_db_blocker: Any
) -> Iterator[tuple[dict[str, str], dict[str, list[Any]]]]:
    """The demo data set, loaded once for the module inside a transaction that is rolled back
    at its end (each test adds its own savepoint through ``db``)."""
    with django_db_blocker.unblock(), transaction.atomic():
        demo_load_analyzed()
        RosterImport.objects.create(
            organization=Organization.objects.get(code="GS-JMGH"), filename="名册.xlsx"
        )
        response = Client().post(
            "/api/v1/auth/token",
            {"username": "gansu_admin", "password": DEMO_PASSWORD},
            content_type="application/json",
        )
        assert response.status_code == 200, response.content
        headers = {"Authorization": f"Bearer {response.json()['token']}"}
        existing = {name: list(query()[:3]) for name, query in EXISTING.items()}
        assert all(existing.values()), [name for name, ids in existing.items() if not ids]
        yield headers, existing
        transaction.set_rollback(True)


@pytest.fixture
def fuzz_world(
    demo_world: tuple[dict[str, str], dict[str, list[Any]]], db: None
) -> Iterator[tuple[dict[str, str], dict[str, list[Any]]]]:
    # The WSGI handler closes the database connection after each request, which would end the
    # test's transaction; Django's own test client holds this signal off the same way.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield demo_world
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)


def existing_ids(case: Any, existing: dict[str, list[Any]]) -> dict[str, Any] | None:
    """The case's path parameters, ids replaced by those of records that exist (chosen by the
    generated value, so that the choice is as repeatable as the case)."""
    if not case.path_parameters:
        return None
    app = case.path.split("/")[3]
    replaced = dict(case.path_parameters)
    for name, value in case.path_parameters.items():
        ids = existing.get(f"{app}:{name}") or existing.get(name)
        if ids:
            replaced[name] = ids[zlib.crc32(str(value).encode()) % len(ids)]
    return replaced if replaced != case.path_parameters else None


CHECKS = [not_a_server_error, response_schema_conformance, json_detail_on_client_errors]


@pytest.mark.filterwarnings("ignore")
@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_fuzz_api(case: Any, fuzz_world: tuple[dict[str, str], dict[str, list[Any]]]) -> None:
    headers, existing = fuzz_world
    if case.operation.definition.raw.get("operationId") == "auth_token":
        headers = {}
    case.call_and_validate(headers=headers, checks=CHECKS)
    replaced = existing_ids(case, existing)
    if replaced is not None:
        case.path_parameters = replaced
        case.call_and_validate(headers=headers, checks=CHECKS)
