from liandong.core.extensions import NavItem
from liandong.notifications.permissions import can_manage_deliveries

NAV_ITEMS = [
    NavItem(
        label="发送失败",
        url_name="notifications:delivery-list",
        visible=can_manage_deliveries,
        order=900,
        group="accounts",  # in the menu under 系统管理, with accounts and the audit log
    ),
]
