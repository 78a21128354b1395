"""Every write to a safety plan: drafting, agreeing, proposals, sharing and moving with the person."""

import datetime

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from rrp import permissions
from rrp.concurrency import StaleEdit, bump, check_version
from rrp.models import CarerLink, PersonToNotify, ServiceUser, StaffProfile, Ward
from safety_plans.models import (
    CONTACT_KINDS,
    InvalidProposalTransition,
    Kind,
    PlanShare,
    PlanVersion,
    Proposal,
    SafetyPlan,
    Section,
)

STAFF_PERMS = ["view", "change", "agree"]
PERSON_PERMS = ["view", "change", "agree", "share"]
CARER_PERMS = ["view", "write_family"]
PEER_PERMS = ["view"]
# When a version is agreed without a later review date, the plan is due for review after this.
DEFAULT_REVIEW_INTERVAL = datetime.timedelta(days=90)
SECTION_FIELDS = (
    "text",
    "contacts",
    "risk_value",
    "risk_risks",
    "risk_safety",
    "risk_who",
    "risk_review_date",
)


def _save(obj, by, reason=""):
    obj._history_user = by
    if reason:
        obj._change_reason = reason
    obj.full_clean()
    obj.save()
    return obj


def user_name(user) -> str:
    return (user.get_full_name() or user.username) if user else "Unknown"


def is_person(user, plan: SafetyPlan) -> bool:
    """Return True when `user` is the person whose plan this is."""
    return user.is_authenticated and plan.service_user.user_id == user.pk


def can_edit_section(user, plan: SafetyPlan, kind: str) -> bool:
    """Co-authors edit every part; a consented carer edits only "how my family can help"."""
    if permissions.has(user, "change", plan):
        return True
    return kind == Kind.FAMILY and permissions.has(user, "write_family", plan)


# Access: the ward team of the day, the division's leads, the person, and whom the person chose.


def _grant_ward(plan: SafetyPlan, ward: Ward, by, reason: str) -> None:
    permissions.grant(STAFF_PERMS, to=ward.staff_group, obj=plan, by=by, reason=reason)
    permissions.grant(["view"], to=ward.division.leads_group, obj=plan, by=by, reason=reason)


def _revoke_ward(plan: SafetyPlan, ward: Ward, by, reason: str) -> None:
    permissions.revoke(STAFF_PERMS, frm=ward.staff_group, obj=plan, by=by, reason=reason)
    permissions.revoke(["view"], frm=ward.division.leads_group, obj=plan, by=by, reason=reason)


@transaction.atomic
def plan_create(*, service_user: ServiceUser, by: User | None) -> SafetyPlan:
    """Start the person's plan, visible to their ward's team, to them and to carers they consented to."""
    if SafetyPlan.objects.filter(service_user=service_user).exists():
        raise ValidationError("This person already has a safety plan.")
    ward = service_user.current_ward
    plan = _save(SafetyPlan(service_user=service_user, ward=ward, created_by=by), by, "plan started")
    if ward is not None:
        _grant_ward(plan, ward, by, "plan started")
    if service_user.user_id:
        permissions.grant(PERSON_PERMS, to=service_user.user, obj=plan, by=by, reason="own plan")
    for link in CarerLink.objects.filter(service_user=service_user, shares_safety_plan=True).select_related(
        "carer"
    ):
        if link.is_active:
            _share(plan, link.carer, PlanShare.Role.CARER, by, "carer consented to share the plan")
    return plan


def plan_get_or_create(*, service_user: ServiceUser, by: User | None) -> SafetyPlan:
    plan = SafetyPlan.objects.filter(service_user=service_user).first()
    return plan or plan_create(service_user=service_user, by=by)


@transaction.atomic
def plan_update(*, plan: SafetyPlan, version, review_by: datetime.date | None, by: User) -> SafetyPlan:
    """Change the review-by date (a stale form is refused)."""
    check_version(plan, version)
    plan.refresh_from_db()
    plan.review_by = review_by
    bump(plan)
    return _save(plan, by, "review date changed")


@transaction.atomic
def plan_move(*, plan: SafetyPlan, from_ward: Ward | None, to_ward: Ward, by: User | None) -> SafetyPlan:
    """Move the plan's team access from the old ward to the new one (the person moved ward)."""
    reason = f"moved to {to_ward}" + (f" from {from_ward}" if from_ward else "")
    if from_ward is not None:
        _revoke_ward(plan, from_ward, by, reason)
    _grant_ward(plan, to_ward, by, reason)
    plan = SafetyPlan.objects.select_for_update().get(pk=plan.pk)
    plan.ward = to_ward
    # Agreements by the old ward's staff stay in past versions; a pending one no longer counts.
    plan.staff_agreed_revision = None
    return _save(plan, by, reason)


