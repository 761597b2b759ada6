"""Demo of campaigns, from the seed's 威海 article: the city union's 2026 企业民主管理“八项行动”
with its targets (57 new grassroots unions, 47 new democratic-management units, 630 publicity
events) set for the city and its districts, the unions founded and the workers' congresses
counted from the records, the publicity events reported by the districts; and the
“破题攻关求实效 揭榜挂帅显担当” round whose tasks the city's SASAC (市国资委, a partner body) and
the district unions took up, with milestones (one overdue) and a result.

Idempotent. Logins (password ``lian-dong-2026``): ``weihai_staff`` (威海市总工会, manages both),
``weihai_guozi`` (威海市国资委, a liaison: its body's claimed task, an open task to claim)."""

import random
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from liandong.accounts.models import Role, User
from liandong.campaigns import services as s
from liandong.campaigns.models import Campaign
from liandong.notifications.services import muted
from liandong.organizations.models import Organization
from liandong.organizations.services import organization_create, organization_link_partner

PASSWORD = "lian-dong-2026"  # noqa: S105 - the demo's shared password, printed in the docs
K = Organization.Kind
DISTRICTS = [
    ("WEIHAI-HC", "威海市环翠区总工会", "环翠区总"),
    ("WEIHAI-WD", "威海市文登区总工会", "文登区总"),
    ("WEIHAI-RC", "荣成市总工会", "荣成市总"),
    ("WEIHAI-RS", "乳山市总工会", "乳山市总"),
]
FOUNDED = {  # new grassroots unions founded this year, per district (the city's target: 57)
    "WEIHAI-HC": 16,
    "WEIHAI-WD": 12,
    "WEIHAI-RC": 14,
    "WEIHAI-RS": 9,
}
TRADES = ["物流", "电商", "软件", "食品", "渔业", "机械", "纺织", "家政", "餐饮", "建材"]


def _user(username: str, name: str, role: str, organization: Organization) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create_user(
            username=username,
            password=PASSWORD,
            display_name=name,
            role=role,
            organization=organization,
        )
    return user


def load(ctx: dict[str, Any]) -> None:
    ctx["more_logins"].append(
        (
            "专项行动",
            "weihai_staff（威海市总工会，八项行动与揭榜挂帅）、weihai_guozi（威海市国资委，揭榜单位）",
        )
    )
    orgs: dict[str, Organization] = ctx["orgs"]
    if "WEIHAI-ZGH" not in orgs or Campaign.objects.filter(owner=orgs["WEIHAI-ZGH"]).exists():
        return
    with muted():
        _load(orgs)


