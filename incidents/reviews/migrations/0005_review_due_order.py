"""Reviews in the order they are due, for the API's list (read in that order, grants checked)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("reviews", "0004_review_ward_required")]

    operations = [
        migrations.AddIndex(
            model_name="review",
            index=models.Index(fields=["due_at", "id"], name="review_due_order"),
        ),
    ]
