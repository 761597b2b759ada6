"""Who hears of a contest's results (competitions/notices.py through notifications.notify)."""

from typing import Any

import pytest
from django.db import transaction

from liandong.competitions import services
from liandong.competitions.tests.factories import Setup
from liandong.competitions.tests.test_services import finish
from liandong.notifications.models import Delivery, Message


def test_published_results_tell_the_registering_bodys_accounts(world: Any, setup: Setup) -> None:
    finish(setup, {0: "88", 1: "93"})
    services.contest_award_prizes(actor=None, contest=setup.contest)
    assert not Message.objects.exists()  # awarding is not publishing
    services.contest_publish(actor=None, contest=setup.contest)
    # the entrants were registered by union A: its accounts, not the workers nor union B
    told = set(
        Message.objects.filter(kind="competitions.results").values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"admin_a", "staff_a"}
    message = Message.objects.filter(kind="competitions.results")[0]
    assert setup.contest.name in message.title
    assert "报名参赛 3 人，获奖 2 人" in message.body
    assert message.link == f"/competitions/{setup.contest.pk}/results/"


def test_a_rolled_back_publication_tells_no_one(world: Any, setup: Setup) -> None:
    finish(setup, {0: "88", 1: "93"})
    services.contest_award_prizes(actor=None, contest=setup.contest)

    def publish_then_fail() -> None:
        with transaction.atomic():
            services.contest_publish(actor=None, contest=setup.contest)
            assert Message.objects.exists()
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        publish_then_fail()
    assert not Message.objects.exists()
    assert not Delivery.objects.exists()
