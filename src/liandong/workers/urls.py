from django.urls import path

from liandong.workers import views

app_name = "workers"
urlpatterns = [
    path("", views.worker_list_view, name="worker-list"),
    path("export.xlsx", views.worker_export_view, name="worker-export"),
    path("me/", views.me_view, name="me"),
    path("me/reveal/", views.me_reveal_view, name="me-reveal"),
    path("me/demand/", views.me_demand_view, name="me-demand"),
    path("me/demands/<int:pk>/", views.me_demand_detail_view, name="me-demand-detail"),
    path("new/", views.worker_create_view, name="worker-create"),
    path("<int:pk>/", views.worker_detail_view, name="worker-detail"),
    path("<int:pk>/edit/", views.worker_edit_view, name="worker-edit"),
    path("<int:pk>/reveal/", views.worker_reveal_view, name="worker-reveal"),
    path("<int:pk>/honours/new/", views.honour_create_view, name="honour-create"),
    path("honours/<int:pk>/delete/", views.honour_delete_view, name="honour-delete"),
    path("imports/", views.roster_import_view, name="roster-import"),
    path("imports/template.xlsx", views.roster_template_view, name="roster-template"),
    path("imports/<int:pk>/", views.roster_import_detail_view, name="roster-import-detail"),
    path(
        "imports/<int:pk>/report.xlsx", views.roster_import_report_view, name="roster-import-report"
    ),
]
