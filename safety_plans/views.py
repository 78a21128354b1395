"""Pages for writing, agreeing, sharing, comparing and printing a safety plan."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from rrp import permissions, roles
from rrp.concurrency import StaleEdit
from rrp.history import history_rows
from rrp.models import Division, PermissionEvent, ServiceUser, Ward
from rrp.views import paginate, querystring_without_page
from safety_plans import services
from safety_plans.diff import compare
from safety_plans.filters import SafetyPlanFilter
from safety_plans.forms import ProposalDecisionForm, ReviewDateForm, SectionForm, ShareForm
from safety_plans.models import CONTACT_KINDS, HINTS, Kind, PlanShare, Proposal, SafetyPlan
from safety_plans.permissions import get_plan_or_404, plans_visible_to

PERM_WORDS = {
    "view": "see the plan",
    "change": "write the plan",
    "agree": "agree versions",
    "share": "share the plan",
    "write_family": "write the family part",
}


def _owner_name(plan, user) -> str:
    """'Your safety plan' for the person, 'Sam Taylor's safety plan' for everyone else."""
    if services.is_person(user, plan):
        return "Your safety plan"
    return f"{plan.service_user.display_name}'s safety plan"


def plan_list(request):
    role = roles.role_of(request.user)
    if role == roles.SERVICE_USER:
        return redirect("safety_plans:mine")
    visible = plans_visible_to(request.user).prefetch_related("versions")
    if role == roles.CARER and len(visible[:2]) == 1:
        # Most carers support one person: take them straight to that plan.
        return redirect(visible.first())
    f = SafetyPlanFilter(request.GET, queryset=visible, request=request)
    plans = f.qs.distinct() if f.is_valid() else visible.none()
    page = paginate(request, plans.order_by("review_by", "service_user__family_name"))
    return render(
        request,
        "safety_plans/plan_list.html",
        {
            "filter": f,
            "page_obj": page,
            "querystring_base": querystring_without_page(request),
            "without_plan": _people_without_plan(request.user, role),
            "role": role,
            "today": timezone.localdate(),
        },
    )


def _people_without_plan(user, role):
    """People on the staff member's own wards who have no plan yet (they can start one)."""
    if role not in ("ward_staff", "ward_manager"):
        return ServiceUser.objects.none()
    return (
        permissions.visible(user, "change", ServiceUser.objects.all())
        .filter(admissions__end__isnull=True, admissions__ward__in=roles.staff_wards(user))
        .filter(safety_plan__isnull=True)
        .distinct()
        .order_by("family_name", "given_name")
    )


def plan_mine(request):
    person = ServiceUser.objects.filter(user=request.user).first()
    if person is None:
        raise Http404
    plan = SafetyPlan.objects.filter(service_user=person).first()
    if plan is not None:
        return redirect(plan)
    return render(request, "safety_plans/plan_start.html", {"person": person, "is_person": True})


@require_POST
def plan_start(request, person_pk):
    person = permissions.get_or_404(request.user, ServiceUser.objects.all(), person_pk)
    if person.user_id != request.user.pk and not permissions.has(request.user, "change", person):
        raise PermissionDenied
    plan = services.plan_get_or_create(service_user=person, by=request.user)
    return redirect(plan)


def plan_detail(request, pk):
    plan = get_plan_or_404(request.user, pk)
    user = request.user
    sections = {s.kind: s for s in plan.sections.select_related("author")}
    parts = []
    for kind, title in Kind.choices:
        section = sections.get(kind)
        parts.append(
            {
                "kind": kind,
                "title": title,
                "hint": HINTS.get(kind, ""),
                "section": section,
                "text": services.section_text(section) if section else "",
                "contributors": services.contributors(section) if section else [],
                "can_edit": services.can_edit_section(user, plan, kind),
            }
        )
    latest = plan.versions.first()
    draft = services.plan_snapshot(plan)
    draft_changed = bool(draft) and (latest is None or not services.same_words(latest.content, draft))
    person = services.is_person(user, plan)
    can_agree = person or permissions.has(user, "agree", plan)
    already_agreed = plan.person_has_agreed if person else plan.staff_have_agreed
    return render(
        request,
        "safety_plans/plan_detail.html",
        {
            "plan": plan,
            "title": _owner_name(plan, user),
            "is_person": person,
            "parts": parts,
            "latest": latest,
            "draft_changed": draft_changed,
            "can_agree": can_agree and draft_changed and not already_agreed,
            "already_agreed": can_agree and draft_changed and already_agreed,
            "can_record_person": draft_changed and not person and can_agree and not plan.person_has_agreed,
            "can_change": permissions.has(user, "change", plan),
            "can_share": permissions.has(user, "share", plan),
            "proposals": plan.proposals.filter(status=Proposal.Status.PENDING),
            "today": timezone.localdate(),
        },
    )


