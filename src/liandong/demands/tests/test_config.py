"""The per-process copy of the configuration (config.py) is dropped when a change commits."""

import pytest

from liandong.demands import config
from liandong.demands.services import routing_rule_deactivate

pytestmark = pytest.mark.django_db


def test_the_copy_is_dropped_when_the_change_commits_not_before(
    world, rules, django_capture_on_commit_callbacks, django_assert_num_queries
) -> None:
    assert len(config.rules()) == 3
    with django_assert_num_queries(0):  # the cached copy
        assert len(config.rules()) == 3
    with django_capture_on_commit_callbacks(execute=True):
        routing_rule_deactivate(actor=None, rule=rules["any"])
        # Not committed yet: another request must not load (and keep) uncommitted rows.
        assert len(config.rules()) == 3
    assert sorted(rule.pk for rule in config.rules()) == sorted(
        [rules["wages"].pk, rules["courier"].pk]
    )
