"""The incident form: one page, clear sections, child rows as formsets that work without JavaScript."""

from django import forms
from django.contrib.auth.models import User

from incidents.codes import DEESCALATION_TECHNIQUES, InterventionGroup, InterventionType
from incidents.models import (
    Incident,
    Intervention,
    NonStaffInvolvement,
    Notification,
    Observation,
    StaffInvolvement,
)
from incidents.rules import REQUIRED
from incidents.services import EDITABLE_FIELDS
from rrp.forms import DateInput, DateTimeInput, NHSFormMixin

SECTIONS = {
    # prefix: (title, what "add another" adds)
    "interventions": ("Interventions", "Add another intervention"),
    "staff": ("Staff involved", "Add another member of staff"),
    "others": ("People who are not staff", "Add another person"),
    "notifications": ("Telling the people named in the care plan", "Add another person told"),
    "observations": ("Physical health checks after rapid tranquillisation", "Add more observations"),
}
# The service's names for the child sections, by form prefix.
SERVICE_SECTION = {
    "interventions": "interventions",
    "staff": "staff_involved",
    "others": "others_involved",
    "notifications": "notifications",
    "observations": "observations",
}


class IncidentForm(NHSFormMixin, forms.ModelForm):
    deescalation = forms.MultipleChoiceField(
        label="What was tried before force was used",
        choices=DEESCALATION_TECHNIQUES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Tick everything that was tried.",
    )
    change_reason = forms.CharField(
        label="Why are you changing this record?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The reason is kept with the change, so anyone reading the record can see it.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    form_token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Incident
        fields = EDITABLE_FIELDS
        labels = {
            "started_at": "When it started",
            "ended_at": "When it ended",
            "death_or_serious_injury": "Did the person die or were they seriously injured?",
            "physical_harm": "Physical harm to the person",
            "psychological_harm": "Psychological harm to the person",
            "police_requested_at": "When the police were called",
            "police_arrived_at": "When the police arrived",
            "police_used_force": "Did the police use force?",
            "immediate_debrief_offered": "Was the person offered an immediate debrief?",
        }
        help_texts = {
            "place": "For example: lounge, bedroom corridor, seclusion room",
            "reason_description": "In plain words, what was happening and why force was needed.",
            "how_force_used": "Who did what, the holds used, and how the person was supported.",
            "outcome": "How the person was afterwards, and anything that happens next.",
        }
        widgets = {
            "started_at": DateTimeInput(),
            "ended_at": DateTimeInput(),
            "police_requested_at": DateTimeInput(),
            "police_arrived_at": DateTimeInput(),
        }

    def __init__(self, *args, amending=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.amending = amending
        if not amending:
            del self.fields["change_reason"]
        for name in ("reason_code", "physical_harm", "psychological_harm", "police_used_force"):
            self.fields[name].choices = [("", "Choose")] + list(self.fields[name].choices)[1:]
        for name in ("care_plan_people_told", "immediate_debrief_offered"):
            self.fields[name].choices = [("", "Choose")] + list(self.fields[name].choices)[1:]
        # A draft may leave these blank, but submission needs them: not labelled "optional".
        for name, _message in REQUIRED:
            self.fields[name].needed = True

    def clean_change_reason(self):
        reason = self.cleaned_data.get("change_reason", "").strip()
        if self.amending and not reason:
            raise forms.ValidationError("Give a reason for changing a submitted incident.")
        return reason

    def section(self, names):
        return [self[name] for name in names]

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in EDITABLE_FIELDS}


class InterventionForm(NHSFormMixin, forms.ModelForm):
    class Meta:
        model = Intervention
        fields = [
            "type_code",
            "started_at",
            "ended_at",
            "in_care_plan",
            "prone_reason",
            "patient_injured",
            "staff_injured",
            "other_injured",
            "notes",
        ]
        labels = {"type_code": "Type of intervention", "notes": "Notes"}
        widgets = {"started_at": DateTimeInput(), "ended_at": DateTimeInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type_code"].choices = [("", "Choose a type")] + [
            (group.label, [(c, label) for c, label in InterventionType.choices if _group(c) == group])
            for group in InterventionGroup
        ]
        self.fields["prone_reason"].widget.attrs["rows"] = 2
        self.fields["notes"].widget.attrs["rows"] = 2


def _group(code):
    from incidents.codes import GROUP_OF

    return GROUP_OF[code]


class StaffForm(NHSFormMixin, forms.ModelForm):
    staff = forms.ModelChoiceField(
        label="Staff account",
        queryset=User.objects.none(),
        required=False,
        empty_label="Not listed: type the name below",
    )
    name = forms.CharField(
        label="Name",
        max_length=200,
        required=False,
        help_text="Filled in from their account if you chose it.",
    )
    job_title = forms.CharField(
        label="Job title",
        max_length=100,
        required=False,
        help_text="Filled in from their account if you chose it.",
    )

    class Meta:
        model = StaffInvolvement
        fields = ["staff", "name", "job_title", "used_force"]
        labels = {"used_force": "Used force"}

    def __init__(self, *args, team=None, **kwargs):
        super().__init__(*args, **kwargs)
        if team is not None:
            self.fields["staff"].queryset = team
            self.fields["staff"].label_from_instance = _staff_label

    def clean(self):
        cleaned = super().clean()
        account = cleaned.get("staff")
        if account is not None:
            cleaned["name"] = cleaned.get("name") or account.get_full_name() or account.username
            profile = getattr(account, "staff", None)
            cleaned["job_title"] = cleaned.get("job_title") or (profile.job_title if profile else "")
            self.instance.name, self.instance.job_title = cleaned["name"], cleaned["job_title"]
        if not cleaned.get("name") and (cleaned.get("job_title") or account):
            self.add_error("name", "Enter the name of the member of staff.")
        if cleaned.get("name") and not cleaned.get("job_title"):
            self.add_error("job_title", "Enter their job title.")
        return cleaned


def _staff_label(user):
    profile = getattr(user, "staff", None)
    name = user.get_full_name() or user.username
    return f"{name} ({profile.job_title})" if profile else name


class NonStaffForm(NHSFormMixin, forms.ModelForm):
    class Meta:
        model = NonStaffInvolvement
        fields = ["who", "reason", "used_force"]
        labels = {"used_force": "They used force"}
        help_texts = {"who": "For example: police, paramedics, security. Not their names."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].widget.attrs["rows"] = 2


class NotificationForm(NHSFormMixin, forms.ModelForm):
    class Meta:
        model = Notification
        fields = ["person", "name", "relationship", "told", "told_at", "how", "note"]
        labels = {"told": "This person was told", "told_at": "When they were told", "how": "How"}
        widgets = {"person": forms.HiddenInput, "told_at": DateTimeInput()}

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        if people is not None:
            self.fields["person"].queryset = people
        self.fields["note"].label = "Note (for example why they could not be told)"

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("told") and not cleaned.get("told_at"):
            self.add_error("told_at", "Enter when they were told.")
        return cleaned


class ObservationForm(NHSFormMixin, forms.ModelForm):
    class Meta:
        model = Observation
        fields = [
            "taken_at",
            "pulse",
            "blood_pressure",
            "respiratory_rate",
            "oxygen_saturation",
            "temperature",
            "consciousness",
            "hydration",
            "side_effects",
            "refused",
        ]
        labels = {
            "taken_at": "Time of the checks",
            "respiratory_rate": "Breathing rate (breaths a minute)",
            "temperature": "Temperature (°C)",
            "consciousness": "Level of consciousness",
        }
        widgets = {"taken_at": DateTimeInput()}


BaseFormSet = forms.BaseInlineFormSet


class ChildFormSet(BaseFormSet):
    """An inline formset whose removed rows are recorded, not silently dropped."""

    deletion_widget = forms.CheckboxInput

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Remove this row"
            form.fields["DELETE"].widget.attrs["class"] = "nhsuk-checkboxes__input"

    def rows(self) -> list[dict]:
        """Return the rows to keep, as dicts for the service (with "id" for existing rows)."""
        rows = []
        for form in self.kept_forms():
            names = [n for n in form._meta.fields if n not in (self.fk.name, "id", "DELETE")]
            data = {name: form.cleaned_data.get(name) for name in names}
            data["id"] = form.instance.pk
            rows.append(data)
        return rows

    def kept_forms(self):
        return [
            form
            for form in self.forms
            if not (self.can_delete and self._should_delete_form(form))
            and (form.instance.pk or form.has_changed() or not form.empty_permitted)
        ]


def formset_classes(extra: dict[str, int]):
    def make(model, form, prefix):
        return forms.inlineformset_factory(
            Incident,
            model,
            form=form,
            # A copy: the formset adds its foreign key to the list it is given, and the form's own
            # Meta.fields would keep it for every later request (fields then came out in another order).
            fields=list(form._meta.fields),
            formset=ChildFormSet,
            extra=extra.get(prefix, 0),
            can_delete=True,
            can_delete_extra=False,
        )

    return {
        "interventions": make(Intervention, InterventionForm, "interventions"),
        "staff": make(StaffInvolvement, StaffForm, "staff"),
        "others": make(NonStaffInvolvement, NonStaffForm, "others"),
        "notifications": make(Notification, NotificationForm, "notifications"),
        "observations": make(Observation, ObservationForm, "observations"),
    }


class ErrorSummary:
    """Every error on the page (main form and rows) for includes/error_summary.html."""

    def __init__(self, form, formsets):
        self.pairs = list(form.error_list())
        for formset in formsets.values():
            for message in formset.non_form_errors():
                self.pairs.append((f"section-{formset.prefix}", message))
            for child in formset.forms:
                self.pairs.extend(child.error_list())
        self.errors = bool(self.pairs)

    def error_list(self):
        return self.pairs


class SignOffForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class MarkErrorForm(NHSFormMixin, forms.Form):
    reason = forms.CharField(
        label="Why was this incident entered in error?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: recorded against the wrong person, or a duplicate of another incident.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class ExportForm(NHSFormMixin, forms.Form):
    date_from = forms.DateField(label="From", widget=DateInput())
    date_to = forms.DateField(label="To", widget=DateInput())

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end of the period must be on or after its start.")
        return cleaned
