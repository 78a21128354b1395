"""Occupied bed days per ward per month, computed in the database.

A bed day is a night spent on the ward: each local calendar day from the day of admission up to
(not including) the day the person left counts once, whatever the clocks did that day. Ongoing
admissions count up to today. The dates are Europe/London dates stored on each admission, so the
SQL is plain date arithmetic and gives the same answer on SQLite and PostgreSQL.
"""

import datetime

from django.db.models import DateField, DurationField, ExpressionWrapper, F, Q, Sum, Value
from django.db.models.functions import Coalesce, Greatest, Least
from django.utils import timezone

from rrp.models import Admission


def month_starts(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """Return the first day of every month from `first`'s month to `last`'s month inclusive."""
    months, current = [], first.replace(day=1)
    while current <= last:
        months.append(current)
        current = (current + datetime.timedelta(days=32)).replace(day=1)
    return months


def _next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


def occupied_bed_days(wards, first: datetime.date, last: datetime.date, *, today=None) -> dict:
    """Return {(ward_id, month_start): bed days} for the months from `first` to `last`.

    One query: one conditional SUM per month, grouped by ward.
    """
    today = today or timezone.localdate()
    months = month_starts(first, last)
    if not months:
        return {}
    span_end = min(_next_month(months[-1]), today)
    ended = Coalesce("end_date", Value(today, output_field=DateField()))
    annotations = {}
    for index, month in enumerate(months):
        lo = Value(month, output_field=DateField())
        hi = Value(min(_next_month(month), today), output_field=DateField())
        if hi.value <= lo.value:
            continue
        days = ExpressionWrapper(
            Least(ended, hi) - Greatest(F("start_date"), lo), output_field=DurationField()
        )
        annotations[f"m{index}"] = Sum(
            days,
            filter=Q(start_date__lt=hi.value) & (Q(end_date__isnull=True) | Q(end_date__gt=lo.value)),
        )
    if not annotations:
        return {}
    rows = (
        Admission.objects.filter(ward__in=wards, start_date__lt=span_end)
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=months[0]))
        .values("ward_id")
        .annotate(**annotations)
        .order_by()
    )
    result = {}
    for row in rows:
        for index, month in enumerate(months):
            value = row.get(f"m{index}")
            result[(row["ward_id"], month)] = _days(value)
    return result


def _days(value) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime.timedelta):
        return value.days
    # SQLite hands back microseconds for a sum of date differences.
    return int(value) // 86_400_000_000


def occupied_bed_days_by(
    wards, first: datetime.date, last: datetime.date, group_by: dict, *, today=None
) -> list[dict]:
    """Return the bed days from `first` to `last` (inclusive) summed per group of patients.

    `group_by` maps output names to admission fields or expressions, for example
    `{"sex": F("service_user__sex")}`. One query; rows are dicts of those names plus `days`.
    """
    today = today or timezone.localdate()
    hi_day = min(last + datetime.timedelta(days=1), today)
    if hi_day <= first:
        return []
    lo = Value(first, output_field=DateField())
    hi = Value(hi_day, output_field=DateField())
    ended = Coalesce("end_date", Value(today, output_field=DateField()))
    days = ExpressionWrapper(Least(ended, hi) - Greatest(F("start_date"), lo), output_field=DurationField())
    rows = (
        Admission.objects.filter(ward__in=wards, start_date__lt=hi_day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=first))
        .annotate(**{f"g_{name}": expr for name, expr in group_by.items()})
        .values(*(f"g_{name}" for name in group_by))
        .annotate(total=Sum(days))
        .order_by()
    )
    return [{**{name: row[f"g_{name}"] for name in group_by}, "days": _days(row["total"])} for row in rows]
