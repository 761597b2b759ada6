from datetime import timedelta

from django.utils import timezone

from liandong.accounts.models import ApiToken, OneTimeCode


def purge_expired_credentials(dry_run: bool) -> str:
    """Delete one-time codes and API tokens past their expiry."""
    now = timezone.now()
    codes = OneTimeCode.objects.filter(expires_at__lt=now - timedelta(days=1))
    tokens = ApiToken.objects.filter(expires_at__lt=now)
    counts = f"{codes.count()} codes, {tokens.count()} tokens"
    if not dry_run:
        codes.delete()
        tokens.delete()
    return f"purged {counts}" if not dry_run else f"would purge {counts}"


TICK_JOBS = [("accounts.purge_expired_credentials", purge_expired_credentials)]
