"""The product's URLs plus views that fail on purpose, for test_error_pages.py."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.urls import path

from liandong.urls import urlpatterns as product_urlpatterns


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("boom")


def suspicious(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("tampered")


def refused(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def refused_with_reason(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied("只有本单位管理员可以查看")


urlpatterns = [
    path("test-errors/boom/", boom),
    path("test-errors/bad/", suspicious),
    path("test-errors/refused/", refused),
    path("test-errors/refused-why/", refused_with_reason),
    path("api/test-errors/boom/", boom),
    path("api/test-errors/bad/", suspicious),
    path("api/test-errors/refused/", refused),
    *product_urlpatterns,
]

handler400 = "liandong.core.views.bad_request"
handler403 = "liandong.core.views.permission_denied"
handler404 = "liandong.core.views.page_not_found"
handler500 = "liandong.core.views.server_error"
