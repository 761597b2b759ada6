"""The product's settings plus the benchmark app, whose urlconf adds the bare views. Chosen
with ``DJANGO_SETTINGS_MODULE=liandong_bench.settings`` (``bench/`` on the Python path); a
normal installation never uses it."""

from liandong.settings.base import *  # noqa: F403
from liandong.settings.base import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "liandong_bench"]
ROOT_URLCONF = "liandong_bench.urls"
# The benchmark sends no sign-in codes; its servers start with the default file backend.
LIANDONG_SMS_ALLOW_FILE = True