# The working draft


def _touch_draft(plan: SafetyPlan, by, reason: str) -> SafetyPlan:
    locked = SafetyPlan.objects.select_for_update().get(pk=plan.pk)
    locked.draft_revision += 1
    _save(locked, by, reason)
    plan.draft_revision = locked.draft_revision
    return locked


@transaction.atomic
def section_save(*, plan: SafetyPlan, kind: str, version, by: User, **fields) -> Section:
    """Save one part of the draft in the author's words.

    `version` is the section version the editor started from ("0" for a part not yet written);
    if someone saved it since, StaleEdit is raised and nothing is saved.
    Only the person may change "what I do not agree with".
    """
    if kind not in Kind.values:
        raise ValidationError({"kind": "There is no such part of the plan."})
    if not can_edit_section(by, plan, kind):
        raise PermissionDenied("You may not change this part of the plan.")
    unknown = set(fields) - {*SECTION_FIELDS, "disagreement"}
    if unknown:
        raise ValidationError(f"Unknown fields: {', '.join(sorted(unknown))}")
    if "disagreement" in fields and not is_person(by, plan):
        fields.pop("disagreement")
    section = Section.objects.select_for_update().filter(plan=plan, kind=kind).first()
    if section is None:
        if str(version) not in ("0", "None", ""):
            # The editor had a part that no longer exists; treat it as changed under them.
            raise StaleEdit(Section(plan=plan, kind=kind, version=0))
        section = Section(plan=plan, kind=kind, version=0)
    else:
        check_version(section, version)
    if "contacts" in fields:
        fields["contacts"] = clean_contacts(fields["contacts"])
    changed = [name for name, value in fields.items() if getattr(section, name) != value]
    if not changed and section.pk:
        return section
    for name, value in fields.items():
        setattr(section, name, value)
    bump(section)
    section.author = by
    section.updated_at = timezone.now()
    _save(section, by, "disagreement recorded" if changed == ["disagreement"] else "")
    if changed:
        _touch_draft(plan, by, f"{section.get_kind_display()} changed")
    return section


def clean_contacts(contacts) -> list[dict]:
    """Keep rows with a name; every row has name, relationship and phone as text."""
    if not isinstance(contacts, list):
        raise ValidationError({"contacts": "Contacts must be a list of people."})
    rows = []
    for row in contacts:
        if not isinstance(row, dict):
            raise ValidationError({"contacts": "Each contact needs a name, relationship and phone."})
        name = str(row.get("name", "")).strip()
        if not name:
            continue
        rows.append(
            {
                "name": name[:200],
                "relationship": str(row.get("relationship", "")).strip()[:100],
                "phone": str(row.get("phone", "")).strip()[:40],
            }
        )
    return rows


def section_text(section: Section) -> str:
    """Return a section as plain text lines: what versions keep and differences compare."""
    parts = []
    if section.kind == Kind.POSITIVE_RISK:
        for label, value in (
            ("Something I value doing", section.risk_value),
            ("The risks", section.risk_risks),
            ("How we make it as safe as possible", section.risk_safety),
            ("Who does what", section.risk_who),
        ):
            if value:
                parts.append(f"{label}: {value}")
        if section.risk_review_date:
            parts.append(f"Review date: {section.risk_review_date:%d %B %Y}".replace(" 0", " "))
    if section.text:
        parts.append(section.text)
    for contact in section.contacts or []:
        line = contact["name"]
        if contact.get("relationship"):
            line += f" ({contact['relationship']})"
        if contact.get("phone"):
            line += f": {contact['phone']}"
        parts.append(line)
    return "\n".join(parts)


def contributors(section: Section) -> list[str]:
    """Everyone who has changed this part, first writer first."""
    names = []
    for record in section.history.select_related("history_user").order_by("history_date", "history_id"):
        name = user_name(record.history_user) if record.history_user else "System"
        if name not in names:
            names.append(name)
    return names


def plan_snapshot(plan: SafetyPlan) -> dict:
    """Return the draft as a version's content: every part with words in it, in plan order."""
    sections = {s.kind: s for s in plan.sections.select_related("author")}
    content = {}
    for kind in Kind.values:
        section = sections.get(kind)
        if section is None:
            continue
        text = section_text(section)
        if not text and not section.disagreement:
            continue
        content[kind] = {
            "title": section.get_kind_display(),
            "text": text,
            "author": user_name(section.author),
            "contributors": contributors(section),
            "disagreement": section.disagreement,
        }
        if kind in CONTACT_KINDS:
            content[kind]["contacts"] = section.contacts
    return content


