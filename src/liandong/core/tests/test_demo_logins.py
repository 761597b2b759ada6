"""Every login `liandong demo` prints works with the printed password."""

import re

import pytest
from django.contrib.auth import authenticate

from liandong.accounts.demo import DEMO_PASSWORD
from liandong.core.demo import demo_load

pytestmark = pytest.mark.django_db


def usernames(text: str) -> list[str]:
    """Account names in a printed line: ``cc_judge_1…4`` stands for four."""
    names = []
    for stem, first, last, name, mobile in re.findall(
        r"([a-z][a-z_]*_)(\d+)…(\d+)|([a-z][a-z0-9_]+)|(1\d{10})", text
    ):
        if stem:
            names += [f"{stem}{n}" for n in range(int(first), int(last) + 1)]
        else:
            names.append(name or mobile)
    return names


def test_every_printed_login_signs_in() -> None:
    ctx = demo_load()
    main = [username for _role, username, _password, _where in ctx["logins"]]
    more = [name for _module, who in ctx["more_logins"] for name in usernames(who)]
    assert {"技能竞赛", "民主管理", "服务活动"} <= {module for module, _who in ctx["more_logins"]}
    assert {"cc_judge_4", "yn_judge_7", "13906310001"} <= set(more)
    for username in main + more:
        assert authenticate(None, username=username, password=DEMO_PASSWORD) is not None, username
