"""Form helpers that give every form the NHS.UK frontend look, and the core forms."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from rrp.models import Admission, ServiceUser, Ward
from rrp.nhs_number import normalise_nhs_number

_WIDGET_CLASSES = {
    forms.Textarea: "nhsuk-textarea",
    forms.Select: "nhsuk-select",
    forms.SelectMultiple: "nhsuk-select",
    forms.CheckboxInput: "nhsuk-checkboxes__input",
    forms.CheckboxSelectMultiple: "nhsuk-checkboxes__input",
    forms.RadioSelect: "nhsuk-radios__input",
}


class NHSFormMixin:
    """Add NHS.UK classes and error attributes to widgets; render with includes/form_fields.html."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            css = next((c for k, c in _WIDGET_CLASSES.items() if isinstance(widget, k)), "nhsuk-input")
            widget.attrs["class"] = f"{css} {widget.attrs.get('class', '')}".strip()
            if isinstance(widget, forms.Textarea):
                widget.attrs.setdefault("rows", 4)

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                css = widget.attrs.get("class", "nhsuk-input").split()[0]
                if not css.endswith("__input"):
                    widget.attrs["class"] += f" {css}--error"
                widget.attrs["aria-describedby"] = f"{self.add_prefix(name)}-error"

    def error_list(self):
        """Return (field id, message) pairs for the NHS error summary."""
        pairs = []
        for name, errors in self.errors.items():
            target = f"id_{self.add_prefix(name)}" if name != "__all__" else ""
            pairs.extend((target, message) for message in errors)
        return pairs


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def not_in_future(value: datetime.datetime, what: str = "This date") -> None:
    if value and value > timezone.now():
        raise ValidationError(f"{what} cannot be in the future.")


class ServiceUserForm(NHSFormMixin, forms.ModelForm):
    # Wider than the stored 10 digits so "943 476 5919" can be typed with spaces.
    nhs_number = forms.CharField(
        label="NHS number", max_length=14, help_text="10 digits, for example 943 476 5919"
    )

    class Meta:
        model = ServiceUser
        fields = [
            "nhs_number",
            "given_name",
            "family_name",
            "preferred_name",
            "date_of_birth",
            "sex",
            "gender_reassignment",
            "ethnicity",
            "religion",
            "sexual_orientation",
            "marital_status",
            "pregnancy",
            "disability",
            "learning_disability",
            "autism",
            "mental_disorder",
        ]
        widgets = {"date_of_birth": DateInput()}

    def clean_nhs_number(self):
        return normalise_nhs_number(self.cleaned_data["nhs_number"])

    def clean_date_of_birth(self):
        born = self.cleaned_data["date_of_birth"]
        if born and born > timezone.localdate():
            raise ValidationError("Date of birth must be in the past.")
        return born


class AdmissionForm(NHSFormMixin, forms.Form):
    ward = forms.ModelChoiceField(queryset=Ward.objects.none(), empty_label="Choose a ward")
    start = forms.DateTimeField(label="Date and time admitted", widget=DateTimeInput())

    def __init__(self, *args, wards=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ward"].queryset = wards if wards is not None else Ward.objects.none()

    def clean_start(self):
        start = self.cleaned_data["start"]
        not_in_future(start, "The admission date")
        return start


class TransferForm(NHSFormMixin, forms.Form):
    ward = forms.ModelChoiceField(
        label="Ward the person is moving to", queryset=Ward.objects.all(), empty_label="Choose a ward"
    )
    at = forms.DateTimeField(label="Date and time of the move", widget=DateTimeInput())

    def __init__(self, *args, admission: Admission, **kwargs):
        super().__init__(*args, **kwargs)
        self.admission = admission

    def clean(self):
        cleaned = super().clean()
        ward, at = cleaned.get("ward"), cleaned.get("at")
        if ward and ward.pk == self.admission.ward_id:
            self.add_error("ward", "The person is already on this ward. Choose a different ward.")
        if at:
            if at > timezone.now():
                self.add_error("at", "The move cannot be in the future.")
            elif at <= self.admission.start:
                self.add_error("at", "The move must be after the person was admitted.")
        return cleaned


class DischargeForm(NHSFormMixin, forms.Form):
    end = forms.DateTimeField(label="Date and time the person left the ward", widget=DateTimeInput())

    def __init__(self, *args, admission: Admission, **kwargs):
        super().__init__(*args, **kwargs)
        self.admission = admission

    def clean_end(self):
        end = self.cleaned_data["end"]
        not_in_future(end, "The discharge date")
        if end <= self.admission.start:
            raise ValidationError("The person must leave after they were admitted.")
        return end
