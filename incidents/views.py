"""Pages for incidents: list, log (one page, saved as you go), read, statutory record, sign off, export."""

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from incidents import exports, rules, services
from incidents.filters import IncidentFilter
from incidents.forms import (
    SECTIONS,
    SERVICE_SECTION,
    ErrorSummary,
    ExportForm,
    IncidentForm,
    MarkErrorForm,
    SignOffForm,
    formset_classes,
)
from incidents.models import Incident, Intervention
from incidents.permissions import (
    get_incident_or_404,
    incidents_listed_for,
    incidents_visible_to,
    is_subject,
    may_record_anyone,
    recordable_people,
)
from incidents.rows import rows_html, status_tag
from incidents.timeline import timeline
from rrp import listing, permissions, roles, statements
from rrp.concurrency import StaleEdit
from rrp.hooks import collect
from rrp.views import paginate, querystring_without_page

PER_PAGE = 25

FORM_SECTIONS = [
    ("what", "What happened", ["started_at", "ended_at", "place", "reason_code", "reason_description"]),
    ("how", "How force was used", ["how_force_used"]),
    ("deescalation", "What was tried first", ["deescalation", "deescalation_notes"]),
    (
        "outcome",
        "Outcome and harm",
        ["outcome", "death_or_serious_injury", "physical_harm", "psychological_harm"],
    ),
    ("police", "Police", ["police_requested_at", "police_arrived_at", "police_used_force"]),
    ("told", "Telling people and debrief", ["care_plan_people_told", "immediate_debrief_offered"]),
]


def _listed(queryset):
    return queryset.select_related("service_user", "ward").prefetch_related(
        Prefetch("interventions", queryset=Intervention.objects.order_by("started_at", "id"))
    )


def incidents_page(request, listed):
    """The list's filter and page of `listed` (incidents_listed_for) for this request, and the
    page's interventions by incident: the page's ids read as rrp.listing says, then those rows with
    their person and ward, and their interventions."""
    f = IncidentFilter(request.GET, queryset=listed.queryset, request=request)
    rows = (
        listing.page_rows(f, listed)
        if f.is_valid()
        else listing.PageRows(0, lambda start: listed.queryset.none())
    )
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    # The page's rows with their person, ward and interventions (as _listed reads them), by
    # statements built once (rrp.statements) rather than a queryset compiled on each request.
    page.object_list = statements.by_ids(Incident, page.object_list, related=("service_user", "ward"))
    return f, page, statements.children_of(page.object_list, "interventions")


def incident_list(request):
    role = roles.role_of(request.user)
    if role == roles.SERVICE_USER:
        return redirect("incidents:mine")
    f, page, interventions = incidents_page(request, incidents_listed_for(request.user))
    return render(
        request,
        "incidents/incident_list.html",
        {
            "filter": f,
            "page_obj": page,
            "rows_html": rows_html(page.object_list, interventions),
            "querystring_base": querystring_without_page(request),
            "export_query": request.GET.urlencode(),
            "can_record": may_record_anyone(request.user),
        },
    )


def incident_mine(request):
    """A service user's own incidents, in plain words."""
    person = getattr(request.user, "service_user", None)
    if person is None:
        raise Http404
    incidents = incidents_visible_to(request.user).filter(service_user=person)
    page = paginate(request, _listed(incidents), PER_PAGE)
    return render(
        request,
        "incidents/incident_mine.html",
        {"page_obj": page, "querystring_base": querystring_without_page(request)},
    )


