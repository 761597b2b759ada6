from django.apps import AppConfig
from django.core import checks


class AccountsConfig(AppConfig):
    name = "liandong.accounts"
    label = "accounts"
    verbose_name = "账号"

    def ready(self) -> None:
        from liandong.accounts.sms import check_sms_backend

        # Not a deploy-only check: every command that checks (serve first) refuses.
        checks.register(check_sms_backend, checks.Tags.security)
