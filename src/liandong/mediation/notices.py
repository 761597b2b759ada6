"""Messages of the mediation app, sent with notifications.notify in the service's transaction:
a mediator is told of a case assigned to them, and the tick reminds the mediators of a case
whose time limit is near or past. No personal data: the case code, type and dates."""

from liandong.notifications.kinds import Kind
from liandong.notifications.models import Channel

ASSIGNED = "mediation.assigned"
DUE_SOON = "mediation.due_soon"
OVERDUE = "mediation.overdue"

NOTIFICATION_KINDS = [
    Kind(
        key=ASSIGNED,
        label="调解案件指派",
        title="调解案件指派：{code}",
        body=(
            "{union}受理的劳动争议调解案件 {code}（{case_type}）指派您为调解员，"
            "调解期限至 {due}。\n请登录联动平台查看案情并安排调解。"
        ),
        defaults=frozenset({Channel.EMAIL}),
    ),
    Kind(
        key=DUE_SOON,
        label="调解期限将至",
        title="【调解提醒】案件 {code} 调解期限将至",
        body="劳动争议调解案件 {code}（{case_type}）的调解期限为 {due}，即将到期。\n"
        "请抓紧调解；未能达成协议的，告知当事人可依法申请劳动仲裁。",
        sms="【联动】调解案件{code}将于{due}到期，请登录联动平台办理。",
        defaults=frozenset({Channel.EMAIL}),
    ),
    Kind(
        key=OVERDUE,
        label="调解超过期限",
        title="【调解提醒】案件 {code} 已超过调解期限",
        body="劳动争议调解案件 {code}（{case_type}）的调解期限为 {due}，已超期未结。\n"
        "请尽快登记调解结果：达成协议、转劳动仲裁或申请人撤回。",
        sms="【联动】调解案件{code}已超过调解期限（{due}），请登录联动平台办理。",
        defaults=frozenset({Channel.EMAIL, Channel.SMS}),
    ),
]
