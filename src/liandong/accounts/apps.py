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
        from django.contrib.auth.signals import user_logged_in

        user_logged_in.connect(_record_session, dispatch_uid="accounts.record_session")


def _record_session(sender: object, request: object, user: object, **kwargs: object) -> None:
    """Remember which session an account signed in with (services.sessions_end ends them)."""
    from liandong.accounts.models import User
    from liandong.accounts.services import session_record

    session = getattr(request, "session", None)
    if isinstance(user, User) and session is not None:
        if session.session_key is None:
            session.save()
        session_record(user=user, session_key=session.session_key)
