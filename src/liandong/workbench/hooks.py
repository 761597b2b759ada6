"""What the workbench offers other apps (see core/extensions.py): its menu entry, first."""

from liandong.core.extensions import NavItem
from liandong.workbench.permissions import can_use_workbench

NAV_ITEMS = [NavItem(label="工作台", url_name="workbench:home", visible=can_use_workbench, order=1)]
