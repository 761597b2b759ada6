"""An agreement's parties change after signing (a body joins, a foreign union's signatory is
named): on its edit page, and over the API with its document uploaded there too. Bad input
names its field and changes nothing; another union's agreement is a 404."""

import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from liandong.core.models import AuditLog
from liandong.core.tests.client import BrowserClient
from liandong.outreach import services
from liandong.outreach.models import Agreement
from liandong.outreach.tests.conftest import PDF

pytestmark = pytest.mark.django_db
A = "/api/v1/outreach/agreements"


def parties(agreement: Agreement) -> list[str]:
    return [
        f"{p.name}|{p.external_country}|{p.signatory}"
        for p in agreement.parties.select_related("organization").order_by("pk")
    ]


def unchanged(agreement: Agreement) -> dict[str, Any]:
    return {"title": agreement.title, "parties": parties(agreement)}


def test_the_service_replaces_the_parties_and_the_audit_log_says_from_what(
    world: Any, ow: Any
) -> None:
    agreement = ow.agreement
    assert parties(agreement) == ["甲产业工会||", "老挝万象市工会联合会|老挝|"]
    services.agreement_update(
        actor=world.users["staff_a"],
        agreement=agreement,
        title=agreement.title,
        signed_on=agreement.signed_on,
        effective_on=agreement.effective_on,
        expires_on=agreement.expires_on,
        terms=agreement.terms,
        staff=agreement.staff,
        parties=[world.union_a, world.authority],
        external_parties=[services.ExternalParty("老挝万象市工会联合会", "老挝", "通萨")],
    )
    assert parties(agreement) == [
        "甲产业工会||",
        f"{world.authority.name}||",
        "老挝万象市工会联合会|老挝|通萨",
    ]
    entry = AuditLog.objects.filter(action="outreach.agreement_updated").get()
    assert entry.changes["parties"][0] == ["甲产业工会", "老挝万象市工会联合会（老挝）"]
    assert world.authority.name in entry.changes["parties"][1]
    # leaving the parties out keeps them; fewer than two is refused and changes nothing
    before = parties(agreement)
    services.agreement_update(
        actor=None,
        agreement=agreement,
        title="改名后的协议",
        signed_on=agreement.signed_on,
        effective_on=None,
        expires_on=None,
        terms="",
        staff=None,
    )
    assert parties(agreement) == before
    with pytest.raises(ValidationError) as error:
        services.agreement_update(
            actor=None,
            agreement=agreement,
            title="单方",
            signed_on=agreement.signed_on,
            effective_on=None,
            expires_on=None,
            terms="",
            staff=None,
            parties=[world.union_a],
            external_parties=[],
        )
    assert set(error.value.error_dict) == {"parties"}
    agreement.refresh_from_db()
    assert (agreement.title, parties(agreement)) == ("改名后的协议", before)


def test_the_edit_page_shows_the_parties_and_saves_the_changed_ones(
    world: Any, ow: Any, login: Any
) -> None:
    client = login(world.users["staff_a"])
    url = f"/outreach/agreements/{ow.agreement.pk}/edit/"
    page = client.get(url).content.decode()
    select = re.search(r'<select name="parties".*?</select>', page, re.S)
    assert select is not None
    selected = re.findall(r'<option value="(\d+)"[^>]*selected', select.group(0))
    assert selected == [str(world.union_a.pk)]
    assert "老挝万象市工会联合会｜老挝</textarea>" in page
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    data = {
        "csrfmiddlewaretoken": token.group(1),
        "title": ow.agreement.title,
        "signed_on": ow.agreement.signed_on.isoformat(),
        "expires_on": ow.agreement.expires_on.isoformat(),
        "staff": str(ow.agreement.staff_id),
        "parties": [str(world.union_a.pk), str(world.enterprise_a.pk)],
        "external_parties": "老挝万象市工会联合会｜老挝｜通萨\n越南河内市劳动联合会｜越南",
    }
    answer = client.post(url, data)
    assert answer.status_code == 302, answer.content.decode()[:2000]
    assert parties(ow.agreement) == [
        "甲产业工会||",
        f"{world.enterprise_a.name}||",
        "老挝万象市工会联合会|老挝|通萨",
        "越南河内市劳动联合会|越南|",
    ]
    # one party left: the page says why, in Chinese, and nothing changes
    before = unchanged(ow.agreement)
    refused = client.post(url, {**data, "parties": [], "external_parties": "越南河内市劳动联合会"})
    assert refused.status_code == 200
    assert "协议至少要有两个签约方" in refused.content.decode()
    assert unchanged(Agreement.objects.get(pk=ow.agreement.pk)) == before