def _words(content: dict) -> dict:
    return {kind: (part["text"], part["disagreement"]) for kind, part in content.items()}


def same_words(old: dict, new: dict) -> bool:
    """True when two contents say the same things (who wrote them aside)."""
    return _words(old) == _words(new)


@transaction.atomic
def plan_agree(
    *, plan: SafetyPlan, by: User, for_person: bool = False, at: datetime.datetime | None = None
) -> PlanVersion | None:
    """Record that the person, or a member of staff, agrees the draft as it is now.

    With `for_person`, a member of staff records the person's own agreement given in person.
    When both sides agree the same draft, it becomes the next numbered version (returned).
    `at` is when the agreement was made, for agreements recorded afterwards (default now).
    """
    plan = SafetyPlan.objects.select_for_update().select_related("service_user").get(pk=plan.pk)
    person = is_person(by, plan)
    if not person and not permissions.has(by, "agree", plan):
        raise PermissionDenied("You may not agree this plan.")
    if for_person and person:
        for_person = False
    content = plan_snapshot(plan)
    if not content:
        raise ValidationError("The plan is empty. Write at least one part before agreeing it.")
    latest = plan.versions.first()
    if latest is not None and same_words(latest.content, content):
        raise ValidationError(
            f"Nothing has changed since version {latest.number} was agreed, so there is nothing new to agree."
        )
    now = at or timezone.now()
    if person or for_person:
        plan.person_agreed_revision, plan.person_agreed_at = plan.draft_revision, now
        plan.person_agreement_recorded_by = by if for_person else None
        reason = "the person's agreement recorded by staff" if for_person else "agreed by the person"
    else:
        plan.staff_agreed_revision, plan.staff_agreed_at, plan.staff_agreed_by = plan.draft_revision, now, by
        reason = "agreed by staff"
    _save(plan, by, reason)
    if not (plan.person_has_agreed and plan.staff_have_agreed):
        return None
    version = PlanVersion(
        plan=plan,
        number=(latest.number + 1) if latest else 1,
        content=content,
        agreed_at=now,
        person_agreed_at=plan.person_agreed_at,
        person_agreement_recorded_by=plan.person_agreement_recorded_by,
        staff_agreed_by=plan.staff_agreed_by,
        staff_agreed_at=plan.staff_agreed_at,
    )
    _save(version, by, "version agreed")
    if plan.review_by is None or plan.review_by <= timezone.localdate(now):
        plan.review_by = timezone.localdate(now) + DEFAULT_REVIEW_INTERVAL
        _save(plan, by, "review date set on agreement")
    _sync_people_to_notify(plan.service_user, content.get(Kind.WHO_TO_TELL, {}).get("contacts", []), by)
    return version


def _sync_people_to_notify(person: ServiceUser, contacts: list[dict], by) -> None:
    """Make the person's notification list match the agreed "who to tell" entries.

    Rows are updated in place (matched by name) so notifications already recorded keep their link.
    """
    existing = {p.name.casefold(): p for p in PersonToNotify.objects.filter(service_user=person)}
    wanted = set()
    for contact in contacts:
        key = contact["name"].casefold()
        wanted.add(key)
        row = existing.get(key) or PersonToNotify(service_user=person, name=contact["name"])
        new = (contact.get("relationship") or "Not given", contact.get("phone", ""))
        if row.pk and (row.relationship, row.phone) == new:
            continue
        row.relationship, row.phone = new
        _save(row, by, "from the agreed safety plan")
    for key, row in existing.items():
        if key not in wanted:
            row._history_user = by
            row._change_reason = "removed from the agreed safety plan"
            row.delete()


# Proposals


@transaction.atomic
def proposal_create(
    *, service_user: ServiceUser, text: str, source_label: str = "", source_url: str = "", by: User | None
) -> Proposal:
    """Put a suggested change in the person's plan (starting the plan if they have none)."""
    # The link is shown to the person and staff: only a page of this site or a web address.
    local = source_url.startswith("/") and not source_url.startswith("//")
    if source_url and not (local or source_url.startswith(("https://", "http://"))):
        raise ValidationError({"source_url": "The link must be a page of this site or a web address."})
    plan = plan_get_or_create(service_user=service_user, by=by)
    proposal = Proposal(
        plan=plan, text=text, source_label=source_label[:100], source_url=source_url[:500], proposed_by=by
    )
    return _save(proposal, by, source_label)


