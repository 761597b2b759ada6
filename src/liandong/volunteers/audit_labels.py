"""How the audit log names what is done in volunteer teams (collected by core.audit)."""

from liandong.core.audit import link_finder
from liandong.volunteers.permissions import (
    members_visible_to,
    teams_visible_to,
    trainings_visible_to,
)

APP_NAME = "志愿服务队"

ACTIONS = {
    "volunteers.team_created": "建立志愿服务队",
    "volunteers.team_updated": "修改志愿服务队",
    "volunteers.member_added": "志愿者入队",
    "volunteers.member_removed": "志愿者离队",
    "volunteers.mobile_viewed": "查看志愿者完整手机号",
    "volunteers.honour_added": "登记服务队荣誉",
    "volunteers.service_recorded": "登记志愿服务时长",
    "volunteers.training_created": "登记服务队培训",
    "volunteers.attendance_recorded": "登记培训签到",
}

FIELDS = {
    "team": "服务队",
    "honour": "荣誉",
    "activity": "服务活动",
    "hours": "服务时长（小时）",
    "attendees": "参训人数",
    "fields": "查看的字段",
    "purpose": "查看原因",
}


def _member_links(viewer: object, ids: list[str]) -> dict[str, str]:
    from django.urls import reverse

    rows = members_visible_to(viewer).filter(pk__in=ids).values_list("pk", "team_id")  # type: ignore[arg-type]
    return {str(pk): reverse("volunteers:team-detail", args=[team]) for pk, team in rows}


LINKS = {
    "volunteers.team": link_finder(teams_visible_to, "volunteers:team-detail"),
    "volunteers.training": link_finder(trainings_visible_to, "volunteers:training-detail"),
    "volunteers.member": _member_links,
}
