"""``liandong tick`` jobs of campaigns (idempotent: each milestone is told of once)."""

from liandong.campaigns.services import milestones_remind_overdue


def remind_overdue_milestones(dry_run: bool) -> str:
    told = milestones_remind_overdue(dry_run=dry_run)
    verb = "将提醒" if dry_run else "已提醒"
    return f"{verb} {len(told)} 个逾期的揭榜任务节点"


TICK_JOBS = [("campaigns.milestone_overdue_reminders", remind_overdue_milestones)]
