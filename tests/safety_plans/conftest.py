import pytest

from safety_plans import services


@pytest.fixture
def plan(sam, nurse, carer):
    """Sam's plan, started by the Willow nurse after Sam consented to share it with his mother."""
    return services.plan_create(service_user=sam, by=nurse)


def write(plan, kind, by, **fields):
    section = plan.sections.filter(kind=kind).first()
    return services.section_save(
        plan=plan, kind=kind, version=section.version if section else 0, by=by, **fields
    )


def agree_both(plan, person_user, staff_user):
    services.plan_agree(plan=plan, by=person_user)
    return services.plan_agree(plan=plan, by=staff_user)
