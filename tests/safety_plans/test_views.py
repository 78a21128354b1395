import pytest
from django.urls import reverse

from rrp import services as core
from rrp.models import PermissionEvent
from safety_plans import services
from safety_plans.models import Kind, PlanShare
from tests.safety_plans.conftest import agree_both, write

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"safety_plans:{name}", args=args)


def test_plan_page_shows_each_part_and_who_wrote_it(client, plan, sam, nurse):
    write(plan, Kind.HELPS, sam.user, text="Soft voice, the garden")
    client.force_login(nurse)
    response = client.get(url("detail", plan.pk))
    assert response.status_code == 200
    assert "Soft voice, the garden" in response.text
    assert "Written by sam Test" in response.text
    assert "Sam Test&#x27;s safety plan" in response.text


def test_person_sees_your_safety_plan(client, plan, sam):
    client.force_login(sam.user)
    response = client.get(url("mine"), follow=True)
    assert "Your safety plan" in response.text


@pytest.mark.parametrize("who", ["kai", "outsider", "peer"])
def test_people_without_access_get_404(client, plan, who, request):
    user = request.getfixturevalue(who)
    client.force_login(getattr(user, "user", user))
    for name in ("detail", "print", "versions", "compare", "history"):
        assert client.get(url(name, plan.pk)).status_code == 404, name
    assert client.get(url("section_edit", plan.pk, Kind.HELPS)).status_code == 404


def test_lead_views_but_cannot_edit(client, plan, lead):
    client.force_login(lead)
    assert client.get(url("detail", plan.pk)).status_code == 200
    assert client.get(url("section_edit", plan.pk, Kind.HELPS)).status_code == 403
    assert client.post(url("agree", plan.pk)).status_code == 403


def test_agree_is_post_only(client, plan, sam):
    client.force_login(sam.user)
    assert client.get(url("agree", plan.pk)).status_code == 405


def test_carer_edits_only_her_part(client, plan, carer):
    client.force_login(carer)
    page = client.get(url("detail", plan.pk)).text
    assert url("section_edit", plan.pk, Kind.FAMILY) in page
    assert url("section_edit", plan.pk, Kind.HELPS) not in page
    assert client.get(url("section_edit", plan.pk, Kind.HELPS)).status_code == 403
    response = client.post(url("section_edit", plan.pk, Kind.FAMILY), {"version": "0", "text": "I can visit"})
    assert response.status_code == 302
    assert plan.sections.get(kind=Kind.FAMILY).author == carer
    assert (
        client.post(url("section_edit", plan.pk, Kind.HELPS), {"version": "0", "text": "x"}).status_code
        == 403
    )


def test_stale_save_shows_both_texts_and_saves_nothing(client, plan, sam, nurse):
    write(plan, Kind.HELPS, sam.user, text="Original")
    opened = plan.sections.get(kind=Kind.HELPS).version
    write(plan, Kind.HELPS, sam.user, text="Sam's newer words")
    client.force_login(nurse)
    response = client.post(
        url("section_edit", plan.pk, Kind.HELPS), {"version": opened, "text": "Ash's words"}
    )
    assert response.status_code == 200
    assert "Someone else changed this part" in response.text
    assert "Sam&#x27;s newer words" in response.text and "Ash&#x27;s words" in response.text
    assert plan.sections.get(kind=Kind.HELPS).text == "Sam's newer words"
    # Saving again from the conflict page is a deliberate choice and succeeds.
    version = response.context["form"]["version"].value()
    response = client.post(url("section_edit", plan.pk, Kind.HELPS), {"version": version, "text": "Both"})
    assert response.status_code == 302
    assert plan.sections.get(kind=Kind.HELPS).text == "Both"


def test_text_is_kept_exactly_through_the_form(client, plan, sam):
    text = "  Leading spaces, ünïcödé ✓ and 日本語\r\n\r\n  and a long tail " + "x" * 30000
    client.force_login(sam.user)
    client.post(url("section_edit", plan.pk, Kind.COPING), {"version": "0", "text": text})
    assert plan.sections.get(kind=Kind.COPING).text == text


def test_both_agree_through_the_pages_and_empty_agreement_is_refused(client, plan, sam, nurse):
    write(plan, Kind.HELPS, sam.user, text="Music")
    client.force_login(sam.user)
    response = client.post(url("agree", plan.pk), follow=True)
    assert "waiting for a member of staff" in response.text
    client.force_login(nurse)
    response = client.post(url("agree", plan.pk), follow=True)
    assert "Version 1 of the plan is now agreed" in response.text
    response = client.post(url("agree", plan.pk), follow=True)
    assert "Nothing has changed since version 1" in response.text
    assert plan.versions.count() == 1


