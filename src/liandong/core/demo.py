"""Loading the demo scenario: each app may have a ``demo`` module with ``load(ctx)``; they run
in INSTALLED_APPS order and share ``ctx`` (organizations by code, the demo worker, logins).
Every loader is idempotent.

The loaders replay months of the past and tell no one of it (``notifications.muted``). Once
every account exists, each demo module's ``tell(ctx)``, where it has one, gives the news of
today for real (what was routed to a body in the last day, a worker's answers and lottery
results, the next meeting's notice), so that the printed logins find their inboxes as a
working union's would be and the worker of ``liandong demo`` has mail and SMS to deliver.

``ctx["logins"]`` holds one login per role (accounts' loader); a module whose demo needs
further accounts adds a line to ``ctx["more_logins"]``: (module name, who signs in with what),
which ``liandong demo`` prints after them."""

from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps
from django.db import transaction

# Accounts come last, as they always have: the other demos' data was made in that order (the
# demands demo, for one, picks another handler while gansu_staff does not exist yet).
LAST = ["liandong.accounts"]


def demo_load() -> dict[str, Any]:
    ctx: dict[str, Any] = {"more_logins": []}
    names = [
        c.name
        for c in apps.get_app_configs()
        if c.name.startswith("liandong.") and c.name != __package__
    ]
    names = [n for n in names if n not in LAST] + LAST
    modules = [import_module(f"{n}.demo") for n in names if find_spec(f"{n}.demo") is not None]
    with transaction.atomic():
        for module in modules:
            module.load(ctx)
        for module in modules:
            if hasattr(module, "tell"):
                module.tell(ctx)
    return ctx
