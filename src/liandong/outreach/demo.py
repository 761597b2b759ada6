"""Demo of leaders' contact with key enterprises and of agreements, from the seed page:
威海市总's 班子成员分片包干 (each leader keeps contact with a share of the city's 147 key
enterprises; a slice of them here, with visits of this quarter and the last, one problem
turned into a demand, one still open), its cooperation agreement with the city's 国资委 (12
state enterprises' unions and congresses, expiring within the month: its staff are told), and
云南省总's framework agreement with 老挝万象市工会联合会 (signed 2024-10-31, the 中老 contests).

Idempotent. Logins (password ``lian-dong-2026``): ``weihai_staff`` (威海市总, sees every key
enterprise and both 威海 agreements), ``weihai_leader`` (王建国, a leader with his share),
``yunnan_staff`` (云南省总, the 老挝 agreement).
"""

from datetime import date, timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from liandong.accounts.models import Role, User
from liandong.core.documents import Block, FontMissing, pdf_render
from liandong.notifications.services import muted
from liandong.organizations.models import Organization
from liandong.organizations.services import organization_create
from liandong.outreach import services
from liandong.outreach.models import Agreement, KeyEnterprise, Visit

PASSWORD = "lian-dong-2026"  # noqa: S105 - the demo's shared password, printed in the docs
K = Organization.Kind
LEADERS = [
    ("weihai_leader", "王建国", "环翠区"),
    ("weihai_leader2", "孙晓梅", "文登区"),
    ("weihai_leader3", "曲志强", "荣成市"),
]
# (code, name, short name, industry, leader index, area)
ENTERPRISES = [
    ("WEIHAI-GW", "威海光威集团有限责任公司", "光威集团", "复合材料", 0, "环翠区"),
    ("WEIHAI-WG", "威高集团有限公司", "威高集团", "医疗器械", 0, "环翠区"),
    ("WEIHAI-BY", "威海北洋电气集团股份有限公司", "北洋集团", "电子信息", 0, "环翠区"),
    ("WEIHAI-ZJ", "威海紫健生物科技有限公司", "紫健生物", "生物医药", 1, "文登区"),
    ("WEIHAI-WLGJ", "威海文登威力工具集团有限公司", "威力工具", "机械制造", 1, "文登区"),
    ("WEIHAI-SDSP", "荣成石岛海洋食品有限公司", "石岛食品", "水产加工", 2, "荣成市"),
    ("WEIHAI-HG", "荣成华港远洋渔业有限公司", "华港渔业", "远洋渔业", 2, "荣成市"),
    ("WEIHAI-KD", "威海顺达快递服务有限公司", "顺达快递", "快递", 2, "经区"),
]


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


def _org(
    code: str, name: str, kind: str, parent: Organization | None, **fields: Any
) -> Organization:
    return Organization.objects.filter(code=code).first() or organization_create(
        actor=None, code=code, name=name, kind=kind, parent=parent, **fields
    )


def _pdf(title: str, paragraphs: list[str]) -> SimpleUploadedFile | None:
    try:
        content = pdf_render(
            [Block("title", title), *[Block("paragraph", p) for p in paragraphs]], title=title
        )
    except FontMissing:
        return None
    return SimpleUploadedFile(f"{title}.pdf", content, content_type="application/pdf")


def load(ctx: dict[str, Any]) -> None:
    ctx["more_logins"].append(
        (
            "重点企业联系与协议",
            "weihai_staff（威海市总工会）、weihai_leader（包干领导王建国）；"
            "yunnan_staff（云南省总工会，中老框架协议）",
        )
    )
    with muted():
        _load()