def test_the_api_changes_parties_and_takes_the_document(
    world: Any, ow: Any, api_token: Any
) -> None:
    bearer = api_token(world.users["staff_a"])
    client = BrowserClient()
    url = f"{A}/{ow.agreement.pk}"
    answer = client.patch(
        url,
        {"party_ids": [world.union_a.pk, world.authority.pk]},
        content_type="application/json",
        **bearer,
    )
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert [p["name"] for p in body["parties"]] == [
        "甲产业工会",
        world.authority.name,
        "老挝万象市工会联合会",
    ]
    assert body["title"] == ow.agreement.title  # fields left out are kept
    answer = client.patch(url, {"expires_on": None}, content_type="application/json", **bearer)
    assert answer.status_code == 200
    assert answer.json()["expires_on"] is None
    # a body the caller cannot see, and one party in all: 422 naming the field, nothing changed
    before = unchanged(ow.agreement)
    for payload, field in [
        ({"party_ids": [world.union_b.pk, world.union_a.pk]}, "party_ids"),
        ({"party_ids": [world.union_a.pk], "external_parties": []}, "party_ids"),
        ({"external_parties": [{"name": ""}], "party_ids": [world.union_a.pk]}, "external"),
    ]:
        refused = client.patch(url, payload, content_type="application/json", **bearer)
        assert refused.status_code == 422, (payload, refused.content)
        assert field in str(refused.json()["detail"]), refused.json()
    assert unchanged(Agreement.objects.get(pk=ow.agreement.pk)) == before
    # the document, as a multipart upload; a file that is not what its name says is refused
    upload = SimpleUploadedFile("续签协议.pdf", PDF + b"% renewed\n", "application/pdf")
    answer = client.post(f"{url}/document", {"file": upload}, **bearer)
    assert answer.status_code == 200, answer.content
    assert answer.json()["document_name"] == "续签协议.pdf"
    fake = SimpleUploadedFile("假协议.pdf", b"PK\x03\x04 not a pdf", "application/pdf")
    refused = client.post(f"{url}/document", {"file": fake}, **bearer)
    assert refused.status_code == 422
    assert "file" in str(refused.json()["detail"])
    assert Agreement.objects.get(pk=ow.agreement.pk).document_name == "续签协议.pdf"
    response = client.get(answer.json()["document_url"], **bearer)
    assert response.status_code in {200, 302}


def test_another_unions_agreement_is_a_404_to_change(world: Any, ow: Any, api_token: Any) -> None:
    bearer = api_token(world.users["staff_b"])
    client = BrowserClient()
    url = f"{A}/{ow.agreement.pk}"
    answer = client.patch(url, {"title": "篡改"}, content_type="application/json", **bearer)
    assert answer.status_code == 404
    upload = SimpleUploadedFile("x.pdf", PDF, "application/pdf")
    assert client.post(f"{url}/document", {"file": upload}, **bearer).status_code == 404
    assert Agreement.objects.get(pk=ow.agreement.pk).title == ow.agreement.title


def test_a_party_the_editor_cannot_see_stays_but_none_is_added(
    world: Any, ow: Any, api_token: Any, login: Any
) -> None:
    """A partner elsewhere in the tree, already a party, may stay on the agreement (the edit
    page offers it, the API keeps it); one the editor cannot see cannot be added. One rule
    (permissions.parties_for) for both."""
    from liandong.outreach.models import AgreementParty
    from liandong.outreach.permissions import parties_for

    staff = world.users["staff_a"]
    AgreementParty.objects.create(agreement=ow.agreement, organization=world.union_b)
    assert world.union_b in parties_for(staff, ow.agreement)
    assert world.union_b not in parties_for(staff)
    page = login(staff).get(f"/outreach/agreements/{ow.agreement.pk}/edit/").content.decode()
    assert f'value="{world.union_b.pk}"' in page
    bearer = api_token(staff)
    client = BrowserClient()
    url = f"{A}/{ow.agreement.pk}"
    kept = client.patch(
        url,
        {"party_ids": [world.union_b.pk, world.union_a.pk]},
        content_type="application/json",
        **bearer,
    )
    assert kept.status_code == 200, kept.content
    assert [p["name"] for p in kept.json()["parties"]][:2] == [world.union_b.name, "甲产业工会"]
    before = unchanged(Agreement.objects.get(pk=ow.agreement.pk))
    added = client.patch(
        url,
        {"party_ids": [world.union_b.pk, world.union_a.pk, world.enterprise_b.pk]},
        content_type="application/json",
        **bearer,
    )
    assert added.status_code == 422
    assert "party_ids" in str(added.json()["detail"])
    assert unchanged(Agreement.objects.get(pk=ow.agreement.pk)) == before
