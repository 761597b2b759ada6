"""The demo's organization tree: the seed page's world (see DESIGN.md, "Demo scenario")."""

from datetime import date
from typing import Any

from liandong.organizations.models import Organization
from liandong.organizations.services import organization_create, organization_link_partner

K = Organization.Kind
L = Organization.Level
S = Organization.UnionStatus

COURIER_COMPANIES = [
    ("SF", "顺丰速运（兰州）有限公司", "顺丰兰州"),
    ("ZTO", "中通快递兰州分公司", "中通兰州"),
    ("YTO", "圆通速递兰州分公司", "圆通兰州"),
    ("STO", "申通快递兰州分公司", "申通兰州"),
    ("YD", "韵达快递兰州分公司", "韵达兰州"),
    ("JT", "极兔速递甘肃分公司", "极兔甘肃"),
    ("JD", "京东物流兰州营业部", "京东兰州"),
    ("EMS", "中国邮政速递物流甘肃省分公司", "邮政EMS甘肃"),
    ("DB", "德邦快递兰州分公司", "德邦兰州"),
]
LANZHOU_DISTRICTS = [
    "城关区东岗",
    "城关区雁滩",
    "七里河区西站",
    "安宁区十里店",
    "西固区福利路",
    "榆中县城关",
]
SALONS = [
    ("BEAUTY-01", "兰州丝域养发馆（城关店）", S.FOUNDED),
    ("BEAUTY-02", "兰州名流美发连锁有限公司", S.COVERED),
    ("BEAUTY-03", "天水秀美美容美发店", S.NONE),
    ("BEAUTY-04", "张掖颐和养生保健中心", S.NONE),
]


