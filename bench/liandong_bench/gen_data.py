"""Province-scale invented data for the benchmark: ``liandong gen-data --scale N``.

Scale 1 is a province like Gansu: about 20,000 organizations (甘肃省总工会 › 产业工会 and
市州总工会 › 行业工会联合会 and 县区总工会 › enterprises › outlets, plus the partner bodies of
the joint meeting mechanisms) and 1,000,000 workers. Everything scales linearly except the
upper tree, which is Gansu's own (10 industry unions, 14 cities, 89 counties) from scale 0.1 up
and shrinks below it, down to a handful of organizations at tiny scales (for tests).

Rows are written in bulk, never through ``worker_register``: at a million rows the services'
per-row checks and audit entries would take an hour. What the services guarantee is kept by
construction instead:

- organization paths follow ``organization_create`` exactly (ids are allocated up front, so
  the path is known before the insert);
- ID and mobile numbers are unique because they are derived from the row number (a bijection,
  not a random draw), and valid: the ID check character comes from python-stdnum;
- identities are stored as ``SealedIdentity.seal`` makes them (encrypted, blind index, masked);
- worker_count and member_count are written from the rows actually inserted.

One audit entry records the whole generation.
"""

import itertools
import math
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from stdnum.cn import ric

from liandong.accounts.models import Role, User
from liandong.core.audit import audit_log
from liandong.core.identity import id_number_gender
from liandong.core.sample_data import GIVEN, MOBILE_PREFIXES, SURNAMES
from liandong.organizations.models import Organization, path_segment
from liandong.workers.models import Worker
from liandong.workers.services import SealedIdentity, classify_occupation

K = Organization.Kind
L = Organization.Level
S = Organization.UnionStatus

WORKERS_PER_SCALE = 1_000_000
ENTERPRISES_PER_SCALE = 6_000
OUTLETS_PER_SCALE = 13_800
# Row numbers from here on are never used by gen-data itself; roster workbooks for the import
# benchmark take their people from this range, so that they are new to the database.
ROSTER_ROW_BASE = 500_000_000
DEFAULT_SEED = 20261125
COMMIT_ROWS = 100_000
BENCH_PASSWORD = "bench-pass-2026"
BENCH_STAFF = "bench_staff"
BENCH_COUNTY_STAFF = "bench_county_staff"
ROSTER_HEADERS = ["姓名", "身份证号", "手机号", "工作单位", "职业", "入会日期"]

# -- identities: a bijection from the row number, so that a million rows never collide ------

# Region codes of the ID numbers, each used once so that (region, k) is unique for each row:
# 41 of Gansu's counties and 7 from elsewhere, i.e. 85% of the people are from Gansu.
ID_REGIONS = [
    "620102",
    "620103",
    "620104",
    "620105",
    "620111",
    "620121",
    "620122",
    "620123",
    "620200",
    "620302",
    "620321",
    "620402",
    "620403",
    "620421",
    "620422",
    "620423",
    "620502",
    "620503",
    "620521",
    "620522",
    "620523",
    "620524",
    "620525",
    "620602",
    "620621",
    "620622",
    "620623",
    "620702",
    "620722",
    "620723",
    "620724",
    "620725",
    "620802",
    "620821",
    "620902",
    "620982",
    "621002",
    "621102",
    "621202",
    "622901",
    "623001",
    "110105",
    "340225",
    "371002",
    "120103",
    "220102",
    "530102",
    "510107",
]
BIRTH_FIRST = date(1966, 1, 1)
BIRTH_DAYS = 365 * 38  # born 1966-2003
# Each number is (row * stride + offset) mod space, cut into its parts: with a stride coprime
# to the space this is a bijection, and neighbouring rows get unrelated numbers.
_ID_SPACE = len(ID_REGIONS) * BIRTH_DAYS * 1000  # region x birth day x three-digit sequence
_ID_STRIDE = 2_654_435_761
_MOBILE_SPACE = len(MOBILE_PREFIXES) * 10**8
_MOBILE_STRIDE = 2_246_822_519
assert math.gcd(_ID_STRIDE, _ID_SPACE) == 1
assert math.gcd(_MOBILE_STRIDE, _MOBILE_SPACE) == 1
MAX_ROWS = min(_ID_SPACE, _MOBILE_SPACE)


