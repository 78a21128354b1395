import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents import services
from incidents.models import Incident
from tests.incidents.factories import COMPLETE, ago, make_incident

pytestmark = pytest.mark.django_db


def local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def management(prefix, total, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def form_data(start, *, action="submit", token="3b0c8a52-1f1e-4a57-9d0b-2f2f0c6a9e11", **overrides):
    data = {
        "action": action,
        "form_token": token,
        "started_at": local(start),
        "ended_at": local(start + datetime.timedelta(minutes=20)),
        **{k: v for k, v in COMPLETE.items() if k != "deescalation"},
        "deescalation": COMPLETE["deescalation"],
        "death_or_serious_injury": "neither",
        **management("interventions", 2),
        "interventions-0-type_code": "07",
        "interventions-0-started_at": local(start),
        "interventions-0-ended_at": local(start + datetime.timedelta(minutes=5)),
        "interventions-0-in_care_plan": "no",
        "interventions-1-type_code": "05",
        "interventions-1-started_at": local(start + datetime.timedelta(minutes=6)),
        "interventions-1-ended_at": local(start + datetime.timedelta(minutes=19)),
        "interventions-1-in_care_plan": "yes",
        **management("staff", 1),
        "staff-0-name": "Ash Patel",
        "staff-0-job_title": "Registered nurse",
        "staff-0-used_force": "on",
        **management("others", 0),
        **management("notifications", 0),
        **management("observations", 0),
    }
    data.update(overrides)
    return data


def test_nurse_sees_the_form_with_people_to_tell(client, nurse, sam):
    sam.people_to_notify.create(name="Pat Taylor", relationship="Mother")
    client.force_login(nurse)
    response = client.get(reverse("incidents:create", args=[sam.pk]))
    assert response.status_code == 200
    assert "Record a use of force" in response.text
    assert "Pat Taylor (Mother" in response.text
    assert 'value="Pat Taylor"' in response.text


def test_nurse_logs_and_submits_an_incident_with_two_interventions(client, nurse, sam):
    client.force_login(nurse)
    response = client.post(reverse("incidents:create", args=[sam.pk]), form_data(ago(hours=2)))
    assert "There is a problem" not in response.text, response.text.split("nhsuk-error-summary__list")[-1][
        :1500
    ]
    incident = Incident.objects.get()
    assert response.status_code == 302
    assert response.url == incident.get_absolute_url()
    assert incident.status == Incident.Status.SUBMITTED
    assert incident.interventions.count() == 2
    assert incident.staff_involved.count() == 1


def test_double_submit_creates_one_incident(client, nurse, sam):
    client.force_login(nurse)
    data = form_data(ago(hours=2))
    client.post(reverse("incidents:create", args=[sam.pk]), data)
    client.post(reverse("incidents:create", args=[sam.pk]), data)
    assert Incident.objects.count() == 1


def test_submission_shows_each_problem_at_its_field_and_keeps_what_was_typed(client, nurse, sam):
    client.force_login(nurse)
    start = ago(hours=2)
    data = form_data(
        start,
        outcome="",
        **{
            "interventions-0-type_code": "01",
            "interventions-1-ended_at": local(start - datetime.timedelta(minutes=1)),
        },
    )
    response = client.post(reverse("incidents:create", args=[sam.pk]), data)
    assert response.status_code == 200
    assert Incident.objects.count() == 0
    text = response.text
    assert "There is a problem" in text
    assert "An intervention must end after it started." in text
    assert 'href="#id_interventions-1-ended_at"' in text
    assert COMPLETE["how_force_used"] in text


def test_prone_reason_error_is_at_the_field(client, nurse, sam):
    client.force_login(nurse)
    data = form_data(ago(hours=2), **{"interventions-0-type_code": "01"})
    response = client.post(reverse("incidents:create", args=[sam.pk]), data)
    assert 'href="#id_interventions-0-prone_reason"' in response.text
    assert "26.70" in response.text


def test_save_draft_incomplete_then_add_another_intervention_without_javascript(client, nurse, sam):
    client.force_login(nurse)
    data = {
        "action": "add:interventions",
        "form_token": "0d4c1a52-1f1e-4a57-9d0b-2f2f0c6a9e12",
        "place": "Garden",
        "death_or_serious_injury": "neither",
        **management("interventions", 1),
        "interventions-0-in_care_plan": "not_known",
        **management("staff", 0),
        **management("others", 0),
        **management("notifications", 0),
        **management("observations", 0),
    }
    response = client.post(reverse("incidents:create", args=[sam.pk]), data)
    assert response.status_code == 302, response.text.split("nhsuk-error-summary__list")[-1][:1500]
    incident = Incident.objects.get()
    assert incident.status == "draft"
    assert incident.place == "Garden"
    assert response.url.startswith(reverse("incidents:edit", args=[incident.pk]) + "?add=interventions")
    page = client.get(response.url)
    assert 'name="interventions-TOTAL_FORMS" value="2"' in page.text


def test_amendment_needs_a_reason_and_shows_in_the_timeline(client, nurse, sam):
    incident = make_incident(sam, nurse)
    client.force_login(nurse)
    url = reverse("incidents:edit", args=[incident.pk])
    page = client.get(url)
    assert "Why are you changing this record?" in page.text
    rows = incident.interventions.all()
    staff = incident.staff_involved.all()
    base = form_data(incident.started_at, action="save", version=str(incident.version))
    base.update(management("interventions", len(rows), len(rows)))
    for i, row in enumerate(rows):
        base.update(
            {
                f"interventions-{i}-id": str(row.pk),
                f"interventions-{i}-type_code": row.type_code,
                f"interventions-{i}-started_at": local(row.started_at),
                f"interventions-{i}-ended_at": local(row.ended_at),
                f"interventions-{i}-in_care_plan": row.in_care_plan,
            }
        )
    base.update(management("staff", len(staff), len(staff)))
    for i, row in enumerate(staff):
        base.update(
            {
                f"staff-{i}-id": str(row.pk),
                f"staff-{i}-name": row.name,
                f"staff-{i}-job_title": row.job_title,
                f"staff-{i}-used_force": "on",
            }
        )
    base["started_at"] = local(incident.started_at)
    base["ended_at"] = local(incident.ended_at)
    base["outcome"] = "He slept afterwards."
    response = client.post(url, base)
    assert response.status_code == 200
    assert "Give a reason for changing a submitted incident." in response.text
    base["change_reason"] = "Added what happened overnight"
    response = client.post(url, base)
    assert response.status_code == 302
    detail = client.get(incident.get_absolute_url())
    assert "Added what happened overnight" in detail.text
    assert "He slept afterwards." in detail.text
    assert COMPLETE["outcome"] in detail.text  # the old value, in the timeline


def test_stale_amendment_shows_both_versions_and_overwrites_nothing(client, nurse, manager, sam):
    incident = make_incident(sam, nurse, submit=False)
    old_version = incident.version
    services.incident_update(incident=incident, by=manager, version=old_version, outcome="Manager's words")
    client.force_login(nurse)
    data = form_data(incident.started_at, action="save", version=str(old_version), outcome="Nurse's words")
    data.update(management("interventions", 0))
    data.update(management("staff", 0))
    response = client.post(reverse("incidents:edit", args=[incident.pk]), data)
    assert response.status_code == 200
    assert "Someone else changed this incident" in response.text
    assert "Manager&#x27;s words" in response.text
    assert "Nurse&#x27;s words" in response.text
    incident.refresh_from_db()
    assert incident.outcome == "Manager's words"


def test_manager_signs_off_and_nurse_cannot(client, nurse, manager, sam):
    incident = make_incident(sam, nurse)
    url = reverse("incidents:sign_off", args=[incident.pk])
    client.force_login(nurse)
    assert client.post(url, {"version": incident.version}).status_code == 403
    assert client.get(url).status_code == 405
    client.force_login(manager)
    page = client.get(incident.get_absolute_url())
    assert "Sign off" in page.text
    client.post(url, {"version": incident.version})
    incident.refresh_from_db()
    assert incident.status == Incident.Status.SIGNED_OFF


def test_manager_marks_entered_in_error_with_a_reason(client, nurse, manager, sam):
    incident = make_incident(sam, nurse)
    url = reverse("incidents:mark_error", args=[incident.pk])
    client.force_login(nurse)
    assert client.get(url).status_code == 403
    client.force_login(manager)
    response = client.post(url, {"reason": "", "version": incident.version})
    assert "This field is required." in response.text
    client.post(url, {"reason": "Duplicate of another record", "version": incident.version})
    incident.refresh_from_db()
    assert incident.entered_in_error_at is not None
    assert "Duplicate of another record" in client.get(incident.get_absolute_url()).text


def test_statutory_record_marks_items_present_or_missing(client, nurse, sam):
    complete = make_incident(sam, nurse)
    draft = services.incident_create(service_user=sam, by=nurse)
    client.force_login(nurse)
    page = client.get(reverse("incidents:statutory", args=[complete.pk]))
    assert page.text.count("nhsuk-tag--green") + page.text.count("nhsuk-tag--red") == 16
    assert ">Missing<" not in page.text
    assert "All 16 items are present." in page.text
    page = client.get(reverse("incidents:statutory", args=[draft.pk]))
    assert "missing" in page.text
    assert page.text.count(">Missing<") >= 8
    printable = client.get(reverse("incidents:statutory_print", args=[complete.pk]))
    assert printable.status_code == 200
    assert "data-print" in printable.text


def test_service_user_reads_own_incident_with_job_titles_only(client, nurse, sam):
    incident = make_incident(sam, nurse)
    client.force_login(sam.user)
    page = client.get(incident.get_absolute_url())
    assert page.status_code == 200
    assert "Registered nurse" in page.text
    assert "Healthcare assistant" in page.text
    for name in ("Ash Patel", "Eli Brown", nurse.get_full_name(), nurse.username):
        assert name not in page.text
    assert client.get(reverse("incidents:statutory", args=[incident.pk])).status_code == 404
    mine = client.get(reverse("incidents:mine"))
    assert incident.get_absolute_url() in mine.text


def test_service_user_cannot_see_a_draft(client, nurse, sam):
    incident = make_incident(sam, nurse, submit=False)
    client.force_login(sam.user)
    assert client.get(incident.get_absolute_url()).status_code == 404


def test_home_shows_drafts_and_incidents_awaiting_sign_off(client, nurse, manager, sam):
    services.incident_create(service_user=sam, by=nurse, place="Corridor")
    make_incident(sam, nurse)
    client.force_login(nurse)
    home = client.get(reverse("home"))
    assert "Your draft incidents" in home.text
    assert "Sam Test, Willow" in home.text
    assert 'href="/incidents/"' in home.text
    client.force_login(manager)
    home = client.get(reverse("home"))
    assert "Incidents to sign off" in home.text


def test_service_user_menu_has_my_incidents(client, sam):
    client.force_login(sam.user)
    assert "My incidents" in client.get(reverse("home")).text


def test_a_complete_draft_can_be_submitted_from_its_page(client, nurse, sam):
    incident = make_incident(sam, nurse, submit=False)
    client.force_login(nurse)
    page = client.get(incident.get_absolute_url())
    assert reverse("incidents:submit", args=[incident.pk]) in page.text
    assert client.get(reverse("incidents:submit", args=[incident.pk])).status_code == 405
    client.post(reverse("incidents:submit", args=[incident.pk]), {"version": incident.version})
    incident.refresh_from_db()
    assert incident.status == Incident.Status.SUBMITTED


def test_timeline_shows_a_changed_intervention_with_before_after_and_reason(client, nurse, sam):
    incident = make_incident(sam, nurse)
    row = incident.interventions.get()
    services.incident_update(
        incident=incident,
        by=nurse,
        version=incident.version,
        reason="It was a seated hold",
        children={"interventions": [{"id": row.pk, "type_code": "11"}]},
    )
    client.force_login(nurse)
    text = client.get(incident.get_absolute_url()).text
    assert "It was a seated hold" in text
    assert "Physical restraint: standing" in text.split('id="history"')[1]
    assert "Physical restraint: seated" in text.split('id="history"')[1]


def test_service_user_view_names_nobody_told_and_hides_the_timeline(client, nurse, sam):
    contact = sam.people_to_notify.create(name="Pat Taylor", relationship="Mother")
    incident = make_incident(sam, nurse, submit=False, care_plan_people_told="yes")
    incident = services.incident_update(
        incident=incident,
        by=nurse,
        version=incident.version,
        reason="Added who was told",
        children={
            "notifications": [
                {
                    "person": contact,
                    "name": "Pat Taylor",
                    "relationship": "Mother",
                    "told": True,
                    "told_at": ago(hours=1),
                }
            ]
        },
    )
    services.incident_submit(incident=incident, by=nurse)
    client.force_login(sam.user)
    text = client.get(incident.get_absolute_url()).text
    assert "Your mother: told" in text
    assert "Pat Taylor" not in text
    assert "History of changes" not in text
