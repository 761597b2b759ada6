"""The product's routes plus the bare views the benchmark compares them with."""

from django.urls import path

from liandong import urls as product_urls
from liandong_bench import views

urlpatterns = [
    path("bench/baseline", views.baseline, name="bench-baseline"),
    path("bench/two-rows", views.two_rows, name="bench-two-rows"),
    *product_urls.urlpatterns,
]
handler404 = product_urls.handler404
