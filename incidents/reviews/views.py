"""Pages of a post incident review: each fetches through the permission helpers, then calls a service."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from incidents.reviews import forms, services
from incidents.reviews import permissions as review_perms
from incidents.reviews.deidentify import panel_view
from incidents.reviews.filters import ReviewFilter
from incidents.reviews.models import Account, LearningPoint, PathwayEntry, Review
from rrp import permissions
from rrp.concurrency import StaleEdit
from rrp.history import history_rows
from rrp.listing import page_rows, with_rows
from rrp.views import paginate, querystring_without_page


def _errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _form_page(
    request, review, form, *, title, intro="", submit="Save", template="reviews/form.html", **extra
):
    return render(
        request,
        template,
        {"review": review, "form": form, "title": title, "intro": intro, "submit": submit, **extra},
    )


def _heading(review: Review, viewer) -> str:
    when = timezone.localtime(review.incident.started_at) if review.incident.started_at else None
    date = f"{when:%-d %B %Y}" if when else "undated incident"
    if review_perms.shows_names(viewer, review):
        return f"{review.incident.service_user.display_name}, {review.incident.ward}, {date}"
    return f"{review.incident.ward}, {date}"


LIST_RELATED = ("incident__ward", "incident__service_user__user")


def review_list(request):
    # Read as a page of incidents is (`rrp.listing`): counted from the user's grants, the
    # first pages checking each row's grants as it is read, later ones the user's wards' reviews.
    listed = permissions.listing(request.user, "view", Review.objects.order_by("status", "due_at", "id"))
    f = ReviewFilter(request.GET, queryset=listed.rows, request=request)
    # The page's ids first, from the reviews alone (no joins before the sort and limit), then those
    # 25 rows with only what the list prints: one query more, whatever the page size.
    page = paginate(request, page_rows(f, listed) if f.is_valid() else [])
    rows = [
        {
            "review": review,
            "heading": _heading(review, request.user),
            "person_side": services.is_person_side(request.user, review),
        }
        for review in with_rows(list(page.object_list), Review.objects.select_related(*LIST_RELATED))
    ]
    return render(
        request,
        "reviews/review_list.html",
        {
            "filter": f,
            "rows": rows,
            "page_obj": page,
            "querystring_base": querystring_without_page(request),
            # Only closed reviews are ever shared with the panel (services.review_close).
            "show_panel": permissions.holds_any(request.user, "panel", Review),
        },
    )


def _incident_url(review: Review, user) -> str:
    if not permissions.has(user, "incidents.view_incident", review.incident):
        return ""
    try:
        return review.incident.get_absolute_url()
    except NoReverseMatch:
        return ""


def _challenge_url(action) -> str:
    """The blanket-rule challenge form, prefilled from this action, once that app is installed."""
    try:
        base = reverse("blanket_rules:challenge_create")
    except NoReverseMatch:
        return ""
    return (
        base
        + "?"
        + urlencode(
            {
                "source_url": action.get_absolute_url(),
                "source_label": "Post incident review action",
                "text": action.description,
            }
        )
    )


def review_detail(request, pk):
    review = review_perms.get_review_or_404(request.user, pk)
    user = request.user
    person_side = services.is_person_side(user, review)
    accounts = list(review.accounts.select_related("author__staff", "last_written_by__staff"))
    person_account = next((a for a in accounts if a.kind == Account.Kind.PERSON), None)
    if person_account and person_account.status != Account.Status.SHARED and not person_side:
        person_account = None
    staff_accounts = [
        a
        for a in accounts
        if a.kind == Account.Kind.STAFF and (a.status == Account.Status.SHARED or a.author_id == user.pk)
    ]
    for account in staff_accounts:
        account.label = review_perms.person_label(account.author, review, user)
    my_staff_account = next((a for a in staff_accounts if a.author_id == user.pk), None)
    pathway = list(review.pathway.select_related("added_by__staff"))
    for entry in pathway:
        entry.label = review_perms.person_label(entry.added_by, review, user)
    phases = [
        (label, [e for e in pathway if e.phase == value]) for value, label in PathwayEntry.Phase.choices
    ]
    learning = list(review.learning.select_related("proposed_by__staff"))
    for point in learning:
        point.label = review_perms.person_label(point.proposed_by, review, user)
        own = point.person_response if person_side else point.staff_response
        point.can_respond = not own and review_perms.can_add(user, review)
    actions = list(review.actions.select_related("owner__staff"))
    for action in actions:
        action.owner_label = review_perms.person_label(action.owner, review, user)
        action.challenge_url = _challenge_url(action) if action.kind == "blanket_rule" else ""
    debrief = getattr(review, "debrief", None) if hasattr(review, "debrief") else None
    can_staff = review_perms.can_write_staff_side(user, review)
    can_close = not review.is_closed and permissions.has(user, "close", review) and not person_side
    is_facilitator = review.facilitator_id == user.pk
    return render(
        request,
        "reviews/review_detail.html",
        {
            "review": review,
            "heading": _heading(review, user),
            "person_side": person_side,
            "is_person": services.is_person(user, review),
            "person_account": person_account,
            "staff_accounts": staff_accounts,
            "my_staff_account": my_staff_account,
            "phases": phases,
            "has_pathway": bool(pathway),
            "learning": learning,
            "actions": actions,
            "debrief": debrief,
            "facilitator_label": review_perms.person_label(review.facilitator, review, user)
            if review.facilitator
            else "",
            "supporter_label": review_perms.person_label(review.supporter, review, user)
            if review.supporter
            else "",
            "can_staff": can_staff,
            "can_person": review_perms.can_write_person_side(user, review),
            "can_participation": review_perms.can_write_person_side(user, review)
            or (services.person_user(review) is None and can_staff),
            "can_add": review_perms.can_add(user, review),
            "can_close": can_close,
            "can_agree_as_facilitator": is_facilitator and not review.is_closed and review.summary,
            "missing": services.review_missing(review) if not review.is_closed else [],
            "incident_url": _incident_url(review, user),
            "history": history_rows(review) if not person_side else [],
        },
    )


@require_http_methods(["GET", "POST"])
def account_person(request, pk):
    """The person's own account: written by them, or by the supporter they invited; never by staff."""
    review = review_perms.get_review_or_404(request.user, pk)
    review_perms.require(review_perms.can_write_person_side(request.user, review))
    return _account_page(request, review, Account.Kind.PERSON)