def generated_id_number(row: int) -> str:
    """The ID number of generated person ``row``: distinct rows give distinct numbers."""
    if not 0 <= row < MAX_ROWS:
        raise ValueError(f"row {row} is outside the generated range")
    k = (row * _ID_STRIDE + 1234) % _ID_SPACE
    k, region = divmod(k, len(ID_REGIONS))
    day, sequence = divmod(k, 1000)
    body = f"{ID_REGIONS[region]}{BIRTH_FIRST + timedelta(days=day):%Y%m%d}{sequence:03d}"
    return body + ric.calc_check_digit(body + "0")


def generated_mobile(row: int) -> str:
    """The mobile number of generated person ``row``: distinct rows give distinct numbers."""
    if not 0 <= row < MAX_ROWS:
        raise ValueError(f"row {row} is outside the generated range")
    k = (row * _MOBILE_STRIDE + 4242) % _MOBILE_SPACE
    k, prefix = divmod(k, len(MOBILE_PREFIXES))
    return f"{MOBILE_PREFIXES[prefix]}{k:08d}"


# The most frequent surnames with their share of the population (2020 census, rounded), so
# that a search for 王 finds as many people as it would in a real roster (about 7%).
SURNAME_SHARES = {
    "王": 7.1,
    "李": 7.0,
    "张": 6.7,
    "刘": 5.4,
    "陈": 4.5,
    "杨": 3.1,
    "黄": 2.1,
    "赵": 2.0,
    "吴": 2.0,
    "周": 1.9,
    "徐": 1.5,
    "孙": 1.5,
    "马": 1.5,
    "朱": 1.3,
    "胡": 1.3,
    "郭": 1.2,
    "何": 1.2,
    "高": 1.1,
    "林": 1.1,
    "罗": 1.1,
}
_OTHER_SURNAMES = [s for s in SURNAMES if s not in SURNAME_SHARES]
_SURNAMES = [*SURNAME_SHARES, *_OTHER_SURNAMES]
_SURNAME_WEIGHTS = [
    *SURNAME_SHARES.values(),
    *[(100 - sum(SURNAME_SHARES.values())) / len(_OTHER_SURNAMES)] * len(_OTHER_SURNAMES),
]


