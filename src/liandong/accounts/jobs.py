from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from liandong.accounts.models import AccountSession, ApiToken, OneTimeCode


def purge_expired_credentials(dry_run: bool) -> str:
    """Delete one-time codes and API tokens past their expiry, and the records of sessions
    older than a session can live."""
    now = timezone.now()
    codes = OneTimeCode.objects.filter(expires_at__lt=now - timedelta(days=1))
    tokens = ApiToken.objects.filter(expires_at__lt=now)
    sessions = AccountSession.objects.filter(
        created_at__lt=now - timedelta(seconds=settings.SESSION_COOKIE_AGE)
    )
    counts = f"{codes.count()} codes, {tokens.count()} tokens, {sessions.count()} session records"
    if not dry_run:
        codes.delete()
        tokens.delete()
        sessions.delete()
    return f"purged {counts}" if not dry_run else f"would purge {counts}"


TICK_JOBS = [("accounts.purge_expired_credentials", purge_expired_credentials)]
