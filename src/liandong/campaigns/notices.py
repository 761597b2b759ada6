"""Who hears of campaign steps, through notifications.notify in the step's transaction: the
owning union's staff when a body claims a task (揭榜); the claiming body's accounts when a
milestone of its task passes its due date undone (once per milestone, by the tick job)."""

from django.db.models import QuerySet

from liandong.accounts.models import ORGANIZATION_ROLES, User
from liandong.notifications.kinds import Kind
from liandong.notifications.models import Channel

TASK_CLAIMED = "campaigns.task_claimed"
MILESTONE_OVERDUE = "campaigns.milestone_overdue"

NOTIFICATION_KINDS = [
    Kind(
        key=TASK_CLAIMED,
        label="专项行动任务被揭榜",
        title="{campaign}：{body}揭榜“{task}”",
        body="{body}已揭榜专项行动“{campaign}”的任务“{task}”，请跟进其节点安排。",
        defaults=frozenset({Channel.EMAIL}),
    ),
    Kind(
        key=MILESTONE_OVERDUE,
        label="揭榜任务节点逾期",
        title="揭榜任务节点逾期：{milestone}",
        body="贵单位揭榜的“{task}”（{campaign}）的节点“{milestone}”应于{due}完成，目前尚未完成，"
        "请尽快推进并在平台上登记完成情况。",
        sms="联动平台提醒：贵单位揭榜任务的节点已逾期，请登录平台查看。",
        defaults=frozenset({Channel.EMAIL, Channel.SMS}),
    ),
]


def accounts_of(organization_id: int) -> QuerySet[User]:
    return User.objects.filter(
        organization_id=organization_id, is_active=True, role__in=ORGANIZATION_ROLES
    )
