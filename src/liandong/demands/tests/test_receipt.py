"""The receipt of a demand submitted on the phone: the tracking code can be copied (a static
script, the page's CSP allows no inline one) and texted to the mobile given on the form, only
by the browser that submitted it (the form's token), a few times a day."""

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from liandong.accounts.sms import MemoryBackend
from liandong.core.tests.client import page_forms, submit_page_form
from liandong.demands.models import Demand

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_pii_in_logs")]

MOBILE = "13919315555"


@pytest.fixture(autouse=True)
def _clear() -> None:
    cache.clear()


def submitted(client: Client) -> tuple[Demand, Any]:
    receipt = submit_page_form(
        client,
        "/demands/submit/",
        {
            "description": "网点拖欠两个月派费，一直不给结算。",
            "industry": "快递",
            "city": "兰州",
            "mobile": MOBILE,
            "consent": "on",
        },
    )
    assert receipt.status_code == 200
    return Demand.objects.get(), receipt


def text_form(page: Any) -> Any:
    (form,) = [f for f in page_forms(page.content.decode()) if f.action.endswith("/text-code/")]
    return form


def test_the_receipt_offers_copy_and_texts_the_code_to_the_given_mobile(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = Client(enforce_csrf_checks=True)
    demand, receipt = submitted(client)
    html = receipt.content.decode()
    assert 'id="copy-code"' in html
    assert "demands/copy_code" in html
    assert MOBILE not in html
    assert MOBILE[-4:] not in html  # no personal data on the page
    form = text_form(receipt)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(form.action, form.fields)
    assert answer.status_code == 200
    assert "查询码已发送到您填写的手机号" in answer.content.decode()
    ((mobile, text),) = MemoryBackend.outbox
    assert mobile == MOBILE
    assert text.startswith(f"【联动】您的诉求已受理，查询码 {demand.code}，")
    assert text.endswith(f"/demands/track/?code={demand.code}")


def test_texting_is_limited_to_three_a_day(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = Client(enforce_csrf_checks=True)
    _, receipt = submitted(client)
    form = text_form(receipt)
    with django_capture_on_commit_callbacks(execute=True):
        answers = [client.post(form.action, form.fields).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    assert len(MemoryBackend.outbox) == 3


def test_without_the_forms_token_nothing_is_sent(world: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    demand, receipt = submitted(client)
    form = text_form(receipt)
    stranger = Client(enforce_csrf_checks=True)
    stranger.get("/demands/track/")  # a page with a form: the CSRF cookie
    token = stranger.cookies["csrftoken"].value
    guessed = {"code": demand.code, "token": "guessed", "csrfmiddlewaretoken": token}
    assert stranger.post(form.action, guessed).status_code == 404
    assert MemoryBackend.outbox == []
