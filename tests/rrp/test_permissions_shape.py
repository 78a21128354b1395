"""`permissions.visible()` returns exactly the rows granted as object permissions, whatever SQL it uses.

The filter is written for speed (see rrp/permissions.py), so these tests pin its meaning: user
grants, group grants, both at once (no duplicates), another permission, model-wide permissions,
inactive users, superusers and anonymous users, in every way a list uses a queryset (count, an
ordered page, a deep page, exists, values, a further filter, a subquery). Each answer is also
checked against guardian's own `get_objects_for_user` with global permissions and the superuser
bypass turned off, the meaning `visible()` has always had.
"""

import pytest
from django.contrib.auth.models import AnonymousUser, Group, Permission
from guardian.shortcuts import assign_perm, get_objects_for_user

from rrp import permissions
from rrp.models import Ward
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def wards(org):
    """Twelve wards of their own, so the grants below are the only ones on them."""
    division = org["forensic"]
    return [Ward.objects.create(division=division, name=f"Shape ward {n:02}", beds=10) for n in range(12)]


def ours(queryset, wards):
    return queryset.filter(pk__in=[w.pk for w in wards])


def grant_group(name, perm, objects):
    group = Group.objects.create(name=name)
    for obj in objects:
        assign_perm(perm, group, obj)
    return group


@pytest.fixture
def cast(wards):
    """Who holds what on the twelve wards."""
    w = wards
    user_only = make_user("shape.user")
    for obj in (w[0], w[3], w[7]):
        assign_perm("rrp.view_ward", user_only, obj)

    group_only = make_user("shape.group")
    group_only.groups.add(grant_group("shape-a", "rrp.view_ward", [w[1], w[2], w[9]]))

    both = make_user("shape.both")
    for obj in (w[1], w[4]):
        assign_perm("rrp.view_ward", both, obj)
    both.groups.add(grant_group("shape-b", "rrp.view_ward", [w[1], w[5]]))
    both.groups.add(grant_group("shape-c", "rrp.view_ward", [w[4], w[5], w[6]]))
    both.groups.add(Group.objects.get(name="shape-a"))

    other_perm = make_user("shape.other")
    assign_perm("rrp.change_ward", other_perm, w[8])
    other_perm.groups.add(grant_group("shape-d", "rrp.change_ward", [w[10], w[11]]))

    model_wide = make_user("shape.global")
    model_wide.user_permissions.add(Permission.objects.get(codename="view_ward"))
    assign_perm("rrp.view_ward", model_wide, w[11])

    inactive = make_user("shape.inactive", is_active=False)
    assign_perm("rrp.view_ward", inactive, w[2])
    inactive.groups.add(grant_group("shape-e", "rrp.view_ward", [w[3]]))

    superuser = make_user("shape.super", is_superuser=True, is_staff=True)
    bare_superuser = make_user("shape.super2", is_superuser=True, is_staff=True)
    assign_perm("rrp.view_ward", superuser, w[6])

    nobody = make_user("shape.nobody")
    nobody.groups.add(grant_group("shape-empty", "rrp.view_ward", []))
    permissions.permissions_changed()
    return {
        "user_only": (user_only, {0, 3, 7}),
        "group_only": (group_only, {1, 2, 9}),
        "both": (both, {1, 2, 4, 5, 6, 9}),
        "other_perm": (other_perm, set()),
        "model_wide": (model_wide, {11}),
        # visible() has never looked at is_active (guardian does not either): it answers for the
        # grants, and the services rely on that to find an inactive carer's grants to revoke.
        # Inactive accounts cannot sign in, so no page ever shows them anything.
        "inactive": (inactive, {2, 3}),
        # No superuser bypass: a superuser sees only what is granted to them, like anyone else.
        "superuser": (superuser, {6}),
        "bare_superuser": (bare_superuser, set()),
        "nobody": (nobody, set()),
    }


WHO = [
    "user_only",
    "group_only",
    "both",
    "other_perm",
    "model_wide",
    "inactive",
    "superuser",
    "bare_superuser",
    "nobody",
]


def expected(wards, indexes):
    return sorted(wards[i].pk for i in indexes)


