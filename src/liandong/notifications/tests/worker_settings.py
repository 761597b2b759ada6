"""Settings of the ``liandong worker`` subprocess that test_worker.py starts: the test
settings, on the test run's database (its name passed in the environment), with the HTTP SMS
gateway pointed at the test's local fake server (LIANDONG_SMS_GATEWAY_URL) and, for
test_worker_redis.py, the worker's own default task backend (what it enqueues itself) the one
LIANDONG_TEST_WORKER_BACKEND names."""

import os

from liandong.settings.test import *  # noqa: F403

DATABASES["default"]["NAME"] = os.environ["LIANDONG_TEST_WORKER_DB"]  # noqa: F405
LIANDONG_SMS_BACKEND = "liandong.accounts.sms.HttpGatewayBackend"
# The control run of test_worker.py: the claim without its condition on the status.
NOTIFICATIONS_CLAIM_GUARD = os.environ.get("LIANDONG_TEST_CLAIM_GUARD", "1") == "1"
if os.environ.get("LIANDONG_TEST_WORKER_BACKEND"):
    TASKS["default"] = TASKS[os.environ["LIANDONG_TEST_WORKER_BACKEND"]]  # noqa: F405
