"""Pages for the blanket rules register, the ward notice board, reviews and challenges."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, Count, Q, Value, When
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from blanket_rules import forms, services
from blanket_rules import permissions as rule_perms
from blanket_rules.filters import ChallengeFilter, RuleFilter
from blanket_rules.models import BlanketRule, Challenge, Outcome
from rrp import permissions, roles
from rrp.concurrency import StaleEdit
from rrp.history import history_rows
from rrp.models import Ward
from rrp.views import paginate, querystring_without_page

RECENT_DAYS = 180


def _add_errors(form, exc: ValidationError):
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _stale_rows(form, current, fields: dict[str, str]):
    """Rows of (label, the saved text, the text just typed) so nothing typed is lost."""
    return [
        (label, getattr(current, attr, ""), form.data.get(name, ""))
        for name, (label, attr) in fields.items()
        if getattr(current, attr, "") != form.data.get(name, "")
    ]


def _run(request, form, action, *, stale_fields=None):
    """Call `action()`; on a domain error put it on the form; on a stale edit keep both versions.

    Return (result, stale) where result is None when the form needs showing again.
    """
    try:
        return action(), None
    except StaleEdit as exc:
        data = form.data.copy()
        data["version"] = exc.current.version
        form.data = data
        form.add_error(None, "Someone else changed this record after you opened it. Nothing was saved.")
        return None, {"rows": _stale_rows(form, exc.current, stale_fields or {}), "current": exc.current}
    except ValidationError as exc:
        _add_errors(form, exc)
        return None, None


def _action_page(request, *, title, form, obj, submit, intro="", stale=None, back=None, danger=False):
    return render(
        request,
        "blanket_rules/action_form.html",
        {
            "title": title,
            "form": form,
            "obj": obj,
            "submit": submit,
            "intro": intro,
            "stale": stale,
            "back": back or obj.get_absolute_url(),
            "danger": danger,
        },
    )


# The register


# Rules in force first, then proposals waiting for a decision, then lifted and refused ones.
_STATUS_ORDER = Case(
    When(status__in=BlanketRule.IN_FORCE_STATUSES, then=Value(0)),
    When(status=BlanketRule.Status.PROPOSED, then=Value(1)),
    default=Value(2),
)


def rule_list(request):
    if rule_perms.is_patient_or_carer(request.user):
        return redirect("blanket_rules:notice_board")
    visible = rule_perms.rules_visible_to(request.user)
    f = RuleFilter(request.GET, queryset=visible, request=request)
    rules = f.qs if f.is_valid() else visible.none()
    rules = (
        rules.annotate(
            open_challenges=Count(
                "challenges",
                filter=Q(
                    challenges__status__in=[Challenge.Status.AWAITING_DECISION, Challenge.Status.LOOK_AGAIN]
                ),
            )
        )
        .select_related("division")
        .prefetch_related("wards")
    )
    page = paginate(request, rules.order_by(_STATUS_ORDER, "title"))
    return render(
        request,
        "blanket_rules/rule_list.html",
        {
            "filter": f,
            "page_obj": page,
            "querystring_base": querystring_without_page(request),
            "can_propose": rule_perms.can_propose(request.user),
        },
    )


def rule_detail(request, pk):
    rule = rule_perms.get_rule_or_404(request.user, pk)
    user = request.user
    can_change = permissions.has(user, "change", rule)
    challenges = list(
        rule_perms.challenges_visible_to(user)
        .filter(rule=rule)
        .select_related("service_user", "raised_by", "ward")
    )
    reviews = list(rule.reviews.select_related("recorded_by"))
    status = BlanketRule.Status
    return render(
        request,
        "blanket_rules/rule_detail.html",
        {
            "rule": rule,
            "wards": rule.wards.all(),
            "reviews": reviews,
            "challenges": challenges,
            "is_staff": not rule_perms.is_patient_or_carer(user),
            "can_change": can_change,
            "can_edit": can_change and rule.status == status.PROPOSED,
            "can_authorise": can_change and rule.can_transition(status.IN_FORCE),
            "can_review": can_change and rule.can_transition(status.UNDER_REVIEW),
            "can_modify": can_change and rule.in_force,
            "can_lift": can_change and rule.can_transition(status.LIFTED),
            "can_challenge": rule.in_force and rule_perms.can_challenge(user, rule),
            "history": history_rows(rule),
        },
    )


@require_http_methods(["GET", "POST"])
def rule_create(request):
    wards = rule_perms.proposable_wards(request.user)
    if not wards.exists():
        raise PermissionDenied
    form = forms.RuleProposeForm(request.POST or None, wards=wards)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["wards"] = list(data["wards"])
        rule, _ = _run(request, form, lambda: services.rule_propose(by=request.user, **data))
        if rule:
            messages.success(
                request, f"“{rule}” has been proposed. The ward manager will decide whether to authorise it."
            )
            return redirect(rule)
    return render(request, "blanket_rules/rule_form.html", {"form": form, "title": "Propose a blanket rule"})


TEXT_FIELDS = {
    "description": ("What the rule is", "description"),
    "risks": ("The risks it addresses", "risks"),
    "why_not_individual": ("Why individual risk assessment is not enough", "why_not_individual"),
    "equality_impact": ("Equality impact", "equality_impact"),
}


@require_http_methods(["GET", "POST"])
def rule_edit(request, pk):
    rule = rule_perms.get_rule_or_404(request.user, pk, "change")
    if rule.status != BlanketRule.Status.PROPOSED:
        messages.error(request, "Only a proposed rule can be edited. To change a rule in force, modify it.")
        return redirect(rule)
    form = forms.RuleEditForm(request.POST or None, instance=rule, initial={"version": rule.version})
    stale = None
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        fresh = BlanketRule.objects.get(pk=rule.pk)
        done, stale = _run(
            request,
            form,
            lambda: services.rule_update(
                rule=fresh, by=request.user, version=form.cleaned_data["version"], **data
            ),
            stale_fields=TEXT_FIELDS,
        )
        if done:
            messages.success(request, "The proposal has been updated.")
            return redirect(rule)
    return _action_page(
        request, title=f"Edit the proposal: {rule}", form=form, obj=rule, submit="Save changes", stale=stale
    )


@require_http_methods(["GET", "POST"])
def rule_authorise(request, pk):
    rule = rule_perms.get_rule_or_404(request.user, pk, "change")
    if not rule.can_transition(BlanketRule.Status.IN_FORCE):
        messages.error(
            request, f"This rule is {rule.get_status_display().lower()}, so it cannot be authorised."
        )
        return redirect(rule)
    form = forms.AuthoriseForm(
        request.POST or None,
        initial={"version": rule.version, "review_interval_months": rule.review_interval_months},
    )
    stale = None
    if request.method == "POST" and form.is_valid():
        done, stale = _run(
            request, form, lambda: services.rule_authorise(rule=rule, by=request.user, **form.cleaned_data)
        )
        if done:
            messages.success(
                request,
                f"“{rule}” is now in force. Its first review is due {rule.next_review_date:%-d %B %Y}.",
            )
            return redirect(rule)
    intro = (
        "A blanket rule should only be used when it is necessary and proportionate. "
        "Check the rule's reasons below are complete before you authorise it."
    )
    return _action_page(
        request,
        title=f"Authorise: {rule}",
        form=form,
        obj=rule,
        submit="Authorise the rule",
        intro=intro,
        stale=stale,
    )


@require_http_methods(["GET", "POST"])
def rule_modify(request, pk):
    rule = rule_perms.get_rule_or_404(request.user, pk, "change")
    if not rule.in_force:
        messages.error(request, f"This rule is {rule.get_status_display().lower()}, so it cannot be changed.")
        return redirect(rule)
    form = forms.ModifyForm(
        request.POST or None, initial={"version": rule.version, "description": rule.description}
    )
    stale = None
    if request.method == "POST" and form.is_valid():
        done, stale = _run(
            request,
            form,
            lambda: services.rule_modify(
                rule=rule,
                by=request.user,
                version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
                description=form.cleaned_data["description"],
            ),
            stale_fields={"description": ("What the rule is", "description")},
        )
        if done:
            messages.success(
                request, "The rule has been changed. Patients will see the change on the notice board."
            )
            return redirect(rule)
    return _action_page(
        request, title=f"Change the rule: {rule}", form=form, obj=rule, submit="Save the change", stale=stale
    )


@require_http_methods(["GET", "POST"])
def rule_lift(request, pk):
    rule = rule_perms.get_rule_or_404(request.user, pk, "change")
    if not rule.can_transition(BlanketRule.Status.LIFTED):
        messages.error(request, f"This rule is {rule.get_status_display().lower()}, so it cannot be lifted.")
        return redirect(rule)
    form = forms.ReasonForm(request.POST or None, initial={"version": rule.version})
    form.fields["reason"].label = "Why the rule is being lifted"
    stale = None
    if request.method == "POST" and form.is_valid():
        done, stale = _run(
            request,
            form,
            lambda: services.rule_lift(
                rule=rule,
                by=request.user,
                version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
            ),
        )
        if done:
            messages.success(
                request, f"“{rule}” has been lifted. It stays in the register with the date and reason."
            )
            return redirect(rule)
    intro = (
        "The rule will stop applying today. It stays in the register, "
        "and patients see the change on the notice board."
    )
    return _action_page(
        request,
        title=f"Lift the rule: {rule}",
        form=form,
        obj=rule,
        submit="Lift the rule",
        intro=intro,
        stale=stale,
    )


@require_http_methods(["GET", "POST"])
def rule_refuse(request, pk):
    rule = rule_perms.get_rule_or_404(request.user, pk, "change")
    if not rule.can_transition(BlanketRule.Status.NOT_AUTHORISED):
        messages.error(request, f"This rule is {rule.get_status_display().lower()}, so it cannot be refused.")
        return redirect(rule)
    form = forms.ReasonForm(request.POST or None, initial={"version": rule.version})
    form.fields["reason"].label = "Why the rule is not authorised"
    stale = None
    if request.method == "POST" and form.is_valid():
        done, stale = _run(
            request,
            form,
            lambda: services.rule_not_authorised(
                rule=rule,
                by=request.user,
                version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
            ),
        )
        if done:
            messages.success(
                request, f"“{rule}” was not authorised. It stays in the register with your reason."
            )
            return redirect(rule)
    return _action_page(
        request,
        title=f"Do not authorise: {rule}",
        form=form,
        obj=rule,
        submit="Do not authorise",
        stale=stale,
    )


@require_POST
def review_start(request, pk):
    rule = rule_perms.get_rule_or_404(request.user, pk, "change")
    try:
        review = services.review_start(rule=rule, by=request.user, version=request.POST.get("version"))
    except StaleEdit:
        messages.error(request, "Someone else changed this rule after you opened it. Check it and try again.")
        return redirect(rule)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(rule)
    return redirect("blanket_rules:review_record", pk=review.pk)


@require_http_methods(["GET", "POST"])
def review_record(request, pk):
    review = rule_perms.get_review_or_404(request.user, pk)
    rule = review.rule
    can_record = permissions.has(request.user, "change", rule) and not review.is_held and rule.in_force
    if request.method == "POST" and not can_record:
        raise PermissionDenied
    form = None
    stale = None
    if can_record:
        form = forms.ReviewForm(
            request.POST or None, initial={"version": review.version, "held_on": timezone.localdate()}
        )
        if request.method == "POST" and form.is_valid():
            done, stale = _run(
                request,
                form,
                lambda: services.review_record(review=review, by=request.user, **form.cleaned_data),
            )
            if done:
                messages.success(request, "The review has been recorded.")
                return redirect(rule)
    return render(
        request,
        "blanket_rules/review_detail.html",
        {"review": review, "rule": rule, "form": form, "stale": stale, "history": history_rows(review)},
    )


# The notice board


def _recent_changes(ward: Ward, since: datetime.datetime):
    """What changed on a ward's rules: rules brought in, changed or lifted, and challenges decided."""
    events = []
    rules = BlanketRule.objects.on_wards([ward]).filter(status__in=rule_perms.PUBLIC_STATUSES)
    for rule in rules:
        if rule.authorised_at and rule.authorised_at >= since:
            events.append((rule.authorised_at, rule, "New rule brought in", ""))
        if rule.modified_at and rule.modified_at >= since:
            events.append((rule.modified_at, rule, "Rule changed", rule.modification_reason))
        if rule.lifted_at and rule.lifted_at >= since:
            events.append((rule.lifted_at, rule, "Rule lifted", rule.lifted_reason))
    decided = (
        Challenge.objects.filter(rule__in=rules, decided_at__gte=since)
        .exclude(status=Challenge.Status.AWAITING_DECISION)
        .select_related("rule", "service_user", "raised_by")
    )
    for challenge in decided:
        # Other patients read this: only the public name, which honours a request to withhold it.
        text = f"Challenged by {challenge.public_name}. Decision: {challenge.get_decision_display().lower()}."
        events.append((challenge.decided_at, challenge.rule, "Challenge decided", text))
    events.sort(key=lambda e: e[0], reverse=True)
    return [
        {"when": when, "rule": rule, "what": what, "detail": detail} for when, rule, what, detail in events
    ]


