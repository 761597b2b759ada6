"""How the audit log names what is done in campaigns (collected by core.audit)."""

from liandong.campaigns.permissions import campaigns_visible_to, tasks_visible_to
from liandong.core.audit import link_finder

APP_NAME = "专项行动"

ACTIONS = {
    "campaigns.campaign_created": "新建专项行动",
    "campaigns.campaign_updated": "修改专项行动",
    "campaigns.target_set": "下达行动目标",
    "campaigns.target_removed": "删除行动目标",
    "campaigns.task_published": "发布揭榜任务",
    "campaigns.task_claimed": "揭榜",
    "campaigns.task_released": "撤销揭榜",
    "campaigns.task_completed": "揭榜任务完成",
    "campaigns.milestone_added": "添加任务节点",
    "campaigns.milestone_done": "节点完成",
    "campaigns.milestone_overdue": "任务节点逾期提醒",
    "campaigns.progress_reported": "填报行动进展",
}

FIELDS = {
    "reason": "原因",
    "milestone": "节点",
    "campaign": "专项行动",
}

LINKS = {
    "campaigns.campaign": link_finder(campaigns_visible_to, "campaigns:campaign-detail"),
    "campaigns.task": link_finder(tasks_visible_to, "campaigns:task-detail"),
}
