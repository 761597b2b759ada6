"""Notices of the outreach app through notifications.notify (in the service's transaction)."""

from liandong.notifications.kinds import Kind
from liandong.notifications.models import Channel

AGREEMENT_EXPIRING = "outreach.agreement_expiring"
KEY_ENTERPRISE_ASSIGNED = "outreach.key_enterprise_assigned"

NOTIFICATION_KINDS = [
    Kind(
        key=AGREEMENT_EXPIRING,
        label="协议即将到期",
        title="【到期提醒】协议即将到期：{title}",
        body=(
            "{owner}经办的《{title}》将于{expires}到期（还有 {days} 天）。\n签约各方：{parties}\n"
            "请及时商议续签或做好到期后的工作衔接。"
        ),
        defaults=frozenset({Channel.EMAIL}),
    ),
    Kind(
        key=KEY_ENTERPRISE_ASSIGNED,
        label="重点企业包干联系",
        title="重点企业包干联系：{enterprise}",
        body="{union}安排您包干联系重点企业{enterprise}。请定期走访，走访情况在联动平台登记。",
        defaults=frozenset(),
    ),
]