class _Names:
    """Person names drawn with realistic surname frequencies (sample_data's characters)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.cum = list(_cumulative(_SURNAME_WEIGHTS))

    def draw(self) -> str:
        rng = self.rng
        surname = rng.choices(_SURNAMES, cum_weights=self.cum)[0]
        return surname + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")


def _cumulative(weights: list[float]) -> Iterator[float]:
    total = 0.0
    for weight in weights:
        total += weight
        yield total


# -- the province tree ----------------------------------------------------------------------

# Cities (市州) with their population in millions and their county-level divisions.
CITIES: list[tuple[str, str, float, list[str]]] = [
    (
        "兰州",
        "兰州市",
        4.4,
        ["城关区", "七里河区", "西固区", "安宁区", "红古区", "永登县", "皋兰县", "榆中县"],
    ),
    (
        "天水",
        "天水市",
        3.0,
        ["秦州区", "麦积区", "清水县", "秦安县", "甘谷县", "武山县", "张家川回族自治县"],
    ),
    ("定西", "定西市", 2.5, ["安定区", "通渭县", "陇西县", "渭源县", "临洮县", "漳县", "岷县"]),
    (
        "陇南",
        "陇南市",
        2.4,
        ["武都区", "成县", "文县", "宕昌县", "康县", "西和县", "礼县", "徽县", "两当县"],
    ),
    (
        "庆阳",
        "庆阳市",
        2.2,
        ["西峰区", "庆城县", "环县", "华池县", "合水县", "正宁县", "宁县", "镇原县"],
    ),
    (
        "临夏",
        "临夏回族自治州",
        2.1,
        [
            "临夏市",
            "临夏县",
            "康乐县",
            "永靖县",
            "广河县",
            "和政县",
            "东乡族自治县",
            "积石山保安族东乡族撒拉族自治县",
        ],
    ),
    ("平凉", "平凉市", 1.8, ["崆峒区", "泾川县", "灵台县", "崇信县", "华亭市", "庄浪县", "静宁县"]),
    ("武威", "武威市", 1.5, ["凉州区", "民勤县", "古浪县", "天祝藏族自治县"]),
    ("白银", "白银市", 1.5, ["白银区", "平川区", "靖远县", "会宁县", "景泰县"]),
    (
        "酒泉",
        "酒泉市",
        1.1,
        [
            "肃州区",
            "金塔县",
            "瓜州县",
            "肃北蒙古族自治县",
            "阿克塞哈萨克族自治县",
            "玉门市",
            "敦煌市",
        ],
    ),
    ("张掖", "张掖市", 1.1, ["甘州区", "肃南裕固族自治县", "民乐县", "临泽县", "高台县", "山丹县"]),
    (
        "甘南",
        "甘南藏族自治州",
        0.7,
        ["合作市", "临潭县", "卓尼县", "舟曲县", "迭部县", "玛曲县", "碌曲县", "夏河县"],
    ),
    ("金昌", "金昌市", 0.4, ["金川区", "永昌县"]),
    ("嘉峪关", "嘉峪关市", 0.3, ["雄关区", "镜铁区", "长城区"]),
]
# Provincial industry unions (产业工会): (name, short name, industry).
INDUSTRY_UNIONS = [
    ("甘肃省经贸工会", "省经贸工会", "经贸"),
    ("甘肃省国防邮电工会", "省国防邮电工会", "邮电"),
    ("甘肃省交通运输工会", "省交通运输工会", "交通运输"),
    ("甘肃省财贸轻纺烟草工会", "省财贸轻纺烟草工会", "财贸"),
    ("甘肃省建设建材工会", "省建设建材工会", "建设"),
    ("甘肃省机械冶金工会", "省机械冶金工会", "机械冶金"),
    ("甘肃省能源化学地质工会", "省能源化学地质工会", "能源化学"),
    ("甘肃省农林水利气象工会", "省农林水利气象工会", "农林水利"),
    ("甘肃省教科文卫体工会", "省教科文卫体工会", "教科文卫"),
    ("甘肃省金融工会", "省金融工会", "金融"),
]
# Sectors of new-employment-form work, organized city by city in 行业工会联合会 under an
# industry union: (sector, index into INDUSTRY_UNIONS, weight of its enterprises' outlets).
SECTORS = [
    ("快递", 1, 3.0),
    ("外卖配送", 0, 2.0),
    ("美发美容", 0, 1.5),
    ("货运物流", 2, 1.0),
    ("网约车", 2, 0.5),
    ("家政服务", 3, 1.0),
]
COUNTY_SECTORS = ["制造", "建筑", "餐饮", "商贸零售", "物业", "医药", "农产品加工", "文化旅游"]
OCCUPATIONS = {
    "快递": ["快递员", "快递员", "快递员", "分拣员", "网点负责人"],
    "外卖配送": ["外卖骑手", "外卖骑手", "外卖骑手", "网约配送员", "站长"],
    "美发美容": ["美发师", "美容师", "养生保健技师", "美甲师"],
    "货运物流": ["货车司机", "货车司机", "仓储管理员", "装卸工"],
    "网约车": ["网约车司机", "网约车司机", "网约车司机", "代驾司机"],
    "家政服务": ["家政服务员", "育婴员", "养老护理员"],
    "制造": ["车间操作工", "质检员", "机修工", "电工"],
    "建筑": ["建筑工人", "钢筋工", "电焊工", "架子工"],
    "餐饮": ["厨师", "服务员", "面点师", "店长"],
    "商贸零售": ["营业员", "理货员", "收银员"],
    "物业": ["保安员", "保洁员", "物业维修工"],
    "医药": ["药店营业员", "护工", "药剂员"],
    "农产品加工": ["加工操作工", "包装工", "质检员"],
    "文化旅游": ["导游", "讲解员", "酒店服务员"],
}
SUFFIXES = {
    "快递": "快递服务有限公司",
    "外卖配送": "同城配送有限公司",
    "美发美容": "美发美容有限公司",
    "货运物流": "物流有限公司",
    "网约车": "汽车出行服务有限公司",
    "家政服务": "家政服务有限公司",
    "制造": "制造有限公司",
    "建筑": "建筑工程有限公司",
    "餐饮": "餐饮管理有限公司",
    "商贸零售": "商贸有限公司",
    "物业": "物业管理有限公司",
    "医药": "大药房连锁有限公司",
    "农产品加工": "农产品开发有限公司",
    "文化旅游": "文化旅游发展有限公司",
}
OUTLET_WORDS = {
    "快递": "网点",
    "外卖配送": "站点",
    "美发美容": "门店",
    "货运物流": "分拨点",
    "网约车": "服务站",
    "家政服务": "服务点",
    "餐饮": "门店",
    "商贸零售": "门店",
    "医药": "门店",
}
TRADE_WORDS = (
    "鑫恒华金瑞祥通达宏盛泰安顺丰源润嘉联远航兴隆昌德利和新康永乐天宇建中陇丝路河西敦煌祁连黄河"
)
AREAS = [
    "东岗",
    "雁滩",
    "西站",
    "十里店",
    "福利路",
    "南关",
    "北街",
    "新区",
    "开发区",
    "火车站",
    "工业园",
    "中心广场",
    "滨河路",
    "文化宫",
    "东湖",
    "西湖",
    "南山",
    "北山",
    "五里铺",
    "高新区",
]
# Partner bodies of the joint meeting mechanisms: (name, short name, kind, sectors it works with).
PROVINCE_PARTNERS = [
    ("甘肃省邮政管理局", "省邮政管理局", K.AUTHORITY, ["快递"]),
    ("甘肃省交通运输厅", "省交通运输厅", K.AUTHORITY, ["网约车", "货运物流"]),
    ("甘肃省商务厅", "省商务厅", K.AUTHORITY, ["外卖配送", "家政服务"]),
    ("甘肃省人力资源和社会保障厅", "省人社厅", K.AUTHORITY, []),
    ("甘肃省快递协会", "省快递协会", K.ASSOCIATION, ["快递"]),
    ("甘肃省美容美发化妆品行业协会", "省美容美发协会", K.ASSOCIATION, ["美发美容"]),
    ("甘肃省物流行业协会", "省物流协会", K.ASSOCIATION, ["货运物流"]),
    ("甘肃省道路运输协会", "省道路运输协会", K.ASSOCIATION, ["网约车"]),
    ("甘肃省家政服务业协会", "省家政协会", K.ASSOCIATION, ["家政服务"]),
]


@dataclass
class GenDataResult:
    scale: float
    seed: int
    root: Organization
    county: Organization
    organizations: int
    workers: int
    members: int
    accounts: list[tuple[str, str, str]]  # username, password, organization name
    seconds: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "scale": self.scale,
            "seed": self.seed,
            "organizations": self.organizations,
            "workers": self.workers,
            "members": self.members,
            "root": {"id": self.root.pk, "code": self.root.code, "name": self.root.name},
            "county": {"id": self.county.pk, "code": self.county.code, "name": self.county.name},
            "accounts": [
                {"username": u, "password": p, "organization": o} for u, p, o in self.accounts
            ],
            "seconds": self.seconds,
        }


class _Tree:
    """Organizations built in memory with their ids allocated up front, so that each path is
    ``parent.path + path_segment(id)``, the rule of ``organization_create``."""

    def __init__(self, first_id: int, root_code: str) -> None:
        self.next_id = first_id
        self.root_code = root_code
        self.nodes: list[Organization] = []
        self.partner_links: list[tuple[int, int]] = []
        self.employer_names: set[str] = set()

    def add(
        self, *, parent: Organization | None, name: str, kind: str, **fields: Any
    ) -> Organization:
        pk = self.next_id
        self.next_id += 1
        code = fields.pop("code", None) or f"GS{pk:07d}"
        if kind in {K.ENTERPRISE, K.OUTLET}:
            # Employers are named in roster workbooks, so their names are unique in the tree.
            if name in self.employer_names:
                name = f"{name}（{pk}）"
            self.employer_names.add(name)
        node = Organization(
            pk=pk,
            name=name,
            code=code,
            kind=kind,
            parent=parent,
            path=(parent.path if parent else "") + path_segment(pk),
            depth=parent.depth + 1 if parent else 0,
            **fields,
        )
        self.nodes.append(node)
        return node

    def link(self, union: Organization, partner: Organization) -> None:
        self.partner_links.append((union.pk, partner.pk))


def _scaled(count: int, factor: float) -> int:
    return max(1, min(count, round(count * factor)))


def _founded_on(rng: random.Random) -> date:
    return date(2008, 1, 1) + timedelta(days=rng.randrange(0, 365 * 17))


def _build_tree(
    *, scale: float, rng: random.Random, first_id: int, root_code: str
) -> tuple[_Tree, list[Organization]]:
    """The province tree; returns it and the employers (enterprises and outlets)."""
    tree = _Tree(first_id, root_code)
    upper = min(1.0, scale * 10)  # the whole upper tree from scale 0.1 up
    root = tree.add(
        parent=None,
        name="甘肃省总工会",
        short_name="甘肃省总",
        code=root_code,
        kind=K.UNION,
        level=L.PROVINCE,
        city="兰州",
        address="甘肃省兰州市城关区庆阳路",
    )
    industry_unions = [
        tree.add(
            parent=root,
            name=name,
            short_name=short,
            kind=K.UNION,
            level=L.INDUSTRY,
            industry=industry,
            city="兰州",
        )
        for name, short, industry in INDUSTRY_UNIONS[: _scaled(len(INDUSTRY_UNIONS), upper)]
    ]
    cities = CITIES[: _scaled(len(CITIES), upper)]
    sectors = SECTORS[: _scaled(len(SECTORS), upper)]
    partners: dict[str, list[Organization]] = {}
    for name, short, kind, partner_sectors in PROVINCE_PARTNERS[
        : _scaled(len(PROVINCE_PARTNERS), upper)
    ]:
        body = tree.add(
            parent=None,
            name=name,
            short_name=short,
            kind=kind,
            city="兰州",
            industry=partner_sectors[0] if partner_sectors else "",
        )
        for sector in partner_sectors:
            partners.setdefault(sector, []).append(body)
    # City unions, their counties, and the sector federations of each city.
    counties: list[tuple[Organization, float]] = []
    federations: list[tuple[Organization, str, float]] = []
    for city, city_name, population, county_names in cities:
        city_union = tree.add(
            parent=root,
            name=f"{city_name}总工会",
            short_name=f"{city}市总",
            kind=K.UNION,
            level=L.CITY,
            city=city,
        )
        shown = county_names[: _scaled(len(county_names), upper)]
        for county in shown:
            node = tree.add(
                parent=city_union,
                name=f"{city_name}{county}总工会",
                short_name=f"{county}总工会",
                kind=K.UNION,
                level=L.CITY,
                city=city,
            )
            counties.append((node, population / len(shown)))
        for sector, union_index, _ in sectors:
            industry_union = industry_unions[min(union_index, len(industry_unions) - 1)]
            federation = tree.add(
                parent=industry_union,
                name=f"{city_name}{sector}行业工会联合会",
                short_name=f"{city}{sector}工联会",
                kind=K.UNION_FEDERATION,
                level=L.INDUSTRY,
                industry=sector,
                city=city,
                union_status=S.FOUNDED,
                union_founded_on=_founded_on(rng),
            )
            federations.append((federation, sector, population))
            for body in partners.get(sector, []):
                tree.link(industry_union, body)
                tree.link(federation, body)
            if sector == "快递" and population >= 1.0:
                # Cities with a courier federation also have a postal authority and an association.
                for name, kind in [
                    (f"{city_name}邮政管理局", K.AUTHORITY),
                    (f"{city_name}快递协会", K.ASSOCIATION),
                ]:
                    body = tree.add(
                        parent=None,
                        name=name,
                        short_name=name.replace(city_name, city),
                        kind=kind,
                        industry=sector,
                        city=city,
                    )
                    tree.link(federation, body)
    # Enterprises: about 45% in the federations' sectors (chains with outlets), the rest under
    # the county unions.
    enterprise_count = max(2, round(ENTERPRISES_PER_SCALE * scale))
    outlet_count = max(2, round(OUTLETS_PER_SCALE * scale))
    used_names: set[str] = set()
    chains: list[tuple[Organization, float]] = []
    enterprises: list[Organization] = []
    fed_cum = list(_cumulative([population for _, _, population in federations]))
    county_cum = list(_cumulative([weight for _, weight in counties]))
    for i in range(enterprise_count):
        if i % 20 < 9:
            federation, sector, _ = rng.choices(federations, cum_weights=fed_cum)[0]
            parent, city, area = federation, federation.city, federation.city
        else:
            parent = rng.choices(counties, cum_weights=county_cum)[0][0]
            sector = rng.choice(COUNTY_SECTORS)
            city, area = parent.city, parent.short_name.removesuffix("总工会")
        trade = _unique_trade(rng, used_names, area, SUFFIXES[sector])
        status = rng.choices([S.FOUNDED, S.COVERED, S.NONE], weights=[60, 15, 25])[0]
        enterprise = tree.add(
            parent=parent,
            name=f"{area}{trade}{SUFFIXES[sector]}",
            short_name=f"{area}{trade}{sector[:2]}",
            kind=K.ENTERPRISE,
            industry=sector,
            city=city,
            union_status=status,
            union_founded_on=_founded_on(rng) if status == S.FOUNDED else None,
        )
        enterprises.append(enterprise)
        if sector in OUTLET_WORDS:
            weight = next((w for s, _, w in SECTORS if s == sector), 0.5)
            chains.append((enterprise, weight))
    if not chains:
        chains = [(enterprises[0], 1.0)]
    chain_cum = list(_cumulative([weight for _, weight in chains]))
    per_enterprise: Counter[int] = Counter()
    outlets: list[Organization] = []
    for enterprise, _ in rng.choices(chains, cum_weights=chain_cum, k=outlet_count):
        per_enterprise[enterprise.pk] += 1
        n = per_enterprise[enterprise.pk]
        word = OUTLET_WORDS.get(enterprise.industry, "网点")
        status = S.NONE
        if enterprise.union_status != S.NONE and rng.random() < 0.7:
            status = S.COVERED
        outlets.append(
            tree.add(
                parent=enterprise,
                name=f"{enterprise.short_name}{rng.choice(AREAS)}第{n}{word}",
                kind=K.OUTLET,
                industry=enterprise.industry,
                city=enterprise.city,
                union_status=status,
            )
        )
    return tree, enterprises + outlets


def _unique_trade(rng: random.Random, used: set[str], area: str, suffix: str) -> str:
    """A trade name (字号) that makes the enterprise's full name unique in the province."""
    for attempt in range(50):
        trade = rng.choice(TRADE_WORDS) + rng.choice(TRADE_WORDS)
        if attempt >= 20:
            trade += rng.choice(TRADE_WORDS)
        if f"{area}{trade}{suffix}" not in used:
            used.add(f"{area}{trade}{suffix}")
            return trade
    trade = f"{trade}{len(used)}"
    used.add(f"{area}{trade}{suffix}")
    return trade


