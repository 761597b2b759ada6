"""Settings for bench/bench_demands.py only: the app's own settings plus a baseline view that
inserts two rows, so that the public intake is compared with bare Django in the same run.
Never used by a normal installation (it is chosen with DJANGO_SETTINGS_MODULE)."""

from liandong.settings.base import *  # noqa: F403

ROOT_URLCONF = "liandong.demands.bench_urls"
