"""The kinds of event that tell someone, each with its Chinese templates and default channels.

An app declares its kinds in its ``hooks.py`` as ``NOTIFICATION_KINDS`` (a list of ``Kind``);
``kind(key)`` finds one. Templates are ``str.format_map`` strings over the event's context.
SMS templates go to the public too: they name a tracking code and a link, never personal data.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from liandong.core.extensions import hooks
from liandong.notifications.models import Channel

# Channels an account may switch on or off for a kind (the inbox is always on).
OPTIONAL_CHANNELS = (Channel.EMAIL, Channel.SMS)


@dataclass(frozen=True)
class Kind:
    key: str  # "demands.answered"
    label: str  # shown on the preferences page
    title: str  # inbox title, email subject
    body: str = ""  # inbox text, email body
    sms: str = ""  # SMS text (no personal data); empty: never by SMS
    # Channels on when the account has said nothing (the inbox is always on).
    defaults: frozenset[str] = frozenset({Channel.EMAIL})
    # Whether the organization's group robots hear of it.
    webhook: bool = True
    # ``target`` ("app.model:pk") -> [(file name, bytes, mimetype)] attached to the email.
    attachments: Callable[[str], list[tuple[str, bytes, str]]] | None = None


class _Missing(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return "—"


def render(template: str, context: dict[str, object]) -> str:
    """A template filled from the context; an absent name shows as a dash, never an error."""
    return template.format_map(_Missing(context)) if template else ""


# The notifications app's own kind: a test message an admin can send to check the channels.
TEST_KIND = Kind(
    key="notifications.test",
    label="测试消息",
    title="测试消息：{note}",
    body="这是一条测试消息，用来检查消息渠道是否畅通。{note}",
    sms="【联动】测试短信：{note}",
    defaults=frozenset({Channel.EMAIL, Channel.SMS}),
)


@cache
def all_kinds() -> dict[str, Kind]:
    found = {TEST_KIND.key: TEST_KIND}
    for offered in hooks("NOTIFICATION_KINDS"):
        if offered.key in found:
            raise ValueError(f"notification kind {offered.key} declared twice")
        found[offered.key] = offered
    return found


def kind(key: str) -> Kind:
    try:
        return all_kinds()[key]
    except KeyError:
        raise LookupError(f"unknown notification kind {key!r}") from None
