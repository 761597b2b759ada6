from django.urls import path

from liandong.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.staff_login, name="login"),
    path("login/worker/", views.worker_login, name="worker-login"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_set, name="password-set"),
]
