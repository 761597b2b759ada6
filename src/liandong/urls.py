from django.urls import include, path

from liandong.api import api

urlpatterns = [
    path("", include("liandong.core.urls")),
    path("", include("liandong.accounts.urls")),
    path("accounts/login/worker/", include("liandong.workers.signin_views")),
    path("organizations/", include("liandong.organizations.urls")),
    path("workers/", include("liandong.workers.urls")),
    path("meetings/", include("liandong.meetings.urls")),
    path("volunteers/", include("liandong.volunteers.urls")),
    path("mediation/", include("liandong.mediation.urls")),
    path("demands/", include("liandong.demands.urls")),
    path("activities/", include("liandong.activities.urls")),
    path("competitions/", include("liandong.competitions.urls")),
    path("democracy/", include("liandong.democracy.urls")),
    path("campaigns/", include("liandong.campaigns.urls")),
    path("outreach/", include("liandong.outreach.urls")),
    path("notifications/", include("liandong.notifications.urls")),
    path("workbench/", include("liandong.workbench.urls")),
    path("reports/", include("liandong.reports.urls")),
    path("training/", include("liandong.training.urls")),
    path("api/v1/", api.urls),
]

# Chinese pages in the product's layout, or JSON {"detail": ...} under /api/ (core/views.py).
handler400 = "liandong.core.views.bad_request"
handler403 = "liandong.core.views.permission_denied"
handler404 = "liandong.core.views.page_not_found"
handler500 = "liandong.core.views.server_error"
