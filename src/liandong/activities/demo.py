"""The seed page's service activities for ``liandong demo``: 甘南 recuperation for 40 couriers
(lottery, notice, confirmed, checked in), 双十一 and 春节 care, 爱心义剪 serving 300+ people,
北京's volunteer caravan with 5 sub-venues, 天津河西区's shared workers' homes and a free clinic,
无为市's 微疗养 (15 partner units, themed routes, 200万 union funds, a 50万 special fund, subsidies
to enterprises, 300万+ local products) and 峨眉山's nursing class for 30. Idempotent.

Past events are played through the services (applications, draw, withdrawal with promotion,
notice, confirmation, check-in) while their dates are still ahead, then moved to their real
dates, so that every figure comes from records made by the same rules as in production."""

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from liandong.activities import services as s
from liandong.activities.models import (
    Activity,
    ActivityKind,
    Application,
    ApplicationStatus,
    ExpenseKind,
    FundSource,
    Selection,
)
from liandong.core.sample_data import id_number, mobile, person_name
from liandong.notifications.services import muted
from liandong.organizations.models import Organization
from liandong.organizations.services import organization_create
from liandong.workers.models import Worker
from liandong.workers.services import worker_register

K = Organization.Kind
L = Organization.Level
GANNAN = "甘南草原快递员疗休养"
TZ = timezone.get_default_timezone()

WUWEI_UNITS = [
    "无为市红庙镇三水涧景区",
    "无为市泥汊镇江滨生态园",
    "无为市严桥镇芝麻小镇",
    "无为市昆山镇山水田园",
    "无为市鹤毛乡鹤毛老街民宿",
    "无为市蜀山镇绿茶园",
    "无为市石涧镇竹海康养基地",
    "无为市开城镇温泉度假村",
    "无为市高沟镇电缆小镇研学基地",
    "无为市襄安镇中医药养生馆",
    "无为市刘渡镇湿地公园",
    "无为市洪巷镇草莓采摘园",
    "无为市十里墩乡农耕文化园",
    "无为市六洲镇江鲜农庄",
    "无为市陡沟镇花博园",
]
WUWEI_ROUTES = [
    ("“山水·养生”主题线路", ["三水涧景区", "竹海康养基地", "中医药养生馆"]),
    ("“田园·文化”主题线路", ["芝麻小镇", "农耕文化园", "鹤毛老街"]),
    ("“休闲·健身”主题线路", ["江滨生态园", "湿地公园", "温泉度假村"]),
    ("“三八”节女职工微疗养", ["花博园", "草莓采摘园"]),
    ("单身青年交友微疗养", ["山水田园", "江鲜农庄"]),
]
WUWEI_PRODUCTS = ["小磨香油", "富硒大米", "无为绿茶", "江鲜", "土特产礼盒", "腊味", "草莓"]
WUWEI_ADMINS = [
    ("wuwei_admin", "无为市总工会 经审 周立新"),
    ("wuwei_admin2", "无为市总工会 副主席 孙德明"),
]
WUWEI_MERCHANTS = [
    ("严桥镇芝麻香油合作社", Decimal("486000")),
    ("昆山镇富硒大米合作社", Decimal("612000")),
    ("蜀山镇绿茶专业合作社", Decimal("395000")),
    ("泥汊镇江鲜水产店", Decimal("438000")),
    ("鹤毛乡土特产展销馆", Decimal("527500")),
    ("红庙镇农家腊味坊", Decimal("318000")),
    ("洪巷镇草莓种植基地", Decimal("286000")),
]


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=TZ)


def _org(
    orgs: dict[str, Organization],
    code: str,
    name: str,
    kind: str,
    parent: str | None,
    **fields: Any,
) -> Organization:
    if code not in orgs:
        orgs[code] = organization_create(
            actor=None,
            code=code,
            name=name,
            kind=kind,
            parent=orgs[parent] if parent else None,
            **fields,
        )
    return orgs[code]


