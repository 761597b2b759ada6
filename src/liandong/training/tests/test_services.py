"""The rules of training and the guidance library, one test each, through the services."""

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from liandong.core import crypto
from liandong.core.extensions import hooks
from liandong.core.models import AuditLog
from liandong.democracy.services import teaching_point_mark
from liandong.democracy.tests.factories import congress_setup
from liandong.training import rollups, services
from liandong.training.hooks import year_figures
from liandong.training.models import Attendance, Document, Lecturer, Session
from liandong.training.permissions import documents_visible_to
from liandong.training.selectors import figures_for
from liandong.training.services import (
    attendance_mark,
    document_create,
    document_publish,
    document_version_add,
    lecturer_add,
    lecturer_reveal,
    session_record,
)
from liandong.training.tests.factories import (
    congress_key,
    days_from_now,
    make_document,
    make_lecturer,
    make_session,
    pdf_upload,
)
from liandong.workers.tests.factories import WorkerFactory

pytestmark = pytest.mark.usefixtures("no_pii_in_logs")


# --- Lecturers ------------------------------------------------------------------------------------


def test_a_lecturers_mobile_is_sealed_masked_and_revealed_only_with_an_audit(world: Any) -> None:
    admin = world.users["admin_a"]
    lecturer = make_lecturer(admin, world.union_a)
    stored = Lecturer.objects.get(pk=lecturer.pk)
    assert stored.mobile_masked == "139****9876"
    assert "13906319876" not in stored.mobile_cipher
    assert crypto.decrypt(stored.mobile_cipher) == "13906319876"
    assert stored.mobile_digest == crypto.mobile_digest("13906319876")
    added = AuditLog.objects.get(action="training.lecturer_added")
    assert "13906319876" not in str(added.changes)
    assert lecturer_reveal(actor=admin, lecturer=stored, purpose="联系授课") == "13906319876"
    viewed = AuditLog.objects.get(action="training.lecturer_mobile_viewed")
    assert viewed.changes["purpose"] == "联系授课"


def test_a_bad_mobile_names_the_field_and_adds_nobody(world: Any) -> None:
    with pytest.raises(ValidationError) as error:
        lecturer_add(
            actor=world.users["admin_a"],
            organization=world.union_a,
            name="孙晓梅",
            affiliation="法律部",
            topics="集体协商",
            mobile="12345",
        )
    assert "mobile" in error.value.message_dict
    assert not Lecturer.objects.exists()


def test_lecturer_groups_belong_to_unions_in_the_actors_subtree(world: Any) -> None:
    with pytest.raises(ValidationError) as error:
        make_lecturer(world.users["admin_a"], world.enterprise_a)
    assert "organization" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        make_lecturer(world.users["staff_b"], world.union_a)
    assert not Lecturer.objects.exists()


# --- Sessions -------------------------------------------------------------------------------------


def test_the_congress_delegates_are_invited_through_the_hook(world: Any) -> None:
    setup = congress_setup(world, delegates=4)
    session = make_session(
        world.users["staff_a"], world.union_a, congress_key=congress_key(setup.congress)
    )
    invited = set(Attendance.objects.filter(session=session).values_list("worker_id", flat=True))
    assert invited == {d.worker_id for d in setup.delegates}
    enterprise = world.enterprise_a
    assert setup.congress.title in session.congress_title
    assert (enterprise.short_name or enterprise.name) in session.congress_title
    assert not Attendance.objects.filter(session=session, attended=True).exists()
    [provider] = hooks("delegate_lists")
    assert provider(world.union_b) == []  # union B's subtree holds no congress


def test_another_unions_congress_cannot_be_invited(world: Any) -> None:
    theirs = congress_setup(
        world, delegates=2, enterprise=world.enterprise_b, manager=world.users["staff_b"]
    )
    for key in [congress_key(theirs.congress), "democracy.congress:999999", "nonsense"]:
        with pytest.raises(ValidationError) as error:
            make_session(world.users["staff_a"], world.union_a, congress_key=key)
        assert "congress" in error.value.message_dict
    assert not Session.objects.exists()


