import pytest


@pytest.fixture(autouse=True)
def _fresh_figures(settings: pytest.FixtureRequest) -> None:
    """Each test reads the figures as they are now, not as an earlier test left them cached
    (test_cache.py turns the cache back on)."""
    settings.LIANDONG_REPORTS_CACHE_SECONDS = 0
