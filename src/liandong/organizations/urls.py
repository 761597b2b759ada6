from django.urls import path

from liandong.organizations import views

app_name = "organizations"
urlpatterns = [
    path("", views.organization_list, name="organization-list"),
    path("<int:pk>/", views.organization_detail, name="organization-detail"),
]
