"""The JSON API under /api/v1/: bearer tokens beside the browser session, same scoping as
the pages (each router calls its app's permissions module)."""

from ninja import NinjaAPI
from ninja.security import django_auth

from liandong.accounts.api import BearerAuth
from liandong.accounts.api import accounts_router as accounts_manage_router
from liandong.accounts.api import audit_router as accounts_audit_router
from liandong.accounts.api import me_router as accounts_me_router
from liandong.accounts.api import router as accounts_router
from liandong.activities.api import public_router as activities_public_router
from liandong.activities.api import router as activities_router
from liandong.campaigns.api import router as campaigns_router
from liandong.competitions.api import public_router as competitions_public_router
from liandong.competitions.api import router as competitions_router
from liandong.core import api_errors
from liandong.demands.api import public_router as demands_public_router
from liandong.demands.api import router as demands_router
from liandong.democracy.api import public_router as democracy_public_router
from liandong.democracy.api import router as democracy_router
from liandong.mediation.api import router as mediation_router
from liandong.meetings.api import router as meetings_router
from liandong.notifications.api import public_router as notifications_public_router
from liandong.notifications.api import router as notifications_router
from liandong.organizations.api import router as organizations_router
from liandong.outreach.api import router as outreach_router
from liandong.reports.api import router as reports_router
from liandong.training.api import router as training_router
from liandong.volunteers.api import router as volunteers_router
from liandong.workers.api import router as workers_router

api = NinjaAPI(
    title="联动 Liandong API",
    version="1",
    description="工会联席会议与职工服务平台接口。认证：POST /api/v1/auth/token 取得令牌，"
    "之后在请求头中携带 `Authorization: Bearer <token>`。",
    auth=[BearerAuth(), django_auth],
    urls_namespace="api",
    docs_url=None,
    renderer=api_errors.Utf8JSONRenderer(),
)
api_errors.install(api)
api.add_router("/auth/", accounts_router)
api.add_router("/me", accounts_me_router)
api.add_router("/organizations/", organizations_router)
api.add_router("/workers/", workers_router)
api.add_router("/audit-log/", accounts_audit_router)
api.add_router("/meetings/", meetings_router)
api.add_router("/demands/", demands_router)
api.add_router("/public/demands", demands_public_router)
api.add_router("/activities/", activities_router)
api.add_router("/public/activities/", activities_public_router)
api.add_router("/competitions/", competitions_router)
api.add_router("/democracy/", democracy_router)
api.add_router("/campaigns/", campaigns_router)
api.add_router("/mediation/", mediation_router)
api.add_router("/outreach/", outreach_router)
api.add_router("/notifications/", notifications_router)
api.add_router("/public/sms-reports/", notifications_public_router)
api.add_router("/reports/", reports_router)
api.add_router("/training/", training_router)
api.add_router("/public/competitions/", competitions_public_router)
api.add_router("/public/democracy/", democracy_public_router)
api.add_router("/accounts/", accounts_manage_router)
api.add_router("/volunteers/", volunteers_router)
