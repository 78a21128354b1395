import datetime

import pytest
from django.core.management import call_command

from incidents.models import Incident, Intervention
from rrp import permissions
from rrp.demo import Cast
from rrp.models import ServiceUser


@pytest.mark.django_db
def test_demo_incidents_are_realistic_and_show_the_fall_on_willow():
    call_command("seed_demo", verbosity=0)
    total = Incident.objects.count()
    assert 200 <= total <= 600
    call_command("seed_demo", verbosity=0)
    assert Incident.objects.count() == total  # idempotent
    call_command("seed_demo", verbosity=0, scale=3)
    assert Incident.objects.count() == total + 3
    total += 3

    cast = Cast()
    lifted = cast.willow_rule_lifted
    # Only the demo's own two years: --scale spreads its volume over a longer span.
    willow = Incident.objects.counted().filter(ward__name="Willow", started_at__gte=cast.start)
    first = cast.start
    before = willow.filter(started_at__lt=lifted).count() / ((lifted - first).days / 30)
    after = willow.filter(started_at__gte=lifted).count() / ((cast.now - lifted).days / 30)
    assert after < 0.7 * before

    assert Incident.objects.filter(status="draft").count() >= 3
    assert Incident.objects.filter(status="signed_off").count() > total / 2
    assert Incident.objects.filter(entered_in_error_at__isnull=False).count() == 1
    assert Intervention.objects.filter(type_code="01").exclude(prone_reason="").exists()
    assert not Intervention.objects.filter(type_code="01", prone_reason="").exists()
    rapid = Incident.objects.filter(interventions__type_code="14").first()
    assert rapid.observations.count() >= 2

    kai = ServiceUser.objects.get(user__username="kai")
    transfer = kai.admissions.get(ended_by_transfer=True).end
    assert not kai.incidents.filter(ward__name="Oak", started_at__lt=transfer).exists()
    assert not kai.incidents.filter(ward__name="Willow", started_at__gte=transfer).exists()
    sam = ServiceUser.objects.get(user__username="sam")
    submitted = sam.incidents.exclude(status="draft").first()
    assert permissions.has(sam.user, "view", submitted)
    # The record's history says when it happened, not when the demo ran.
    assert submitted.history.earliest().history_date < submitted.started_at + datetime.timedelta(days=1)
