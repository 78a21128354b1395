import pytest
from django.utils import timezone

from rrp import services as core
from rrp.demo import Cast
from rrp.models import PersonToNotify
from safety_plans import demo
from safety_plans.models import Kind, PlanVersion, Proposal, SafetyPlan

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(org, nurse, nurse_oak, nurse_cedar, manager, carer, sam, kai, lou):
    core.admission_transfer(admission=kai.current_admission, to_ward=org["oak"], at=timezone.now(), by=nurse)
    users = {
        u.username: u for u in (nurse, nurse_oak, nurse_cedar, manager, carer, sam.user, kai.user, lou.user)
    }
    return Cast(users=users, people={"sam": sam, "kai": kai, "lou": lou}, wards={"Willow": org["willow"]})


def test_demo_gives_sam_kai_and_lou_several_versions_and_is_idempotent(cast, carer):
    demo.seed(cast)
    demo.seed(cast)
    assert SafetyPlan.objects.count() == 3
    for person, versions in (("sam", 3), ("kai", 2), ("lou", 3)):
        assert PlanVersion.objects.filter(plan__service_user=cast.people[person]).count() == versions
    sam = SafetyPlan.objects.get(service_user=cast.people["sam"])
    assert sam.sections.get(kind=Kind.FAMILY).author == carer
    proposal = sam.proposals.get()
    assert proposal.status == Proposal.Status.PENDING and proposal.source_label == "Post incident review"
    assert PersonToNotify.objects.filter(service_user=cast.people["sam"], name="Pat Taylor").exists()
    kai = SafetyPlan.objects.get(service_user=cast.people["kai"])
    assert kai.review_by < timezone.localdate()