def notice_board(request):
    user = request.user
    if rule_perms.is_patient_or_carer(user):
        wards = rule_perms.notice_board_wards(user)
    else:
        wards = permissions.visible(user, "view", Ward.objects.all())
    wards = list(wards.order_by("name"))
    ward = None
    if request.GET.get("ward"):
        ward = next((w for w in wards if str(w.pk) == request.GET["ward"]), None)
        if ward is None:
            raise Http404
    elif wards:
        ward = wards[0]
    rules = []
    changes = []
    if ward is not None:
        rules = list(
            rule_perms.rules_visible_to(user).in_force().filter(wards=ward).order_by("category", "title")
        )
        changes = _recent_changes(ward, timezone.now() - datetime.timedelta(days=RECENT_DAYS))
    my_challenges = list(
        rule_perms.challenges_visible_to(user)
        .filter(Q(raised_by=user) | Q(service_user__user=user))
        .select_related("rule")[:20]
    )
    return render(
        request,
        "blanket_rules/notice_board.html",
        {
            "ward": ward,
            "wards": wards,
            "rules": rules,
            "changes": changes,
            "recent_days": RECENT_DAYS,
            "my_challenges": my_challenges,
            "can_challenge": roles.role_of(user)
            in (roles.SERVICE_USER, roles.CARER, "peer_worker", "ward_staff", "ward_manager"),
        },
    )