def _employer_weights(employers: list[Organization], rng: random.Random) -> list[float]:
    """Relative head counts: outlets around 40, independent enterprises around 60 with a long
    tail (a few factories of thousands), chain headquarters a dozen."""
    has_outlets = {o.parent_id for o in employers if o.kind == K.OUTLET}
    weights = []
    for employer in employers:
        if employer.kind == K.OUTLET:
            weights.append(rng.lognormvariate(math.log(40), 0.8))
        elif employer.pk in has_outlets:
            weights.append(rng.lognormvariate(math.log(10), 0.5))
        else:
            weights.append(rng.lognormvariate(math.log(60), 1.1))
    return weights


# -- writing --------------------------------------------------------------------------------

_WORKER_FIELDS = [
    "created_at",
    "updated_at",
    "name",
    "gender",
    "id_number_cipher",
    "id_number_digest",
    "id_number_masked",
    "mobile_cipher",
    "mobile_digest",
    "mobile_masked",
    "mobile_tail",
    "employer",
    "city",
    "occupation",
    "worker_type",
    "joined_union_on",
    "user",
]


def _worker_columns() -> list[str]:
    fields = [f for f in Worker._meta.concrete_fields if not f.primary_key]
    names = {f.name for f in fields}
    if names != set(_WORKER_FIELDS):
        # The raw insert below must know every column; a new field needs a value here.
        raise RuntimeError(f"Worker fields changed: {sorted(names ^ set(_WORKER_FIELDS))}")
    by_name = {f.name: f for f in fields}
    return [by_name[name].column for name in _WORKER_FIELDS]


