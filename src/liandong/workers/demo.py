"""Demo workers: couriers at the courier outlets, hairdressers at the salons, and 王师傅."""

import random
from datetime import date, timedelta
from typing import Any

from liandong.accounts.demo import DEMO_PASSWORD
from liandong.accounts.models import Role
from liandong.core.sample_data import id_number, mobile, person_name
from liandong.organizations.models import Organization
from liandong.workers.models import Worker
from liandong.workers.services import worker_register
from liandong.workers.signin import worker_account_ensure

DEMO_WORKER_MOBILE = "13919310001"
OCCUPATIONS = {
    "快递": ["快递员", "快递员", "快递员", "分拣员", "网点负责人"],
    "即时配送": ["外卖骑手", "网约配送员"],
    "美发美容": ["美发师", "美容师", "养生保健技师"],
    "物流": ["货车司机", "仓储管理员"],
}


def load(ctx: dict[str, Any]) -> None:
    if Worker.objects.exists():
        ctx["wang"] = Worker.objects.filter(name="王建国").first()
    else:
        _workers(ctx)
    wang = ctx["wang"]
    if wang is not None:
        _login(wang)
        _honours(wang)
        ctx.setdefault("logins", []).append(
            (Role.WORKER.label, DEMO_WORKER_MOBILE, f"{DEMO_PASSWORD}（或短信验证码）", wang.name)
        )


def _login(wang: Worker) -> None:
    """王师傅 signs in with his mobile and the demo password (or a code by SMS)."""
    user = worker_account_ensure(worker=wang)
    if not user.has_usable_password():
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])


def _workers(ctx: dict[str, Any]) -> None:
    rng = random.Random(20261125)  # noqa: S311 - invented demo people, reproducible
    orgs: dict[str, Organization] = ctx["orgs"]
    ctx["wang"] = worker_register(
        actor=None,
        name="王建国",
        id_number="620102198403152712",
        mobile=DEMO_WORKER_MOBILE,
        employer=orgs["KD-ZTO-01"],
        occupation="快递员",
        joined_union_on=date(2025, 3, 18),
    )
    employers = [
        o
        for o in orgs.values()
        if o.kind in {Organization.Kind.OUTLET, Organization.Kind.ENTERPRISE}
        and o.industry in OCCUPATIONS
    ]
    for employer in employers:
        for _ in range(
            rng.randint(6, 14) if employer.kind == Organization.Kind.OUTLET else rng.randint(3, 8)
        ):
            member = employer.union_status != Organization.UnionStatus.NONE and rng.random() < 0.8
            worker_register(
                actor=None,
                name=person_name(rng),
                id_number=id_number(rng),
                mobile=mobile(rng),
                employer=employer,
                occupation=rng.choice(OCCUPATIONS[employer.industry]),
                joined_union_on=date(2025, 3, 18) + timedelta(days=rng.randrange(0, 300))
                if member
                else None,
            )


def _honours(wang: Worker) -> None:
    """Honours beyond model workers (甘肃: couriers recommended as model workers, invited to the
    “九三” parade, 最美快递员), on 王师傅 and two colleagues (idempotent)."""
    from liandong.workers.models import Honour
    from liandong.workers.services import honour_add

    if Honour.objects.exists():
        return
    honour_add(
        actor=None,
        worker=wang,
        category="ceremony",
        title="受邀参加“九三”阅兵观礼",
        awarded_by="甘肃省总工会",
        awarded_on=date(2025, 9, 3),
    )
    honour_add(
        actor=None,
        worker=wang,
        category="best_courier",
        title="2025年度甘肃省“最美快递员”",
        awarded_by="甘肃省邮政管理局、甘肃省快递协会",
        awarded_on=date(2025, 11, 20),
    )
    colleagues = Worker.objects.filter(employer=wang.employer).exclude(pk=wang.pk).order_by("pk")
    for worker, category, title, by, day in zip(
        colleagues[:2],
        ["national_model", "craftsman"],
        ["2025年全国劳动模范", "兰州市快递行业“陇原工匠”"],
        ["中华全国总工会", "兰州市总工会"],
        [date(2025, 4, 28), date(2025, 5, 1)],
        strict=False,
    ):
        honour_add(
            actor=None, worker=worker, category=category, title=title, awarded_by=by, awarded_on=day
        )