# Challenges


def challenge_list(request):
    visible = rule_perms.challenges_visible_to(request.user)
    f = ChallengeFilter(request.GET, queryset=visible, request=request)
    challenges = f.qs if f.is_valid() else visible.none()
    page = paginate(
        request, challenges.select_related("rule", "ward", "service_user", "raised_by").order_by("-raised_at")
    )
    return render(
        request,
        "blanket_rules/challenge_list.html",
        {
            "filter": f,
            "page_obj": page,
            "querystring_base": querystring_without_page(request),
            "is_staff": not rule_perms.is_patient_or_carer(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def challenge_create(request):
    user = request.user
    role = roles.role_of(user)
    if role not in (roles.SERVICE_USER, roles.CARER, "peer_worker", "ward_staff", "ward_manager"):
        raise PermissionDenied
    rules = rule_perms.challengeable_rules(user).order_by("title")
    people = rule_perms.challenge_people(user)
    fixed = people.first() if role == roles.SERVICE_USER else None
    initial = {
        "rule": request.GET.get("rule"),
        "in_own_words": request.GET.get("text", ""),
        "source_label": request.GET.get("source_label", "")[:200],
        "source_url": services.safe_source_url(request.GET.get("source_url", "")),
    }
    lifted = None
    if request.GET.get("rule"):
        preselected = (
            rule_perms.rules_visible_to(user).filter(pk=request.GET["rule"]).first()
            if request.GET["rule"].isdigit()
            else None
        )
        if preselected is None:
            raise Http404
        if not preselected.in_force:
            lifted = preselected
    if len(people) == 1 and fixed is None:
        initial["service_user"] = people[0].pk
    form = forms.ChallengeForm(
        request.POST or None,
        initial=initial,
        rules=rules,
        people=people,
        person_required=role in (roles.CARER, "peer_worker"),
        fixed_person=fixed,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        challenge, _ = _run(
            request,
            form,
            lambda: services.challenge_create(
                rule=data["rule"],
                by=user,
                service_user=data["service_user"],
                in_own_words=data["in_own_words"],
                would_like_instead=data["would_like_instead"],
                withhold_name=data["withhold_name"],
                source_label=data["source_label"],
                source_url=data["source_url"],
            ),
        )
        if challenge:
            messages.success(
                request,
                "Your challenge has been sent to the ward manager. "
                f"They will reply by {challenge.response_due:%-d %B %Y}.",
            )
            return redirect(challenge)
    return render(
        request,
        "blanket_rules/challenge_form.html",
        {
            "form": form,
            "lifted": lifted,
            "source_url": initial["source_url"],
            "source_label": initial["source_label"],
        },
    )


def challenge_detail(request, pk):
    challenge = rule_perms.get_challenge_or_404(request.user, pk)
    user = request.user
    return render(
        request,
        "blanket_rules/challenge_detail.html",
        {
            "challenge": challenge,
            "can_decide": challenge.status == Challenge.Status.AWAITING_DECISION
            and permissions.has(user, "blanket_rules.decide_challenge", challenge),
            "can_ask_look_again": rule_perms.can_ask_look_again(user, challenge),
            "can_reconsider": challenge.status == Challenge.Status.LOOK_AGAIN
            and permissions.has(user, "blanket_rules.reconsider_challenge", challenge),
            "is_staff": not rule_perms.is_patient_or_carer(user),
            "history": history_rows(challenge),
        },
    )


CHALLENGE_TEXT = {"reason": ("Reasons for the decision", "decision_reason")}


@require_http_methods(["GET", "POST"])
def challenge_decide(request, pk):
    challenge = rule_perms.get_challenge_or_404(request.user, pk, "blanket_rules.decide_challenge")
    if challenge.status != Challenge.Status.AWAITING_DECISION:
        messages.error(request, "This challenge has already been decided.")
        return redirect(challenge)
    form = forms.DecideForm(
        request.POST or None,
        initial={"version": challenge.version, "new_description": challenge.rule.description},
    )
    stale = None
    if request.method == "POST" and form.is_valid():
        done, stale = _run(
            request,
            form,
            lambda: services.challenge_decide(challenge=challenge, by=request.user, **form.cleaned_data),
            stale_fields=CHALLENGE_TEXT,
        )
        if done:
            messages.success(
                request, "Your decision has been recorded. The person who challenged can now read it."
            )
            return redirect(challenge)
    return render(
        request,
        "blanket_rules/challenge_decide.html",
        {"challenge": challenge, "form": form, "stale": stale, "outcomes": Outcome},
    )


@require_http_methods(["GET", "POST"])
def challenge_look_again(request, pk):
    challenge = rule_perms.get_challenge_or_404(request.user, pk)
    if not rule_perms.can_ask_look_again(request.user, challenge):
        raise PermissionDenied
    form = forms.LookAgainForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done, _ = _run(
            request,
            form,
            lambda: services.challenge_ask_look_again(
                challenge=challenge, by=request.user, reason=form.cleaned_data["reason"]
            ),
        )
        if done:
            messages.success(request, "The recovery lead has been asked to look at the decision again.")
            return redirect(challenge)
    intro = (
        "The recovery lead for the division will read your challenge, the decision and what you write here."
    )
    return _action_page(
        request,
        title="Ask the recovery lead to look again",
        form=form,
        obj=challenge,
        submit="Send",
        intro=intro,
    )


@require_http_methods(["GET", "POST"])
def challenge_reconsider(request, pk):
    challenge = rule_perms.get_challenge_or_404(request.user, pk, "blanket_rules.reconsider_challenge")
    if challenge.status != Challenge.Status.LOOK_AGAIN:
        messages.error(request, "Nobody has asked for this decision to be looked at again.")
        return redirect(challenge)
    form = forms.ReconsiderForm(request.POST or None, initial={"version": challenge.version})
    stale = None
    if request.method == "POST" and form.is_valid():
        done, stale = _run(
            request,
            form,
            lambda: services.challenge_reconsider(challenge=challenge, by=request.user, **form.cleaned_data),
            stale_fields={"response": ("The recovery lead's response", "look_again_response")},
        )
        if done:
            messages.success(request, "Your response has been recorded.")
            return redirect(challenge)
    return _action_page(
        request,
        title="Look again at the decision",
        form=form,
        obj=challenge,
        submit="Save response",
        stale=stale,
    )


def ward_board_url(ward) -> str:
    return f"{reverse('blanket_rules:notice_board')}?ward={ward.pk}"
