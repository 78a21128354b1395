"""What other apps add to the trends, through their optional `<app>.trends` modules.

An app that wants to add to the trend pages has a `trends.py` module with any of:
- `annotations(wards, first, last) -> [{"ward_id", "date", "label"}]`: events drawn as vertical
  lines on a ward's chart (for example "Blanket rule lifted: ...");
- `active_counts(wards, months) -> {(ward_id, month_start): n}`: active blanket rules per ward;
- `review_measures(incidents) -> {(ward_id, month_start): {"incidents", "with_person", "within_due"}}`;
- `review_facts(incidents) -> {incident_id: (held with the person, held by its due time)}` and
  `review_models() -> [models]` whose saves change those facts: with these, the monthly counts
  (`trends.monthly`) keep the review measures too.
Each function returns None here when no installed app provides it, so pages can say so plainly.
"""

import datetime

from rrp import hooks
from rrp.models import local_date


def _providers(function: str) -> list:
    return [getattr(m, function) for m in hooks.app_modules("trends") if hasattr(m, function)]


def annotations(wards, first, last) -> list[dict] | None:
    providers = _providers("annotations")
    if not providers:
        return None
    events = [
        {**event, "date": _day(event["date"])}
        for provide in providers
        for event in provide(wards, first, last)
    ]
    return sorted(events, key=lambda e: (e["date"], e["ward_id"], e["label"]))


def active_counts(wards, months) -> dict | None:
    providers = _providers("active_counts")
    if not providers:
        return None
    counts: dict = {}
    for provide in providers:
        for key, n in provide(wards, months).items():
            counts[key] = counts.get(key, 0) + n
    return counts


def review_measures(incidents) -> dict | None:
    providers = _providers("review_measures")
    if not providers:
        return None
    measures: dict = {}
    for provide in providers:
        for key, values in provide(incidents).items():
            total = measures.setdefault(key, {"incidents": 0, "with_person": 0, "within_due": 0})
            for name in total:
                total[name] += values.get(name, 0)
    return measures


def has(function: str) -> bool:
    return bool(_providers(function))


def review_facts(incidents) -> dict | None:
    providers = _providers("review_facts")
    if not providers:
        return None
    facts: dict = {}
    for provide in providers:
        facts.update(provide(incidents))
    return facts


def review_models() -> list:
    return [model for provide in _providers("review_models") for model in provide()]


def _day(value) -> datetime.date:
    """Accept a date or an aware datetime (taken as its London date)."""
    return local_date(value) if isinstance(value, datetime.datetime) else value
