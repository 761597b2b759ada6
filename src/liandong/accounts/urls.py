from django.urls import path

from liandong.accounts import account_views, views

# Included at the site's root: the start page and the audit log live at the top level.
app_name = "accounts"
urlpatterns = [
    path("", views.home, name="home"),
    path("audit-log/", views.audit_log_list, name="audit-list"),
    path("accounts/login/", views.staff_login, name="login"),
    path("accounts/logout/", views.logout_view, name="logout"),
    path("accounts/password/", views.password_set, name="password-set"),
    path("accounts/profile/", account_views.profile, name="profile"),
    path("accounts/profile/mobile/", account_views.profile_mobile, name="profile-mobile"),
    path("accounts/invitation/", account_views.invitation_accept, name="invitation-accept"),
    path("accounts/users/", account_views.account_list, name="account-list"),
    path("accounts/users/new/", account_views.account_create, name="account-create"),
    path("accounts/users/<int:pk>/", account_views.account_detail, name="account-detail"),
    path("accounts/users/<int:pk>/edit/", account_views.account_edit, name="account-edit"),
    path("accounts/users/<int:pk>/disable/", account_views.account_disable, name="account-disable"),
    path("accounts/users/<int:pk>/enable/", account_views.account_enable, name="account-enable"),
    path("accounts/users/<int:pk>/invite/", account_views.account_invite, name="account-invite"),
    path("accounts/users/<int:pk>/revoke/", account_views.account_revoke, name="account-revoke"),
]
