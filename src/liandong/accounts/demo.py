"""One login per role for the demo; `liandong demo` prints them."""

from typing import Any

from django.db.models import Value
from django.db.models.functions import Concat

from liandong.accounts.models import Role, User

DEMO_PASSWORD = "lian-dong-2026"  # noqa: S105 - printed by `liandong demo` on purpose
DEMO_ACCOUNTS = [
    ("gansu_admin", "李永红", Role.UNION_ADMIN, "GS-JMGH"),
    ("gansu_staff", "赵文静", Role.UNION_STAFF, "GS-JMGH"),
    ("kuaidi_fed", "马小军", Role.UNION_STAFF, "LZ-KDGL"),
    ("youzheng", "孙立新", Role.LIAISON, "GS-YZJ"),
    ("kuaidi_xiehui", "何永平", Role.LIAISON, "GS-KDXH"),
    ("zto_union", "周丽娟", Role.ENTERPRISE_UNION, "KD-ZTO"),
    ("judge", "吴志刚", Role.JUDGE, None),
]


def load(ctx: dict[str, Any]) -> None:
    orgs = ctx["orgs"]
    accounts = []
    for username, name, role, org_code in DEMO_ACCOUNTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create_user(
                username=username,
                password=DEMO_PASSWORD,
                display_name=name,
                role=role,
                organization=orgs[org_code] if org_code else None,
            )
        accounts.append(
            (
                Role(role).label,
                username,
                DEMO_PASSWORD,
                user.organization.name if user.organization else "",
            )
        )
    # Every demo account gets an address, so that the demo's messages go out by email too
    # (into files in the data dir: `liandong demo` uses Django's file-based email backend).
    User.objects.filter(email="").exclude(username="").update(
        email=Concat("username", Value("@demo.liandong.local"))
    )
    # Other apps (workers: 王师傅's mobile) have put their demo logins first: they load before
    # accounts; the staff logins are printed before them.
    ctx["logins"] = accounts + ctx.get("logins", [])
