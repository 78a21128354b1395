"""`seed_demo --scale N`: count the incidents the bulk load added (it bypasses model saves).

Runs after `incidents.scale`. Only the wards whose monthly counts disagree with their incidents are
rebuilt, so running the command again costs two aggregate queries. On PostgreSQL the wards are
shared between processes, as `incidents.scale` shares them.
"""

import time

from django.db import connection
from django.db.models import Count, Sum

from incidents.models import Incident
from rrp.scale import in_parallel, workers
from trends import monthly
from trends.models import MonthlyCount


def stale_wards() -> list[int]:
    """Wards whose counted incidents differ from what their monthly counts say."""
    counted = dict(
        Incident.objects.counted()
        .filter(started_at__isnull=False)
        .values_list("ward_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    kept = dict(
        MonthlyCount.objects.filter(measure=MonthlyCount.Measure.INCIDENTS, group="")
        .values_list("ward_id")
        .annotate(n=Sum("n"))
        .order_by()
    )
    return sorted(ward for ward in set(counted) | set(kept) if counted.get(ward, 0) != kept.get(ward, 0))


def seed_scale(cast, n: int, *, stdout=None) -> int:
    wards = stale_wards()
    if not wards:
        if stdout is not None:
            stdout.write("  monthly counts already match the incidents")
        return 0
    started = time.monotonic()
    count = workers(len(wards))
    made = sum(in_parallel(monthly.rebuild, wards, count))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE trends_monthlycount")
    seconds = time.monotonic() - started
    if stdout is not None:
        stdout.write(f"  monthly counts rebuilt for {len(wards):,} wards ({made:,} rows) in {seconds:.1f} s")
    return made
