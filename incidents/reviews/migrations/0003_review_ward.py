"""Reviews carry their incident's ward, so lists of reviews are read from the user's wards."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_wards(apps, schema_editor):
    """Each review (and each earlier version of it) takes its incident's ward."""
    Incident = apps.get_model("incidents", "Incident")
    ward_of = Subquery(Incident.objects.filter(pk=OuterRef("incident_id")).values("ward_id")[:1])
    for name in ("Review", "HistoricalReview"):
        apps.get_model("reviews", name).objects.filter(ward__isnull=True).update(ward_id=ward_of)


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0008_incident_group_grant_counts"),
        ("reviews", "0002_review_follows_incident_retention"),
        ("rrp", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalreview",
            name="ward",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="rrp.ward",
            ),
        ),
        migrations.AddField(
            model_name="review",
            name="ward",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="rrp.ward",
            ),
        ),
        migrations.RunPython(copy_wards, migrations.RunPython.noop, elidable=True),
    ]