@require_http_methods(["GET", "POST"])
def account_staff(request, pk):
    review = review_perms.get_review_or_404(request.user, pk)
    review_perms.require(review_perms.can_write_staff_side(request.user, review))
    return _account_page(request, review, Account.Kind.STAFF)


def _account_page(request, review, kind):
    person = kind == Account.Kind.PERSON
    author = services.person_user(review) if person else request.user
    account = review.accounts.filter(kind=kind, author=author).first()
    initial = {}
    if account:
        initial = {
            "what_happened": account.what_happened,
            "what_would_have_helped": account.what_would_have_helped,
            "version": account.version,
        }
    form = forms.AccountForm(request.POST or None, initial=initial, person=person)
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.account_save(
                review=review,
                by=request.user,
                kind=kind,
                what_happened=data["what_happened"],
                what_would_have_helped=data["what_would_have_helped"],
                share="share" in request.POST,
                version=data["version"] or None,
            )
        except StaleEdit as exc:
            conflict = exc.current
            # Show their text and keep yours in the form, re-based on the latest version.
            form = forms.AccountForm(initial={**data, "version": conflict.version}, person=person)
            form.is_bound = False
        except ValidationError as exc:
            _errors(form, exc)
        else:
            shared = "share" in request.POST
            messages.success(
                request,
                "Your account has been shared with the review." if shared else "Your draft has been saved.",
            )
            return redirect(review)
    if person:
        title = "Tell us what happened from your side"
        if not services.is_person(request.user, review):
            title = f"Help write {review.incident.service_user.display_name}'s account"
    else:
        title = "Your account as a member of staff"
    return render(
        request,
        "reviews/account_form.html",
        {
            "review": review,
            "form": form,
            "title": title,
            "account": account,
            "person": person,
            "conflict": conflict,
            "yours": form.initial if conflict else None,
            "with_support": person and not services.is_person(request.user, review),
        },
    )


