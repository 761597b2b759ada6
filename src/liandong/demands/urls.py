from django.urls import path

from liandong.demands import views

app_name = "demands"
urlpatterns = [
    path("", views.demand_list_view, name="demand-list"),
    path("new/", views.demand_create_view, name="demand-create"),
    path("stats/", views.demand_stats_view, name="demand-stats"),
    path("stats.xlsx", views.demand_stats_export_view, name="demand-stats-export"),
    path("settings/", views.demand_settings_view, name="demand-settings"),
    path("triage/", views.triage_queue_view, name="triage-queue"),
    path("triage/<int:pk>/", views.triage_choose_view, name="triage-choose"),
    path("classifier/", views.classifier_view, name="classifier"),
    path("<int:pk>/", views.demand_detail_view, name="demand-detail"),
    path("<int:pk>/act/", views.demand_act_view, name="demand-act"),
    path("<int:pk>/reveal/", views.demand_reveal_view, name="demand-reveal"),
    path("<int:pk>/photos/<int:photo_id>/", views.demand_photo_view, name="demand-photo"),
    # Worker-facing, without login.
    path("submit/", views.public_submit, name="public-submit"),
    path("submit/text-code/", views.public_text_code, name="public-text-code"),
    path("track/", views.public_track, name="public-track"),
    path("track/rate/", views.public_rate, name="public-rate"),
]