def _window() -> dict[str, Any]:
    now = timezone.now()
    return {
        "applications_open_at": now - timedelta(days=1),
        "applications_close_at": now + timedelta(days=10),
    }


def _move(
    activity: Activity,
    *,
    starts_on: date,
    ends_on: date,
    close_days_before: int = 20,
    notice: bool = False,
) -> None:
    """Put a played-through activity at its real dates."""
    close = _at(starts_on - timedelta(days=close_days_before), 18)
    fields: dict[str, Any] = {"starts_on": starts_on, "ends_on": ends_on}
    if activity.applications_close_at:
        fields.update(applications_open_at=close - timedelta(days=10), applications_close_at=close)
    if activity.drawn_at:
        fields["drawn_at"] = close + timedelta(hours=15)
    if notice:
        fields.update(
            notice_starts_on=close.date() + timedelta(days=1),
            notice_ends_on=close.date() + timedelta(days=6),
        )
    Activity.objects.filter(pk=activity.pk).update(**fields)


def _check_in(activity: Activity, day: date, rng: random.Random, *, absent: int = 0) -> None:
    held = list(
        Application.objects.filter(
            activity=activity, status__in=[ApplicationStatus.SELECTED, ApplicationStatus.CONFIRMED]
        )
    )
    comments = [
        "安排周到，谢谢工会！",
        "第一次去甘南，终于圆梦了",
        "住宿和伙食都很好",
        "希望明年还能有这样的活动",
        "",
    ]
    for application in held[: len(held) - absent]:
        s.application_check_in(actor=None, application=application, on=day)
        application.refresh_from_db()
        s.application_feedback(
            actor=None,
            application=application,
            rating=rng.choice([5, 5, 5, 4]),
            feedback=rng.choice(comments),
        )
    Application.objects.filter(activity=activity, checked_in_at__isnull=False).update(
        checked_in_at=_at(day, 8, 30)
    )


HOMES_STAFF = "hexi_staff"


def _homes_staff(orgs: dict[str, Organization]) -> None:
    """A login for 河西区总工会's staff, who run the shared workers' homes (idempotent)."""
    from liandong.accounts.demo import DEMO_PASSWORD
    from liandong.accounts.models import Role, User

    if not User.objects.filter(username=HOMES_STAFF).exists():
        User.objects.create_user(
            username=HOMES_STAFF,
            password=DEMO_PASSWORD,
            display_name="河西区总工会 刘晓梅",
            role=Role.UNION_STAFF,
            organization=orgs["TJ-HX"],
        )


# Staff logins of the unions whose activities lie outside Gansu (北京's caravan, 无为's 微疗养,
# 峨眉山's nursing class): without them no printed login would see those scenarios.
SCENARIO_STAFF = [
    ("beijing_staff", "北京市总工会 陈静", "BJ-ZGH"),
    ("wuwei_staff", "无为市总工会 汪海燕", "WW-ZGH"),
    ("emei_staff", "峨眉山市总工会 李春梅", "EMS-ZGH"),
]


def _scenario_staff() -> None:
    """The logins of SCENARIO_STAFF, once their unions exist (idempotent)."""
    from liandong.accounts.demo import DEMO_PASSWORD
    from liandong.accounts.models import Role, User

    for username, name, code in SCENARIO_STAFF:
        organization = Organization.objects.filter(code=code).first()
        if organization is None or User.objects.filter(username=username).exists():
            continue
        User.objects.create_user(
            username=username,
            password=DEMO_PASSWORD,
            display_name=name,
            role=Role.UNION_STAFF,
            organization=organization,
        )


def _wuwei_admins(ww: Organization) -> list[Any]:
    """Two union admins of 无为市总工会: one asks for an override, the other approves it."""
    from liandong.accounts.demo import DEMO_PASSWORD
    from liandong.accounts.models import Role, User

    found = []
    for username, name in WUWEI_ADMINS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create_user(
                username=username,
                password=DEMO_PASSWORD,
                display_name=name,
                role=Role.UNION_ADMIN,
                organization=ww,
            )
        found.append(user)
    return found


