"""Pages for ward rounds: sessions, the person's appointment and agenda, outcomes and the summary."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from rrp import permissions, roles
from rrp.concurrency import StaleEdit
from rrp.history import history_rows
from rrp.models import ServiceUser
from rrp.views import paginate, querystring_without_page
from ward_rounds import services
from ward_rounds.filters import AppointmentFilter, WardRoundFilter
from ward_rounds.forms import (
    ActionForm,
    AppointmentForm,
    AttendanceForm,
    CancelForm,
    DelayForm,
    ItemForm,
    MoveOutForm,
    OutcomeForm,
    PreparationForm,
    StartForm,
    SummaryForm,
    WardRoundForm,
)
from ward_rounds.models import AgendaItem, Outcome, Preparation
from ward_rounds.permissions import (
    appointments_visible_to,
    get_action_or_404,
    get_appointment_or_404,
    get_item_or_404,
    get_session_or_404,
    outcomes_visible,
    sessions_visible_to,
)

STAFF_LIST_ROLES = ("ward_staff", "ward_manager", "recovery_lead")


def _add_errors(form, exc: ValidationError):
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _stale(form, exc: StaleEdit, fields):
    """Describe a refused stale save: their saved words next to the words just typed, nothing lost."""
    form.add_error(None, "Someone else changed this after you opened it. Nothing was saved. Compare below.")
    rows = []
    for name in fields:
        theirs = getattr(exc.current, name, "")
        yours = form.data.get(form.add_prefix(name), "")
        label = form.fields[name].label if name in form.fields else name
        rows.append({"label": label, "theirs": theirs, "yours": yours})
    # The form now carries the latest version, so saving again (after comparing) is allowed.
    data = form.data.copy()
    data[form.add_prefix("version")] = exc.current.version
    form.data = data
    return rows


def challenge_url(item: AgendaItem) -> str:
    """Link to challenge a restriction as a blanket rule, once the blanket rules app is installed."""
    try:
        base = reverse("blanket_rules:challenge_create")
    except NoReverseMatch:
        return ""
    query = urlencode(
        {"source_url": item.get_absolute_url(), "source_label": "Ward round item", "text": item.text}
    )
    return f"{base}?{query}"


def index(request):
    role = roles.role_of(request.user)
    if role in STAFF_LIST_ROLES:
        return _session_list(request, role)
    return _appointment_list(request, role)


def _session_list(request, role):
    visible = sessions_visible_to(request.user)
    f = WardRoundFilter(request.GET, queryset=visible, request=request)
    sessions = f.qs if f.is_valid() else visible.none()
    # Upcoming rounds read soonest first; otherwise newest first, so the next one is at the top.
    if f.is_valid() and f.form.cleaned_data.get("when") == "upcoming":
        sessions = sessions.order_by("starts_at")
    else:
        sessions = sessions.order_by("-starts_at")
    page = paginate(request, sessions)
    return render(
        request,
        "ward_rounds/session_list.html",
        {
            "filter": f,
            "page_obj": page,
            "querystring_base": querystring_without_page(request),
            "can_create": role in ("ward_staff", "ward_manager") and roles.staff_wards(request.user).exists(),
        },
    )


def _appointment_list(request, role):
    visible = appointments_visible_to(request.user)
    f = AppointmentFilter(request.GET, queryset=visible, request=request)
    appointments = f.qs if f.is_valid() else visible.none()
    if f.is_valid() and f.form.cleaned_data.get("when") == "upcoming":
        appointments = appointments.order_by("scheduled_at")
    else:
        appointments = appointments.order_by("-scheduled_at")
    page = paginate(request, appointments)
    title = "My ward rounds" if role == roles.SERVICE_USER else "Ward rounds"
    return render(
        request,
        "ward_rounds/appointment_list.html",
        {
            "filter": f,
            "page_obj": page,
            "querystring_base": querystring_without_page(request),
            "title": title,
            "is_person": role == roles.SERVICE_USER,
        },
    )


@require_http_methods(["GET", "POST"])
def session_create(request):
    wards = roles.staff_wards(request.user)
    if roles.role_of(request.user) not in ("ward_staff", "ward_manager") or not wards.exists():
        raise PermissionDenied
    initial = {"ward": wards.first()} if wards.count() == 1 else {}
    form = WardRoundForm(request.POST or None, wards=wards, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.ward_round_create(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "The ward round has been arranged. You can now book people in.")
            return redirect(session)
    return render(request, "ward_rounds/session_form.html", {"form": form})


def session_detail(request, pk):
    session = get_session_or_404(request.user, pk)
    appointments = permissions.visible(
        request.user,
        "view",
        session.appointments.select_related("service_user", "preparation")
        .annotate(
            item_count=Count("items", filter=Q(items__moved_out=False)),
            own_count=Count("items", filter=Q(items__moved_out=False, items__author_role="person")),
        )
        .order_by("scheduled_at"),
    )
    return render(
        request,
        "ward_rounds/session_detail.html",
        {
            "session": session,
            "appointments": appointments,
            "can_book": permissions.has(request.user, "change", session),
        },
    )


@require_http_methods(["GET", "POST"])
def appointment_book(request, pk):
    session = get_session_or_404(request.user, pk, "change")
    people = permissions.visible(
        request.user,
        "view",
        ServiceUser.objects.filter(admissions__ward=session.ward, admissions__end__isnull=True).distinct(),
    )
    peers = services.ward_peer_workers(session.ward)
    form = AppointmentForm(
        request.POST or None,
        people=people,
        peers=peers,
        initial={"scheduled_at": session.starts_at, "service_user": request.GET.get("person")},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            appointment = services.appointment_book(
                ward_round=session,
                service_user=data.pop("service_user"),
                scheduled_at=data.pop("scheduled_at"),
                by=request.user,
                **data,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"{appointment.service_user} is booked in. Their preparation is open.")
            return redirect(session)
    return render(request, "ward_rounds/appointment_form.html", {"form": form, "session": session})


def _agenda(request, appointment):
    """Return (agenda rows, moved-out items) with what this user may do to each item."""
    user = request.user
    show_outcomes = outcomes_visible(user, appointment)
    items = list(
        appointment.items.select_related("author", "outcome", "moved_out_by")
        .prefetch_related("outcome__actions__owner")
        .in_agenda_order()
    )
    own = [i for i in items if i.by_the_person and not i.moved_out]
    rows = []
    for item in items:
        if item.moved_out:
            continue
        outcome = getattr(item, "outcome", None) if show_outcomes else None
        rows.append(
            {
                "item": item,
                "outcome": outcome,
                "can_edit": services.can_edit_item(user, item),
                "can_order": services.can_order_item(user, item),
                "first": bool(own) and item == own[0],
                "last": bool(own) and item == own[-1],
                "challenge_url": challenge_url(item) if item.kind == AgendaItem.Kind.RESTRICTION else "",
            }
        )
    return rows, [i for i in items if i.moved_out]


def appointment_detail(request, pk):
    appointment = get_appointment_or_404(request.user, pk)
    user = request.user
    rows, moved_out = _agenda(request, appointment)
    is_person = services._is_the_person(appointment, user)
    is_team = permissions.has(user, "record_outcome", appointment)
    author_role = services.author_role_for(appointment, user) if appointment.is_open else None
    sees_preparation = (
        is_person
        or permissions.has(user, "see_draft", appointment)
        or (appointment.peer_worker_id == user.pk)
    )
    return render(
        request,
        "ward_rounds/appointment_detail.html",
        {
            "appointment": appointment,
            "session": appointment.ward_round,
            "person": appointment.service_user,
            "rows": rows,
            "moved_out": moved_out,
            "is_person": is_person,
            "is_team": is_team,
            "can_change": permissions.has(user, "change", appointment),
            "can_prepare": appointment.is_open
            and (is_person or services._is_invited_peer(appointment, user)),
            "preparation": appointment.preparation if sees_preparation else None,
            "item_form": ItemForm(auto_id="id_new_%s") if author_role else None,
            "author_role": author_role,
            "outcomes_visible": outcomes_visible(user, appointment),
            "can_mark_read": is_person and appointment.is_shared and appointment.summary_read_at is None,
        },
    )


def appointment_print(request, pk):
    appointment = get_appointment_or_404(request.user, pk)
    rows, moved_out = _agenda(request, appointment)
    return render(
        request,
        "ward_rounds/appointment_print.html",
        {"appointment": appointment, "session": appointment.ward_round, "rows": rows, "moved_out": moved_out},
    )


def appointment_history(request, pk):
    appointment = get_appointment_or_404(request.user, pk)
    user = request.user
    show_outcomes = outcomes_visible(user, appointment)
    sees_drafts = permissions.has(user, "see_draft", appointment)
    sees_preparation = (
        sees_drafts or services._is_the_person(appointment, user) or (appointment.peer_worker_id == user.pk)
    )
    items = []
    for item in appointment.items.select_related("author").order_by("created_at", "id"):
        outcome = Outcome.objects.filter(item=item).first() if show_outcomes else None
        items.append(
            {
                "item": item,
                "history": history_rows(item),
                "outcome_history": history_rows(outcome) if outcome else [],
                "actions": [(a, history_rows(a)) for a in outcome.actions.all()] if outcome else [],
            }
        )
    return render(
        request,
        "ward_rounds/appointment_history.html",
        {
            "appointment": appointment,
            # The summary's drafts are the team's until shared; the shared text is on the page.
            "appointment_history": history_rows(
                appointment, exclude=("version",) if sees_drafts else ("version", "summary")
            ),
            "preparation_history": history_rows(appointment.preparation) if sees_preparation else None,
            "items": items,
        },
    )


@require_http_methods(["GET", "POST"])
def preparation_edit(request, pk):
    appointment = get_appointment_or_404(request.user, pk)
    preparation: Preparation = appointment.preparation
    if not (
        services._is_the_person(appointment, request.user)
        or services._is_invited_peer(appointment, request.user)
    ):
        raise PermissionDenied
    form = PreparationForm(request.POST or None, instance=preparation)
    stale = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.preparation_save(preparation=preparation, by=request.user, version=version, **data)
        except StaleEdit as exc:
            stale = _stale(form, exc, Preparation.TEXT_FIELDS)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request, "Your preparation has been saved. The team will read it before the ward round."
            )
            return redirect(appointment)
    return render(
        request,
        "ward_rounds/preparation_form.html",
        {"form": form, "appointment": appointment, "stale": stale},
    )


@require_http_methods(["GET", "POST"])
def item_add(request, pk):
    appointment = get_appointment_or_404(request.user, pk, "contribute")
    form = ItemForm(request.POST or None, auto_id="id_new_%s")
    if request.method == "POST" and form.is_valid():
        try:
            services.item_add(
                appointment=appointment,
                by=request.user,
                text=form.cleaned_data["text"],
                kind=form.cleaned_data["kind"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Your item has been added to the agenda.")
            return redirect(appointment)
    return render(
        request, "ward_rounds/item_form.html", {"form": form, "appointment": appointment, "adding": True}
    )


@require_http_methods(["GET", "POST"])
def item_edit(request, pk):
    item = get_item_or_404(request.user, pk)
    if not services.can_edit_item(request.user, item):
        raise PermissionDenied
    form = ItemForm(request.POST or None, item=item)
    stale = None
    if request.method == "POST" and form.is_valid():
        try:
            services.item_edit(item=item, by=request.user, **form.cleaned_data)
        except StaleEdit as exc:
            stale = _stale(form, exc, ["text"])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "The item has been changed.")
            return redirect(item.get_absolute_url())
    return render(
        request,
        "ward_rounds/item_form.html",
        {"form": form, "appointment": item.appointment, "item": item, "stale": stale},
    )


@require_POST
def item_move(request, pk):
    item = get_item_or_404(request.user, pk)
    if not services.can_order_item(request.user, item):
        raise PermissionDenied
    direction = request.POST.get("direction", "")
    try:
        services.item_move(item=item, by=request.user, direction=direction)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(item.get_absolute_url())


@require_http_methods(["GET", "POST"])
def item_move_out(request, pk):
    item = get_item_or_404(request.user, pk)
    if not permissions.has(request.user, "record_outcome", item.appointment):
        raise PermissionDenied
    form = MoveOutForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.item_move_out(item=item, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request, "The item has left the agenda. The person can see where it will be handled."
            )
            return redirect(item.appointment)
    return render(request, "ward_rounds/item_move_out.html", {"form": form, "item": item})


@require_POST
def item_bring_back(request, pk):
    item = get_item_or_404(request.user, pk)
    if not permissions.has(request.user, "record_outcome", item.appointment):
        raise PermissionDenied
    try:
        services.item_bring_back(item=item, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(item.get_absolute_url())


@require_http_methods(["GET", "POST"])
def outcome_edit(request, pk):
    item = get_item_or_404(request.user, pk)
    appointment = item.appointment
    if not permissions.has(request.user, "record_outcome", appointment):
        raise PermissionDenied
    outcome = Outcome.objects.filter(item=item).first()
    form = OutcomeForm(request.POST or None, instance=outcome or Outcome(item=item))
    stale = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.outcome_record(item=item, by=request.user, **data)
        except StaleEdit as exc:
            stale = _stale(form, exc, ["decision", "person_view"])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "The outcome has been recorded.")
            return redirect("ward_rounds:outcome_edit", pk=item.pk)
    owners = services.action_owner_choices(appointment)
    return render(
        request,
        "ward_rounds/outcome_form.html",
        {
            "form": form,
            "item": item,
            "appointment": appointment,
            "outcome": outcome,
            "stale": stale,
            "action_form": ActionForm(owners=owners, prefix="action") if outcome else None,
        },
    )


@require_POST
def action_add(request, pk):
    item = get_item_or_404(request.user, pk)
    appointment = item.appointment
    if not permissions.has(request.user, "record_outcome", appointment):
        raise PermissionDenied
    outcome = Outcome.objects.filter(item=item).first()
    if outcome is None:
        messages.error(request, "Record the decision before adding actions.")
        return redirect("ward_rounds:outcome_edit", pk=item.pk)
    action_form = ActionForm(request.POST, owners=services.action_owner_choices(appointment), prefix="action")
    if action_form.is_valid():
        try:
            services.action_add(outcome=outcome, by=request.user, **action_form.cleaned_data)
        except ValidationError as exc:
            _add_errors(action_form, exc)
        else:
            messages.success(request, "The action has been added. It shows on its owner's home page.")
            return redirect("ward_rounds:outcome_edit", pk=item.pk)
    return render(
        request,
        "ward_rounds/outcome_form.html",
        {
            "form": OutcomeForm(instance=outcome),
            "item": item,
            "appointment": appointment,
            "outcome": outcome,
            "action_form": action_form,
        },
    )


@require_POST
def action_done(request, pk):
    action = get_action_or_404(request.user, pk)
    services.action_done(action=action, by=request.user)
    messages.success(request, f"Marked as done: {action.description}")
    return redirect(
        request.POST.get("next") if _safe_next(request) else action.appointment.get_absolute_url()
    )


def _safe_next(request) -> bool:
    target = request.POST.get("next", "")
    return target.startswith("/") and not target.startswith("//")


@require_http_methods(["GET", "POST"])
def appointment_timing(request, pk):
    appointment = get_appointment_or_404(request.user, pk, "record_outcome")
    is_delay = request.method == "POST" and "delay" in request.POST
    is_start = request.method == "POST" and "start" in request.POST
    delay_form = DelayForm(request.POST if is_delay else None, prefix="delay")
    start_form = StartForm(
        request.POST if is_start else None,
        prefix="start",
        initial={"started_at": timezone.localtime().replace(second=0, microsecond=0)},
    )
    try:
        if is_delay and delay_form.is_valid():
            services.appointment_record_delay(
                appointment=appointment, by=request.user, **delay_form.cleaned_data
            )
            messages.success(request, "The delay has been recorded. The person and their carer can see it.")
            return redirect(appointment)
        if is_start and start_form.is_valid():
            services.appointment_start(appointment=appointment, by=request.user, **start_form.cleaned_data)
            messages.success(request, "The start time has been recorded. You can now record outcomes.")
            return redirect(appointment)
    except ValidationError as exc:
        _add_errors(delay_form if is_delay else start_form, exc)
    return render(
        request,
        "ward_rounds/appointment_timing.html",
        {"appointment": appointment, "delay_form": delay_form, "start_form": start_form},
    )


@require_http_methods(["GET", "POST"])
def appointment_summary(request, pk):
    appointment = get_appointment_or_404(request.user, pk, "record_outcome")
    form = SummaryForm(
        request.POST or None, initial={"summary": appointment.summary, "version": appointment.version}
    )
    stale = None
    if request.method == "POST" and form.is_valid():
        try:
            services.appointment_share_summary(appointment=appointment, by=request.user, **form.cleaned_data)
        except StaleEdit as exc:
            stale = _stale(form, exc, ["summary"])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "The summary and outcomes are now shared with the person.")
            return redirect(appointment)
    rows, moved_out = _agenda(request, appointment)
    return render(
        request,
        "ward_rounds/appointment_summary.html",
        {"appointment": appointment, "form": form, "stale": stale, "rows": rows},
    )


@require_POST
def summary_read(request, pk):
    appointment = get_appointment_or_404(request.user, pk)
    services.summary_mark_read(appointment=appointment, by=request.user)
    messages.success(request, "Thank you. The team can see you have read the summary.")
    return redirect(appointment)


@require_http_methods(["GET", "POST"])
def appointment_attendance(request, pk):
    appointment = get_appointment_or_404(request.user, pk)
    if not (
        permissions.has(request.user, "change", appointment)
        or services._is_the_person(appointment, request.user)
    ):
        raise PermissionDenied
    if not appointment.is_open:
        messages.error(request, "This ward round has finished.")
        return redirect(appointment)
    form = AttendanceForm(
        request.POST or None, instance=appointment, peers=services.ward_peer_workers(appointment.ward)
    )
    stale = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.appointment_update_attendance(
                appointment=appointment, by=request.user, version=version, **data
            )
        except StaleEdit as exc:
            stale = _stale(form, exc, ["advocate", "named_staff"])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Who will attend has been updated.")
            return redirect(appointment)
    return render(
        request,
        "ward_rounds/appointment_attendance.html",
        {"form": form, "appointment": appointment, "stale": stale},
    )


@require_http_methods(["GET", "POST"])
def appointment_cancel(request, pk):
    appointment = get_appointment_or_404(request.user, pk, "change")
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.appointment_cancel(appointment=appointment, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "The appointment has been cancelled.")
            return redirect(appointment.ward_round)
    return render(request, "ward_rounds/appointment_cancel.html", {"form": form, "appointment": appointment})
