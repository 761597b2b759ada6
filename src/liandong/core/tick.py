"""``liandong tick``: each app may have a ``jobs`` module with ``TICK_JOBS``, a list of
``(name, callable(dry_run: bool) -> str)``; they run in INSTALLED_APPS order. Jobs must be
idempotent: running tick twice in a minute changes nothing the second time."""

from collections.abc import Iterator
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps


def tick_run(*, dry_run: bool = False) -> Iterator[tuple[str, str]]:
    for config in apps.get_app_configs():
        if not config.name.startswith("liandong.") or find_spec(f"{config.name}.jobs") is None:
            continue
        for name, job in import_module(f"{config.name}.jobs").TICK_JOBS:
            yield name, job(dry_run)