@require_http_methods(["GET", "POST"])
def section_edit(request, pk, kind):
    plan = get_plan_or_404(request.user, pk)
    if kind not in Kind.values:
        raise Http404
    if not services.can_edit_section(request.user, plan, kind):
        raise PermissionDenied
    section = plan.sections.filter(kind=kind).first()
    show_disagreement = services.is_person(request.user, plan)
    conflict = None
    if request.method == "POST":
        form = SectionForm(request.POST, kind=kind, show_disagreement=show_disagreement)
        if form.is_valid():
            try:
                services.section_save(
                    plan=plan,
                    kind=kind,
                    version=form.cleaned_data["version"],
                    by=request.user,
                    **form.service_fields(),
                )
            except StaleEdit as exc:
                # Keep the editor's words in the form; the next save is made knowingly over theirs.
                current = exc.current
                data = request.POST.copy()
                data["version"] = current.version
                form = SectionForm(data, kind=kind, show_disagreement=show_disagreement)
                conflict = {
                    "theirs": services.section_text(current) if current.pk else "",
                    "theirs_disagreement": current.disagreement,
                    "author": services.user_name(current.author) if current.pk else "",
                    "updated_at": current.updated_at if current.pk else None,
                    "yours": data.get("text", ""),
                }
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, f"Saved: {Kind(kind).label}.")
                return redirect(f"{plan.get_absolute_url()}#part-{kind}")
    else:
        form = SectionForm(
            initial=SectionForm.initial_for(section, kind), kind=kind, show_disagreement=show_disagreement
        )
    return render(
        request,
        "safety_plans/section_form.html",
        {
            "plan": plan,
            "title": _owner_name(plan, request.user),
            "kind": kind,
            "kind_label": Kind(kind).label,
            "hint": HINTS.get(kind, ""),
            "form": form,
            "section": section,
            "conflict": conflict,
            "has_contacts": kind in CONTACT_KINDS,
        },
    )


@require_POST
def plan_agree(request, pk):
    plan = get_plan_or_404(request.user, pk)
    if not (services.is_person(request.user, plan) or permissions.has(request.user, "agree", plan)):
        raise PermissionDenied
    for_person = request.POST.get("for_person") == "1"
    try:
        version = services.plan_agree(plan=plan, by=request.user, for_person=for_person)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if version:
            messages.success(request, f"Thank you. Version {version.number} of the plan is now agreed.")
        else:
            name = plan.service_user.display_name
            if for_person:
                text = f"{name}'s agreement is recorded. A member of staff needs to agree the draft too."
            elif services.is_person(request.user, plan):
                text = "Thank you. You have agreed this draft. It is waiting for a member of staff to agree."
            else:
                text = f"Thank you. You have agreed this draft. It is waiting for {name} to agree."
            messages.success(request, text)
    return redirect(plan)


@require_http_methods(["GET", "POST"])
def plan_review_date(request, pk):
    plan = get_plan_or_404(request.user, pk, "change")
    form = ReviewDateForm(
        request.POST or None, initial={"version": plan.version, "review_by": plan.review_by}
    )
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_update(
                plan=plan,
                version=form.cleaned_data["version"],
                review_by=form.cleaned_data["review_by"],
                by=request.user,
            )
        except StaleEdit as exc:
            conflict = exc.current.review_by or "no date"
            data = request.POST.copy()
            data["version"] = exc.current.version
            form = ReviewDateForm(data)
            form.is_valid()
        else:
            messages.success(request, "The review date has been saved.")
            return redirect(plan)
    return render(
        request,
        "safety_plans/review_date_form.html",
        {"plan": plan, "title": _owner_name(plan, request.user), "form": form, "conflict": conflict},
    )


