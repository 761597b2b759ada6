"""Meeting notices through notifications.notify (in the meeting service's transaction): every
account of every member body gets the notice, change or cancellation in its inbox, and by
email with the .ics invitation attached when it has an address and wants email."""

from django.urls import reverse

from liandong.notifications.kinds import Kind
from liandong.notifications.models import Channel

NOTICE = "meetings.notice"
CANCELLED = "meetings.cancelled"
MINUTES = "meetings.minutes"
ITEM_ASSIGNED = "meetings.item_assigned"
ITEM_DUE_SOON = "meetings.item_due_soon"
ITEM_OVERDUE = "meetings.item_overdue"


def _ics(target: str, *, cancel: bool) -> list[tuple[str, bytes, str]]:
    from liandong.meetings.models import Meeting
    from liandong.meetings.services import meeting_ics

    meeting = Meeting.objects.filter(pk=int(target.rpartition(":")[2])).first()
    if meeting is None:
        return []
    method = "CANCEL" if cancel else "REQUEST"
    return [
        (
            f"meeting-{meeting.pk}.ics",
            meeting_ics(meeting, cancel=cancel),
            f"text/calendar; method={method}",
        )
    ]


NOTIFICATION_KINDS = [
    Kind(
        key=NOTICE,
        label="会议通知",
        title="会议通知：{title}",
        body=(
            "定于{when}召开{title}。\n地点：{place}\n主题：{topic}\n承办单位：{host}\n"
            "请安排人员参会。会议邀请见附件（可导入日历）。\n{mechanism}"
        ),
        defaults=frozenset({Channel.EMAIL}),
        attachments=lambda target: _ics(target, cancel=False),
    ),
    Kind(
        key=CANCELLED,
        label="会议取消",
        title="会议取消：{title}",
        body="原定于{when}召开的{title}取消。\n原因：{reason}\n{mechanism}",
        defaults=frozenset({Channel.EMAIL}),
        attachments=lambda target: _ics(target, cancel=True),
    ),
    Kind(
        key=MINUTES,
        label="会议纪要发布",
        title="会议纪要已发布：{title}",
        body="{title}的会议纪要已发布，请查看并按议定事项抓好落实。\n{mechanism}",
        defaults=frozenset({Channel.EMAIL}),
    ),
    Kind(
        key=ITEM_ASSIGNED,
        label="督办事项交办",
        title="督办事项交办：{short}",
        body=(
            "{mechanism}议定事项由贵单位牵头办理，完成时限为{deadline}。\n事项：{resolution}\n"
            "请登录联动平台按时报送进展。"
        ),
        defaults=frozenset({Channel.EMAIL}),
    ),
    Kind(
        key=ITEM_DUE_SOON,
        label="督办事项即将到期",
        title="【督办提醒】督办事项即将到期：{short}",
        body=(
            "{mechanism}的督办事项由贵单位牵头办理，完成时限为{deadline}，当前进度 {progress}%，"
            "即将到期。\n事项：{resolution}\n请登录联动平台报送进展。"
        ),
        sms="【联动】{mechanism}的一项督办事项将于{deadline}到期，请登录联动平台报送进展。",
        defaults=frozenset({Channel.EMAIL}),
    ),
    Kind(
        key=ITEM_OVERDUE,
        label="督办事项已逾期",
        title="【督办提醒】督办事项已逾期：{short}",
        body=(
            "{mechanism}的督办事项由贵单位牵头办理，完成时限为{deadline}，当前进度 {progress}%，"
            "已逾期。\n事项：{resolution}\n请尽快办理并报送进展。"
        ),
        sms="【联动】{mechanism}的一项督办事项已逾期（时限{deadline}），请登录联动平台办理并报送进展。",
        defaults=frozenset({Channel.EMAIL, Channel.SMS}),
    ),
]


def meeting_link(meeting_id: int) -> str:
    return reverse("meetings:meeting-detail", args=[meeting_id])
