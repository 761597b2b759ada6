"""An activity's tallies of its applications (报名人数, 签到人数), kept by the services from now
on, counted once here from the rows already there."""

from django.db import migrations, models
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

HOLDING_PLACE = ["selected", "confirmed"]


def count_existing(apps, schema_editor):
    Activity = apps.get_model("activities", "Activity")
    Application = apps.get_model("activities", "Application")
    rows = Application.objects.filter(activity=OuterRef("pk")).order_by().values("activity")

    def count(condition):
        return Coalesce(Subquery(rows.filter(condition).annotate(n=Count("pk")).values("n")), 0)

    Activity.objects.update(
        applicants=count(~Q(status="withdrawn")),
        checked_in=count(Q(status__in=HOLDING_PLACE, checked_in_at__isnull=False)),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0004_funds_partners_merchants"),
    ]

    operations = [
        migrations.AddField(
            model_name="activity",
            name="applicants",
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name="报名人数"),
        ),
        migrations.AddField(
            model_name="activity",
            name="checked_in",
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name="签到人数"),
        ),
        migrations.RunPython(count_existing, migrations.RunPython.noop),
    ]
