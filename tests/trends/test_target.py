from decimal import Decimal

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_manager_sets_the_target_line_and_it_is_recorded(client, manager, willow, march_on_willow):
    client.force_login(manager)
    url = reverse("trends:target_edit", args=[willow.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"target_rate": "20.5"})
    assert response.status_code == 302
    willow.refresh_from_db()
    assert willow.target_rate == Decimal("20.5")
    assert willow.history.first().history_user == manager
    page = client.get(reverse("trends:dashboard"), {"start": "2025-03-01", "end": "2025-05-31"})
    section = page.context["rates"][0]
    assert any(trace["name"] == "Target" for trace in section.figure["data"])
    assert "against the target of 20.5" in section.summary
    assert "Change the target for Willow" in page.content.decode()


def test_manager_clears_the_target(client, manager, willow):
    client.force_login(manager)
    client.post(reverse("trends:target_edit", args=[willow.pk]), {"target_rate": ""})
    willow.refresh_from_db()
    assert willow.target_rate is None


def test_negative_target_is_refused(client, manager, willow):
    client.force_login(manager)
    response = client.post(reverse("trends:target_edit", args=[willow.pk]), {"target_rate": "-1"})
    assert response.status_code == 200
    assert "greater than or equal to 0" in response.content.decode()


def test_only_the_wards_manager_may_set_it(client, nurse, lead, manager, willow, oak):
    url = reverse("trends:target_edit", args=[willow.pk])
    for user, status in ((nurse, 403), (lead, 403)):
        client.force_login(user)
        assert client.get(url).status_code == status
        assert client.post(url, {"target_rate": "1"}).status_code == status
    client.force_login(manager)
    assert client.get(reverse("trends:target_edit", args=[oak.pk])).status_code == 404
    willow.refresh_from_db()
    assert willow.target_rate is None
