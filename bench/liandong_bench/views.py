"""The benchmark's baselines: what one request costs in bare Django, measured beside the app
in the same run (``bench/run.py`` and ``bench/bench_demands.py`` report every scenario as a
ratio against them). They answer without login, which is why they live here and not in the
product.
"""

import json
import random
from functools import lru_cache

from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from liandong.core.models import AuditLog
from liandong.workers.models import Worker

PAGE = 20


@lru_cache(maxsize=1)
def _max_worker_id() -> int:
    # Read once per process; the bench does not add workers while it measures.
    return Worker.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def baseline(request: HttpRequest) -> JsonResponse:
    """One indexed SELECT of 20 rows (a primary-key range from a random place) as JSON."""
    offset = random.randrange(max(_max_worker_id() - PAGE, 1))
    rows = list(
        Worker.objects.filter(pk__gt=offset).order_by("pk").values_list("id", "name")[:PAGE]
    )
    return JsonResponse({"items": rows})


@csrf_exempt
def two_rows(request: HttpRequest) -> JsonResponse:
    """Two rows inserted in one transaction, as a demand intake at its very cheapest would."""
    payload = json.loads(request.body or b"{}")
    with transaction.atomic():
        first = AuditLog.objects.create(
            action="bench.row", target_repr=str(payload.get("city", ""))[:200]
        )
        AuditLog.objects.create(action="bench.row", target_repr=str(first.pk))
    return JsonResponse({"id": first.pk})