def reference(user, wards):
    """guardian's own answer with the choices visible() makes: no global perms, no superuser bypass."""
    granted = get_objects_for_user(
        user, "rrp.view_ward", klass=Ward.objects.all(), accept_global_perms=False, with_superuser=False
    )
    return sorted(ours(granted, wards).values_list("pk", flat=True))


@pytest.mark.parametrize("who", WHO)
def test_visible_returns_exactly_the_granted_rows(cast, wards, who):
    user, indexes = cast[who]
    seen = ours(permissions.visible(user, "view", Ward.objects.all()), wards)
    assert sorted(w.pk for w in seen) == expected(wards, indexes)
    assert sorted(w.pk for w in seen) == reference(user, wards)


@pytest.mark.parametrize("who", WHO)
def test_every_way_a_list_reads_the_queryset_agrees(cast, wards, who):
    user, indexes = cast[who]
    want = expected(wards, indexes)
    seen = ours(permissions.visible(user, "view", Ward.objects.all()), wards)
    ordered = seen.order_by("-name", "-id")
    by_name = sorted(want, key=lambda pk: Ward.objects.get(pk=pk).name, reverse=True)
    assert seen.count() == len(want)
    assert seen.exists() is bool(want)
    assert list(ordered[:2].values_list("pk", flat=True)) == by_name[:2]
    assert list(ordered[1:4].values_list("pk", flat=True)) == by_name[1:4]
    last = max(len(want) - 1, 0)
    assert list(ordered[last:].values_list("pk", flat=True)) == by_name[last:]
    assert sorted(seen.values_list("pk", flat=True)) == want
    assert [w.pk for w in seen.order_by("pk").iterator()] == want
    narrowed = seen.filter(name__gte="Shape ward 05")
    assert sorted(narrowed.values_list("pk", flat=True)) == [pk for pk in want if pk >= wards[5].pk]
    as_subquery = Ward.objects.filter(pk__in=seen.values("pk"))
    assert sorted(as_subquery.values_list("pk", flat=True)) == want
    assert seen.distinct().count() == len(want)


@pytest.mark.parametrize("who", WHO)
def test_a_permission_is_not_another(cast, wards, who):
    user, _ = cast[who]
    changeable = ours(permissions.visible(user, "change", Ward.objects.all()), wards)
    want = {"other_perm": {8, 10, 11}}.get(who, set())
    assert sorted(changeable.values_list("pk", flat=True)) == expected(wards, want)
    assert changeable.count() == len(want)


def test_anonymous_sees_nothing(cast, wards):
    assert not permissions.visible(AnonymousUser(), "view", Ward.objects.all()).exists()
    assert permissions.visible(AnonymousUser(), "view", Ward.objects.all()).count() == 0


def test_group_membership_changes_are_seen_at_once(cast, wards):
    user, _ = cast["user_only"]
    seen = permissions.visible(user, "view", Ward.objects.all())
    assert sorted(ours(seen, wards).values_list("pk", flat=True)) == expected(wards, {0, 3, 7})
    group = Group.objects.get(name="shape-a")
    user.groups.add(group)
    seen = permissions.visible(user, "view", Ward.objects.all())
    assert sorted(ours(seen, wards).values_list("pk", flat=True)) == expected(wards, {0, 1, 2, 3, 7, 9})
    user.groups.remove(group)
    seen = permissions.visible(user, "view", Ward.objects.all())
    assert sorted(ours(seen, wards).values_list("pk", flat=True)) == expected(wards, {0, 3, 7})
    group.user_set.add(user)
    seen = permissions.visible(user, "view", Ward.objects.all())
    assert sorted(ours(seen, wards).values_list("pk", flat=True)) == expected(wards, {0, 1, 2, 3, 7, 9})


def test_a_grant_after_the_queryset_was_built_is_seen_when_it_runs(cast, wards):
    user, _ = cast["group_only"]
    seen = ours(permissions.visible(user, "view", Ward.objects.all()), wards)
    assign_perm("rrp.view_ward", Group.objects.get(name="shape-a"), wards[10])
    assign_perm("rrp.view_ward", user, wards[11])
    assert sorted(seen.values_list("pk", flat=True)) == expected(wards, {1, 2, 9, 10, 11})


@pytest.mark.parametrize("who", WHO)
def test_counting_from_the_grants_is_exact_or_declines(cast, who):
    user, indexes = cast[who]
    counted = permissions.listing(user, "view", Ward.objects.all()).count
    assert counted is None or counted == permissions.visible(user, "view", Ward.objects.all()).count()