def version_list(request, pk):
    plan = get_plan_or_404(request.user, pk)
    versions = plan.versions.select_related("staff_agreed_by", "person_agreement_recorded_by")
    return render(
        request,
        "safety_plans/version_list.html",
        {"plan": plan, "title": _owner_name(plan, request.user), "versions": versions},
    )


def version_detail(request, pk, number):
    plan = get_plan_or_404(request.user, pk)
    version = (
        plan.versions.select_related("staff_agreed_by", "person_agreement_recorded_by")
        .filter(number=number)
        .first()
    )
    if version is None:
        raise Http404
    return render(
        request,
        "safety_plans/version_detail.html",
        {
            "plan": plan,
            "title": _owner_name(plan, request.user),
            "version": version,
            "parts": version.content.values(),
            "newer": plan.versions.filter(number__gt=number).exists(),
        },
    )


def version_compare(request, pk):
    plan = get_plan_or_404(request.user, pk)
    versions = list(plan.versions.all())
    choices = [("draft", "The working draft")] + [(str(v.number), f"Version {v.number}") for v in versions]
    by_key = {str(v.number): v for v in versions}
    default_new = "draft"
    default_old = str(versions[0].number) if versions else ""
    old_key = request.GET.get("old", default_old)
    new_key = request.GET.get("new", default_new)
    error = ""
    if old_key not in by_key and old_key != "draft" or new_key not in by_key and new_key != "draft":
        error = "Choose two copies of the plan to compare." if versions else "No version has been agreed yet."
        diff = []
    else:

        def content(key):
            return services.plan_snapshot(plan) if key == "draft" else by_key[key].content

        diff = compare(content(old_key), content(new_key))
    label = dict(choices)
    return render(
        request,
        "safety_plans/version_compare.html",
        {
            "plan": plan,
            "title": _owner_name(plan, request.user),
            "choices": choices,
            "old_key": old_key,
            "new_key": new_key,
            "old_label": label.get(old_key, ""),
            "new_label": label.get(new_key, ""),
            "diff": diff,
            "any_change": any(part.changed for part in diff),
            "error": error,
        },
    )


def plan_print(request, pk):
    """A large-type copy of the latest agreed version; `?download=1` gives a self-contained HTML file."""
    plan = get_plan_or_404(request.user, pk)
    latest = plan.versions.first()
    content = latest.content if latest else services.plan_snapshot(plan)
    context = {
        "plan": plan,
        "title": _owner_name(plan, request.user),
        "version": latest,
        "parts": content.values(),
    }
    if request.GET.get("download") == "1":
        response = render(request, "safety_plans/plan_download.html", context)
        suffix = f"version-{latest.number}" if latest else "draft"
        response["Content-Disposition"] = f'attachment; filename="safety-plan-{suffix}.html"'
        return response
    return render(request, "safety_plans/plan_print.html", context)


def _group_names() -> dict:
    names = {}
    for ward in Ward.objects.all():
        names[ward.staff_group_id] = f"{ward.name} ward team"
        names[ward.managers_group_id] = f"{ward.name} ward managers"
        names[ward.peers_group_id] = f"{ward.name} peer support workers"
    for division in Division.objects.all():
        names[division.leads_group_id] = f"{division.name} recovery leads"
        names[division.peers_group_id] = f"{division.name} peer support workers"
    return names


