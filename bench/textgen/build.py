"""Builds the demands app's labelled texts (src/liandong/demands/data/labelled.jsonl) from the
hand-written fragments beside this file and demands/sample_texts.py, and the independent set
(data/independent.jsonl) from independent.txt, which is copied as written.

Each fragment (one worker's problem) is turned into a few messages the way they arrive from a
phone: an opener naming the trade, a place, fillers, dialect and typing slips, no punctuation,
sometimes a second problem tacked on. All the messages of one fragment fall in the same split
(train or test), so the fixed test split holds problems the training never saw in any wording.
Deterministic: run it again and the files come out the same.

    .venv/bin/python bench/textgen/build.py
"""

import hashlib
import json
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
DATA = ROOT / "src" / "liandong" / "demands" / "data"
sys.path.insert(0, str(ROOT / "src"))

VARIANTS = 6
TEST_SHARE = 0.2

OPENERS = {
    "快递": [
        "我是跑快递的",
        "俺在中通干快递",
        "顺丰小哥",
        "我在韵达网点",
        "快递员",
        "在极兔送件的",
        "申通网点的",
    ],
    "即时配送": ["我送外卖的", "美团骑手", "饿了么专送", "跑众包的", "闪送的", "外卖小哥"],
    "网约车": ["开滴滴的", "跑网约车", "我是网约车司机", "开曹操的", "跑花小猪的"],
    "货运": ["开大车的", "货车司机", "跑长途的", "货拉拉司机", "冷链车司机"],
    "美发美容": ["我在理发店上班", "美容院的", "做美甲的", "发廊学徒", "美发师"],
    "物流": ["仓库分拣的", "物流园装卸工", "在分拨中心上班"],
    "其他": ["工地上干活的", "搞装修的", "钢筋工", "做保姆的", "家政阿姨", "月嫂", "保洁"],
}
PLACES = [
    "兰州",
    "城关区",
    "七里河",
    "安宁",
    "西固",
    "天水",
    "白银",
    "武威",
    "张掖",
    "酒泉",
    "定西",
    "平凉",
    "庆阳",
    "临夏",
    "嘉峪关",
    "金昌",
    "榆中",
    "皋兰",
    "秦州区",
    "麦积",
    "凉州",
]
PREFIXES = ["", "", "", "你好", "您好", "请问", "领导好", "我想反映个事", "求助", "麻烦问下"]
SUFFIXES = [
    "",
    "",
    "",
    "咋办",
    "怎么办啊",
    "有人管没",
    "帮帮忙",
    "谢谢",
    "找谁说理去",
    "能不能管管",
    "急",
    "。。。",
    "！！",
    "工会管不管",
    "太欺负人了",
    "真的没办法了",
    "在线等",
]
JOINERS = ["还有", "另外", "还有就是", "顺便问下", "而且"]
SLIPS = [
    ("什么", "啥"),
    ("怎么", "咋"),
    ("没有", "木有"),
    ("不给", "不给俺"),
    ("我们", "俺们"),
    ("的", "滴"),
    ("了", "咯"),
    ("老板", "老板子"),
    ("知道", "晓得"),
    ("这个", "这"),
    ("工资", "工姿"),
    ("社保", "社宝"),
    ("报销", "抱销"),
    ("培训", "陪训"),
    ("辞退", "辞掉"),
]
PUNCT = "，。！？、,.!? "


def _fragments() -> list[tuple[str, str]]:
    rows = []
    for line in (HERE / "fragments.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            category, text = line.split("|", 1)
            rows.append((category, text.strip()))
    return rows


def _split(key: str) -> str:
    digest = int(hashlib.sha256(key.encode()).hexdigest()[:8], 16)
    return "test" if digest % 1000 < TEST_SHARE * 1000 else "train"


def _slip(text: str, rng: random.Random) -> str:
    for old, new in SLIPS:
        if old in text and rng.random() < 0.25:
            text = text.replace(old, new, 1)
    if rng.random() < 0.15 and len(text) > 6:  # a dropped or doubled character
        i = rng.randrange(1, len(text) - 1)
        text = text[:i] + text[i + 1 :] if rng.random() < 0.5 else text[:i] + text[i] + text[i:]
    return text


def _message(
    category: str, text: str, others: list[tuple[str, str]], rng: random.Random
) -> tuple[str, str]:
    industry = rng.choice(list(OPENERS))
    parts = [rng.choice(PREFIXES)]
    if rng.random() < 0.6:
        parts.append(rng.choice(OPENERS[industry]))
    if rng.random() < 0.5:
        parts.append(
            rng.choice(["在", "", "我在"]) + rng.choice(PLACES) + rng.choice(["", "这边", "这里"])
        )
    parts.append(text)
    if rng.random() < 0.25:
        _other_category, other = rng.choice([o for o in others if o[0] != category])
        parts.append(rng.choice(JOINERS) + other[: max(6, len(other) * 2 // 3)])
    parts.append(rng.choice(SUFFIXES))
    separator = rng.choice(["", "", " ", "，"])
    message = separator.join(p for p in parts if p)
    message = _slip(message, rng)
    if rng.random() < 0.5:
        message = "".join(c for c in message if c not in PUNCT or c == " ")
    return message, industry


def build() -> None:
    from liandong.demands.sample_texts import LABELLED

    rng = random.Random(20261202)
    fragments = _fragments()
    rows, seen = [], set()
    for category, text in fragments:
        split = _split(text)
        made = 0
        for _ in range(VARIANTS * 4):
            message, industry = _message(category, text, fragments, rng)
            if message in seen:
                continue
            seen.add(message)
            rows.append(
                {
                    "text": message,
                    "category": category,
                    "industry": industry,
                    "split": split,
                    "source": "fragment",
                }
            )
            made += 1
            if made == VARIANTS:
                break
    for category, text in LABELLED:
        if text not in seen:
            seen.add(text)
            rows.append(
                {
                    "text": text,
                    "category": category,
                    "industry": "",
                    "split": _split(text),
                    "source": "sample_texts",
                }
            )
    with (DATA / "labelled.jsonl").open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    independent = []
    for line in (HERE / "independent.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            category, industry, text = line.split("|", 2)
            independent.append({"text": text.strip(), "category": category, "industry": industry})
    with (DATA / "independent.jsonl").open("w", encoding="utf-8") as out:
        for row in independent:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    _routing(independent)
    test = sum(r["split"] == "test" for r in rows)
    print(f"labelled: {len(rows)} ({test} test), independent: {len(independent)}")


ROUTING_CITIES = ["兰州", "天水", "白银", "武威", "张掖", "酒泉", "定西", "平凉"]


def _routing(independent: list[dict]) -> None:
    """(text, industry, city) -> the body the demo's rules give for the text's true category:
    what a dispatcher applying those rules would choose. Scored in bench/README.md."""
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liandong.settings.test")
    import django

    django.setup()
    from liandong.demands.demo import demo_rules
    from liandong.demands.services import pick_rule

    rules, codes = demo_rules()
    with (DATA / "routing.jsonl").open("w", encoding="utf-8") as out:
        for n, row in enumerate(independent):
            city = ROUTING_CITIES[n % len(ROUTING_CITIES)]
            rule = pick_rule(rules, category=row["category"], industry=row["industry"], city=city)
            body = codes[rule.body_id] if rule else ""
            item = {"text": row["text"], "industry": row["industry"], "city": city, "body": body}
            out.write(json.dumps(item, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    build()