def test_a_session_needs_a_place_or_a_teaching_point_in_scope(world: Any) -> None:
    staff = world.users["staff_a"]
    common = {"actor": staff, "organization": world.union_a, "topic": "培训"}
    with pytest.raises(ValidationError) as error:
        session_record(**common, starts_at=days_from_now(-1))
    assert "place" in error.value.message_dict
    teaching_point_mark(
        actor=world.users["staff_b"], enterprise=world.enterprise_b, since=date(2026, 1, 1)
    )
    with pytest.raises(ValidationError) as error:
        session_record(
            **common, starts_at=days_from_now(-1), teaching_point=world.enterprise_b.name
        )
    assert "teaching_point" in error.value.message_dict
    teaching_point_mark(actor=staff, enterprise=world.enterprise_a, since=date(2026, 1, 1))
    session = session_record(
        **common, starts_at=days_from_now(-1), teaching_point=world.enterprise_a.name
    )
    assert session.where == world.enterprise_a.name


def test_lecturers_come_from_the_groups_on_the_path_above(world: Any) -> None:
    city = make_lecturer(world.users["province_admin"], world.province, name="省讲师")
    other = make_lecturer(world.users["staff_b"], world.union_b, name="乙讲师")
    session = make_session(world.users["enterprise_a"], world.enterprise_a, lecturers=[city])
    assert list(session.lecturers.all()) == [city]
    with pytest.raises(ValidationError) as error:
        make_session(world.users["staff_a"], world.union_a, lecturers=[other])
    assert "lecturers" in error.value.message_dict
    assert Session.objects.count() == 1


def test_bulk_marking_changes_only_what_differs_and_audits_each_delegate(world: Any) -> None:
    setup = congress_setup(world, delegates=5)
    staff = world.users["staff_a"]
    session = make_session(staff, world.union_a, congress_key=congress_key(setup.congress))
    ids = [d.worker_id for d in setup.delegates]
    assert attendance_mark(actor=staff, session=session, worker_ids=ids[:3]) == 3
    assert attendance_mark(actor=staff, session=session, worker_ids=ids[:4]) == 1
    assert attendance_mark(actor=staff, session=session, worker_ids=[ids[0]], attended=False) == 1
    attended = Attendance.objects.filter(session=session, attended=True)
    assert set(attended.values_list("worker_id", flat=True)) == set(ids[1:4])
    assert AuditLog.objects.filter(action="training.attendance_marked").count() == 5


def test_marking_someone_not_invited_changes_nothing(world: Any) -> None:
    setup = congress_setup(world, delegates=3)
    staff = world.users["staff_a"]
    session = make_session(staff, world.union_a, congress_key=congress_key(setup.congress))
    with pytest.raises(ValidationError) as error:
        attendance_mark(
            actor=staff,
            session=session,
            worker_ids=[setup.delegates[0].worker_id, world.worker_b.pk],
        )
    assert "workers" in error.value.message_dict
    assert not Attendance.objects.filter(attended=True).exists()
    with pytest.raises(PermissionDenied):
        attendance_mark(
            actor=world.users["staff_b"], session=session, worker_ids=[setup.delegates[0].worker_id]
        )


def test_attendance_opens_when_the_session_begins(world: Any) -> None:
    setup = congress_setup(world, delegates=2)
    staff = world.users["staff_a"]
    later = make_session(staff, world.union_a, congress_key=congress_key(setup.congress), days=3)
    with pytest.raises(ValidationError) as error:
        attendance_mark(actor=staff, session=later, worker_ids=[setup.delegates[0].worker_id])
    assert "workers" in error.value.message_dict
    key = congress_key(setup.congress)
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        common = {"actor": staff, "organization": world.union_a, "topic": "培训", "place": "会议室"}
        begun = session_record(**common, congress_key=key, starts_at=now)
        soon = session_record(**common, congress_key=key, starts_at=now + timedelta(minutes=1))
        worker = setup.delegates[0].worker_id
        with pytest.raises(ValidationError):  # later today: not yet attended
            attendance_mark(actor=staff, session=soon, worker_ids=[worker])
        assert attendance_mark(actor=staff, session=begun, worker_ids=[worker]) == 1


# --- Figures ---------------------------------------------------------------------------------------