@transaction.atomic
def proposal_decide(
    *, proposal: Proposal, accept: bool, by: User, kind: str = Kind.HELPS, note: str = ""
) -> Proposal:
    """Accept (adding the words to a part of the draft) or reject a proposal, with an optional note."""
    proposal = Proposal.objects.select_for_update().select_related("plan").get(pk=proposal.pk)
    plan = proposal.plan
    if not permissions.has(by, "change", plan):
        raise PermissionDenied("You may not decide proposals for this plan.")
    try:
        proposal.transition_to(Proposal.Status.ACCEPTED if accept else Proposal.Status.REJECTED, by=by)
    except InvalidProposalTransition as exc:
        raise ValidationError(str(exc)) from exc
    proposal.decision_note = note
    if accept:
        if kind not in Kind.values:
            raise ValidationError({"section_kind": "Choose a part of the plan."})
        proposal.section_kind = kind
        section = plan.sections.filter(kind=kind).first()
        current = section.text if section else ""
        text = f"{current}\n\n{proposal.text}" if current else proposal.text
        section_save(plan=plan, kind=kind, version=section.version if section else 0, by=by, text=text)
    return _save(proposal, by, note or proposal.get_status_display())


# Sharing under the person's control


def _share(plan: SafetyPlan, user: User, role: str, by, reason: str) -> PlanShare:
    share = _save(PlanShare(plan=plan, user=user, role=role, granted_by=by), by, reason)
    perms = CARER_PERMS if role == PlanShare.Role.CARER else PEER_PERMS
    permissions.grant(perms, to=user, obj=plan, by=by, reason=reason)
    return share


def shareable_carers(plan: SafetyPlan):
    """Carers the person has consented to share the plan with and who do not have it yet."""
    active = plan.shares.filter(withdrawn_at__isnull=True).values("user")
    return User.objects.filter(
        carer_links__service_user=plan.service_user,
        carer_links__shares_safety_plan=True,
        carer_links__consented_at__isnull=False,
        carer_links__withdrawn_at__isnull=True,
    ).exclude(pk__in=active)


def shareable_peers(plan: SafetyPlan):
    """Peer support workers of the person's ward or division who do not have the plan yet."""
    if plan.ward is None:
        return User.objects.none()
    active = plan.shares.filter(withdrawn_at__isnull=True).values("user")
    return (
        User.objects.filter(staff__role=StaffProfile.Role.PEER_WORKER)
        .filter(groups__in=[plan.ward.peers_group, plan.ward.division.peers_group])
        .exclude(pk__in=active)
        .distinct()
    )


@transaction.atomic
def share_grant(*, plan: SafetyPlan, user: User, role: str, by: User) -> PlanShare:
    """The person shares the plan with a consented carer or an invited peer worker."""
    allowed = shareable_carers(plan) if role == PlanShare.Role.CARER else shareable_peers(plan)
    if not allowed.filter(pk=user.pk).exists():
        raise ValidationError(
            "This carer has not been given consent to see the plan, or already has it."
            if role == PlanShare.Role.CARER
            else "This person is not a peer support worker on your ward, or already has the plan."
        )
    reason = "shared by the person" if is_person(by, plan) else "shared"
    return _share(plan, user, role, by, reason)


@transaction.atomic
def share_withdraw(
    *, share: PlanShare, by: User | None, reason: str = "withdrawn by the person"
) -> PlanShare:
    """Take the plan away from a carer or peer worker at once."""
    share = PlanShare.objects.select_for_update().get(pk=share.pk)
    if share.withdrawn_at is not None:
        return share
    share.withdrawn_at, share.withdrawn_by = timezone.now(), by
    _save(share, by, reason)
    perms = CARER_PERMS if share.role == PlanShare.Role.CARER else PEER_PERMS
    permissions.revoke(perms, frm=share.user, obj=share.plan, by=by, reason=reason)
    return share


@transaction.atomic
def carer_access_withdraw(*, link: CarerLink, by: User | None) -> None:
    """The person withdrew consent: the carer loses the plan now."""
    shares = PlanShare.objects.filter(
        plan__service_user=link.service_user, user=link.carer, role=PlanShare.Role.CARER, withdrawn_at=None
    )
    for share in shares:
        share_withdraw(share=share, by=by, reason="carer consent withdrawn")