def load(ctx: dict[str, Any]) -> None:
    if Organization.objects.filter(code="GS-JMGH").exists():
        ctx["orgs"] = {o.code: o for o in Organization.objects.all()}
        return
    orgs: dict[str, Organization] = {}

    def add(
        code: str, name: str, kind: str, parent: str | None = None, **fields: Any
    ) -> Organization:
        orgs[code] = organization_create(
            actor=None,
            code=code,
            name=name,
            kind=kind,
            parent=orgs[parent] if parent else None,
            **fields,
        )
        return orgs[code]

    add("ACFTU", "中华全国总工会", K.UNION, level=L.NATIONAL, short_name="全国总工会", city="北京")
    add(
        "GS-ZGH",
        "甘肃省总工会",
        K.UNION,
        "ACFTU",
        level=L.PROVINCE,
        short_name="甘肃省总",
        city="兰州",
    )
    add(
        "GS-JMGH",
        "甘肃省经贸工会",
        K.UNION,
        "GS-ZGH",
        level=L.INDUSTRY,
        short_name="省经贸工会",
        industry="经贸",
        city="兰州",
    )
    add(
        "LZ-KDGL",
        "兰州快递业工会联合会",
        K.UNION_FEDERATION,
        "GS-JMGH",
        level=L.INDUSTRY,
        short_name="兰州快递业工联会",
        industry="快递",
        city="兰州",
    )
    for i, (code, name, short) in enumerate(COURIER_COMPANIES):
        add(
            f"KD-{code}",
            name,
            K.ENTERPRISE,
            "LZ-KDGL",
            short_name=short,
            industry="快递",
            city="兰州",
            union_status=S.FOUNDED,
            union_founded_on=date(2025, 3, 18),
        )
        for j, district in enumerate(LANZHOU_DISTRICTS[: 3 + i % 4]):
            add(
                f"KD-{code}-{j + 1:02d}",
                f"{short}{district}网点",
                K.OUTLET,
                f"KD-{code}",
                industry="快递",
                city="兰州",
                union_status=S.COVERED if j < 2 + i % 3 else S.NONE,
            )
    # A courier company that has not founded a union yet, with its outlets.
    add(
        "KD-XF",
        "兰州迅丰同城配送有限公司",
        K.ENTERPRISE,
        "LZ-KDGL",
        short_name="迅丰同城",
        industry="即时配送",
        city="兰州",
    )
    add("KD-XF-01", "迅丰同城安宁站", K.OUTLET, "KD-XF", industry="即时配送", city="兰州")
    add(
        "GS-MFGL",
        "甘肃省美发美容养生保健行业工会联合会",
        K.UNION_FEDERATION,
        "GS-JMGH",
        level=L.INDUSTRY,
        short_name="省美发美容工联会",
        industry="美发美容",
        city="兰州",
    )
    for code, name, status in SALONS:
        add(
            code,
            name,
            K.ENTERPRISE,
            "GS-MFGL",
            industry="美发美容",
            city=name[:2],
            union_status=status,
            union_founded_on=date(2025, 6, 1) if status == S.FOUNDED else None,
        )
    add(
        "GS-WLGH",
        "甘肃省物流行业协会工会",
        K.UNION,
        "GS-JMGH",
        level=L.GRASSROOTS,
        industry="物流",
        city="兰州",
        short_name="物流协会工会",
    )
    add(
        "LOG-01",
        "甘肃陆港物流集团有限公司",
        K.ENTERPRISE,
        "GS-JMGH",
        short_name="陆港物流",
        industry="物流",
        city="兰州",
        union_status=S.FOUNDED,
        union_founded_on=date(2024, 9, 10),
    )

    # Partner bodies of the joint meeting mechanisms.
    add(
        "GS-YZJ",
        "甘肃省邮政管理局",
        K.AUTHORITY,
        short_name="省邮政管理局",
        industry="快递",
        city="兰州",
    )
    add(
        "GS-KDXH",
        "甘肃省快递协会",
        K.ASSOCIATION,
        short_name="省快递协会",
        industry="快递",
        city="兰州",
    )
    add(
        "GS-MRXH",
        "甘肃省美容美发化妆品行业协会",
        K.ASSOCIATION,
        short_name="省美容美发协会",
        industry="美发美容",
        city="兰州",
    )
    add(
        "GS-WLXH",
        "甘肃省物流行业协会",
        K.ASSOCIATION,
        short_name="省物流协会",
        industry="物流",
        city="兰州",
        union_status=S.FOUNDED,
        union_founded_on=date(2024, 5, 20),
    )
    for partner in ["GS-YZJ", "GS-KDXH", "GS-MRXH", "GS-WLXH"]:
        organization_link_partner(actor=None, union=orgs["GS-JMGH"], partner=orgs[partner])

    # The other unions of the seed page, for the other modules' demos.
    add("AH-ZGH", "安徽省总工会", K.UNION, "ACFTU", level=L.PROVINCE, city="合肥")
    add("WH-ZGH", "芜湖市总工会", K.UNION, "AH-ZGH", level=L.CITY, city="芜湖")
    add(
        "WW-ZGH",
        "无为市总工会",
        K.UNION,
        "WH-ZGH",
        level=L.CITY,
        short_name="无为市总",
        city="无为",
    )
    add("SD-ZGH", "山东省总工会", K.UNION, "ACFTU", level=L.PROVINCE, city="济南")
    add(
        "WEIHAI-ZGH",
        "威海市总工会",
        K.UNION,
        "SD-ZGH",
        level=L.CITY,
        short_name="威海市总",
        city="威海",
    )
    add(
        "WEIHAI-GW",
        "威海光威集团有限责任公司",
        K.ENTERPRISE,
        "WEIHAI-ZGH",
        short_name="光威集团",
        city="威海",
        industry="复合材料",
        union_status=S.FOUNDED,
        union_founded_on=date(2001, 4, 28),
    )
    add("TJ-ZGH", "天津市总工会", K.UNION, "ACFTU", level=L.PROVINCE, city="天津")
    add(
        "TJ-HX",
        "天津市河西区总工会",
        K.UNION,
        "TJ-ZGH",
        level=L.CITY,
        short_name="河西区总工会",
        city="天津",
    )
    for code, street in [
        ("JS", "尖山街"),
        ("DYM", "大营门街"),
        ("YYL", "友谊路街"),
        ("MJ", "梅江街"),
    ]:
        add(f"TJ-HX-{code}", f"河西区{street}总工会", K.UNION, "TJ-HX", level=L.STREET, city="天津")
    add("JL-ZGH", "吉林省总工会", K.UNION, "ACFTU", level=L.PROVINCE, city="长春")
    add(
        "CC-ZGH",
        "长春市总工会",
        K.UNION,
        "JL-ZGH",
        level=L.CITY,
        short_name="长春市总",
        city="长春",
    )
    add(
        "YN-ZGH",
        "云南省总工会",
        K.UNION,
        "ACFTU",
        level=L.PROVINCE,
        short_name="云南省总",
        city="昆明",
    )
    add(
        "YN-JT",
        "云南省建设投资控股集团有限公司",
        K.ENTERPRISE,
        "YN-ZGH",
        short_name="云南建投",
        city="昆明",
        industry="建筑",
        union_status=S.FOUNDED,
        union_founded_on=date(2016, 12, 1),
    )
    ctx["orgs"] = orgs
