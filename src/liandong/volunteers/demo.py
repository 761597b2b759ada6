"""The seed's 北京 article: 首都职工志愿北汽集团服务队 (北京市首支职工志愿服务队, since 2014,
"服务+培训") and the new 北汽集团鹏友圈服务队 (the first professional team for safe driving of
new-energy vehicles), which received its team flag (授旗) at the 志愿服务大篷车 of 北京市总工会
职工服务中心; their members, trainings and the hours served at the caravan (the activities
demo's activity, found through the ``service_activities`` hook as beijing_staff sees it).
Names, mobiles, hours and people served per day are invented; written through the services,
so that the audit log tells the same story. Idempotent."""

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from liandong.accounts.models import User
from liandong.core import crypto
from liandong.core.sample_data import id_number
from liandong.notifications.services import muted
from liandong.organizations.models import Organization
from liandong.volunteers import services
from liandong.volunteers.models import Member, Team
from liandong.volunteers.selectors import service_activities
from liandong.workers.models import Worker
from liandong.workers.services import worker_register

STAFF = "beijing_staff"
PIONEER = "首都职工志愿北汽集团服务队"
PENGYOU = "首都职工志愿北汽集团鹏友圈服务队"
SKILLS = "新能源电池维护、充电规范、应急处置、电池包检测、日常故障排查"

# (name, mobile, occupation, teams, skills, role)
WORKERS = [
    ("张国栋", "13601100201", "新能源汽车维修技师", "AB", "电池包检测", "队长"),
    ("李明远", "13601100202", "新能源汽车维修技师", "AB", "日常故障排查", "技术骨干"),
    ("王海燕", "13601100203", "售后服务顾问", "B", "充电规范", ""),
    ("赵志强", "13601100204", "汽车电工", "B", "应急处置", ""),
    ("刘晓东", "13601100205", "新能源汽车维修技师", "A", "冬季用车保养", ""),
    ("孙丽娟", "13601100206", "客服专员", "A", "安全驾驶宣讲", "联络员"),
]
OUTSIDE = [
    ("周立新", "13801100301", "A", "法律咨询", "社会志愿者"),
    ("吴佳琪", "13801100302", "B", "心理疏导", "社会志愿者"),
]
# People served per caravan day by each team (invented; the caravan's own counts are the
# activities app's per sub-venue).
SERVED = {"A": [64, 58, 71, 49, 55], "B": [86, 73, 120, 68, 77]}


def load(ctx: dict[str, Any]) -> None:
    with muted():
        _load(ctx)


def _load(ctx: dict[str, Any]) -> None:
    ctx["more_logins"].append(
        (
            "志愿服务队",
            f"{STAFF}（北京市总工会：北汽集团服务队、鹏友圈服务队授旗，大篷车服务时长与培训）",
        )
    )
    orgs: dict[str, Organization] = ctx.get("orgs", {})
    baic = orgs.get("BJ-BAIC")
    staff = User.objects.filter(username=STAFF).first()
    if baic is None or staff is None or Team.objects.filter(name=PENGYOU).exists():
        return
    today = timezone.localdate()
    caravan = next((a for a in service_activities(staff) if "大篷车" in a.title), None)
    flag_day = min(caravan.starts_on, today) if caravan else today
    pioneer = services.team_create(
        actor=staff,
        organization=baic,
        name=PIONEER,
        founded_on=date(2014, 1, 1),
        skills="新能源汽车检测、冬季用车保养、安全驾驶宣讲、法律咨询",
        service_mode="服务+培训",
        contact_name="张国栋",
        description="北京市首支职工志愿服务队，自2014年成立以来，通过搭建“服务+培训”融合平台，"
        "不断强化技能培训管理、提升志愿者专业水平。（成立日期按2014年登记）",
    )
    pengyou = services.team_create(
        actor=staff,
        organization=baic,
        name=PENGYOU,
        founded_on=flag_day,
        skills=SKILLS,
        service_mode="服务+培训",
        contact_name="张国栋",
        description="北京市首支新能源汽车安全驾驶领域的专业职工志愿者队伍，延续以专业能力为"
        "志愿服务提质赋能的优势，为有需求的职工介绍新能源电池维护、充电规范、应急处置等专业知识，"
        "演示电池包检测、日常故障排查方法。",
    )
    teams = {"A": pioneer, "B": pengyou}
    services.honour_add(
        actor=staff,
        team=pengyou,
        title="授旗",
        awarded_on=flag_day,
        awarded_by="北京市总工会职工服务中心",
        note="首都职工志愿服务大篷车“筑牢防线·平安志愿·新能源汽车安全驾驶”主题活动上授旗",
    )
    rng = random.Random(20141205)  # noqa: S311 - invented demo people, reproducible
    members: dict[str, list[Member]] = {"A": [], "B": []}
    for name, mobile, occupation, in_teams, skills, role in WORKERS:
        worker = Worker.objects.filter(mobile_digest=crypto.mobile_digest(mobile)).first()
        if worker is None:
            worker = worker_register(
                actor=None,
                name=name,
                id_number=id_number(rng, region="110105"),
                mobile=mobile,
                employer=baic,
                occupation=occupation,
                joined_union_on=date(2015, 3, 1),
            )
        for key in in_teams:
            joined = date(2014, 3, 5) if key == "A" else teams[key].founded_on
            members[key].append(
                services.member_add_worker(
                    actor=staff,
                    team=teams[key],
                    worker=worker,
                    joined_on=joined,
                    skills=skills,
                    role=role,
                )
            )
    for name, mobile, key, skills, role in OUTSIDE:
        members[key].append(
            services.member_add_outside(
                actor=staff,
                team=teams[key],
                name=name,
                mobile=mobile,
                joined_on=date(2019, 5, 1) if key == "A" else teams[key].founded_on,
                skills=skills,
                role=role,
            )
        )
    # "服务+培训": a training of each team before or on the flag day.
    trainings = [
        (
            pioneer,
            "新能源电池维护与应急处置培训",
            max(flag_day - timedelta(days=12), date(2014, 1, 1)),
        ),
        (pengyou, "冬季用车保养知识培训", flag_day),
    ]
    for team, title, day in trainings:
        training = services.training_create(
            actor=staff,
            team=team,
            title=title,
            held_on=day,
            place="北汽鹏龙汽车服务中心",
            trainer="张国栋",
            hours=Decimal("3"),
            content="新能源用车安全、电池包检测、充电规范与冬季用车保养，现场演示日常故障排查。",
        )
        key = "A" if team == pioneer else "B"
        services.attendance_set(actor=staff, training=training, members=members[key])
    if caravan is None:
        return
    for offset in range(5):
        day = caravan.starts_on + timedelta(days=offset)
        if day > today or day > caravan.ends_on:
            break
        for key in "AB":
            hours = {
                m: Decimal(rng.choice(["3", "3.5", "4", "4.5", "6"]))
                for m in members[key]
                if rng.random() < 0.8
            }
            if not hours:
                continue
            services.service_record(
                actor=staff,
                team=teams[key],
                activity=caravan,
                served_on=day,
                people_served=SERVED[key][offset],
                note="新能源电池维护、充电规范讲解，车辆义检"
                if key == "B"
                else "冬季用车保养讲解、法律咨询",
                hours=hours,
            )
