"""The benchmark's baseline: what one request costs in bare Django, measured beside the app.

Mounted under /bench/ only when ``LIANDONG_BENCH`` is set (env LIANDONG_BENCH=1): it answers
without login, so a normal installation must not serve it. ``bench/run.py`` reports every
scenario as a ratio against this view's throughput in the same run.
"""

import random
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.urls import path

from liandong.workers.models import Worker

PAGE = 20


@lru_cache(maxsize=1)
def _max_worker_id() -> int:
    # Read once per process; the bench does not add workers while it measures.
    return Worker.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def baseline(request: HttpRequest) -> JsonResponse:
    """One indexed SELECT of 20 rows (a primary-key range from a random place) as JSON."""
    offset = random.randrange(max(_max_worker_id() - PAGE, 1))  # noqa: S311 - spreads reads, not security
    rows = list(
        Worker.objects.filter(pk__gt=offset).order_by("pk").values_list("id", "name")[:PAGE]
    )
    return JsonResponse({"items": rows})


app_name = "bench"
urlpatterns = [path("baseline", baseline, name="baseline")] if settings.LIANDONG_BENCH else []
