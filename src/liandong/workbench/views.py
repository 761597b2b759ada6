from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from liandong.accounts.models import AuthenticatedHttpRequest
from liandong.meetings.permissions import can_report_progress
from liandong.workbench import selectors
from liandong.workbench.permissions import can_use_workbench, has_union_desk


@login_required
def workbench_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """工作台: the union desk for union admins and staff; a member body's desk otherwise."""
    user = request.user
    if not can_use_workbench(user):
        raise PermissionDenied
    if has_union_desk(user):
        return render(request, "workbench/union_desk.html", {"desk": selectors.union_desk(user)})
    desk = selectors.body_desk(user)
    reportable = {item.pk for item in desk.items if can_report_progress(user, item)}
    return render(request, "workbench/body_desk.html", {"desk": desk, "reportable": reportable})


def front_door(request: HttpRequest) -> HttpResponse:
    """``/`` for people not signed in: raise or follow a demand, the hotline, public notices,
    contests; staff and worker sign-in."""
    return render(request, "workbench/front_door.html", {"door": selectors.front_door()})