def test_figures_count_sessions_attendances_and_distinct_delegates_per_year(world: Any) -> None:
    """Sessions still to come are not counted; a delegate at two sessions is one delegate."""
    setup = congress_setup(world, delegates=4)
    staff = world.users["staff_a"]
    key = congress_key(setup.congress)
    ids = [d.worker_id for d in setup.delegates]
    first = make_session(staff, world.union_a, congress_key=key, days=-2)
    second = make_session(staff, world.enterprise_a, congress_key=key, days=-1)
    attendance_mark(actor=staff, session=first, worker_ids=ids[:3])
    attendance_mark(actor=staff, session=second, worker_ids=ids[1:])
    theirs = congress_setup(
        world, delegates=2, enterprise=world.enterprise_b, manager=world.users["staff_b"]
    )
    other = make_session(
        world.users["staff_b"], world.union_b, congress_key=congress_key(theirs.congress)
    )
    attendance_mark(
        actor=world.users["staff_b"],
        session=other,
        worker_ids=[d.worker_id for d in theirs.delegates],
    )
    make_session(staff, world.union_a, congress_key=key, days=400)  # not held yet
    year = first.starts_at.year
    f = figures_for(organization=world.union_a, year=year)
    assert (f.sessions, f.attendances, f.delegates) == (2, 6, 4)
    assert {(r.organization, r.sessions, r.attendances) for r in f.by_union} == {
        (world.union_a, 1, 3),
        (world.enterprise_a, 1, 3),
    }
    whole = figures_for(organization=world.province, year=year)
    assert (whole.sessions, whole.attendances, whole.delegates) == (3, 8, 6)
    assert figures_for(organization=world.union_a, year=year - 1).sessions == 0
    figures = {fig.label: fig for fig in year_figures(world.union_a, year)}
    assert figures["参训职工代表"].value == 4
    assert figures["职工代表参训人次"].url.startswith("/training/?organization=")


# Noon in Beijing on a fixed day of ``YEAR``: the sessions still to come are those after it,
# whatever the hour the suite runs at.
YEAR = 2024
NOON = datetime(YEAR, 6, 15, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _session(organization: Any, starts_at: datetime, attended: list[Any], invited: list[Any]):
    """Written straight to the tables (the services date sessions around today); the test
    rebuilds the delegates-trained rollup from them, as ``rebuild-rollups`` would."""
    session = Session.objects.create(organization=organization, topic="培训", starts_at=starts_at)
    for worker in attended:
        Attendance.objects.create(session=session, worker=worker, attended=True)
    for worker in invited:
        Attendance.objects.create(session=session, worker=worker, attended=False)
    return session


def test_year_figures_are_the_hand_counts(world: Any) -> None:
    """Every branch of the figures' filters: the year's first instant and the instant before
    it, a session still to come, invitations not attended, a session without any, a session
    of a body below the union and one outside its subtree, and a delegate trained twice
    (by one body and by two)."""
    beijing = ZoneInfo("Asia/Shanghai")
    w1, w2, w3, w4, w5 = (WorkerFactory(employer=world.outlet_a) for _ in range(5))
    with time_machine.travel(NOON, tick=False):
        _session(world.union_a, datetime(YEAR, 1, 1, 0, 0, tzinfo=beijing), [], [])
        _session(world.union_a, datetime(YEAR, 3, 1, 9, 0, tzinfo=beijing), [w1, w2], [w3])
        _session(world.union_a, datetime(YEAR, 5, 1, 9, 0, tzinfo=beijing), [w1], [w2])
        # Still to come: invited only (attendance_mark refuses a session not yet begun).
        _session(world.union_a, NOON + timedelta(minutes=1), [], [w4])
        _session(world.union_a, datetime(YEAR - 1, 12, 31, 23, 59, tzinfo=beijing), [w1], [])
        _session(world.enterprise_a, datetime(YEAR, 4, 1, 9, 0, tzinfo=beijing), [w2, w5], [])
        _session(world.union_b, datetime(YEAR, 4, 1, 9, 0, tzinfo=beijing), [w1, w3], [])
        rollups.rebuild()

        f = figures_for(organization=world.union_a, year=YEAR)
        assert (f.sessions, f.attendances, f.delegates) == (4, 5, 3)
        assert [(r.organization, r.sessions, r.attendances, r.delegates) for r in f.by_union] == [
            (world.union_a, 3, 3, 2),
            (world.enterprise_a, 1, 2, 2),
        ]
        figures = {fig.label: fig.value for fig in year_figures(world.union_a, YEAR)}
        assert figures == {"职工代表培训场次": 4, "职工代表参训人次": 5, "参训职工代表": 3}
        whole = {fig.label: fig.value for fig in year_figures(world.province, YEAR)}
        assert whole == {"职工代表培训场次": 5, "职工代表参训人次": 7, "参训职工代表": 4}
        before = figures_for(organization=world.union_a, year=YEAR - 1)
        assert (before.sessions, before.attendances, before.delegates) == (1, 1, 1)
        assert figures_for(organization=world.union_b, year=YEAR + 1).by_union == []


# --- Guidance library --------------------------------------------------------------------------------


def test_a_new_version_keeps_the_old_ones_and_becomes_the_default(world: Any) -> None:
    admin = world.users["admin_a"]
    document = make_document(admin, world.union_a)
    document_version_add(
        actor=admin, document=document, file=pdf_upload("指引2.pdf", "v2"), note="修订"
    )
    assert list(document.versions.values_list("number", "name")) == [
        (2, "指引2.pdf"),
        (1, "指引.pdf"),
    ]
    assert services.newest_version(document).number == 2  # type: ignore[union-attr]
    assert AuditLog.objects.filter(action="training.version_uploaded").count() == 2


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("工具.exe", b"MZ\x90\x00", "file_type"),
        ("没有扩展名", b"%PDF-1.4", "file_type"),
        ("伪装.pdf", b"MZ\x90\x00 not a pdf", "file_content"),
        ("伪装.docx", b"%PDF-1.4", "file_content"),
        ("空.pdf", b"", "file_empty"),
        ("乱码.txt", "中文".encode("gbk") * 10, "file_content"),
    ],
)
def test_files_of_the_wrong_type_or_content_are_refused(
    world: Any, name: str, content: bytes, code: str
) -> None:
    with pytest.raises(ValidationError) as error:
        document_create(
            actor=world.users["admin_a"],
            organization=world.union_a,
            kind="toolkit",
            category="职代会",
            title="工具包",
            file=SimpleUploadedFile(name, content),
        )
    assert "file" in error.value.message_dict
    assert error.value.error_dict["file"][0].code == code
    assert not Document.objects.exists()


