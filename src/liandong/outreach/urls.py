from django.urls import path

from liandong.outreach import views

app_name = "outreach"

urlpatterns = [
    path("", views.key_list, name="key-list"),
    path("new/", views.key_new, name="key-new"),
    path("<int:pk>/", views.key_detail, name="key-detail"),
    path("<int:pk>/visits/new/", views.visit_new, name="visit-new"),
    path("visits/", views.visit_list, name="visit-list"),
    path("visits/<int:pk>/", views.visit_detail, name="visit-detail"),
    path("visits/<int:pk>/demand/", views.visit_demand, name="visit-demand"),
    path("visits/<int:pk>/action-item/", views.visit_action_item, name="visit-action-item"),
    path("visits/<int:pk>/close/", views.visit_close, name="visit-close"),
    path("agreements/", views.agreement_list, name="agreement-list"),
    path("agreements/new/", views.agreement_new, name="agreement-new"),
    path("agreements/<int:pk>/", views.agreement_detail, name="agreement-detail"),
    path("agreements/<int:pk>/edit/", views.agreement_edit, name="agreement-edit"),
    path("agreements/<int:pk>/document/", views.agreement_document, name="agreement-document"),
]
