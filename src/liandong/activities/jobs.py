"""``liandong tick`` jobs of service activities. Idempotent: a second run finds nothing to do."""

from django.core.exceptions import ValidationError
from django.utils import timezone

from liandong.activities.models import Activity, ActivityStatus, Selection
from liandong.activities.services import activity_draw


def draw_due_lotteries(dry_run: bool) -> str:
    """Draw every lottery whose window has closed, with the seed committed before it closed.
    The draw itself refuses to run twice, so overlapping ticks cannot draw one lottery twice."""
    due = Activity.objects.filter(
        selection=Selection.LOTTERY,
        status=ActivityStatus.OPEN,
        drawn_at__isnull=True,
        applications_close_at__lte=timezone.now(),
    ).exclude(seed_commitment="")
    if dry_run:
        return f"would draw {due.count()} lotteries"
    drawn = 0
    for activity in due:
        try:
            activity_draw(actor=None, activity=activity)
        except ValidationError:
            continue  # drawn meanwhile by staff or another tick
        drawn += 1
    return f"drew {drawn} lotteries"


TICK_JOBS = [("activities.draw_due_lotteries", draw_due_lotteries)]
