"""Shared by every app's ``tests/test_query_counts.py``: exact statement counts of hot paths,
for one and for several rows (the count must not grow with the rows)."""

from typing import Any

# Every signed-in request: the session, its user, and the user's organization (scopes).
SIGNED_IN = 3
# A signed-in page (not the API) also shows the unread count in its header: one COUNT over the
# partial index of unread messages (notifications.context_processors.unread).
HEADER = 1
ROWS = [1, 4]


def measure(client: Any, url: str, queries: int, django_assert_num_queries: Any) -> Any:
    """One warm-up request (per-process caches reach their steady state), then the measured one.
    ``queries`` leaves out the header's unread count, added here for pages that show it."""
    warm = client.get(url)
    assert warm.status_code == 200
    if b'class="inbox-link"' in warm.content:
        queries += HEADER
    with django_assert_num_queries(queries):
        response = client.get(url)
    assert response.status_code == 200
    return response