def test_compare_shows_side_by_side_difference_with_words_not_only_colour(client, plan, sam, nurse):
    write(plan, Kind.HELPS, sam.user, text="Music\nTea")
    agree_both(plan, sam.user, nurse)
    write(plan, Kind.HELPS, sam.user, text="Loud music\nTea")
    write(plan, Kind.COPING, sam.user, text="Walks")
    agree_both(plan, sam.user, nurse)
    client.force_login(sam.user)
    response = client.get(url("compare", plan.pk), {"old": 1, "new": 2})
    assert response.status_code == 200
    text = response.text
    assert "<caption" in text
    assert '<ins class="rrp-ins"><span class="nhsuk-u-visually-hidden">added: </span>Loud' in text
    assert "New part" in text and "Changed" in text
    bad = client.get(url("compare", plan.pk), {"old": 9, "new": "draft"})
    assert "Choose two copies" in bad.text


def test_version_page_shows_the_agreed_words_after_the_draft_moves_on(client, plan, sam, nurse):
    write(plan, Kind.HELPS, sam.user, text="Music")
    agree_both(plan, sam.user, nurse)
    write(plan, Kind.HELPS, sam.user, text="Silence")
    client.force_login(nurse)
    page = client.get(url("version_detail", plan.pk, 1)).text
    assert "Music" in page and "Silence" not in page
    assert client.get(url("version_detail", plan.pk, 5)).status_code == 404


def test_print_page_shows_agreed_date_in_large_type(client, plan, sam, nurse):
    write(plan, Kind.HELPS, sam.user, text="Music")
    version = agree_both(plan, sam.user, nurse)
    client.force_login(sam.user)
    page = client.get(url("print", plan.pk)).text
    assert "rrp-large-print" in page
    assert f"agreed on <strong>{version.agreed_at:%-d %B %Y}" in page


def test_sharing_page_is_the_persons_and_withdrawn_carer_gets_404(client, plan, sam, nurse, carer):
    client.force_login(nurse)
    assert client.get(url("sharing", plan.pk)).status_code == 403
    client.force_login(sam.user)
    page = client.get(url("sharing", plan.pk)).text
    assert "carer.pat Test" in page or "Pat Test" in page
    share = plan.shares.get(user=carer, withdrawn_at=None)
    assert client.post(url("share_withdraw", plan.pk, share.pk)).status_code == 302
    client.force_login(carer)
    assert client.get(url("detail", plan.pk)).status_code == 404
    assert client.get(url("section_edit", plan.pk, Kind.FAMILY)).status_code == 404
    client.force_login(sam.user)
    page = client.get(url("sharing", plan.pk)).text
    assert "Withdrawn" in page
    response = client.post(
        url("sharing", plan.pk), {"carer-user": carer.pk, "carer-role": PlanShare.Role.CARER}
    )
    assert response.status_code == 302
    client.force_login(carer)
    assert client.get(url("detail", plan.pk)).status_code == 200


def test_carer_consent_withdrawn_elsewhere_gives_404(client, plan, sam, carer):
    core.carer_consent_withdraw(link=sam.carer_links.get(), by=sam.user)
    client.force_login(carer)
    assert client.get(url("detail", plan.pk)).status_code == 404


def test_person_invites_peer_worker(client, plan, sam, peer):
    client.force_login(sam.user)
    response = client.post(url("sharing", plan.pk), {"peer-user": peer.pk, "peer-role": PlanShare.Role.PEER})
    assert response.status_code == 302
    assert PermissionEvent.objects.filter(user=peer, action="grant", object_id=str(plan.pk)).exists()
    client.force_login(peer)
    assert client.get(url("detail", plan.pk)).status_code == 200
    assert client.get(url("section_edit", plan.pk, Kind.HELPS)).status_code == 403


def test_proposal_accepted_from_its_page(client, plan, sam, nurse):
    proposal = services.proposal_create(
        service_user=sam,
        text="Offer headphones",
        source_label="Post incident review",
        source_url="/r/1/",
        by=nurse,
    )
    client.force_login(sam.user)
    page = client.get(url("detail", plan.pk)).text
    assert "Offer headphones" in page and 'href="/r/1/"' in page
    response = client.post(
        url("proposal", plan.pk, proposal.pk), {"decision": "accept", "section_kind": Kind.COPING}
    )
    assert response.status_code == 302
    assert plan.sections.get(kind=Kind.COPING).text == "Offer headphones"


