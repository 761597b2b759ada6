import pytest

from liandong.competitions.models import ContestStatus
from liandong.competitions.tests.factories import Setup, contest_setup


@pytest.fixture
def setup(world) -> Setup:
    return contest_setup(world, status=ContestStatus.IN_PROGRESS)
