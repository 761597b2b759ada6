"""The benchmark's urlconf (see bench_settings.py): the app's routes plus a bare view that
inserts two rows in one transaction, as a demand intake at its very cheapest would."""

import json

from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from liandong.core.models import AuditLog
from liandong.urls import urlpatterns as app_urlpatterns


@csrf_exempt
def two_rows(request: HttpRequest) -> JsonResponse:
    payload = json.loads(request.body or b"{}")
    with transaction.atomic():
        first = AuditLog.objects.create(
            action="bench.row", target_repr=str(payload.get("city", ""))[:200]
        )
        AuditLog.objects.create(action="bench.row", target_repr=str(first.pk))
    return JsonResponse({"id": first.pk})


urlpatterns = [path("bench/two-rows", two_rows), *app_urlpatterns]