class _WorkerWriter:
    """Inserts worker rows in batches: COPY on PostgreSQL, executemany elsewhere (SQLite)."""

    def __init__(self, batch_size: int) -> None:
        self.batch_size = batch_size
        self.table = connection.ops.quote_name(Worker._meta.db_table)
        self.columns = ", ".join(connection.ops.quote_name(c) for c in _worker_columns())
        self.placeholders = ", ".join(["%s"] * len(_WORKER_FIELDS))

    def write(self, rows: Iterator[tuple[Any, ...]]) -> int:
        """Write ``rows`` (in the caller's transaction); returns how many there were."""
        written = 0
        with connection.cursor() as cursor:
            while batch := list(itertools.islice(rows, self.batch_size)):
                if connection.vendor == "postgresql":
                    with cursor.cursor.copy(
                        f"COPY {self.table} ({self.columns}) FROM STDIN"
                    ) as copy:
                        for row in batch:
                            copy.write_row(row)
                else:
                    cursor.executemany(
                        f"INSERT INTO {self.table} ({self.columns}) VALUES ({self.placeholders})",
                        batch,
                    )
                written += len(batch)
        return written


def _root_code() -> str:
    return "GS-ZGH" if not Organization.objects.filter(code="GS-ZGH").exists() else ""


def _existing_digests() -> tuple[set[str], set[str]]:
    ids, mobiles = set(), set()
    for id_digest, mobile_digest in Worker.objects.values_list(
        "id_number_digest", "mobile_digest"
    ).iterator(chunk_size=10_000):
        ids.add(id_digest)
        mobiles.add(mobile_digest)
    return ids, mobiles


