"""The dashboard uses the blanket-rules and review apps through their optional trends modules."""

import datetime
import types

import pytest
from django.urls import reverse

from rrp import hooks
from trends import dashboard

pytestmark = pytest.mark.django_db

MARCH = datetime.date(2025, 3, 1)


def options(**extra):
    return {
        "first": MARCH,
        "last": datetime.date(2025, 5, 31),
        "group": "",
        "rebase": [],
        "rebase_at_events": False,
        **extra,
    }


@pytest.fixture
def fake_apps(monkeypatch, willow):
    seen = {}

    def annotations(wards, first, last):
        seen["annotations"] = (sorted(w.pk for w in wards), first, last)
        return [
            {"ward_id": willow.pk, "date": datetime.date(2025, 4, 10), "label": "Blanket rule lifted: phones"}
        ]

    def active_counts(wards, months):
        return {(willow.pk, m): 3 if m < datetime.date(2025, 4, 1) else 2 for m in months}

    def review_measures(incidents):
        seen["review_incidents"] = sorted(incidents.values_list("pk", flat=True))
        return {
            (willow.pk, MARCH): {"incidents": 2, "with_person": 1, "within_due": 1},
        }

    module = types.SimpleNamespace(
        annotations=annotations, active_counts=active_counts, review_measures=review_measures
    )
    monkeypatch.setattr(hooks, "app_modules", lambda name: (module,) if name == "trends" else ())
    return seen


def test_lifted_rule_is_drawn_and_listed_on_the_wards_chart(fake_apps, willow, march_on_willow):
    section = dashboard.build([willow], options(), only="rate")["rates"][0]
    assert section.extra["events"][0]["label"] == "Blanket rule lifted: phones"
    assert section.figure["layout"]["annotations"][0]["text"] == "Blanket rule lifted: phones"
    assert section.figure["layout"]["shapes"][0]["x0"] == "2025-04-10"
    april = next(row for row in section.table.rows if row[1] == "April 2025")
    assert april[-1] == "10 April: Blanket rule lifted: phones"


def test_rebase_at_events_starts_new_limits_the_month_after(fake_apps, willow):
    from .conftest import at, incident, patient

    person = patient(willow, at(2024, 3, 1), at(2025, 12, 1))
    for year, month in [(2024, m) for m in range(3, 13)] + [(2025, m) for m in range(1, 5)]:
        for day in (3, 13, 23):
            incident(willow, person, at(year, month, day))
    opts = options(first=datetime.date(2024, 3, 1), last=datetime.date(2025, 11, 30), rebase_at_events=True)
    section = dashboard.build([willow], opts, only="rate")["rates"][0]
    assert section.extra["summary"]["groups"] == 2
    means = {row[1]: row[5] for row in section.table.rows}
    # The rule was lifted on 10 April 2025, so new limits start in May 2025, on a rate of zero.
    assert means["April 2025"] != "0.00"
    assert means["May 2025"] == means["November 2025"] == "0.00"
    without = dashboard.build([willow], {**opts, "rebase_at_events": False}, only="rate")["rates"][0]
    assert without.extra["summary"]["groups"] == 1
    single_mean = {row[5] for row in without.table.rows}
    assert len(single_mean) == 1
    assert single_mean != {means["March 2024"]}


def test_review_measures_and_active_rules_come_from_the_hooks(fake_apps, willow, march_on_willow):
    built = dashboard.build([willow], options())
    by_key = {s.key: s for s in built["sections"]}
    reviews = by_key["reviews"]
    assert reviews.table.rows[0] == ["March 2025", "2", "1", "50.0%", "1", "50.0%"]
    assert "50.0% of 2 incidents" in reviews.summary
    assert fake_apps["review_incidents"] == sorted(i.pk for i in willow.incidents.counted())
    blanket = by_key["blanket"]
    assert [row[1] for row in blanket.table.rows] == ["3", "2", "2"]
    assert blanket.summary == "Active blanket rules in May 2025: Willow 2."


def test_without_the_other_apps_the_page_says_so_plainly(monkeypatch, client, manager, willow):
    monkeypatch.setattr(hooks, "app_modules", lambda name: ())
    client.force_login(manager)
    html = client.get(reverse("trends:dashboard")).content.decode()
    assert "Review measures appear when post-incident reviews are recorded." in html
    assert "Blanket rule counts appear when blanket rules are recorded." in html
