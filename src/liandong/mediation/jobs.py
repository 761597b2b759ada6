"""``liandong tick`` job of the mediation app: reminders of time limits (idempotent)."""

from liandong.mediation.services import reminders_send


def send_reminders(dry_run: bool) -> str:
    count = reminders_send(dry_run=dry_run)
    return f"调解期限提醒 {count} 条" + ("（演练）" if dry_run else "")


TICK_JOBS = [("mediation.reminders", send_reminders)]