def gen_data(
    *,
    scale: float,
    seed: int = DEFAULT_SEED,
    force: bool = False,
    batch_size: int = 5_000,
    progress: Callable[[str], None] | None = None,
) -> GenDataResult:
    """Generate a province at ``scale`` (1 = 1,000,000 workers, ~20,000 organizations).

    Refuses a database that already has workers unless ``force``; then the new people are
    checked against the existing ones so that no ID or mobile number is registered twice.
    """
    if not 0 < scale <= 200:
        raise ValidationError("scale must be in (0, 200]", code="scale_range")
    report = progress or (lambda message: None)
    existing = Worker.objects.count()
    if existing and not force:
        raise ValidationError(
            f"The database already has {existing} workers; use --force to add a province anyway.",
            code="workers_exist",
        )
    rng = random.Random(seed)
    seconds: dict[str, float] = {}
    started = time.perf_counter()

    # 1. Organizations, partner links and the bench accounts, in one transaction.
    first_id = (Organization.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
    tree, employers = _build_tree(scale=scale, rng=rng, first_id=first_id, root_code=_root_code())
    with transaction.atomic():
        Organization.objects.bulk_create(tree.nodes, batch_size=1000)
        through = Organization.partners.through
        pairs = {(a, b) for a, b in tree.partner_links} | {(b, a) for a, b in tree.partner_links}
        through.objects.bulk_create(
            [through(from_organization_id=a, to_organization_id=b) for a, b in sorted(pairs)],
            batch_size=1000,
        )
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [Organization]):
                cursor.execute(sql)
    seconds["organizations"] = round(time.perf_counter() - started, 1)
    report(f"{len(tree.nodes)} organizations in {seconds['organizations']} s")

    # 2. Workers: employers drawn by weight, in random order, as people register over time.
    if connection.vendor == "sqlite":
        # Inserting a million random blind-index keys thrashes the default 64 MB page cache;
        # with 1 GB the two unique indexes stay in memory (this connection only).
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -1048576")
    total = round(WORKERS_PER_SCALE * scale)
    weights = _employer_weights(employers, rng)
    assignment = rng.choices(employers, cum_weights=list(_cumulative(weights)), k=total)
    taken_ids, taken_mobiles = _existing_digests() if existing else (set(), set())
    start_row = existing
    writer = _WorkerWriter(batch_size)
    names = _Names(rng)
    worker_types = {
        o: classify_occupation(o) for occupations in OCCUPATIONS.values() for o in occupations
    }
    counts: Counter[int] = Counter()
    members: Counter[int] = Counter()
    ops = connection.ops
    now = timezone.now()
    first_created = now - timedelta(days=5 * 365)
    joined_first = date(2015, 1, 1)
    joined_days = (timezone.localdate() - joined_first).days

    def worker_rows() -> Iterator[tuple[Any, ...]]:
        row = start_row
        for i, employer in enumerate(assignment):
            while True:
                id_number, mobile = generated_id_number(row), generated_mobile(row)
                row += 1
                sealed = SealedIdentity.seal(id_number=id_number, mobile=mobile)
                if (
                    sealed.id_number_digest not in taken_ids
                    and sealed.mobile_digest not in taken_mobiles
                ):
                    break
            if i % batch_size == 0:
                created = ops.adapt_datetimefield_value(
                    first_created + (now - first_created) * (i / total)
                )
            member = rng.random() < (0.78 if employer.union_status != S.NONE else 0.06)
            joined = joined_first + timedelta(days=rng.randrange(joined_days)) if member else None
            occupation = rng.choice(OCCUPATIONS[employer.industry])
            counts[employer.pk] += 1
            if member:
                members[employer.pk] += 1
            yield (
                created,
                created,
                names.draw(),
                id_number_gender(id_number),
                sealed.id_number_cipher,
                sealed.id_number_digest,
                sealed.id_number_masked,
                sealed.mobile_cipher,
                sealed.mobile_digest,
                sealed.mobile_masked,
                sealed.mobile_tail,
                employer.pk,
                employer.city,
                occupation,
                worker_types[occupation],
                ops.adapt_datefield_value(joined),
                None,
            )

    t_workers = time.perf_counter()
    rows, written = worker_rows(), 0
    while written < total:
        # Large transactions: each commit rewrites every index page it touched, and a
        # million random blind-index keys touch most pages of their index in any batch.
        with transaction.atomic():
            written += writer.write(itertools.islice(rows, COMMIT_ROWS))
        elapsed = time.perf_counter() - t_workers
        report(f"{written} workers, {written / elapsed:,.0f}/s")
    seconds["workers"] = round(time.perf_counter() - t_workers, 1)
    report(f"{total} workers in {seconds['workers']} s")

    # 3. Direct counts per employer, from the rows written; statistics; the accounts.
    t_finish = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        table = ops.quote_name(Organization._meta.db_table)
        cursor.executemany(
            f"UPDATE {table} SET worker_count = %s, member_count = %s WHERE id = %s",
            [(counts[pk], members[pk], pk) for pk in counts],
        )
    if connection.vendor == "postgresql":
        # Autovacuum would analyze the new rows a little later; do it now so that the first
        # queries are planned as they will be from then on.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    root = tree.nodes[0]
    county = _county_for_bench(tree, counts)
    accounts = [
        _bench_account(BENCH_STAFF, root, "基准测试（省总）"),
        _bench_account(BENCH_COUNTY_STAFF, county, "基准测试（县区）"),
    ]
    seconds["finish"] = round(time.perf_counter() - t_finish, 1)
    seconds["total"] = round(time.perf_counter() - started, 1)
    result = GenDataResult(
        scale=scale,
        seed=seed,
        root=root,
        county=county,
        organizations=len(tree.nodes),
        workers=total,
        members=sum(members.values()),
        accounts=accounts,
        seconds=seconds,
    )
    audit_log(
        actor=None,
        action="core.data_generated",
        target=root,
        changes={
            "scale": scale,
            "seed": seed,
            "organizations": result.organizations,
            "workers": total,
        },
    )
    return result