def load(ctx: dict[str, Any]) -> None:
    # The replay of the past tells nobody (no SMS to the demo's made-up numbers).
    with muted():
        _load(ctx)


def _load(ctx: dict[str, Any]) -> None:
    _homes_staff(ctx["orgs"])
    ctx["more_logins"].append(
        (
            "服务活动",
            f"{HOMES_STAFF}（天津市河西区总工会，职工之家）、beijing_staff（北京市总工会，"
            "志愿服务大篷车）、wuwei_staff（无为市总工会，微疗养、合作单位、特产商户）、"
            "wuwei_admin / wuwei_admin2（无为市总工会管理员：经费科目、超预算审批）、"
            "emei_staff（峨眉山市总工会，"
            "护理员培训班）",
        )
    )
    if Activity.objects.filter(title=GANNAN).exists():
        _scenario_staff()
        return
    rng = random.Random(20260608)  # noqa: S311 - invented demo data, reproducible
    orgs: dict[str, Organization] = ctx["orgs"]
    year = timezone.localdate().year
    jmgh = orgs["GS-JMGH"]

    # -- 甘南 recuperation: 40 couriers, lottery with tiers and per-company quotas ---------------
    companies = [
        code for code in orgs if code.startswith("KD-") and code.count("-") == 1 and code != "KD-XF"
    ]
    quotas = [
        (orgs[code], 5 if code in {"KD-SF", "KD-ZTO", "KD-YTO", "KD-EMS"} else 4)
        for code in companies
    ]
    gannan = s.activity_create(
        actor=None,
        organizer=jmgh,
        co_organizers=[orgs["GS-YZJ"], orgs["GS-KDXH"]],
        publish=True,
        title=GANNAN,
        kind=ActivityKind.RECUPERATION,
        starts_on=timezone.localdate() + timedelta(days=30),
        ends_on=timezone.localdate() + timedelta(days=35),
        place="甘南藏族自治州 合作市—夏河县拉卜楞寺—碌曲县郎木寺—玛曲县",
        target_group="兰州市快递员（工会会员）",
        target_worker_types=["courier"],
        total_places=40,
        selection=Selection.LOTTERY,
        members_only=True,
        no_recuperation_years=3,
        priority_rules=["honour:劳模", "never_recuperated"],
        objection_channel="省经贸工会权益保障部 0931-8416520",
        description="省邮政管理局、省快递协会与省经贸工会三方协调，组织一线快递员赴甘南草原免费疗休养 6 天。",
        quotas=quotas,
        **_window(),
    )
    couriers = (
        Worker.objects.filter(
            employer__path__startswith=orgs["LZ-KDGL"].path,
            worker_type="courier",
            joined_union_on__isnull=False,
        )
        .select_related("employer")
        .order_by("id")
    )
    for worker in couriers:
        if s.eligibility_check(activity=gannan, worker=worker).ok:
            s.application_submit(actor=worker.user, activity=gannan, worker=worker)
    Activity.objects.filter(pk=gannan.pk).update(
        applications_close_at=timezone.now() - timedelta(seconds=1)
    )
    gannan = s.activity_draw(actor=None, activity=gannan)
    first = (
        Application.objects.filter(activity=gannan, status=ApplicationStatus.SELECTED)
        .order_by("id")
        .first()
    )
    if first is not None:  # one selected courier could not go; the waiting list moved up
        s.application_withdraw(
            actor=None, application=first, reason="旺季网点人手紧张，主动让出名额"
        )
    gannan = s.activity_publish_notice(
        actor=None, activity=Activity.objects.get(pk=gannan.pk), days=5
    )
    Activity.objects.filter(pk=gannan.pk).update(notice_ends_on=timezone.localdate())
    s.activity_confirm(actor=None, activity=Activity.objects.get(pk=gannan.pk))
    trip = date(year, 6, 8)
    _move(gannan, starts_on=trip, ends_on=trip + timedelta(days=5), notice=True)
    _check_in(Activity.objects.get(pk=gannan.pk), trip, rng)
    ctx["gannan"] = gannan

    # -- Funds of 省经贸工会 --------------------------------------------------------------------------
    care_line = s.budget_line_create(
        actor=None,
        owner=jmgh,
        year=year,
        source=FundSource.UNION_FUNDS,
        name="新就业形态劳动者服务经费",
        amount=Decimal("600000"),
    )
    s.expense_record(
        actor=None,
        budget_line=care_line,
        kind=ExpenseKind.EXPENSE,
        amount=Decimal("196800"),
        spent_on=trip + timedelta(days=6),
        activity=gannan,
        note="甘南疗休养 6 天 40 人：交通、食宿、保险",
    )

    # -- 双十一 care (open: no registration), 春节 care (nominated by the companies) ----------------
    singles = s.activity_create(
        actor=None,
        organizer=orgs["LZ-KDGL"],
        co_organizers=[orgs["GS-KDXH"]],
        publish=True,
        title="“双十一”快递员暖心慰问",
        kind=ActivityKind.HOLIDAY_CARE,
        starts_on=date(year, 11, 11),
        ends_on=date(year, 11, 13),
        place="兰州市各快递分拨中心和网点",
        target_group="一线快递员、分拣员",
        selection=Selection.OPEN,
        sub_venues=["城关区分拨中心", "七里河区分拨中心", "安宁区分拨中心", "榆中县城关网点"],
    )
    for venue, people in zip(singles.sub_venues.all(), [426, 318, 205, 96], strict=True):
        s.service_entry_record(
            actor=None,
            activity=singles,
            sub_venue=venue,
            people=people,
            served_on=date(year, 11, 11),
            note="送去热饮、护腰、暖手宝",
        )
    s.expense_record(
        actor=None,
        budget_line=care_line,
        kind=ExpenseKind.EXPENSE,
        amount=Decimal("104500"),
        spent_on=date(year, 11, 10),
        activity=singles,
        note="慰问品 1045 份",
    )
    s.activity_create(
        actor=None,
        organizer=jmgh,
        co_organizers=[orgs["GS-YZJ"], orgs["GS-KDXH"]],
        publish=True,
        title=f"{year + 1}年春节“送温暖”快递员慰问",
        kind=ActivityKind.HOLIDAY_CARE,
        starts_on=date(year + 1, 1, 26),
        ends_on=date(year + 1, 2, 3),
        place="各快递企业网点",
        target_group="春节坚守岗位的快递员",
        total_places=180,
        selection=Selection.NOMINATION,
        quotas=[(orgs[code], 20) for code in companies],
        objection_channel="省经贸工会 0931-8416520",
        **_window(),
    )
    # The companies' unions nominate within their quotas while the window is open.

    # -- 爱心义剪 (beauty federation): 300+ people served -----------------------------------------
    haircut = s.activity_create(
        actor=None,
        organizer=orgs["GS-MFGL"],
        co_organizers=[orgs["GS-MRXH"]],
        publish=True,
        title="“爱心义剪”公益活动",
        kind=ActivityKind.CHARITY,
        starts_on=date(year, 9, 20),
        ends_on=date(year, 10, 18),
        place="兰州市社区、工地、养老院",
        target_group="社区居民、建筑工人、养老院老人",
        selection=Selection.OPEN,
        sub_venues=["城关区雁南社区", "中建七局兰州地铁工地", "七里河区颐养院"],
    )
    for venue, people, day in zip(
        haircut.sub_venues.all(),
        [132, 97, 86],
        [date(year, 9, 20), date(year, 10, 4), date(year, 10, 18)],
        strict=True,
    ):
        s.service_entry_record(
            actor=None,
            activity=haircut,
            sub_venue=venue,
            people=people,
            served_on=day,
            note="美发技师 18 人志愿服务",
        )

    # -- An open first-come activity and an open lottery the demo worker can apply for -----------------
    s.activity_create(
        actor=None,
        organizer=jmgh,
        publish=True,
        title="兴隆山冬季微疗养（第一批）",
        kind=ActivityKind.MICRO_RECUPERATION,
        starts_on=timezone.localdate() + timedelta(days=24),
        ends_on=timezone.localdate() + timedelta(days=25),
        place="榆中县兴隆山",
        target_group="快递员、外卖骑手",
        total_places=50,
        selection=Selection.FIRST_COME,
        members_only=True,
        min_age=18,
        max_age=60,
        objection_channel="0931-8416520",
        **_window(),
    )
    dunhuang = s.activity_create(
        actor=None,
        organizer=jmgh,
        co_organizers=[orgs["GS-YZJ"], orgs["GS-KDXH"]],
        publish=True,
        title=f"{year + 1}年敦煌职工疗休养",
        kind=ActivityKind.RECUPERATION,
        starts_on=date(year + 1, 5, 12),
        ends_on=date(year + 1, 5, 17),
        place="敦煌莫高窟—鸣沙山月牙泉—阳关",
        target_group="新就业形态劳动者（工会会员）",
        total_places=40,
        selection=Selection.LOTTERY,
        members_only=True,
        no_recuperation_years=3,
        priority_rules=["honour:劳模", "never_recuperated"],
        objection_channel="0931-8416520",
        **_window(),
    )
    wang = ctx.get("wang")
    others = couriers if wang is None else couriers.exclude(pk=wang.pk)
    for worker in others[:23]:
        if s.eligibility_check(activity=dunhuang, worker=worker).ok:
            s.application_submit(actor=None, activity=dunhuang, worker=worker)

    # -- 北京: the volunteer caravan with 5 sub-venues -----------------------------------------------
    _org(
        orgs,
        "BJ-ZGH",
        "北京市总工会",
        K.UNION,
        "ACFTU",
        level=L.PROVINCE,
        city="北京",
        short_name="北京市总",
    )
    _org(orgs, "BJ-ZGFW", "北京市总工会职工服务中心", K.UNION, "BJ-ZGH", level=L.CITY, city="北京")
    helpers = [
        _org(
            orgs, f"BJ-{code}", f"北京市{name}总工会", K.UNION, "BJ-ZGH", level=L.CITY, city="北京"
        )
        for code, name in [("CY", "朝阳区"), ("FT", "丰台区"), ("SY", "顺义区")]
    ]
    helpers.append(
        _org(
            orgs,
            "BJ-BAIC",
            "北京汽车集团有限公司",
            K.ENTERPRISE,
            "BJ-ZGH",
            city="北京",
            union_status=Organization.UnionStatus.FOUNDED,
        )
    )
    caravan = s.activity_create(
        actor=None,
        organizer=orgs["BJ-ZGFW"],
        co_organizers=helpers,
        publish=True,
        title="首都职工志愿服务大篷车“筑牢防线·平安志愿·新能源汽车安全驾驶”",
        kind=ActivityKind.VOLUNTEER,
        starts_on=date(year, 12, 1),
        ends_on=date(year, 12, 7),
        place="朝阳、丰台、顺义等地",
        target_group="网约车司机、快递员、外卖骑手等职工群众",
        selection=Selection.OPEN,
        sub_venues=[
            "朝阳区望京职工驿站",
            "丰台区科技园区",
            "顺义区北汽新能源基地",
            "北汽鹏龙汽车服务中心",
            "朝阳区双井商圈",
        ],
    )
    for i, (venue, people) in enumerate(
        zip(caravan.sub_venues.all(), [238, 196, 312, 174, 205], strict=True)
    ):
        s.service_entry_record(
            actor=None,
            activity=caravan,
            sub_venue=venue,
            people=people,
            served_on=date(year, 12, 1 + i),
            note="安全驾驶讲座、车辆义检、法律咨询",
        )

    # -- 天津河西区: shared workers' homes and a free clinic -------------------------------------------
    hx = orgs["TJ-HX"]
    homes = []
    for name, street, address, facilities in [
        (
            "解放南路商圈职工之家",
            "JS",
            "河西区解放南路与黑牛城道交口楼宇党群服务中心",
            "健身区、培训室、医务室、母婴室、休息区",
        ),
        (
            "大营门街楼宇职工之家",
            "DYM",
            "河西区大营门街南京路企业活动室",
            "阅览室、培训室、热水充电",
        ),
        (
            "友谊路街共享职工之家",
            "YYL",
            "河西区友谊路街友谊路商务楼宇三层",
            "健身房、心理咨询室、多功能厅",
        ),
        (
            "梅江街新就业形态劳动者驿站",
            "MJ",
            "河西区梅江街会展中心东侧",
            "休息区、热水、充电、应急药箱",
        ),
    ]:
        home = s.home_create(
            actor=None,
            name=name,
            owners=[hx, orgs[f"TJ-HX-{street}"]],
            opens_at=time(8, 30),
            closes_at=time(21),
            address=address,
            facilities=facilities,
            capacity=120,
        )
        homes.append(home)
    clinic = s.activity_create(
        actor=None,
        organizer=hx,
        co_organizers=[orgs["TJ-HX-JS"]],
        publish=True,
        title="新就业形态劳动者义诊",
        kind=ActivityKind.CLINIC,
        starts_on=date(year, 12, 3),
        ends_on=date(year, 12, 3),
        place="解放南路商圈职工之家",
        target_group="外卖骑手、快递员、网约车司机",
        selection=Selection.OPEN,
        sub_venues=["解放南路商圈职工之家"],
    )
    day = timezone.localdate()
    bookings = [
        (homes[0], "TJ-HX-JS", -22, 9, 12, "新就业形态劳动者义诊", 86, clinic),
        (homes[0], "TJ-HX", -15, 14, 17, "职工心理健康讲座", 45, None),
        (homes[0], "TJ-HX-JS", 2, 9, 11, "骑手安全骑行培训", 40, None),
        (homes[1], "TJ-HX-DYM", -8, 19, 21, "快递员夜校：普通话与礼仪", 30, None),
        (homes[1], "TJ-HX", 3, 9, 12, "法律援助咨询日", 25, None),
        (homes[2], "TJ-HX-YYL", -5, 18, 20, "职工健身操", 36, None),
        (homes[3], "TJ-HX-MJ", 1, 10, 12, "冬季送温暖：热饮和护具发放", 60, None),
    ]
    for home, owner, offset, start, end, purpose, people, activity in bookings:
        when = day + timedelta(days=offset)
        if str(when.isoweekday()) in home.open_weekdays:
            s.booking_create(
                actor=None,
                home=home,
                owner=orgs[owner],
                starts_at=_at(when, start),
                ends_at=_at(when, end),
                purpose=purpose,
                people=people,
                activity=activity,
            )
    # A booking given back, with its reason: shown apart in the home's usage figures.
    when = day + timedelta(days=4)
    if str(when.isoweekday()) in homes[2].open_weekdays:
        match = s.booking_create(
            actor=None,
            home=homes[2],
            owner=orgs["TJ-HX-YYL"],
            starts_at=_at(when, 14),
            ends_at=_at(when, 16),
            purpose="楼宇职工羽毛球联谊赛",
            people=24,
        )
        s.booking_cancel(actor=None, booking=match, reason="多功能厅地面维修，联谊赛改期至下月")
    s.service_entry_record(
        actor=None,
        activity=clinic,
        sub_venue=clinic.sub_venues.first(),
        people=86,
        served_on=date(year, 12, 3),
        note="测血压血糖、骨科和中医咨询",
    )

    # -- 无为市: 微疗养 with 15 partner units, themed routes, funds and local products -------------------
    units = [
        _org(orgs, f"WW-LXY-{i + 1:02d}", name, K.ENTERPRISE, "WW-ZGH", city="无为")
        for i, name in enumerate(WUWEI_UNITS)
    ]
    ww = orgs["WW-ZGH"]
    funds = s.budget_line_create(
        actor=None,
        owner=ww,
        year=year,
        source=FundSource.UNION_FUNDS,
        name="“工心相约·微养无为”微疗养工会经费",
        amount=Decimal("2000000"),
    )
    special = s.budget_line_create(
        actor=None,
        owner=ww,
        year=year,
        source=FundSource.SPECIAL_FUND,
        name="微疗养专项资金（规上企业奖补）",
        amount=Decimal("500000"),
    )
    products = s.budget_line_create(
        actor=None,
        owner=ww,
        year=year,
        source=FundSource.OTHER,
        name="以疗带游·特产消费（合作商户结算）",
        amount=Decimal("3200000"),
    )
    # The register of the 15 partner units (疗休养合作单位) with their agreements and routes.
    partner_units = []
    for i, name in enumerate(WUWEI_UNITS):
        routes = [r for r, _ in WUWEI_ROUTES if any(stop in name for stop in dict(WUWEI_ROUTES)[r])]
        partner_units.append(
            s.partner_unit_create(
                actor=None,
                owner=ww,
                name=name,
                address=f"安徽省无为市{name.removeprefix('无为市')[:3]}",
                contact=f"0553-63{10 + i:02d}{i * 7 % 100:02d}0",
                agreement_starts_on=date(year, 1, 1),
                agreement_ends_on=date(year + 1, 12, 31),
                capacity=30 + (i % 4) * 10,
                price_per_person=Decimal(120 + (i % 5) * 40),
                routes="\n".join(routes),
            )
        )
    merchants = {
        name: s.merchant_create(
            actor=None,
            owner=ww,
            name=name,
            town=name[:3],
            products=WUWEI_PRODUCTS[index % len(WUWEI_PRODUCTS)],
        )
        for index, (name, _) in enumerate(WUWEI_MERCHANTS)
    }
    for index, (route, stops) in enumerate(WUWEI_ROUTES):
        opens_on = date(year, 3 + index * 2, 8)
        host = next(u for u in partner_units if route in u.route_list)
        activity = s.activity_create(
            actor=None,
            organizer=ww,
            co_organizers=units[index * 3 : index * 3 + 3],
            partner_unit=host,
            route=route,
            publish=True,
            title=f"微疗养：{route}",
            kind=ActivityKind.MICRO_RECUPERATION,
            starts_on=opens_on,
            ends_on=opens_on + timedelta(days=40),
            place="—".join(stops),
            target_group="全市职工（按批次由单位组织）",
            selection=Selection.OPEN,
            sub_venues=stops,
        )
        for venue in activity.sub_venues.all():
            people = 160 + rng.randrange(0, 60)  # 13 stops: 2,000+ people in all, as in the seed
            s.service_entry_record(
                actor=None,
                activity=activity,
                sub_venue=venue,
                people=people,
                served_on=opens_on + timedelta(days=rng.randrange(0, 40)),
                note="分批次 1 日微疗养",
            )
        s.expense_record(
            actor=None,
            budget_line=funds,
            kind=ExpenseKind.EXPENSE,
            amount=Decimal("380000"),
            spent_on=opens_on + timedelta(days=41),
            activity=activity,
            note="线路接待、交通和保险",
        )
    for i, amount in enumerate(
        [
            Decimal("80000"),
            Decimal("60000"),
            Decimal("60000"),
            Decimal("50000"),
            Decimal("50000"),
            Decimal("40000"),
        ]
    ):
        s.expense_record(
            actor=None,
            budget_line=special,
            kind=ExpenseKind.SUBSIDY,
            amount=amount,
            spent_on=date(year, 10, 10 + i),
            enterprise=units[i],
            note="组织职工参加微疗养的规模以上企业奖励补助",
        )
    for merchant, amount in WUWEI_MERCHANTS:
        s.expense_record(
            actor=None,
            budget_line=products,
            kind=ExpenseKind.LOCAL_PRODUCT,
            amount=amount,
            spent_on=date(year, 11, 20),
            local_merchant=merchants[merchant],
            note="微疗养职工购买本地农特产品",
        )
    # Funds administration: a line with an override ceiling, an entry corrected by a reversal,
    # and an override waiting for the second admin (wuwei_admin2 approves wuwei_admin's request).
    admins = _wuwei_admins(ww)
    s.budget_line_update(actor=None, line=special, override_ceiling=Decimal("100000"))
    wrong = s.expense_record(
        actor=admins[0],
        budget_line=funds,
        kind=ExpenseKind.EXPENSE,
        amount=Decimal("38000"),
        spent_on=date(year, 11, 28),
        note="第五批微疗养保险费",
    )
    s.expense_reverse(
        actor=admins[0],
        expense=wrong,
        reason="金额多录一个零，按发票更正",
        corrected_amount=Decimal("3800"),
    )
    s.expense_record(
        actor=admins[0],
        budget_line=special,
        kind=ExpenseKind.SUBSIDY,
        amount=Decimal("180000"),
        spent_on=date(year, 12, 1),
        enterprise=units[6],
        note="年末追加奖补",
        override_reason="市总本级追加奖补，已报党组会研究",
        may_override=True,
    )

    # -- 峨眉山: a nursing-care training class for 30 people -------------------------------------------
    _org(orgs, "SC-ZGH", "四川省总工会", K.UNION, "ACFTU", level=L.PROVINCE, city="成都")
    _org(orgs, "LS-ZGH", "乐山市总工会", K.UNION, "SC-ZGH", level=L.CITY, city="乐山")
    emei = _org(orgs, "EMS-ZGH", "峨眉山市总工会", K.UNION, "LS-ZGH", level=L.CITY, city="峨眉山")
    hrss = _org(
        orgs,
        "EMS-RSJ",
        "峨眉山市人力资源和社会保障局",
        K.AUTHORITY,
        None,
        city="峨眉山",
        short_name="峨眉山市人社局",
    )
    market = _org(orgs, "EMS-LGSC", "峨眉山市零工市场", K.ENTERPRISE, "EMS-ZGH", city="峨眉山")
    training = s.activity_create(
        actor=None,
        organizer=emei,
        co_organizers=[hrss],
        publish=True,
        title="医疗护理员职业技能培训班",
        kind=ActivityKind.TRAINING,
        starts_on=timezone.localdate() + timedelta(days=20),
        ends_on=timezone.localdate() + timedelta(days=34),
        place="峨眉山市职业技能培训学校",
        target_group="待就业人员等重点群体",
        total_places=30,
        selection=Selection.FIRST_COME,
        min_age=18,
        max_age=55,
        objection_channel="峨眉山市人社局 0833-5523456",
        **_window(),
    )
    for _ in range(30):
        trainee = worker_register(
            actor=None,
            name=person_name(rng),
            id_number=id_number(rng, region="511181"),
            mobile=mobile(rng),
            employer=market,
            occupation="待就业（医疗护理员学员）",
        )
        if s.eligibility_check(activity=training, worker=trainee).ok:
            s.application_submit(actor=None, activity=training, worker=trainee)
    # The class opens on 12月2日 (the seed's date); its last places are still open.
    class_day = max(date(year, 12, 2), timezone.localdate() + timedelta(days=3))
    _move(
        training, starts_on=class_day, ends_on=class_day + timedelta(days=14), close_days_before=1
    )
    _scenario_staff()
