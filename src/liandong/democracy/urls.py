from django.urls import path

from liandong.democracy import views

app_name = "democracy"
urlpatterns = [
    path("", views.home, name="home"),
    path("congresses/<int:pk>/", views.congress_detail, name="congress-detail"),
    path("congresses/<int:pk>/proposals/new/", views.proposal_new, name="proposal-new"),
    path("proposals/", views.proposal_list_view, name="proposal-list"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal-detail"),
    path("library/", views.library_view, name="library"),
    path("library/attachments/<int:pk>/", views.case_attachment, name="case-attachment"),
    path("disclosures/", views.disclosure_list, name="disclosure-list"),
    path("disclosures/<int:pk>/", views.disclosure_detail, name="disclosure-detail"),
    path("negotiations/", views.negotiation_list, name="negotiation-list"),
    path("negotiations/<int:pk>/", views.negotiation_detail, name="negotiation-detail"),
    path("nominations/", views.nomination_list, name="nomination-list"),
    path("nominations/<int:pk>/", views.nomination_detail, name="nomination-detail"),
    path("notices/", views.notice_list, name="notice-list"),
    path("notices/<int:pk>/", views.notice_detail, name="notice-detail"),
    path("figures/", views.figures_view, name="figures"),
]
