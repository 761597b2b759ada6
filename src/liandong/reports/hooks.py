"""What the reports app offers other apps (see core/extensions.py)."""

from liandong.core.extensions import NavItem
from liandong.reports.permissions import can_view_reports

NAV_ITEMS = [
    NavItem(label="数据看板", url_name="reports:dashboard", visible=can_view_reports, order=15),
]
