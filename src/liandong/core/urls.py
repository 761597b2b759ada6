from django.urls import path

from liandong.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("audit-log/", views.audit_log_list, name="audit-list"),
    path("healthz", views.healthz, name="healthz"),
]
