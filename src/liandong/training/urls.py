from django.urls import path

from liandong.training import views

app_name = "training"

urlpatterns = [
    path("", views.home, name="home"),
    path("sessions/<int:pk>/", views.session_detail, name="session-detail"),
    path("lecturers/", views.lecturer_list, name="lecturers"),
    path("lecturers/<int:pk>/", views.lecturer_detail, name="lecturer-detail"),
    path("lecturers/<int:pk>/reveal/", views.lecturer_reveal_view, name="lecturer-reveal"),
    path("library/", views.library, name="library"),
    path("library/<int:pk>/", views.document_detail, name="document-detail"),
    path("library/<int:pk>/download/", views.document_download, name="document-download"),
]