def account_history(request, pk, account_pk):
    """How an account changed: the person can see every version of their own account."""
    review = review_perms.get_review_or_404(request.user, pk)
    account = review.accounts.filter(pk=account_pk).select_related("author").first()
    if account is None:
        raise Http404
    person_side = services.is_person_side(request.user, review)
    own = account.author_id == request.user.pk or (account.kind == Account.Kind.PERSON and person_side)
    if account.status != Account.Status.SHARED and not own:
        raise Http404
    versions = []
    for record in account.history.select_related("history_user__staff").order_by("-history_date"):
        versions.append(
            {
                "when": record.history_date,
                "who": review_perms.person_label(record.history_user, review, request.user),
                "status": record.get_status_display(),
                "what_happened": record.what_happened,
                "what_would_have_helped": record.what_would_have_helped,
            }
        )
    label = "Your account" if own else review_perms.person_label(account.author, review, request.user)
    return render(
        request,
        "reviews/account_history.html",
        {"review": review, "account": account, "versions": versions, "label": label},
    )


@require_http_methods(["GET", "POST"])
def participation(request, pk):
    review = review_perms.get_review_or_404(request.user, pk)
    # Staff record the answer only for a person who has no sign-in of their own.
    review_perms.require(
        review_perms.can_write_person_side(request.user, review)
        or (services.person_user(review) is None and review_perms.can_write_staff_side(request.user, review))
    )
    form = forms.ParticipationForm(
        request.POST or None,
        initial={"participation": review.participation, "reason": review.not_held_reason},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.participation_record(review=review, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, "Thank you. Your answer has been saved.")
            return redirect(review)
    return _form_page(
        request,
        review,
        form,
        title="Taking part in your review",
        intro="The review looks at what led to the incident and what would prevent the next one. "
        "Your view matters most. You can take part, bring someone to support you, or say no.",
    )


@require_http_methods(["GET", "POST"])
def supporter(request, pk):
    review = review_perms.get_review_or_404(request.user, pk)
    review_perms.require(services.is_person(request.user, review) and not review.is_closed)
    if request.method == "POST" and "withdraw" in request.POST:
        services.supporter_withdraw(review=review, by=request.user)
        messages.success(request, "Your supporter can no longer see this review.")
        return redirect(review)
    form = forms.SupporterForm(request.POST or None, candidates=services.supporter_candidates(review))
    if request.method == "POST" and form.is_valid():
        try:
            services.supporter_invite(review=review, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, "Your supporter has been invited to this review.")
            return redirect(review)
    return _form_page(
        request,
        review,
        form,
        title="Ask someone to support you",
        intro="A peer support worker, an advocate or someone from your family can help you "
        "take part and write your account. They see this review only, until it closes.",
        submit="Invite",
        template="reviews/supporter_form.html",
        supporter_label=review_perms.person_label(review.supporter, review, request.user)
        if review.supporter
        else "",
    )


@require_http_methods(["GET", "POST"])
def facilitator(request, pk):
    review = review_perms.get_review_or_404(request.user, pk, "close")
    review_perms.require(not review.is_closed)
    form = forms.FacilitatorForm(
        request.POST or None,
        candidates=services.facilitator_candidates(review),
        initial={"facilitator": review.facilitator_id},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.facilitator_assign(review=review, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, "The facilitator has been chosen.")
            return redirect(review)
    return _form_page(request, review, form, title="Choose the facilitator")


@require_http_methods(["GET", "POST"])
def debrief(request, pk):
    review = review_perms.get_review_or_404(request.user, pk)
    review_perms.require(review_perms.can_write_staff_side(request.user, review))
    existing = getattr(review, "debrief", None) if hasattr(review, "debrief") else None
    form = forms.DebriefForm(request.POST or None, instance=existing)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            services.debrief_record(review=review, by=request.user, **fields)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, "The immediate debrief has been recorded.")
            return redirect(review)
    return _form_page(
        request,
        review,
        form,
        title="Immediate debrief",
        intro="The short debrief straight after the incident: how the person was and their physical "
        "health check. The fuller review is recorded separately.",
    )


@require_http_methods(["GET", "POST"])
def meeting(request, pk):
    review = review_perms.get_review_or_404(request.user, pk)
    review_perms.require(review_perms.can_write_staff_side(request.user, review))
    initial = {"held_at": timezone.localtime(review.held_at) if review.held_at else None}
    form = forms.MeetingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_record(review=review, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, "The review meeting has been recorded.")
            return redirect(review)
    return _form_page(request, review, form, title="Review meeting with the person")


@require_http_methods(["GET", "POST"])
def pathway_add(request, pk):
    review = review_perms.get_review_or_404(request.user, pk)
    review_perms.require(review_perms.can_add(request.user, review))
    form = forms.PathwayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.pathway_add(review=review, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, "The step has been added to the pathway.")
            return redirect(f"{review.get_absolute_url()}#pathway")
    return _form_page(
        request,
        review,
        form,
        title="Add a step to the pathway",
        intro="What was happening before, what set things off, the early signs, what was tried, "
        "the intervention itself and what happened afterwards. Either side can add steps.",
        submit="Add to the pathway",
    )


@require_http_methods(["GET", "POST"])
def learning_add(request, pk):
    review = review_perms.get_review_or_404(request.user, pk)
    review_perms.require(review_perms.can_add(request.user, review))
    form = forms.LearningForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.learning_add(review=review, by=request.user, **form.cleaned_data)
        messages.success(request, "The learning has been added. The other side will be asked if they agree.")
        return redirect(f"{review.get_absolute_url()}#learning")
    return _form_page(request, review, form, title="Add something we learn", submit="Add")


@require_http_methods(["GET", "POST"])
def learning_respond(request, pk, point_pk):
    review = review_perms.get_review_or_404(request.user, pk)
    review_perms.require(review_perms.can_add(request.user, review))
    point = LearningPoint.objects.filter(review=review, pk=point_pk).first()
    if point is None:
        raise Http404
    form = forms.LearningResponseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.learning_respond(point=point, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, "Your answer has been saved.")
            return redirect(f"{review.get_absolute_url()}#learning")
    return _form_page(
        request, review, form, title="Do you agree with this?", intro=point.text, submit="Save my answer"
    )


@require_http_methods(["GET", "POST"])
def action_create(request, pk):
    review = review_perms.get_review_or_404(request.user, pk)
    review_perms.require(review_perms.can_write_staff_side(request.user, review))
    owners = User.objects.filter(groups=review.incident.ward.staff_group, is_active=True).order_by(
        "first_name", "last_name"
    )
    form = forms.ActionForm(request.POST or None, owners=owners, initial={"owner": request.user.pk})
    if request.method == "POST" and form.is_valid():
        try:
            action = services.action_create(review=review, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, "The action has been added.")
            return redirect(action)
    return _form_page(
        request,
        review,
        form,
        title="Add an action",
        intro="Agree actions with the person. A change to their safety plan becomes a proposed change "
        "in the plan; a blanket rule can be challenged from the action.",
        submit="Add the action",
    )


def action_detail(request, pk):
    action = review_perms.get_action_or_404(request.user, pk)
    review = action.review
    return render(
        request,
        "reviews/action_detail.html",
        {
            "action": action,
            "review": review,
            "heading": _heading(review, request.user),
            "owner_label": review_perms.person_label(action.owner, review, request.user),
            "can_update": review_perms.can_update_action(request.user, action),
            "challenge_url": _challenge_url(action) if action.kind == "blanket_rule" else "",
            "history": history_rows(action) if not services.is_person_side(request.user, review) else [],
        },
    )


@require_http_methods(["GET", "POST"])
def action_update(request, pk):
    action = review_perms.get_action_or_404(request.user, pk)
    if not review_perms.can_update_action(request.user, action):
        raise PermissionDenied
    form = forms.ActionUpdateForm(
        request.POST or None,
        initial={
            "status": action.status,
            "outcome": action.outcome,
            "due_date": action.due_date,
            "version": action.version,
        },
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.action_update(action=action, by=request.user, version=version, **data)
        except StaleEdit as exc:
            conflict = exc.current
            form.add_error(None, "Someone else changed this action after you opened it. Nothing was saved.")
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, "The action has been updated.")
            return redirect(action)
    return _form_page(
        request,
        action.review,
        form,
        title="Update the action",
        intro=action.description,
        conflict_action=conflict,
        yours=form.data if conflict else None,
        template="reviews/action_form.html",
    )


@require_http_methods(["GET", "POST"])
def summary(request, pk):
    review = review_perms.get_review_or_404(request.user, pk)
    review_perms.require(review_perms.can_write_staff_side(request.user, review))
    form = forms.SummaryForm(
        request.POST or None, initial={"summary": review.summary, "version": review.version}
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.summary_save(review=review, by=request.user, **form.cleaned_data)
        except StaleEdit as exc:
            conflict = exc.current
            form = forms.SummaryForm(
                initial={"summary": form.cleaned_data["summary"], "version": conflict.version}
            )
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, "The summary has been saved.")
            return redirect(f"{review.get_absolute_url()}#summary")
    return _form_page(
        request,
        review,
        form,
        title="Summary of the review",
        template="reviews/summary_form.html",
        conflict=conflict,
    )


@require_http_methods(["GET", "POST"])
def agree(request, pk):
    review = review_perms.get_review_or_404(request.user, pk)
    is_person = services.is_person(request.user, review)
    review_perms.require(not review.is_closed and (is_person or review.facilitator_id == request.user.pk))
    if not is_person:
        if request.method != "POST":
            return redirect(f"{review.get_absolute_url()}#summary")
        try:
            services.summary_agree(review=review, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "You have agreed the summary as facilitator.")
        return redirect(f"{review.get_absolute_url()}#summary")
    form = forms.AgreementForm(
        request.POST or None,
        initial={"agreement": review.person_agreement, "note": review.person_agreement_note},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.summary_agree(review=review, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, "Thank you. Your answer has been saved.")
            return redirect(f"{review.get_absolute_url()}#summary")
    return _form_page(
        request, review, form, title="Do you agree with the summary?", intro=review.summary, submit="Save"
    )


@require_POST
def close(request, pk):
    review = review_perms.get_review_or_404(request.user, pk, "close")
    if services.is_person_side(request.user, review):
        raise PermissionDenied
    try:
        services.review_close(review=review, by=request.user)
    except ValidationError as exc:
        messages.error(request, "The review cannot close yet: " + " ".join(exc.messages))
    else:
        messages.success(request, "The review is closed.")
    return redirect(review)


def panel_list(request):
    reviews = permissions.visible(
        request.user, "panel", Review.objects.closed().select_related("incident__ward")
    ).order_by("-closed_at")
    page = paginate(request, reviews)
    rows = [panel_view(review, with_detail=False) for review in page.object_list]
    return render(
        request,
        "reviews/panel_list.html",
        {"rows": rows, "page_obj": page, "querystring_base": querystring_without_page(request)},
    )


@require_http_methods(["GET", "POST"])
def panel_detail(request, pk):
    """A closed review with everyone's names, NHS number, staff names and exact dates taken out."""
    queryset = Review.objects.closed().select_related("incident__ward__division")
    try:
        review = queryset.get(pk=pk)
    except (Review.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
    if not permissions.has(request.user, "panel", review):
        raise Http404
    form = forms.PanelLearningForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.panel_learning_add(review=review, by=request.user, **form.cleaned_data)
        messages.success(request, "The panel's learning has been recorded.")
        return redirect("reviews:panel_detail", pk=review.pk)
    return render(request, "reviews/panel_detail.html", {"item": panel_view(review), "form": form})


def review_for_incident(request, incident_pk):
    """Open the review of an incident (for links from the incident page)."""
    review = review_perms.reviews_visible_to(request.user).filter(incident_id=incident_pk).first()
    if review is None:
        raise Http404
    return redirect(review)
