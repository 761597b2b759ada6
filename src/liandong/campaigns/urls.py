from django.urls import path

from liandong.campaigns import views

app_name = "campaigns"

urlpatterns = [
    path("", views.campaign_list_view, name="campaign-list"),
    path("new/", views.campaign_create_view, name="campaign-create"),
    path("<int:pk>/", views.campaign_detail_view, name="campaign-detail"),
    path("<int:pk>/edit/", views.campaign_edit_view, name="campaign-edit"),
    path("<int:pk>/targets/", views.campaign_targets_view, name="campaign-targets"),
    path("<int:pk>/tasks/", views.campaign_tasks_view, name="campaign-tasks"),
    path("<int:pk>/progress/", views.campaign_progress_view, name="campaign-progress"),
    path(
        "<int:pk>/records/<int:org>/<str:measure>/",
        views.campaign_records_view,
        name="campaign-records",
    ),
    path("tasks/<int:pk>/", views.task_detail_view, name="task-detail"),
    path("tasks/<int:pk>/claim/", views.task_claim_view, name="task-claim"),
]