def _load(orgs: dict[str, Organization]) -> None:
    rng = random.Random(20261203)  # noqa: S311 - invented demo data, reproducible
    today = timezone.localdate()
    weihai = orgs["WEIHAI-ZGH"]
    staff = _user("weihai_staff", "刘海燕", Role.UNION_STAFF, weihai)
    districts = {}
    for code, name, short in DISTRICTS:
        districts[code] = Organization.objects.filter(code=code).first() or organization_create(
            actor=None,
            name=name,
            code=code,
            kind=K.UNION,
            parent=weihai,
            level=Organization.Level.CITY,
            short_name=short,
            city="威海",
        )
    guozi = Organization.objects.filter(code="WEIHAI-GZW").first() or organization_create(
        actor=None,
        name="威海市人民政府国有资产监督管理委员会",
        code="WEIHAI-GZW",
        kind=K.AUTHORITY,
        short_name="威海市国资委",
        city="威海",
    )
    organization_link_partner(actor=None, union=weihai, partner=guozi)
    liaison = _user("weihai_guozi", "王志强", Role.LIAISON, guozi)
    start = date(today.year, 1, 1)
    elapsed = max((today - start).days, 1)
    # The unions founded this year: counted by the campaign from their founding dates.
    n = 0
    for code, count in FOUNDED.items():
        for i in range(count):
            n += 1
            organization_create(
                actor=None,
                name=f"威海{rng.choice(TRADES)}{'甲乙丙丁戊己庚辛壬癸'[i % 10]}{n:02d}有限公司",
                code=f"WEIHAI-NEW-{n:03d}",
                kind=K.ENTERPRISE,
                parent=districts[code],
                city="威海",
                union_status=Organization.UnionStatus.FOUNDED,
                union_founded_on=start + timedelta(days=rng.randrange(elapsed)),
            )

    end = date(today.year, 12, 31)
    eight = s.campaign_create(
        actor=staff,
        owner=weihai,
        name=f"{today.year}年企业民主管理“八项行动”",
        starts_on=start,
        ends_on=end,
        description="班子成员分片包干、对口联系147家重点企业，开展“八项行动”精准助企惠工；"
        "深入招聘会、物流园区、重点企业开展政策宣讲、知识竞赛，带动新建基层工会和民主管理制度单位。",
    )
    for org, unions, units, events in [
        (weihai, 57, 47, 630),
        (districts["WEIHAI-HC"], 18, 14, 200),
        (districts["WEIHAI-WD"], 13, 10, 150),
        (districts["WEIHAI-RC"], 15, 12, 160),
        (districts["WEIHAI-RS"], 11, 8, 120),
    ]:
        for measure, value in [
            ("organizations.unions_founded", unions),
            ("democracy.units_established", units),
            ("reported.publicity", events),
        ]:
            s.target_set(
                actor=staff, campaign=eight, organization=org, measure=measure, value=value
            )
    for code, places in [
        ("WEIHAI-HC", ["招聘会", "物流园区", "威海经区服务业园区"]),
        ("WEIHAI-WD", ["文登物流园", "重点企业"]),
        ("WEIHAI-RC", ["渔港码头", "招聘会"]),
        ("WEIHAI-RS", ["乳山工业园"]),
    ]:
        for month in range(1, today.month + 1):
            day = date(today.year, month, min(20, today.day if month == today.month else 20))
            s.progress_report(
                actor=staff,
                campaign=eight,
                organization=districts[code],
                measure="reported.publicity",
                count=rng.randrange(10, 17),
                occurred_on=day,
                evidence=f"{rng.choice(places)}民主管理政策宣讲、知识竞赛（活动照片与签到表已存档）",
            )

    board = s.campaign_create(
        actor=staff,
        owner=weihai,
        name="“破题攻关求实效 揭榜挂帅显担当”专项活动",
        starts_on=start,
        ends_on=end,
        description="市政府与市总工会联席会议部署，围绕企业民主管理难点发布任务榜单，"
        "由成员单位和各区市总工会揭榜攻关，按节点推进、年底验收。",
    )
    soe = s.task_create(
        actor=staff,
        campaign=board,
        title="推动北洋集团等12家国企规范工会设置和职代会机制",
        description="联合市国资委，逐家核查国企工会设置与职代会制度，年内全部规范到位。",
        due_on=date(today.year, 12, 20),
    )
    s.task_claim(actor=liaison, task=soe, organization=guozi)
    done = s.milestone_add(
        actor=liaison, task=soe, title="完成12家国企工会设置摸底", due_on=start + timedelta(days=59)
    )
    s.milestone_done(
        actor=liaison, milestone=done, done_on=start + timedelta(days=55), note="形成摸底台账"
    )
    s.milestone_add(
        actor=liaison,
        task=soe,
        title="6家国企召开职代会",
        due_on=max(start, today - timedelta(days=10)),
    )
    s.milestone_add(
        actor=liaison, task=soe, title="12家国企职代会制度全部建立", due_on=date(today.year, 12, 20)
    )
    park = s.task_create(
        actor=staff,
        campaign=board,
        title="物流园区小微企业联合建会",
        description="以物流园区为单位推行区域性联合建会，覆盖园区内小微物流企业。",
        due_on=date(today.year, 9, 30),
    )
    hc_staff = _user("weihai_hc_staff", "孙丽", Role.UNION_STAFF, districts["WEIHAI-HC"])
    s.task_claim(actor=hc_staff, task=park, organization=districts["WEIHAI-HC"])
    step = s.milestone_add(
        actor=hc_staff, task=park, title="园区企业摸底", due_on=start + timedelta(days=30)
    )
    s.milestone_done(actor=hc_staff, milestone=step, done_on=start + timedelta(days=28))
    s.task_complete(
        actor=hc_staff,
        task=park,
        result="环翠区物流园区联合工会成立，覆盖小微物流企业23家、职工1,100余人。",
        completed_on=min(today, start + timedelta(days=60)),
    )
    s.task_create(
        actor=staff,
        campaign=board,
        title="《企事业单位民主管理工作三年规划》宣讲进园区",
        description="联合人社、教育等部门，在各类园区开展规划宣讲，每个园区至少一场。",
        due_on=date(today.year, 12, 15),
    )
    s.task_create(
        actor=staff,
        campaign=board,
        title="非公企业厂务公开示范点建设",
        description="培育厂务公开示范点，形成可复制的经验做法。",
    )
