from django.urls import path

from liandong.accounts import views

# Included at the site's root: the start page and the audit log live at the top level.
app_name = "accounts"
urlpatterns = [
    path("", views.home, name="home"),
    path("audit-log/", views.audit_log_list, name="audit-list"),
    path("accounts/login/", views.staff_login, name="login"),
    path("accounts/logout/", views.logout_view, name="logout"),
    path("accounts/password/", views.password_set, name="password-set"),
]
