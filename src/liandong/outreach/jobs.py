"""``liandong tick`` job of the outreach app (idempotent, see services)."""

from liandong.outreach.services import expiry_notices_send


def send_expiry_notices(dry_run: bool) -> str:
    count = expiry_notices_send(dry_run=dry_run)
    return f"协议到期提醒 {count} 条" + ("（演练）" if dry_run else "")


TICK_JOBS = [("outreach.expiry", send_expiry_notices)]