def _load() -> None:
    weihai = Organization.objects.filter(code="WEIHAI-ZGH").first()
    yunnan = Organization.objects.filter(code="YN-ZGH").first()
    if weihai is None or yunnan is None or KeyEnterprise.objects.filter(union=weihai).exists():
        return
    today = timezone.localdate()
    staff = _user("weihai_staff", "刘海燕", weihai)
    leaders = [_user(username, name, weihai) for username, name, _ in LEADERS]
    keys = []
    for code, name, short, industry, leader, area in ENTERPRISES:
        enterprise = _org(
            code,
            name,
            K.ENTERPRISE,
            weihai,
            short_name=short,
            industry=industry,
            city="威海",
            union_status=Organization.UnionStatus.FOUNDED,
        )
        keys.append(
            services.key_enterprise_add(
                actor=staff, union=weihai, enterprise=enterprise, leader=leaders[leader], area=area
            )
        )
    quarter = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    last_quarter = quarter - timedelta(days=40)

    def visit(
        i: int, day: date, who: str, findings: str, problem: str = "", follow: str = ""
    ) -> Visit:
        return services.visit_record(
            actor=staff,
            key=keys[i],
            visited_on=min(day, today),
            visitors=who,
            findings=findings,
            problem=problem,
            follow_up=follow,
        )

    visit(
        0,
        last_quarter,
        "王建国（市总党组书记、常务副主席）、刘海燕",
        "光威集团职代会运行规范，厂务公开栏按季度更新；《厂务公开操作指引》已发到各车间。",
    )
    visit(
        0,
        quarter + timedelta(days=3),
        "王建国、刘海燕",
        "集团推进碳纤维新产线投产，新入职一线职工 120 余人，已全部入会。",
        follow="协助集团工会筹备职代会专题会议，审议新产线轮班制度。",
    )
    wg = visit(
        1,
        quarter + timedelta(days=10),
        "王建国、市总权益保障部李明",
        "威高集团依靠职工办企业，企业家沙龙上分享了经验；集团工会运转良好。",
        problem="医疗器械产业园区部分外包保洁人员反映 10 月份加班费未足额发放，涉及约 30 人。",
        follow="转职工诉求，由区总工会协调企业和外包公司核实补发。",
    )
    services.visit_to_demand(
        actor=staff,
        visit=wg,
        category="wages",
        industry="其他",
        mobile="13906311234",
        contact_name="威高集团工会干事",
        consent=True,
    )
    visit(
        3,
        quarter + timedelta(days=15),
        "孙晓梅（市总副主席）",
        "紫健生物新建研发中心，高知职工多，已建立“一主四辅”诉求渠道。",
        problem="研发中心青年职工通勤班车线路不足，早晚高峰通勤时间超过一小时。",
        follow="与企业行政部门商议增开班车，下次走访时了解进展。",
    )
    closed = visit(
        5,
        last_quarter + timedelta(days=5),
        "曲志强（市总经审会主任）",
        "石岛食品旺季用工多，季节工入会率低。",
        problem="季节工未纳入工会会员服务，冬季慰问覆盖不到。",
        follow="推动企业工会开展季节工集中入会。",
    )
    services.visit_close_problem(
        actor=staff, visit=closed, closed_on=min(last_quarter + timedelta(days=30), today)
    )
    visit(
        7,
        quarter + timedelta(days=20),
        "曲志强、市总基层工作部",
        "顺达快递网点分散，快递员工作时间长；工龄工资已纳入行业集体协商。",
    )

    # 威海: the cooperation with 市国资委 on the 12 state enterprises (expiring this month).
    authority = _org(
        "WEIHAI-GZW", "威海市人民政府国有资产监督管理委员会", K.AUTHORITY, None, city="威海"
    )
    beiyang = Organization.objects.get(code="WEIHAI-BY")
    services.agreement_create(
        actor=staff,
        owner=weihai,
        title="关于推动市属国有企业规范工会设置和职代会制度的合作协议",
        kind=Agreement.Kind.COOPERATION,
        signed_on=today - timedelta(days=345),
        effective_on=today - timedelta(days=345),
        expires_on=today + timedelta(days=20),
        terms="一、市国资委督促北洋集团等12家市属国有企业规范工会组织设置、按期召开职工代表大会。\n"
        "二、市总工会提供职代会指引、厂务公开操作指引和培训。\n三、双方每半年通报一次进展。",
        staff=staff,
        parties=[weihai, authority, beiyang],
        document=_pdf(
            "威海市总工会 威海市国资委 合作协议",
            ["推动北洋集团等12家国企规范工会设置和代会机制。", "本协议有效期一年。"],
        ),
    )

    # 云南: the framework agreement with 老挝万象市工会联合会 (an external party, not a node of
    # the organization tree).
    yunnan_staff = _user("yunnan_staff", "马丽娜", yunnan)
    jiantou = Organization.objects.filter(code="YN-JT").first()
    services.agreement_create(
        actor=yunnan_staff,
        owner=yunnan,
        title="云南省总工会与老挝万象市工会联合会框架协议",
        kind=Agreement.Kind.FRAMEWORK,
        signed_on=date(2024, 10, 31),
        effective_on=date(2024, 10, 31),
        expires_on=date(2029, 10, 30),
        terms="一、双方启动“一带一路”共建项目示范性劳动和技能竞赛。\n"
        "二、在云南省总工会指导下，云南建投集团工会开展中老口语技能巡回竞赛（万象站、云南站）。\n"
        "三、双方在职工技能培训、人文交流方面加强合作。",
        staff=yunnan_staff,
        parties=[yunnan, *([jiantou] if jiantou else [])],
        external_parties=[
            services.ExternalParty("老挝万象市工会联合会", "老挝"),
        ],
        document=_pdf(
            "云南省总工会与老挝万象市工会联合会框架协议",
            [
                "2024年10月31日，云南省总工会与老挝万象市工会联合会签署框架协议。",
                "启动“一带一路”共建项目示范性劳动和技能竞赛。",
            ],
        ),
    )


def tell(ctx: dict[str, Any]) -> None:
    """Today's news: agreements expiring within the month, to their staff."""
    services.expiry_notices_send()
