from django.urls import path

from liandong.mediation import views

app_name = "mediation"
urlpatterns = [
    path("", views.case_list_view, name="case-list"),
    path("new/", views.case_create_view, name="case-create"),
    path("settings/", views.settings_view, name="settings"),
    path("from-demand/<int:demand_id>/", views.from_demand_view, name="from-demand"),
    path("<int:pk>/", views.case_detail_view, name="case-detail"),
    path("<int:pk>/parties/", views.party_view, name="case-party"),
    path("<int:pk>/reveal/", views.reveal_view, name="case-reveal"),
    path("<int:pk>/mediators/", views.mediators_view, name="case-mediators"),
    path("<int:pk>/sessions/", views.session_view, name="case-session"),
    path("<int:pk>/agreement/", views.agreement_view, name="case-agreement"),
    path("<int:pk>/referral/", views.referral_view, name="case-referral"),
    path("<int:pk>/withdrawal/", views.withdrawal_view, name="case-withdrawal"),
    path("<int:pk>/extension/", views.extension_view, name="case-extension"),
    path("<int:pk>/document/", views.document_view, name="case-document"),
]