def test_files_above_the_limit_are_refused(world: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services, "MAX_UPLOAD_BYTES", 100)
    with pytest.raises(ValidationError) as error:
        make_document(world.users["admin_a"], world.union_a)
    assert "20 MB" in error.value.message_dict["file"][0]
    assert not Document.objects.exists()


def test_a_case_is_text_and_a_handbook_needs_a_file(world: Any) -> None:
    admin = world.users["admin_a"]
    base = {"actor": admin, "organization": world.union_a, "category": "职代会", "title": "案例"}
    with pytest.raises(ValidationError) as error:
        document_create(**base, kind="case")
    assert "body" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        document_create(**base, kind="handbook")
    assert "file" in error.value.message_dict
    case = document_create(**base, kind="case", body="网点联合召开职代会。")
    assert case.versions.count() == 0


def test_the_library_is_the_subtree_plus_what_higher_unions_publish(world: Any) -> None:
    province = make_document(world.users["province_admin"], world.province, title="省级手册")
    a = make_document(world.users["admin_a"], world.union_a, title="甲手册")
    b = make_document(world.users["staff_b"], world.union_b, published=True, title="乙手册")

    def titles(user_key: str) -> set[str]:
        return set(documents_visible_to(world.users[user_key]).values_list("title", flat=True))

    assert titles("staff_a") == {"甲手册"}
    assert titles("enterprise_a") == set()
    document_publish(actor=world.users["province_admin"], document=province, published=True)
    document_publish(actor=world.users["admin_a"], document=a, published=True)
    assert titles("staff_a") == {"甲手册", "省级手册"}
    assert titles("enterprise_a") == {"甲手册", "省级手册"}
    assert titles("staff_b") == {"乙手册", "省级手册"}
    assert titles("province_admin") == {"甲手册", "乙手册", "省级手册"}
    assert titles("worker_a") == titles("liaison") == set()
    # A published document of a higher union is read only below it.
    with pytest.raises(PermissionDenied):
        document_version_add(actor=world.users["admin_a"], document=province, file=pdf_upload())
    assert b.published


def test_every_download_is_counted_and_served_from_the_newest_version(
    world: Any, client: Client
) -> None:
    admin = world.users["admin_a"]
    document = make_document(admin, world.union_a)
    document_version_add(actor=admin, document=document, file=pdf_upload("新版.pdf", "v2"))
    client.force_login(world.users["enterprise_a"])
    document_publish(actor=admin, document=document, published=True)
    url = f"/training/library/{document.pk}/download/"
    newest = client.get(url)
    assert newest.status_code == 200
    assert "attachment" in newest["Content-Disposition"]
    assert b"v2" in b"".join(newest.streaming_content)
    older = client.get(url + "?version=1")
    assert b"v1" in b"".join(older.streaming_content)
    assert client.get(url + "?version=9").status_code == 404
    document.refresh_from_db()
    assert document.download_count == 2
    assert list(document.versions.values_list("number", "download_count")) == [(2, 1), (1, 1)]
    client.force_login(world.users["staff_b"])
    assert client.get(url).status_code == 404
    document.refresh_from_db()
    assert document.download_count == 2
