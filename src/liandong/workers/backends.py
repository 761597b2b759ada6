from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from liandong.accounts.models import Role, User
from liandong.core import crypto
from liandong.core.identity import validate_mobile
from liandong.workers.models import Worker
from liandong.workers.signin import otp_verify, worker_account_ensure


class WorkerMobileBackend(ModelBackend):
    """Workers sign in with their mobile number and a one-time code or their own password."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        otp: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if not username or not (password or otp):
            return None
        try:
            mobile = validate_mobile(username)
        except ValidationError:
            return None
        worker = (
            Worker.objects.filter(mobile_digest=crypto.mobile_digest(mobile))
            .select_related("user")
            .first()
        )
        if worker is None:
            return None
        user: User | None
        if otp:
            if not otp_verify(mobile=mobile, code=otp):
                return None
            user = worker_account_ensure(worker=worker)
        else:
            user = worker.user
            if user is None or user.role != Role.WORKER or not user.check_password(password or ""):
                return None
        return user if self.user_can_authenticate(user) else None