def sharing_log(plan) -> list[dict]:
    """Every grant and withdrawal of access to the plan, newest first, in plain words."""
    events = PermissionEvent.objects.filter(
        object_type=plan._meta.label_lower, object_id=str(plan.pk)
    ).select_related("actor", "user")
    groups = _group_names()
    rows = []
    for event in events:
        perm = event.permission.split(".", 1)[1].rsplit("_", 1)[0]
        rows.append(
            {
                "at": event.at,
                "action": event.get_action_display(),
                "what": PERM_WORDS.get(perm, perm),
                "who": services.user_name(event.user) if event.user else groups.get(event.group_id, "A team"),
                "by": services.user_name(event.actor) if event.actor else "System",
                "reason": event.reason,
            }
        )
    return rows


@require_http_methods(["GET", "POST"])
def plan_sharing(request, pk):
    plan = get_plan_or_404(request.user, pk, "share")
    carer_form = ShareForm(
        request.POST if "carer-role" in request.POST else None,
        choices=services.shareable_carers(plan),
        role=PlanShare.Role.CARER,
        prefix="carer",
    )
    peer_form = ShareForm(
        request.POST if "peer-role" in request.POST else None,
        choices=services.shareable_peers(plan),
        role=PlanShare.Role.PEER,
        prefix="peer",
    )
    if request.method == "POST":
        form = carer_form if carer_form.is_bound else peer_form
        if form.is_valid():
            try:
                share = services.share_grant(
                    plan=plan, user=form.cleaned_data["user"], role=form.cleaned_data["role"], by=request.user
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request, f"{share.user.get_full_name() or share.user.username} can now see your plan."
                )
                return redirect("safety_plans:sharing", plan.pk)
    return render(
        request,
        "safety_plans/plan_sharing.html",
        {
            "plan": plan,
            "title": _owner_name(plan, request.user),
            "shares": plan.shares.filter(withdrawn_at__isnull=True).select_related("user"),
            "carer_form": carer_form,
            "peer_form": peer_form,
            "log": sharing_log(plan),
        },
    )


@require_POST
def share_withdraw(request, pk, share_pk):
    plan = get_plan_or_404(request.user, pk, "share")
    share = plan.shares.filter(pk=share_pk, withdrawn_at__isnull=True).select_related("user").first()
    if share is None:
        raise Http404
    services.share_withdraw(share=share, by=request.user)
    messages.success(
        request, f"{share.user.get_full_name() or share.user.username} can no longer see your plan."
    )
    return redirect("safety_plans:sharing", plan.pk)


@require_http_methods(["GET", "POST"])
def proposal_decide(request, pk, proposal_pk):
    plan = get_plan_or_404(request.user, pk)
    proposal = plan.proposals.filter(pk=proposal_pk).select_related("proposed_by", "decided_by").first()
    if proposal is None:
        raise Http404
    can_decide = permissions.has(request.user, "change", plan) and proposal.status == Proposal.Status.PENDING
    form = ProposalDecisionForm(request.POST or None)
    if request.method == "POST":
        if not permissions.has(request.user, "change", plan):
            raise PermissionDenied
        if form.is_valid():
            accept = form.cleaned_data["decision"] == "accept"
            try:
                services.proposal_decide(
                    proposal=proposal,
                    accept=accept,
                    by=request.user,
                    kind=form.cleaned_data["section_kind"] or Kind.HELPS,
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    "The suggestion has been added to the draft."
                    if accept
                    else "The suggestion was not added.",
                )
                return redirect(plan)
    return render(
        request,
        "safety_plans/proposal_detail.html",
        {
            "plan": plan,
            "title": _owner_name(plan, request.user),
            "proposal": proposal,
            "form": form,
            "can_decide": can_decide,
        },
    )


def plan_history(request, pk):
    plan = get_plan_or_404(request.user, pk)
    sections = [
        (section.get_kind_display(), history_rows(section, exclude=("version", "updated_at", "author")))
        for section in sorted(plan.sections.all(), key=lambda s: Kind.values.index(s.kind))
    ]
    return render(
        request,
        "safety_plans/plan_history.html",
        {
            "plan": plan,
            "title": _owner_name(plan, request.user),
            "sections": sections,
            "history": history_rows(
                plan, exclude=("version", "draft_revision", "person_agreed_revision", "staff_agreed_revision")
            ),
            "log": sharing_log(plan),
        },
    )
