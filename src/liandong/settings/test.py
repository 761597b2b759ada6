"""Test settings: the same as base, with fast hashing and an in-memory SMS outbox."""

import os
import tempfile

os.environ.setdefault("LIANDONG_DATA_DIR", tempfile.mkdtemp(prefix="liandong-test-"))

from liandong.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LIANDONG_SMS_BACKEND = "liandong.accounts.sms.MemoryBackend"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# No SMS quiet hours, so that a test's SMS does not wait for the morning when the suite runs
# at night (notifications' quiet-hours tests set them).
LIANDONG_SMS_QUIET_HOURS = (0, 0)
# Tasks run at once in the test process; the worker's own tests use the database backend and,
# when REDIS_URL names a Redis (scripts/run-tests.sh starts one), the Redis backend too.
TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "db": {"BACKEND": TASK_BACKENDS["db"]},  # noqa: F405
}
if os.environ.get("REDIS_URL"):
    TASKS["rq"] = {"BACKEND": RQ_BACKEND}  # noqa: F405
    RQ_QUEUES = {"default": {"URL": os.environ["REDIS_URL"], "DEFAULT_TIMEOUT": 600}}
    if "django_rq" not in INSTALLED_APPS:  # noqa: F405
        INSTALLED_APPS += ["django_rq"]  # noqa: F405
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # The test database is a file, as in production, so that a second writer waits for the
    # first (busy timeout) instead of being told "locked" at once as an in-memory one does.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}  # noqa: F405
