from django.db import models

from rrp.models import Ward


class MonthlyCount(models.Model):
    """A count behind the trend pages, per ward and London month, kept by `trends.monthly`.

    Each row is one number the dashboard adds up: how many interventions of a type started on a
    ward in a month, how many incidents had a reason, and so on (`measure` and `key`). `group` is
    the intervention group a page can be narrowed to ("" for all): the rows under a group count
    only interventions of that group, and only incidents that had one. Rows are rebuilt from the
    incidents whenever a counted incident or its interventions change, in the same transaction,
    so they are never a source of truth, only a faster way to the same answer.
    """

    class Measure(models.TextChoices):
        TYPE = "type", "Interventions by type"
        PRONE_LONG = "prone_long", "Prone restraints over 10 minutes"
        MINUTES = "minutes", "Physical restraints by minutes"
        INJURED = "injured", "Interventions in which someone was injured"
        INCIDENTS = "incidents", "Incidents"
        PERSON = "person", "Incidents by person"
        REASON = "reason", "Incidents by reason"
        HARM = "harm", "Incidents by harm"
        TIME = "time", "Incidents by day of the week and four-hour block"
        WITH_PERSON = "with_person", "Incidents whose review was held with the person"
        IN_TIME = "in_time", "Incidents whose review was held by its due time"
        # The Use of Force Act annual statistics (trends.annual), counted per intervention:
        FORCE_REASON = "force_reason", "Interventions by their incident's reason"
        FORCE_DEATH = "force_death", "Interventions by their incident's death or serious injury"
        FORCE_PLACE = "force_place", "Interventions by the place on the ward"
        FORCE_BAND = "force_band", "Interventions by national length band"
        FORCE_TRAIT = "force_trait", "Interventions by the person's characteristics at the time"

    # Indexed by the unique constraint, which starts with the ward.
    ward = models.ForeignKey(Ward, on_delete=models.CASCADE, related_name="+", db_index=False)
    month = models.DateField(help_text="The first day of the London month.")
    group = models.CharField(max_length=12, blank=True)
    measure = models.CharField(max_length=12, choices=Measure.choices)
    key = models.CharField(max_length=200, blank=True)  # as long as an incident's place
    n = models.PositiveIntegerField()

    class Meta:
        # One index serves the pages (a ward's rows for a group and measure over a range of months
        # lie together) and keeps each count unique.
        constraints = [
            models.UniqueConstraint(
                fields=["ward", "group", "measure", "month", "key"], name="monthly_count_unique"
            )
        ]

    def __str__(self):
        return f"{self.ward_id} {self.month:%Y-%m} {self.group or 'all'} {self.measure} {self.key}: {self.n}"
