from django.urls import path

from liandong.volunteers import views

app_name = "volunteers"
urlpatterns = [
    path("", views.team_list, name="team-list"),
    path("new/", views.team_create, name="team-create"),
    path("<int:pk>/", views.team_detail, name="team-detail"),
    path("<int:pk>/edit/", views.team_edit, name="team-edit"),
    path("<int:pk>/members/new/", views.member_add, name="member-add"),
    path("<int:pk>/honours/new/", views.honour_add, name="honour-add"),
    path("<int:pk>/services/new/", views.service_add, name="service-add"),
    path("<int:pk>/trainings/new/", views.training_create, name="training-create"),
    path("members/<int:pk>/remove/", views.member_remove, name="member-remove"),
    path("members/<int:pk>/reveal/", views.member_reveal, name="member-reveal"),
    path("trainings/<int:pk>/", views.training_detail, name="training-detail"),
]
