"""How the audit log names what is done in joint meetings (collected by core.audit)."""

from liandong.core.audit import link_finder
from liandong.meetings.permissions import (
    action_items_visible_to,
    mechanisms_visible_to,
    meetings_visible_to,
)

APP_NAME = "联席会议"

ACTIONS = {
    "meetings.mechanism_created": "新建联席会议机制",
    "meetings.mechanism_updated": "修改联席会议机制",
    "meetings.member_added": "添加成员单位",
    "meetings.member_removed": "移除成员单位",
    "meetings.plan_created": "新建年度计划",
    "meetings.plan_updated": "修改年度计划",
    "meetings.plan_approved": "批准年度计划",
    "meetings.planned_meeting_added": "计划中添加会议",
    "meetings.target_added": "添加年度目标",
    "meetings.target_recorded": "登记目标完成情况",
    "meetings.meeting_scheduled": "安排会议",
    "meetings.meeting_updated": "修改会议",
    "meetings.meeting_notified": "发出会议通知",
    "meetings.meeting_cancelled": "取消会议",
    "meetings.meeting_held": "会议已召开",
    "meetings.meeting_back_entered": "补录会议",
    "meetings.agenda_item_added": "添加议题",
    "meetings.agenda_item_removed": "移除议题",
    "meetings.attendance_recorded": "登记出席",
    "meetings.minutes_saved": "保存会议纪要",
    "meetings.minutes_published": "发布会议纪要",
    "meetings.resolution_recorded": "记录议定事项",
    "meetings.resolution_back_entered": "补录议定事项",
    "meetings.progress_reported": "报送进展",
    "meetings.progress_back_entered": "补录进展",
    "meetings.action_item_cancelled": "撤销督办事项",
    "meetings.reminder_due_soon": "督办事项即将到期提醒",
    "meetings.reminder_overdue": "督办事项逾期提醒",
}

FIELDS = {
    "recipients": "提醒人数",
    "percent": "进度（%）",
}

LINKS = {
    "meetings.mechanism": link_finder(mechanisms_visible_to, "meetings:mechanism-detail"),
    "meetings.meeting": link_finder(meetings_visible_to, "meetings:meeting-detail"),
    "meetings.actionitem": link_finder(action_items_visible_to, "meetings:item-detail"),
}

TYPES = {
    "meetings.plannedmeeting": "计划会议",
    "meetings.plantarget": "年度目标",
    "meetings.attendance": "出席记录",
    "meetings.agendaitem": "会议议题",
    "meetings.progressreport": "进展报告",
    "meetings.reminder": "督办提醒",
}