def test_person_page_shows_the_summary_to_staff_not_to_others(client, plan, sam, nurse, nurse_cedar):
    write(plan, Kind.DOES_NOT_HELP, sam.user, text="Being touched without warning")
    write(plan, Kind.PHYSICAL_HEALTH, nurse, text="Asthma: no prone holds")
    agree_both(plan, sam.user, nurse)
    client.force_login(nurse)
    page = client.get(reverse("service_user_detail", args=[sam.pk])).text
    assert "Safety plan in brief" in page
    assert "Asthma: no prone holds" in page and "Version 1, agreed" in page


def test_start_plan_from_the_list(client, sam, nurse):
    client.force_login(nurse)
    page = client.get(url("list")).text
    assert "People on your wards without a safety plan" in page
    response = client.post(url("start", sam.pk))
    assert response.status_code == 302
    assert sam.safety_plan.ward.name == "Willow"


def test_home_pages_show_the_right_panels(client, plan, sam, nurse, carer, lead):
    import datetime

    from django.utils import timezone

    write(plan, Kind.HELPS, sam.user, text="Music")
    services.plan_update(
        plan=plan, version=plan.version, review_by=timezone.localdate() - datetime.timedelta(days=1), by=nurse
    )
    client.force_login(nurse)
    page = client.get("/").text
    assert "Safety plans due for review" in page and "Overdue" in page
    assert "Safety plans</a>" in page or ">Safety plans<" in page
    client.force_login(lead)
    assert "Safety plans due for review in your division" in client.get("/").text
    client.force_login(sam.user)
    page = client.get("/").text
    assert "A draft is waiting for you to agree" in page and "My safety plan" in page
    client.force_login(carer)
    page = client.get("/").text
    assert "Sam&#x27;s safety plan" in page
    assert "Write how your family can help" in page


def test_review_date_stale_edit_is_refused(client, plan, nurse):
    client.force_login(nurse)
    response = client.post(
        url("review_date", plan.pk), {"version": plan.version + 5, "review_by": "2030-01-01"}
    )
    assert "Someone else changed the review date" in response.text
    plan.refresh_from_db()
    assert plan.review_by is None


def test_after_a_transfer_the_old_team_gets_404_and_the_new_team_edits(
    client, plan, sam, nurse, nurse_oak, oak
):
    from django.utils import timezone

    core.admission_transfer(admission=sam.current_admission, to_ward=oak, at=timezone.now(), by=nurse)
    client.force_login(nurse)
    assert client.get(url("detail", plan.pk)).status_code == 404
    client.force_login(nurse_oak)
    response = client.post(url("section_edit", plan.pk, Kind.HELPS), {"version": "0", "text": "From Oak"})
    assert response.status_code == 302
    page = client.get(url("history", plan.pk)).text
    assert "Oak ward team may write the plan" in page
    assert "Withdrawn: Willow ward team may write the plan" in page


def test_staff_record_agreement_in_person_from_the_page(client, plan, sam, nurse):
    write(plan, Kind.HELPS, nurse, text="Music")
    client.force_login(nurse)
    page = client.get(url("detail", plan.pk)).text
    assert "Record that Sam Test agreed this draft in person" in page
    response = client.post(url("agree", plan.pk), {"for_person": "1"}, follow=True)
    assert "agreement is recorded" in response.text
    assert "in person, recorded by nurse.ash Test" in response.text
    response = client.post(url("agree", plan.pk), follow=True)
    assert "Version 1 of the plan is now agreed" in response.text


def test_plan_list_queries_do_not_grow_with_plans(client, django_assert_max_num_queries, plan, nurse, willow):
    from tests.conftest import make_person

    for index in range(5):
        services.plan_create(service_user=make_person(f"extra{index}", willow), by=nurse)
    client.force_login(nurse)
    client.get(url("list"))
    with django_assert_max_num_queries(14):
        page = client.get(url("list")).text
    assert page.count('<td class="nhsuk-table__cell">Never agreed</td>') == 6


def test_a_copy_can_be_downloaded_to_keep(client, plan, sam, nurse):
    write(plan, Kind.HELPS, sam.user, text="Ça va? <b>not bold</b>")
    agree_both(plan, sam.user, nurse)
    client.force_login(sam.user)
    response = client.get(url("print", plan.pk), {"download": "1"})
    assert response["Content-Disposition"] == 'attachment; filename="safety-plan-version-1.html"'
    assert "Ça va? &lt;b&gt;not bold&lt;/b&gt;" in response.text
    assert "Version 1, agreed on" in response.text
