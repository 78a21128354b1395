"""Every review has its ward (0003 copied them); new ones take it from the incident.

A migration of its own: on PostgreSQL a table cannot be altered in the transaction that updated
its rows while their foreign-key checks are still pending.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("reviews", "0003_review_ward")]

    operations = [
        migrations.AlterField(
            model_name="review",
            name="ward",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="rrp.ward",
            ),
        ),
        migrations.AddIndex(
            model_name="review",
            index=models.Index(
                condition=models.Q(("status", "closed"), _negated=True),
                fields=["ward", "due_at"],
                name="review_open_ward_due",
            ),
        ),
    ]