def test_counting_from_the_grants_declines_when_a_row_could_be_granted_twice(cast):
    assert permissions.listing(cast["group_only"][0], "view", Ward.objects.all()).count == 3
    assert permissions.listing(cast["user_only"][0], "view", Ward.objects.all()).count == 3
    assert permissions.listing(cast["nobody"][0], "view", Ward.objects.all()).count == 0
    # Wards 1, 4 and 5 are granted to this user through more than one source.
    assert permissions.listing(cast["both"][0], "view", Ward.objects.all()).count is None
    assert permissions.listing(AnonymousUser(), "view", Ward.objects.all()).count == 0


def signed_in(user):
    """What a request has read before its first check: the user's groups (read with the user at
    sign-in, rrp.backends) and the permissions' names (read once a process)."""
    permissions.group_ids(user)
    permissions._codenames([])


@pytest.mark.parametrize("who", WHO)
def test_checking_one_record_agrees_with_guardian(cast, wards, who, django_assert_max_num_queries):
    """`has()` reads a record's grants in one query; its answers are guardian's checker's,
    except that inactive users and superusers hold nothing (every page's rule)."""
    from guardian.core import ObjectPermissionChecker

    user, _indexes = cast[who]
    guardian = ObjectPermissionChecker(user)
    signed_in(user)
    for ward in wards:
        for perm in ("view", "change", "rrp.view_ward", "delete"):
            full = perm if "." in perm else f"rrp.{perm}_ward"
            want = guardian.has_perm(full, ward) and user.is_active and not user.is_superuser
            with django_assert_max_num_queries(1):
                assert permissions.has(user, perm, ward) is want, (ward.name, perm)


def test_a_page_asks_about_many_records_in_one_query(cast, wards, django_assert_num_queries):
    user, _indexes = cast["both"]
    signed_in(user)
    with django_assert_num_queries(1):
        permissions.prefetch(user, wards)
    with django_assert_num_queries(0):
        answers = [permissions.has(user, "view", ward) for ward in wards]
    assert [i for i, yes in enumerate(answers) if yes] == [1, 2, 4, 5, 6, 9]


def test_a_grant_or_revocation_is_seen_by_the_next_check(cast, wards):
    user, _indexes = cast["user_only"]
    assert not permissions.has(user, "view", wards[8])
    permissions.grant(["view"], to=user, obj=wards[8], reason="test")
    assert permissions.has(user, "view", wards[8])
    permissions.revoke(["view"], frm=user, obj=wards[8], reason="test")
    assert not permissions.has(user, "view", wards[8])


def test_granting_writes_each_grant_once_and_records_each_time(cast, wards, django_assert_max_num_queries):
    from rrp.models import PermissionEvent, WardUserObjectPermission

    user, _indexes = cast["user_only"]
    ward = wards[8]
    with django_assert_max_num_queries(2):  # the grants in one insert, the record in another
        permissions.grant(["view", "change"], to=user, obj=ward, reason="test")
    permissions.grant(["view"], to=user, obj=ward, reason="again")  # already held: no error, no copy
    held = WardUserObjectPermission.objects.filter(user=user, content_object=ward)
    assert sorted(held.values_list("permission__codename", flat=True)) == ["change_ward", "view_ward"]
    assert PermissionEvent.objects.filter(object_id=str(ward.pk), user=user).count() == 3
    assert permissions.has(user, "change", ward)

    permissions.revoke(["change"], frm=user, obj=ward, reason="test")
    assert list(held.values_list("permission__codename", flat=True)) == ["view_ward"]
    assert not permissions.has(user, "change", ward) and permissions.has(user, "view", ward)


def test_granting_a_permission_that_does_not_exist_fails_and_writes_nothing(cast, wards):
    from rrp.models import PermissionEvent

    user, _indexes = cast["user_only"]
    events = PermissionEvent.objects.count()
    for perm in ("fly", "incidents.view_incident"):  # no such permission; another model's
        with pytest.raises(Permission.DoesNotExist):
            permissions.grant(["view", perm], to=user, obj=wards[8], reason="test")
    assert not permissions.has(user, "view", wards[8])
    assert PermissionEvent.objects.count() == events
