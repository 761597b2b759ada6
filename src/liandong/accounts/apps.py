from django.apps import AppConfig
from django.core import checks


class AccountsConfig(AppConfig):
    name = "liandong.accounts"
    label = "accounts"
    verbose_name = "账号"

    def ready(self) -> None:
        from liandong.accounts.sms import check_sms_backend

        # A deployment check (``check --deploy``) that ``liandong serve`` also runs before it
        # starts (by its tag): development commands (makemigrations, tests) are not held up.
        checks.register(check_sms_backend, checks.Tags.security, "liandong-serve", deploy=True)
