"""Pages for the shared core: home, people, wards and admissions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from rrp import listing, permissions, roles, services, statements
from rrp.filters import ServiceUserFilter
from rrp.forms import AdmissionForm, DischargeForm, ServiceUserForm, TransferForm
from rrp.history import history_rows
from rrp.hooks import Panel, PanelItem, collect
from rrp.models import Admission, ServiceUser, Ward, current_wards


def querystring_without_page(request) -> str:
    """Return the current query string minus `page`, ending with & when not empty."""
    params = request.GET.copy()
    params.pop("page", None)
    encoded = params.urlencode()
    return f"{encoded}&" if encoded else ""


def paginate(request, queryset, per_page: int = 25):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def home(request):
    role = roles.role_of(request.user)
    panels = collect("home", "attention_panels", request, role)
    if role == roles.SERVICE_USER:
        person = request.user.service_user
        ward = person.current_ward
        intro = f"You are on {ward}." if ward else "You are not on a ward at the moment."
    elif role == roles.CARER:
        people = ", ".join(str(p) for p in roles.cared_for(request.user)) or "nobody at the moment"
        intro = f"You support {people}."
    elif role == roles.ADMIN:
        intro = "You manage reference data: trusts, divisions, wards and staff accounts."
        panels = [Panel("Administration", [PanelItem("Open the administration pages", "/admin/")])]
    elif roles.is_staff_role(role):
        wards = ", ".join(w.name for w in roles.staff_wards(request.user)) or None
        intro = f"Your wards: {wards}." if wards else ""
        if role == "recovery_lead":
            intro = f"You cover {request.user.staff.division}."
    else:
        intro = "Your account is not linked to a ward or a person yet. Ask your administrator."
    return render(request, "rrp/home.html", {"panels": panels, "intro": intro, "role": role})


@login_not_required
def about(request):
    return render(request, "rrp/about.html")


def service_user_list(request):
    # Read as the incident list is (rrp.listing): counted and the page's ids picked from the people
    # alone, then that page's people and their wards now, by statements compiled once.
    people = ServiceUser.objects.order_by("family_name", "given_name", "pk")
    listed = permissions.listing(request.user, "view", people)
    f = ServiceUserFilter(request.GET, queryset=listed.queryset, request=request)
    page = paginate(request, listing.page_rows(f, listed) if f.is_valid() else [])
    shown = statements.by_ids(ServiceUser, list(page.object_list))
    wards = current_wards([person.pk for person in shown])
    rows = [(person, wards[person.pk][1] if person.pk in wards else None) for person in shown]
    return render(
        request,
        "rrp/service_user_list.html",
        {
            "filter": f,
            "rows": rows,
            "page_obj": page,
            "querystring_base": querystring_without_page(request),
            "can_add": _can_admit(request.user),
        },
    )


def _can_admit(user) -> bool:
    """Whether `user` may add and admit people: `_admitting_wards(user)` has a ward (its ids are
    read with the user at sign-in)."""
    return roles.role_of(user) in ("ward_staff", "ward_manager") and bool(roles.staff_ward_ids(user))


def _admitting_wards(user):
    if roles.role_of(user) in ("ward_staff", "ward_manager"):
        return roles.staff_wards(user)
    return Ward.objects.none()


def service_user_detail(request, pk):
    person = permissions.get_or_404(request.user, ServiceUser.objects.all(), pk)
    admissions = list(permissions.visible(request.user, "view", person.admissions.select_related("ward")))
    current = next((a for a in admissions if a.end is None), None)
    can_change = permissions.has(request.user, "change", person)
    summaries = collect("home", "person_summaries", request, person)
    return render(
        request,
        "rrp/service_user_detail.html",
        {
            "person": person,
            "admissions": admissions,
            "current": current,
            "can_change": can_change,
            "summaries": summaries,
            "people_to_notify": person.people_to_notify.all(),
            "history": history_rows(person),
        },
    )


@require_http_methods(["GET", "POST"])
def service_user_create(request):
    wards = _admitting_wards(request.user)
    if not wards.exists():
        raise PermissionDenied
    form = ServiceUserForm(request.POST or None)
    admission_form = AdmissionForm(request.POST or None, wards=wards, prefix="admission")
    if request.method == "POST" and form.is_valid() and admission_form.is_valid():
        try:
            person = services.service_user_create(by=request.user, **form.cleaned_data)
            services.admission_create(
                service_user=person,
                ward=admission_form.cleaned_data["ward"],
                start=admission_form.cleaned_data["start"],
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"{person} has been added and admitted.")
            return redirect(person)
    return render(request, "rrp/service_user_form.html", {"form": form, "admission_form": admission_form})


@require_http_methods(["GET", "POST"])
def admission_transfer(request, pk):
    admission = permissions.get_or_404(
        request.user, Admission.objects.select_related("service_user", "ward"), pk, "change"
    )
    if admission.end is not None:
        messages.error(request, "This admission has already ended.")
        return redirect(admission.service_user)
    form = TransferForm(request.POST or None, admission=admission)
    if request.method == "POST" and form.is_valid():
        try:
            services.admission_transfer(
                admission=admission,
                to_ward=form.cleaned_data["ward"],
                at=form.cleaned_data["at"],
                by=request.user,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"{admission.service_user} has moved to {form.cleaned_data['ward']}.")
            # The old ward's team can no longer see the person, so they go back to their list.
            if permissions.has(request.user, "view", admission.service_user):
                return redirect(admission.service_user)
            return redirect("service_user_list")
    return render(request, "rrp/admission_transfer.html", {"form": form, "admission": admission})


@require_http_methods(["GET", "POST"])
def admission_discharge(request, pk):
    admission = permissions.get_or_404(
        request.user, Admission.objects.select_related("service_user", "ward"), pk, "change"
    )
    form = DischargeForm(request.POST or None, admission=admission)
    if request.method == "POST" and form.is_valid():
        try:
            services.admission_discharge(admission=admission, end=form.cleaned_data["end"], by=request.user)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"{admission.service_user} has been discharged from {admission.ward}.")
            return redirect(admission.service_user)
    return render(request, "rrp/admission_discharge.html", {"form": form, "admission": admission})


def _add_errors(form, exc: ValidationError):
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def ward_list(request):
    wards = permissions.visible(request.user, "view", Ward.objects.select_related("division"))
    return render(request, "rrp/ward_list.html", {"wards": wards})


def ward_detail(request, pk):
    ward = permissions.get_or_404(request.user, Ward.objects.select_related("division"), pk)
    return render(request, "rrp/ward_detail.html", {"ward": ward})
