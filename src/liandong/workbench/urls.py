from django.urls import path

from liandong.workbench import views

app_name = "workbench"
urlpatterns = [
    path("", views.workbench_view, name="home"),
]