def _county_for_bench(tree: _Tree, counts: Counter[int]) -> Organization:
    """The county union whose subtree holds closest to 0.5% of the workers: a small scope."""
    by_id = {node.pk: node for node in tree.nodes}
    subtree: Counter[int] = Counter()
    for pk, count in counts.items():
        node = by_id[pk]
        for ancestor in (int(node.path[i : i + 10]) for i in range(0, len(node.path), 10)):
            subtree[ancestor] += count
    counties = [n for n in tree.nodes if n.kind == K.UNION and n.depth == 2]
    target = sum(counts.values()) / 200
    return min(counties, key=lambda n: (abs(subtree[n.pk] - target), n.pk))


def _bench_account(
    username: str, organization: Organization, display_name: str
) -> tuple[str, str, str]:
    user = User.objects.filter(username=username).first() or User(username=username)
    user.role = Role.UNION_STAFF
    user.organization = organization
    user.display_name = display_name
    user.is_active = True
    user.set_password(BENCH_PASSWORD)
    user.save()
    return username, BENCH_PASSWORD, organization.name


# -- roster workbooks for the import benchmark ----------------------------------------------


def roster_workbook_write(
    *, path: Path, organization: Organization, rows: int, seed: int = DEFAULT_SEED
) -> int:
    """Write a valid roster workbook of ``rows`` new people employed in ``organization``'s
    subtree (people from the reserved row range, so none is registered yet). Returns the
    number of distinct employers used."""
    from openpyxl import Workbook

    from liandong.organizations.models import subtree_q

    rng = random.Random(seed + 1)
    employers = list(
        Organization.objects.filter(subtree_q(organization.path), kind__in=[K.ENTERPRISE, K.OUTLET])
        .order_by("path")
        .values_list("name", "industry")
    )
    if not employers:
        raise ValidationError(
            "No enterprise or outlet under this organization.", code="no_employers"
        )
    names = _Names(rng)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("职工名册")
    sheet.append(ROSTER_HEADERS)
    used = set()
    for i in range(rows):
        name, industry = rng.choice(employers)
        used.add(name)
        row = ROSTER_ROW_BASE + i
        occupation = rng.choice(OCCUPATIONS.get(industry) or ["职工"])
        joined = (
            date(2025, 1, 1) + timedelta(days=rng.randrange(300)) if rng.random() < 0.5 else None
        )
        sheet.append(
            [
                names.draw(),
                generated_id_number(row),
                generated_mobile(row),
                name,
                occupation,
                joined,
            ]
        )
    book.save(path)
    return len(used)