def incident_export_csv(request):
    visible = incidents_visible_to(request.user)
    f = IncidentFilter(request.GET, queryset=visible, request=request)
    if not f.is_valid():
        return HttpResponse("The filters are not valid: " + f.errors.as_text(), status=400)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(exports.csv_rows(f.qs), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="incidents-{stamp}.csv"'
    return response


def incident_export_mhsds(request):
    if not roles.is_staff_role(roles.role_of(request.user)):
        raise Http404
    form = ExportForm(request.GET or None)
    if request.GET and form.is_valid():
        start, end = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
        incidents = IncidentFilter(
            {"date_from": start, "date_to": end}, queryset=incidents_visible_to(request.user)
        ).qs
        response = HttpResponse(exports.mhsds_zip(incidents), content_type="application/zip")
        response["Content-Disposition"] = (
            f'attachment; filename="mhsds-restrictive-interventions-{start}-{end}.zip"'
        )
        return response
    return render(request, "incidents/incident_export.html", {"form": form})


def incident_choose_person(request):
    people = recordable_people(request.user)
    if not people.exists():
        raise PermissionDenied
    return render(request, "incidents/incident_choose_person.html", {"people": people})


@require_http_methods(["GET", "POST"])
def incident_create(request, person_pk):
    person = permissions.get_or_404(request.user, recordable_people(request.user), person_pk)
    return _incident_form(request, person=person, incident=None)


@require_http_methods(["GET", "POST"])
def incident_edit(request, pk):
    incident = get_incident_or_404(request.user, pk, "change")
    if incident.entered_in_error_at:
        messages.error(request, "This incident was marked as entered in error, so it cannot be changed.")
        return redirect(incident)
    if request.method == "POST" and request.POST.get("action") == "submit" and incident.status != "draft":
        messages.info(request, "This incident has already been submitted.")
        return redirect(incident)
    return _incident_form(request, person=incident.service_user, incident=incident)


def _extra_rows(request, incident, people_count):
    existing = {}
    if incident is not None:
        existing = {
            "interventions": incident.interventions.exists(),
            "staff": incident.staff_involved.exists(),
            "notifications": incident.notifications.exists(),
        }
    extra = {
        "interventions": 0 if existing.get("interventions") else 1,
        "staff": 0 if existing.get("staff") else (2 if incident is None else 1),
        "notifications": 0 if existing.get("notifications") else people_count,
        "others": 0,
        "observations": 0,
    }
    added = request.GET.get("add")
    if added in extra:
        extra[added] += 1
    return extra


def _build(request, *, person, incident, data):
    amending = incident is not None and incident.status != Incident.Status.DRAFT
    ward = incident.ward if incident else person.current_ward
    instance = incident or Incident(service_user=person, ward=ward, reported_by=request.user)
    people = person.people_to_notify.all()
    extra = _extra_rows(request, incident, len(people))
    initial = {
        "version": incident.version if incident else None,
        "form_token": None if incident else request.POST.get("form_token") or Incident().form_token,
    }
    form = IncidentForm(data, instance=instance, amending=amending, initial=initial)
    team = User.objects.filter(groups=ward.staff_group).select_related("staff").order_by("first_name")
    staff_initial = [{"staff": request.user.pk, "used_force": True}] if incident is None else []
    notify_initial = []
    if not (incident and incident.notifications.exists()):
        notify_initial = [
            {"person": p.pk, "name": p.name, "relationship": p.relationship, "told": False} for p in people
        ]
    kwargs = {
        "interventions": {},
        "staff": {"form_kwargs": {"team": team}, "initial": staff_initial},
        "others": {},
        "notifications": {"form_kwargs": {"people": people}, "initial": notify_initial},
        "observations": {},
    }
    formsets = {
        prefix: cls(data, instance=instance, prefix=prefix, **kwargs[prefix])
        for prefix, cls in formset_classes(extra).items()
    }
    if incident is None and formsets["staff"].forms and request.user in team:
        # The person logging it usually used force too: their row is kept unless they remove it.
        formsets["staff"].forms[0].empty_permitted = False
    return form, formsets


def _incident_form(request, *, person, incident):
    data = request.POST if request.method == "POST" else None
    form, formsets = _build(request, person=person, incident=incident, data=data)
    conflict = None
    if request.method == "POST":
        action = request.POST.get("action", "save")
        valid = form.is_valid() and all(fs.is_valid() for fs in formsets.values())
        if valid and action == "submit":
            valid = _check_submission(form, formsets)
        if valid:
            try:
                saved = _save(request, form, formsets, person=person, incident=incident)
            except StaleEdit as exc:
                conflict = _conflict(exc.current, form)
                data = request.POST.copy()
                data["version"] = exc.current.version
                form, formsets = _build(request, person=person, incident=exc.current, data=data)
                form.is_valid()
                for fs in formsets.values():
                    fs.is_valid()
            except ValidationError as exc:
                _attach(form, formsets, exc)
            else:
                return _after_save(request, saved, action)
    summary = ErrorSummary(form, formsets) if request.method == "POST" else None
    main_sections = [(slug, title, form.section(names)) for slug, title, names in FORM_SECTIONS]
    child_sections = [(prefix, *SECTIONS[prefix], formsets[prefix]) for prefix in formsets]
    return render(
        request,
        "incidents/incident_form.html",
        {
            "person": person,
            "incident": incident,
            "form": form,
            "summary": summary,
            "main_sections": main_sections[:1],
            "later_sections": main_sections[1:],
            "child_sections": child_sections,
            "conflict": conflict,
            "summaries": collect("home", "person_summaries", request, person),
            "people_to_notify": person.people_to_notify.all(),
            "ward": incident.ward if incident else person.current_ward,
        },
    )


def _check_submission(form, formsets) -> bool:
    """Apply the submission rules to what was typed; put each problem at its field."""
    kept = {prefix: fs.kept_forms() for prefix, fs in formsets.items()}
    instance = form.instance
    instance.deescalation = form.cleaned_data.get("deescalation") or []
    problems = rules.submission_problems(
        instance,
        [f.instance for f in kept["interventions"]],
        [f.instance for f in kept["staff"]],
        [f.instance for f in kept["notifications"]],
    )
    prefix_of = {service: prefix for prefix, service in SERVICE_SECTION.items()}
    for problem in problems:
        if problem.section == "incident":
            form.add_error(problem.field, problem.message)
        elif problem.index is None:
            formsets[prefix_of[problem.section]]._non_form_errors.append(problem.message)
        else:
            kept[prefix_of[problem.section]][problem.index].add_error(problem.field, problem.message)
    return not problems


def _save(request, form, formsets, *, person, incident):
    children = {SERVICE_SECTION[prefix]: fs.rows() for prefix, fs in formsets.items()}
    fields = form.service_fields()
    if incident is None:
        incident = services.incident_create(
            service_user=person,
            by=request.user,
            form_token=form.cleaned_data.get("form_token"),
            children=children,
            **fields,
        )
    else:
        incident = services.incident_update(
            incident=incident,
            by=request.user,
            version=form.cleaned_data.get("version"),
            reason=form.cleaned_data.get("change_reason", ""),
            children=children,
            **fields,
        )
    if request.POST.get("action") == "submit":
        incident = services.incident_submit(incident=incident, by=request.user)
    return incident


def _after_save(request, incident, action):
    if action == "submit":
        messages.success(request, "The incident has been submitted. The ward manager will sign it off.")
        return redirect(incident)
    if action.startswith("add:"):
        return redirect(
            f"{reverse('incidents:edit', args=[incident.pk])}?add={action[4:]}#section-{action[4:]}"
        )
    if incident.status == Incident.Status.DRAFT:
        messages.success(request, "Draft saved. You can come back to it from your home page.")
        return redirect("incidents:edit", incident.pk)
    messages.success(request, "Your change has been saved with its reason.")
    return redirect(incident)


def _attach(form, formsets, exc: ValidationError):
    """Put a service's errors at their fields ("interventions.0.ended_at" goes to that row)."""
    prefix_of = {service: prefix for prefix, service in SERVICE_SECTION.items()}
    for key, messages_ in exc.message_dict.items():
        parts = key.split(".")
        if len(parts) == 3 and parts[0] in prefix_of:
            formset = formsets[prefix_of[parts[0]]]
            kept = formset.kept_forms()
            index = int(parts[1])
            if index < len(kept):
                kept[index].add_error(parts[2] if parts[2] in kept[index].fields else None, messages_)
                continue
        if parts[0] in prefix_of:
            formsets[prefix_of[parts[0]]]._non_form_errors.extend(messages_)
        elif key in form.fields:
            form.add_error(key, messages_)
        else:
            form.add_error(None, messages_)


def _conflict(current: Incident, form) -> list[tuple[str, str, str]]:
    """Fields where the saved record differs from what this person typed: (label, theirs, yours)."""
    rows = []
    for name in services.EDITABLE_FIELDS:
        field = form.fields[name]
        theirs = getattr(current, name)
        yours = form.cleaned_data.get(name)
        if (theirs or None) != (yours or None):
            rows.append((str(field.label), _show(current, name, theirs), _show(current, name, yours)))
    return rows


def _show(instance, name, value):
    model_field = Incident._meta.get_field(name)
    if value in (None, "", []):
        return "(blank)"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if name == "deescalation":
        return ", ".join(Incident(deescalation=value).deescalation_labels())
    if hasattr(value, "tzinfo"):
        return timezone.localtime(value).strftime("%d %b %Y %H:%M")
    return str(value)


def incident_detail(request, pk):
    incident = get_incident_or_404(request.user, pk)
    items = _children(incident)
    if is_subject(request.user, incident):
        return render(request, "incidents/incident_detail_person.html", {"incident": incident, **items})
    _load_named_staff(incident)
    user = request.user
    return render(
        request,
        "incidents/incident_detail.html",
        {
            "incident": incident,
            "status_tag": status_tag(incident),
            **items,
            "flags": rules.flags(items["interventions"], items["observations"]),
            "problems": (
                rules.submission_problems(
                    incident, items["interventions"], items["staff"], items["notifications"]
                )
                if incident.status == "draft"
                else []
            ),
            "statutory_missing": [s for s in _statutory(incident, items) if not s.present],
            "can_edit": permissions.has(user, "change", incident) and not incident.entered_in_error_at,
            "can_sign_off": permissions.has(user, "incidents.sign_off_incident", incident)
            and incident.status == Incident.Status.SUBMITTED
            and not incident.entered_in_error_at,
            "can_mark_error": permissions.has(user, "incidents.mark_error_incident", incident)
            and incident.status != Incident.Status.DRAFT
            and not incident.entered_in_error_at,
            "history": timeline(incident),
        },
    )


NAMED_STAFF = ("reported_by", "signed_off_by", "entered_in_error_by")


def _load_named_staff(incident):
    """The staff the detail page names (who recorded, signed off, marked in error), in one query
    rather than one each as the template reaches them."""
    ids = sorted({getattr(incident, f"{name}_id") for name in NAMED_STAFF} - {None})
    users = {user.pk: user for user in statements.select_in(User, where="id", values=ids, order=[])}
    for name in NAMED_STAFF:
        user = users.get(getattr(incident, f"{name}_id"))
        if user is not None:
            setattr(incident, name, user)


def _children(incident):
    """The incident's rows of each kind (rrp.statements: compiling these five querysets on each
    request took as long as running them)."""
    return {
        key: statements.children(incident, related_name)
        for key, related_name in (
            ("interventions", "interventions"),
            ("staff", "staff_involved"),
            ("others", "others_involved"),
            ("notifications", "notifications"),
            ("observations", "observations"),
        )
    }


def _statutory(incident, items):
    return rules.statutory_items(
        incident, items["interventions"], items["staff"], items["others"], items["notifications"]
    )


def incident_statutory(request, pk, *, printable=False):
    incident = get_incident_or_404(request.user, pk)
    if is_subject(request.user, incident):
        raise Http404  # the person reads their own page, which never names other people
    items = _children(incident)
    statutory = _statutory(incident, items)
    template = "incidents/incident_statutory_print.html" if printable else "incidents/incident_statutory.html"
    return render(
        request,
        template,
        {
            "incident": incident,
            "items": statutory,
            "missing": sum(1 for s in statutory if not s.present),
            "flags": rules.flags(items["interventions"], items["observations"]),
            "printed_at": timezone.now(),
        },
    )


@require_POST
def incident_submit(request, pk):
    incident = get_incident_or_404(request.user, pk, "change")
    try:
        services.incident_submit(incident=incident, by=request.user, version=request.POST.get("version"))
    except StaleEdit:
        messages.error(request, "Someone else changed this incident. Check it and submit again.")
    except ValidationError as exc:
        messages.error(request, "The incident cannot be submitted yet: " + " ".join(exc.messages))
        return redirect("incidents:edit", incident.pk)
    else:
        messages.success(request, "The incident has been submitted.")
    return redirect(incident)


@require_POST
def incident_sign_off(request, pk):
    incident = get_incident_or_404(request.user, pk, "incidents.sign_off_incident")
    form = SignOffForm(request.POST)
    if not form.is_valid():
        return HttpResponse("Bad request", status=400)
    if incident.status == Incident.Status.SIGNED_OFF:
        messages.info(request, "This incident was already signed off.")
        return redirect(incident)
    try:
        services.incident_sign_off(incident=incident, by=request.user, version=form.cleaned_data["version"])
    except StaleEdit:
        messages.error(
            request, "Someone changed this incident after you opened it. Read it again, then sign off."
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Signed off.")
    return redirect(incident)


@require_http_methods(["GET", "POST"])
def incident_mark_error(request, pk):
    incident = get_incident_or_404(request.user, pk, "incidents.mark_error_incident")
    if incident.entered_in_error_at:
        messages.info(request, "This incident is already marked as entered in error.")
        return redirect(incident)
    form = MarkErrorForm(request.POST or None, initial={"version": incident.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.incident_mark_error(
                incident=incident,
                by=request.user,
                reason=form.cleaned_data["reason"],
                version=form.cleaned_data["version"],
            )
        except StaleEdit:
            form.add_error(None, "Someone changed this incident after you opened it. Read it again first.")
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, "Marked as entered in error. It stays in the record but not in statistics."
            )
            return redirect(incident)
    return render(request, "incidents/incident_mark_error.html", {"incident": incident, "form": form})
