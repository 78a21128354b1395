import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_anonymous_visitor_is_sent_to_sign_in(client, sam):
    response = client.get(reverse("service_user_detail", args=[sam.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_sign_in_with_username_and_password_reaches_home(client, nurse):
    response = client.post(
        reverse("login"), {"username": "nurse.ash", "password": "pw-Correct-Horse-1"}, follow=True
    )
    assert response.status_code == 200
    assert "Hello, nurse.ash" in response.text or "Hello" in response.text
    assert response.wsgi_request.user == nurse


def test_repeated_failed_sign_ins_lock_the_account(client, nurse, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "nurse.ash", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "nurse.ash", "password": "pw-Correct-Horse-1"})
    assert response.status_code == 429
    assert "locked" in response.text
    assert "_auth_user_id" not in client.session


def test_logout_needs_post(client, nurse):
    client.force_login(nurse)
    assert client.get(reverse("logout")).status_code == 405
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


def test_nurse_sees_own_ward_patients_only(client, nurse, sam, lou):
    client.force_login(nurse)
    response = client.get(reverse("service_user_list"))
    assert "Sam Test" in response.text
    assert "Lou Test" not in response.text


@pytest.mark.parametrize("who", ["outsider", "lou", "carer"])
def test_people_outside_the_team_get_404_for_a_person(client, request, sam, who):
    client.force_login(request.getfixturevalue(who).user if who == "lou" else request.getfixturevalue(who))
    assert client.get(reverse("service_user_detail", args=[sam.pk])).status_code == 404


def test_service_user_sees_own_record(client, sam):
    client.force_login(sam.user)
    assert client.get(reverse("service_user_detail", args=[sam.pk])).status_code == 200


def test_service_user_cannot_transfer_themself(client, sam, oak):
    client.force_login(sam.user)
    response = client.post(
        reverse("admission_transfer", args=[sam.current_admission.pk]),
        {"ward": oak.pk, "at": "2026-01-01T10:00"},
    )
    assert response.status_code == 403


def test_transfer_form_refuses_same_ward_with_message(client, nurse, sam, willow):
    client.force_login(nurse)
    at = (timezone.localtime() - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("admission_transfer", args=[sam.current_admission.pk]), {"ward": willow.pk, "at": at}
    )
    assert response.status_code == 200
    assert "already on this ward" in response.text
    assert sam.admissions.count() == 1


def test_transfer_through_the_page_moves_the_person_out_of_my_list(client, nurse, kai, oak):
    client.force_login(nurse)
    at = (timezone.localtime() - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("admission_transfer", args=[kai.current_admission.pk]), {"ward": oak.pk, "at": at}
    )
    assert response.status_code == 302
    assert client.get(reverse("service_user_detail", args=[kai.pk])).status_code == 404


def test_adding_a_person_with_an_invalid_nhs_number_keeps_what_was_typed(client, nurse, willow):
    client.force_login(nurse)
    response = client.post(
        reverse("service_user_create"),
        {
            "nhs_number": "943 476 5918",
            "given_name": "Robin",
            "family_name": "Hood",
            "date_of_birth": "1990-02-03",
            "sex": "male",
            "gender_reassignment": "not_known",
            "ethnicity": "Z",
            "religion": "not_known",
            "sexual_orientation": "not_known",
            "marital_status": "not_known",
            "pregnancy": "not_known",
            "disability": "not_known",
            "learning_disability": "not_known",
            "autism": "not_known",
            "admission-ward": willow.pk,
            "admission-start": "2026-01-01T10:00",
        },
    )
    assert response.status_code == 200
    assert "not a valid NHS number" in response.text
    assert 'value="Robin"' in response.text


def test_home_page_for_a_service_user_names_their_ward(client, sam):
    client.force_login(sam.user)
    response = client.get(reverse("home"))
    assert "You are on Willow" in response.text


def test_pages_use_the_nhs_frontend_served_locally(client, nurse):
    client.force_login(nurse)
    response = client.get(reverse("home"))
    assert "/static/vendor/nhsuk-frontend.min.css" in response.text
    assert "<script>" not in response.text
    assert "Content-Security-Policy" in response.headers
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_admin_creating_a_ward_gives_its_team_and_leads_access(client, admin, org):
    from rrp import permissions
    from rrp.models import Ward

    client.force_login(admin)
    response = client.post(
        "/admin/rrp/ward/add/",
        {
            "division": org["forensic"].pk,
            "name": "Birch",
            "description": "Low secure",
            "beds": 12,
            "target_rate": "",
        },
    )
    assert response.status_code == 302
    ward = Ward.objects.get(name="Birch")
    assert ward.staff_group and ward.managers_group
    lead = make_staff_for_test(org)
    assert permissions.has(lead, "view", ward)


def make_staff_for_test(org):
    from tests.conftest import make_staff

    return make_staff("lead.two", "recovery_lead", [], org["forensic"])


def test_the_people_list_pages_sorts_filters_and_shows_each_persons_ward(client, nurse, lead, sam, lou, oak):
    from tests.conftest import make_person

    for n in range(26):
        make_person(f"p{n:02d}", oak if n == 0 else sam.current_ward)
    client.force_login(nurse)  # Willow: Sam and 25 more
    first = client.get(reverse("service_user_list")).text
    assert "26 people" in first
    names = [f"P{n:02d} Test" for n in range(1, 26)]
    assert all(name in first for name in names[:24]) and "Sam Test" not in first  # "P.." before "Sam"
    assert first.index("P01 Test") < first.index("P02 Test") < first.index("P24 Test")
    assert first.count('<td class="nhsuk-table__cell">Willow</td>') == 25
    second = client.get(reverse("service_user_list"), {"page": 2}).text
    assert "Sam Test" in second and "P01 Test" not in second
    assert "Add and admit a person" in first
    found = client.get(reverse("service_user_list"), {"q": "p07"}).text
    assert "1 person" in found and "P07 Test" in found and "P08 Test" not in found
    refused = client.get(reverse("service_user_list"), {"ward": oak.pk}).text  # not the nurse's ward
    assert "There is a problem" in refused and "P00 Test" not in refused and "Sam Test" not in refused

    client.force_login(lead)  # Forensic Services: Oak and Willow, not Cedar
    text = client.get(reverse("service_user_list"), {"ward": oak.pk}).text
    assert "1 person" in text and '<td class="nhsuk-table__cell">Oak</td>' in text and "Lou Test" not in text
    assert "Add and admit a person" not in text
