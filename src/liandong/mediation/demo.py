"""The demo's labour-dispute mediation (劳动争议化解, the 枫桥经验 of the seed page's 威海
article, told here for 兰州's couriers): the mediation committee of 兰州快递业工会联合会
took a courier's wage demand to an agreement, referred a social-insurance dispute to labour
arbitration, and is mediating a third case whose limit is near. Visible to ``lz_mediator``
(its mediator), ``kuaidi_fed``, ``gansu_staff`` and ``gansu_admin``."""

from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from liandong.accounts.models import Role, User
from liandong.core import crypto
from liandong.core.extensions import DemandRef
from liandong.mediation import services
from liandong.mediation.models import Case, Party, Session
from liandong.notifications.services import muted
from liandong.organizations.models import Organization

PASSWORD = "lian-dong-2026"  # noqa: S105 - printed by `liandong demo` on purpose


def _user(username: str, name: str, organization: Organization) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create_user(
            username=username,
            password=PASSWORD,
            display_name=name,
            role=Role.UNION_STAFF,
            organization=organization,
        )
    return user


def _wage_demand(skip: set[int]) -> DemandRef | None:
    """A courier's wage demand of the demands demo. Read by the app registry (the demo only:
    the module itself never imports demands) and handed over as the page's hook would."""
    demand_model = apps.get_model("demands", "Demand")
    demand = (
        demand_model.objects.filter(category="wages", industry="快递")
        .exclude(submitter_name="")
        .exclude(pk__in=skip)
        .order_by("pk")
        .first()
    )
    if demand is None:
        return None
    return DemandRef(
        id=demand.pk,
        code=demand.code,
        url=reverse("demands:demand-detail", args=[demand.pk]),
        union_id=demand.union_id,
        category=demand.category,
        description=demand.description,
        submitter_name=demand.submitter_name,
        employer_name=demand.employer_name,
        mobile=crypto.decrypt(demand.mobile_cipher),
    )


def _at(day: Any, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def load(ctx: dict[str, Any]) -> None:
    ctx["more_logins"].append(
        (
            "劳动争议调解",
            "lz_mediator（兰州快递业工会联合会调解员）；gansu_staff、kuaidi_fed 也可查看",
        )
    )
    if Case.objects.exists():
        return
    with muted():
        _load(ctx)


def _session(case: Case, mediator: User, day: Any, place: str, attendees: str, notes: str) -> None:
    session = services.session_record(
        actor=mediator, case=case, held_on=day, place=place, attendees=attendees, notes=notes
    )
    Session.objects.filter(pk=session.pk).update(created_at=_at(day, 17))


def _load(ctx: dict[str, Any]) -> None:
    orgs: dict[str, Organization] = ctx["orgs"]
    committee = orgs["LZ-KDGL"]
    mediator = _user("lz_mediator", "马春燕", committee)
    today = timezone.localdate()

    # 1. A courier's wage arrears, from his demand, mediated to an agreement.
    demand = _wage_demand(set())
    if demand is not None:
        opened = today - timedelta(days=24)
        case = services.case_open_from_demand(
            actor=mediator, demand=demand, union=committee, now=_at(opened, 10)
        )
        Case.objects.filter(pk=case.pk).update(claim_amount=Decimal("8600.00"))
        services.party_update(
            actor=mediator,
            case=case,
            role=Party.Role.RESPONDENT,
            data=services.PartyData(
                kind=Party.Kind.ENTERPRISE,
                name=demand.employer_name or "中通快递兰州七里河网点",
                contact_name="刘站长",
                mobile="13893100452",
            ),
        )
        _session(
            case,
            mediator,
            opened + timedelta(days=6),
            "兰州快递业工会联合会职工服务站调解室",
            "申请人、网点负责人刘站长、调解员马春燕",
            "网点承认拖欠两个月派费和工资共 8,600 元，称总部结算延迟；双方同意核对派件量后再谈。",
        )
        _session(
            case,
            mediator,
            opened + timedelta(days=13),
            "兰州快递业工会联合会职工服务站调解室",
            "申请人、网点负责人刘站长、品牌区域经理、调解员马春燕",
            "核对后确认欠款 8,600 元，网点同意分两次付清。",
        )
        signed = opened + timedelta(days=14)
        case.refresh_from_db()
        case = services.case_agree(
            actor=mediator,
            case=case,
            terms="被申请人于 2 日内支付拖欠的派费和工资 5,000 元，15 日内付清余款 3,600 元；"
            "申请人不再就该期间报酬提出其他请求。",
            amount=Decimal("8600.00"),
            signed_on=signed,
        )
        Case.objects.filter(pk=case.pk).update(closed_at=_at(signed, 16))

    # 2. Social insurance not paid for a courier: the employer refused, referred to arbitration.
    opened = today - timedelta(days=30)
    referred = services.case_open(
        actor=mediator,
        union=committee,
        case_type="insurance",
        summary="申请人在迅丰同城安宁站从事即时配送一年，站点未为其缴纳社会保险，请求补缴。",
        claim_amount=Decimal("12480.00"),
        applicant=services.PartyData(
            kind=Party.Kind.PERSON,
            name="马建军",
            id_number="620105199108152318",
            mobile="13893104417",
        ),
        respondent=services.PartyData(
            kind=Party.Kind.ENTERPRISE, name="迅丰同城安宁站", contact_name="张经理"
        ),
        mediators=[mediator],
        now=_at(opened, 9),
    )
    _session(
        referred,
        mediator,
        opened + timedelta(days=7),
        "安宁区职工服务中心",
        "申请人马建军、站点张经理、调解员马春燕",
        "站点认为双方为合作关系而非劳动关系，拒绝补缴，不同意继续调解。",
    )
    referred.refresh_from_db()
    services.case_refer(
        actor=mediator,
        case=referred,
        reason="被申请人否认劳动关系、拒绝调解，已告知申请人向兰州市劳动人事争议仲裁委员会申请仲裁。",
    )
    Case.objects.filter(pk=referred.pk).update(closed_at=_at(opened + timedelta(days=8), 11))

    # 3. Still being mediated, its limit near: the tick reminds 马春燕.
    opened = today - timedelta(days=17)
    current = services.case_open(
        actor=mediator,
        union=committee,
        case_type="rest",
        summary="分拣中心“双十一”期间连续加班 20 天未安排调休，也未支付加班费。",
        applicant=services.PartyData(kind=Party.Kind.PERSON, name="李娟", mobile="13993107765"),
        respondent=services.PartyData(
            kind=Party.Kind.ENTERPRISE, name="韵达快递兰州分拨中心", contact_name="人事部王主管"
        ),
        mediators=[mediator],
        now=_at(opened, 14),
    )
    _session(
        current,
        mediator,
        opened + timedelta(days=5),
        "兰州快递业工会联合会职工服务站调解室",
        "申请人李娟、人事部王主管、调解员马春燕",
        "企业同意核查考勤记录，下次会谈提出补休或加班费方案。",
    )
