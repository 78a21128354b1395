"""Hooks the trend charts call (through rrp.hooks.app_modules("trends")).

- annotations(wards, first, last): rules lifted (or brought in) on those wards between two dates;
- active_counts(wards, months): how many rules were in force on each ward in each month.
`wards` may be a Ward, a Division, or an iterable / queryset of either: it is expanded to wards.
"""

import datetime
from collections import defaultdict

from blanket_rules.models import BlanketRule, BlanketRuleWard
from rrp.models import Division, Ward, local_date


def _ward_ids(scope) -> set[int]:
    if isinstance(scope, Ward):
        return {scope.pk}
    if isinstance(scope, Division):
        return set(scope.wards.values_list("pk", flat=True))
    ids = set()
    for item in scope:
        if isinstance(item, Division):
            ids |= set(item.wards.values_list("pk", flat=True))
        elif isinstance(item, Ward):
            ids.add(item.pk)
        else:
            ids.add(int(item))
    return ids


def _as_date(value) -> datetime.date:
    return local_date(value) if isinstance(value, datetime.datetime) else value


def _month_end(month_start: datetime.date) -> datetime.date:
    following = (month_start.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


def annotations(
    wards, first: datetime.date, last: datetime.date, *, include_authorised: bool = False
) -> list[dict]:
    """Return {"ward_id", "date", "label"} for rules lifted between `first` and `last` on `wards`."""
    ids = _ward_ids(wards)
    first, last = _as_date(first), _as_date(last)
    rows = BlanketRuleWard.objects.filter(ward_id__in=ids).select_related("rule")
    result = []
    for row in rows:
        rule = row.rule
        if rule.status == BlanketRule.Status.LIFTED and rule.lifted_at:
            day = local_date(rule.lifted_at)
            if first <= day <= last:
                result.append(
                    {"ward_id": row.ward_id, "date": day, "label": f"Blanket rule lifted: {rule.title}"}
                )
        if include_authorised and rule.authorised_at:
            day = local_date(rule.authorised_at)
            if first <= day <= last:
                result.append(
                    {"ward_id": row.ward_id, "date": day, "label": f"Blanket rule brought in: {rule.title}"}
                )
    result.sort(key=lambda a: (a["date"], a["ward_id"], a["label"]))
    return result


def active_counts(wards, months) -> dict[tuple[int, datetime.date], int]:
    """Return {(ward_id, month_start): number of rules in force on that ward at any time that month}."""
    ids = _ward_ids(wards)
    months = sorted({_as_date(m).replace(day=1) for m in months})
    counts: dict[tuple[int, datetime.date], int] = {(w, m): 0 for w in ids for m in months}
    if not months or not ids:
        return counts
    spans = defaultdict(list)
    rows = (
        BlanketRuleWard.objects.filter(ward_id__in=ids, rule__authorised_at__isnull=False)
        .values_list("ward_id", "rule__authorised_at", "rule__lifted_at")
        .iterator()
    )
    for ward_id, authorised_at, lifted_at in rows:
        spans[ward_id].append((local_date(authorised_at), local_date(lifted_at) if lifted_at else None))
    for ward_id, ward_spans in spans.items():
        for month in months:
            end = _month_end(month)
            counts[(ward_id, month)] = sum(
                1 for start, lifted in ward_spans if start <= end and (lifted is None or lifted >= month)
            )
    return counts
