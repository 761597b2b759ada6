"""``liandong tick`` jobs of the meetings app; both idempotent (see services)."""

from liandong.meetings.services import overdue_to_agenda, reminders_send


def send_reminders(dry_run: bool) -> str:
    count = reminders_send(dry_run=dry_run)
    return f"督办提醒 {count} 条" + ("（演练）" if dry_run else "")


def fill_draft_agendas(dry_run: bool) -> str:
    count = overdue_to_agenda(dry_run=dry_run)
    return f"列入下次会议议题 {count} 项" + ("（演练）" if dry_run else "")


TICK_JOBS = [("meetings.reminders", send_reminders), ("meetings.agenda", fill_draft_agendas)]
