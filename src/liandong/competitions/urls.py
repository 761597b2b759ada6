from django.urls import path

from liandong.competitions import views

app_name = "competitions"
urlpatterns = [
    path("", views.contest_list_view, name="contest-list"),
    path("new/", views.contest_create_view, name="contest-create"),
    path("<int:pk>/", views.contest_detail_view, name="contest-detail"),
    path("<int:pk>/edit/", views.contest_edit_view, name="contest-edit"),
    path("<int:pk>/rounds/new/", views.round_create_view, name="round-create"),
    path("<int:pk>/prizes/new/", views.prize_tier_create_view, name="prize-tier-create"),
    path("<int:pk>/register/", views.register_view, name="contest-register"),
    path("<int:pk>/teams/new/", views.team_register_view, name="team-register"),
    path("<int:pk>/entrants/", views.entrants_view, name="contest-entrants"),
    path("<int:pk>/prizes/", views.contest_prizes_view, name="contest-prizes"),
    path("<int:pk>/publish/", views.contest_publish_view, name="contest-publish"),
    path("<int:pk>/export.xlsx", views.export_view, name="contest-export"),
    path("<int:pk>/scoreboard/", views.scoreboard_view, name="scoreboard"),
    path("<int:pk>/results/", views.public_results_view, name="public-results"),
    path("rounds/<int:pk>/", views.round_results_view, name="round-results"),
    path("rounds/<int:pk>/segments/new/", views.segment_create_view, name="segment-create"),
    path("rounds/<int:pk>/order/", views.round_order_view, name="round-order"),
    path("rounds/<int:pk>/advance/", views.round_advance_view, name="round-advance"),
    path("segments/<int:pk>/judges/", views.segment_judges_view, name="segment-judges"),
    path("entrants/<int:pk>/", views.entrant_detail_view, name="entrant-detail"),
    path("entrants/<int:pk>/review/", views.entrant_review_view, name="entrant-review"),
    path("entrants/<int:pk>/certificate.pdf", views.certificate_view, name="entrant-certificate"),
    path("entrants/<int:pk>/nominate/", views.nominate_view, name="entrant-nominate"),
    path("judging/", views.judging_view, name="judging"),
    path("judging/segments/<int:pk>/", views.judge_segment_view, name="judge-segment"),
    path("judging/segments/<int:pk>/upload/", views.judge_upload_view, name="judge-upload"),
    path("sheets/<int:pk>/correct/", views.sheet_correct_view, name="sheet-correct"),
    # 补录
    path("back-entry/", views.contest_back_entry_view, name="contest-back-entry"),
]
