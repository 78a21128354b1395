import os
import subprocess
import sys

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from rrp import permissions
from rrp.models import Admission, CarerLink, PermissionEvent, ServiceUser, StaffProfile


@pytest.mark.django_db
def test_seed_demo_creates_the_personas_once():
    call_command("seed_demo", verbosity=0)
    counts = (
        User.objects.count(),
        ServiceUser.objects.count(),
        Admission.objects.count(),
        PermissionEvent.objects.count(),
    )
    call_command("seed_demo", verbosity=0)
    assert (
        User.objects.count(),
        ServiceUser.objects.count(),
        Admission.objects.count(),
        PermissionEvent.objects.count(),
    ) == counts
    for username in [
        "admin",
        "nurse.ash",
        "nurse.bea",
        "manager.cal",
        "lead.dee",
        "peer.jo",
        "sam",
        "kai",
        "lou",
        "carer.pat",
    ]:
        assert User.objects.filter(username=username).exists(), username
    assert User.objects.get(username="nurse.ash").check_password("rrp-demo-2026")
    assert StaffProfile.objects.get(user__username="manager.cal").role == "ward_manager"
    kai = ServiceUser.objects.get(user__username="kai")
    assert kai.current_ward.name == "Oak"
    assert kai.admissions.filter(ward__name="Willow", ended_by_transfer=True).exists()
    link = CarerLink.objects.get(carer__username="carer.pat")
    assert link.service_user.user.username == "sam" and link.shares_safety_plan and link.shares_ward_rounds
    ash = User.objects.get(username="nurse.ash")
    assert permissions.has(ash, "view", ServiceUser.objects.get(user__username="sam"))
    assert not permissions.has(ash, "view", kai)


def test_check_deploy_is_clean_with_production_variables():
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "RRP_TESTING")}
    env.update(
        DEBUG="0",
        SECRET_KEY="a-long-random-production-secret-key-with-enough-entropy-0123456789",
        ALLOWED_HOSTS="rrp.example.nhs.uk",
        DJANGO_SETTINGS_MODULE="rrp.settings",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "RRP_TESTING", "SECRET_KEY")}
    env.update(DEBUG="0", DJANGO_SETTINGS_MODULE="rrp.settings")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
