"""Activities built through the services (validation, quotas, audit), like the other apps' factories."""

from datetime import timedelta
from typing import Any

from django.utils import timezone

from liandong.activities.models import Activity, ActivityKind, Selection
from liandong.activities.services import activity_create
from liandong.organizations.models import Organization


def make_activity(
    organizer: Organization,
    *,
    quotas: list[tuple[Organization, int]] | None = None,
    publish: bool = True,
    sub_venues: list[str] | None = None,
    co_organizers: list[Organization] | None = None,
    **fields: Any,
) -> Activity:
    now = timezone.now()
    start = timezone.localdate() + timedelta(days=30)
    values: dict[str, Any] = {
        "title": "甘南草原疗休养",
        "kind": ActivityKind.RECUPERATION,
        "starts_on": start,
        "ends_on": start + timedelta(days=5),
        "total_places": 40,
        "selection": Selection.FIRST_COME,
        "applications_open_at": now - timedelta(hours=1),
        "applications_close_at": now + timedelta(days=7),
        "place": "甘南藏族自治州 合作市—夏河县—碌曲县",
        "objection_channel": "0931-8888888",
    }
    values.update(fields)
    return activity_create(
        actor=None,
        organizer=organizer,
        quotas=quotas,
        publish=publish,
        sub_venues=sub_venues,
        co_organizers=co_organizers or [],
        **values,
    )


def close_window(activity: Activity) -> Activity:
    """Move the application window into the past (as if time had passed)."""
    now = timezone.now()
    Activity.objects.filter(pk=activity.pk).update(
        applications_open_at=now - timedelta(days=8),
        applications_close_at=now - timedelta(minutes=1),
    )
    activity.refresh_from_db()
    return activity


def quota_rows(*rows: tuple[object, object], delete: tuple[int, ...] = ()) -> dict[str, object]:
    """The 名额分配 rows as the activity form posts them: (unit id, places) per row."""
    data: dict[str, object] = {
        "quota-TOTAL_FORMS": str(len(rows)),
        "quota-INITIAL_FORMS": "0",
        "quota-MIN_NUM_FORMS": "0",
        "quota-MAX_NUM_FORMS": "1000",
    }
    for index, (body, places) in enumerate(rows):
        data[f"quota-{index}-body"] = str(body)
        data[f"quota-{index}-places"] = str(places)
        if index in delete:
            data[f"quota-{index}-DELETE"] = "on"
    return data
