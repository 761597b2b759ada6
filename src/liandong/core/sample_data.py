"""Realistic, invented people for the demo, the tests and the benchmark: Chinese names,
ID numbers with a correct check character, mainland mobile numbers. No real person's data."""

import random
from datetime import date, timedelta

from stdnum.cn import ric

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽波宁贵福生龙元全国胜学祥才发武新利清飞彬富顺信子杰涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心邦承乐绍功松善厚庆磊民友裕河哲江超浩亮政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁栋维启克伦翔旭鹏泽晨辰士以建家致树炎德行时泰盛雄琛钧冠策腾楠榕风航弘"
GANSU_REGIONS = [
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
    "620402",
    "620502",
    "620602",
    "620702",
    "620802",
    "620902",
    "621002",
    "621102",
    "621202",
    "622901",
    "623001",
]
OTHER_REGIONS = [
    "110105",
    "340225",
    "371002",
    "120103",
    "220102",
    "530102",
    "510107",
    "330324",
    "511102",
    "232723",
]
MOBILE_PREFIXES = [
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "153",
    "155",
    "156",
    "157",
    "158",
    "159",
    "166",
    "173",
    "175",
    "176",
    "177",
    "180",
    "181",
    "182",
    "183",
    "185",
    "186",
    "187",
    "188",
    "189",
    "191",
    "198",
    "199",
]


def person_name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def id_number(rng: random.Random, *, region: str | None = None, gender: str | None = None) -> str:
    region = region or rng.choice(GANSU_REGIONS if rng.random() < 0.85 else OTHER_REGIONS)
    birth = date(1966, 1, 1) + timedelta(days=rng.randrange(0, 365 * 38))
    sequence = rng.randrange(0, 100)
    sex_digit = rng.randrange(0, 10)
    if gender == "M" and sex_digit % 2 == 0:
        sex_digit += 1
    elif gender == "F" and sex_digit % 2 == 1:
        sex_digit -= 1
    body = f"{region}{birth:%Y%m%d}{sequence:02d}{sex_digit}"
    return body + ric.calc_check_digit(body + "0")


def mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(0, 10**8):08d}"
