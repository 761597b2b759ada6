"""Demo of training, from the seed's 威海 article: 威海市总's 民主管理讲师团 (80+ trainings for
4,000 delegate attendances), sessions for the delegates of 光威集团's and the park's workers'
congresses (some at a teaching point 教学点, attendance marked), and the guidance library's
指导手册 and 工具包 (two versions each: 《厂务公开操作指引》, 民主管理实务读本), a
职工代表大会指引 and a typical case, published to the unions below 威海市总.

Runs after democracy's demo (INSTALLED_APPS order), whose congresses it invites through the
``delegate_lists`` hook. Idempotent. Login: ``weihai_staff`` (password ``lian-dong-2026``).
"""

import io
import random
import zipfile
from datetime import datetime, time, timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from liandong.accounts.models import User
from liandong.core.extensions import hooks
from liandong.core.sample_data import mobile
from liandong.organizations.models import Organization
from liandong.training.models import Attendance, Lecturer
from liandong.training.services import (
    attendance_mark,
    document_create,
    document_version_add,
    lecturer_add,
    session_record,
)

LECTURERS = [
    ("邵立新", "威海市总工会基层工作部部长", "职工代表大会制度、厂务公开"),
    ("孙晓梅", "威海市总工会法律工作部副部长", "集体协商、劳动法律法规"),
    ("席于洋", "光威集团工会主席", "依靠职工办企业、提案工作"),
    ("姜红", "山东大学（威海）法学院副教授", "劳动合同法、民主管理法规"),
    ("王建平", "威高集团工会副主席", "职代会提案督办、厂务公开"),
]


def pdf(text: str) -> bytes:
    """A small valid PDF whose page says ``text`` (ASCII only: built-in fonts)."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def toolkit_zip(files: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return out.getvalue()


def load(ctx: dict[str, Any]) -> None:
    orgs: dict[str, Organization] = ctx["orgs"]
    weihai = orgs.get("WEIHAI-ZGH")
    staff = User.objects.filter(username="weihai_staff").first()
    if weihai is None or staff is None:
        return
    ctx["more_logins"].append(
        ("讲师团与培训", "weihai_staff（威海市总工会：讲师团、代表培训、指导资料库）")
    )
    if Lecturer.objects.filter(organization=weihai).exists():
        return
    rng = random.Random(20261203)  # noqa: S311 - invented demo data, reproducible
    lecturers = [
        lecturer_add(
            actor=staff,
            organization=weihai,
            name=name,
            affiliation=affiliation,
            topics=topics,
            mobile=mobile(rng),
        )
        for name, affiliation, topics in LECTURERS
    ]
    _sessions(staff, weihai, lecturers, rng)
    _library(staff, weihai)


def _sessions(
    staff: User, weihai: Organization, lecturers: list[Lecturer], rng: random.Random
) -> None:
    congresses = [d for p in hooks("delegate_lists") for d in p(weihai)]
    guangwei = next((c for c in congresses if "光威" in c["title"]), None)
    others = [c for c in congresses if c is not guangwei][:2]
    points = sorted(
        (name for p in hooks("teaching_points") for name in p(weihai)),
        key=lambda n: "光威" not in n,
    )
    today = timezone.localdate()

    def at(days: int, hour: int) -> datetime:
        return timezone.make_aware(datetime.combine(today + timedelta(days=days), time(hour)))

    plan: list[tuple[str, datetime, str, str, list[Lecturer], dict[str, Any] | None]] = [
        (
            "职工代表大会制度与职工代表履职",
            at(-75, 9),
            "",
            points[0] if points else "",
            [lecturers[0], lecturers[2]],
            guangwei,
        ),
        (
            "《厂务公开操作指引》解读",
            at(-40, 14),
            "威海市职工服务中心三楼报告厅",
            "",
            [lecturers[0], lecturers[4]],
            guangwei,
        ),
        *(
            (
                ["集体协商“一样本两指引”实务", "职代会提案征集与厂务公开实务"][i],
                at(-20 - 7 * i, 9),
                "威海服务贸易产业园党群服务中心",
                "",
                [lecturers[1], lecturers[3]],
                congress,
            )
            for i, congress in enumerate(others)
        ),
        (
            "职工代表提案撰写与督办",
            at(9, 9),
            "威海市职工服务中心三楼报告厅",
            "",
            [lecturers[2]],
            guangwei,
        ),
    ]
    for topic, starts_at, place, point, names, congress in plan:
        session = session_record(
            actor=staff,
            organization=weihai,
            topic=topic,
            starts_at=starts_at,
            place=place,
            teaching_point=point,
            lecturers=names,
            congress_key=congress["key"] if congress else "",
            note="讲师团送教上门，优秀管理者现身说法。" if point else "",
        )
        if starts_at > timezone.now():
            continue
        invited = list(
            Attendance.objects.filter(session=session).values_list("worker_id", flat=True)
        )
        came = [w for w in invited if rng.random() < 0.85]
        if came:
            attendance_mark(actor=staff, session=session, worker_ids=came)


def _library(staff: User, weihai: Organization) -> None:
    handbook = document_create(
        actor=staff,
        organization=weihai,
        kind="handbook",
        category="厂务公开",
        title="厂务公开操作指引",
        summary="市、区两级工会为基层配备的民主管理指导手册：厂务公开的内容、程序、形式和监督，图文并茂。",
        published=True,
        file=SimpleUploadedFile("厂务公开操作指引（2025版）.pdf", pdf("Changwu Gongkai 2025")),
        note="首次印发",
    )
    document_version_add(
        actor=staff,
        document=handbook,
        file=SimpleUploadedFile("厂务公开操作指引（2026修订版）.pdf", pdf("Changwu Gongkai 2026")),
        note="补充新就业形态企业的公开事项",
    )
    toolkit = document_create(
        actor=staff,
        organization=weihai,
        kind="toolkit",
        category="职代会",
        title="民主管理实务读本与工作明白纸",
        summary="“干什么、谁来干、怎样干”：职代会筹备清单、提案表、厂务公开栏样式等工具。",
        published=True,
        file=SimpleUploadedFile(
            "民主管理工具包（第1版）.zip",
            toolkit_zip({"职代会筹备清单.txt": "一、确定代表名额\n二、选举职工代表\n"}),
        ),
        note="首批 12 项",
    )
    document_version_add(
        actor=staff,
        document=toolkit,
        file=SimpleUploadedFile(
            "民主管理工具包（第2版）.zip",
            toolkit_zip(
                {
                    "职代会筹备清单.txt": "一、确定代表名额\n二、选举职工代表\n三、征集提案\n",
                    "工作明白纸.txt": "厂务公开“六公开”事项一览。\n",
                }
            ),
        ),
        note="增补工作明白纸",
    )
    document_create(
        actor=staff,
        organization=weihai,
        kind="handbook",
        category="职代会",
        title="职工代表大会指引",
        summary="职代会的筹备、召开、闭会期间工作和提案办理。",
        published=True,
        file=SimpleUploadedFile("职工代表大会指引.pdf", pdf("Zhigong Daibiao Dahui")),
    )
    document_create(
        actor=staff,
        organization=weihai,
        kind="case",
        category="依靠职工办企业",
        title="光威集团：职代会提案推动碳纤维产线技术攻关",
        summary="十大典型案例之一。",
        body="光威集团坚持职代会制度二十余年，职工代表提案经立案、督办、评价闭环办理。"
        "2025年职工代表提出的产线改进提案被立案后，由技术部门牵头攻关，"
        "提案人全程参与，成果转化后职工获得创新奖励。",
        published=True,
    )
