from django.urls import path

from liandong.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("screen/", views.screen_view, name="screen"),
    path("export/<slug:key>.xlsx", views.export_view, name="export"),
    path("mechanisms/<int:pk>/", views.mechanism_view, name="mechanism"),
    path("annual/", views.annual_view, name="annual"),
]
