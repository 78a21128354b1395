"""Forms for proposing, authorising, reviewing and challenging blanket rules."""

from django import forms
from django.utils import timezone

from blanket_rules.models import BlanketRule, Outcome
from rrp.forms import DateInput, NHSFormMixin
from rrp.models import Division


class VersionMixin(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


RULE_FIELDS = [
    "title",
    "category",
    "description",
    "risks",
    "why_not_individual",
    "policy_reference",
    "equality_impact",
    "review_interval_months",
]


class RuleProposeForm(NHSFormMixin, forms.ModelForm):
    wards = forms.ModelMultipleChoiceField(
        label="Wards it would apply to",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    division = forms.ModelChoiceField(
        label="Or: every ward in a division",
        queryset=Division.objects.none(),
        required=False,
        empty_label="No, only the wards ticked above",
    )

    class Meta:
        model = BlanketRule
        fields = RULE_FIELDS

    def __init__(self, *args, wards, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["wards"].queryset = wards
        self.fields["division"].queryset = Division.objects.filter(wards__in=wards).distinct()
        order = ["title", "category", "wards", "division"]
        self.order_fields(order + [f for f in self.fields if f not in order])

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("wards") and not cleaned.get("division"):
            self.add_error("wards", "Choose the ward or wards the rule would apply to, or a whole division.")
        return cleaned


class RuleEditForm(NHSFormMixin, VersionMixin, forms.ModelForm):
    class Meta:
        model = BlanketRule
        fields = RULE_FIELDS


class AuthoriseForm(NHSFormMixin, VersionMixin):
    authorising_body = forms.CharField(
        label="Authorised through", max_length=200, help_text="For example 'Ward governance meeting, 3 March'"
    )
    patients_told_how = forms.CharField(
        label="How patients are told",
        widget=forms.Textarea,
        help_text="For example community meeting, leaflet",
    )
    patients_told_on = forms.DateField(label="When patients are told", widget=DateInput(), required=False)
    review_interval_months = forms.IntegerField(label="Review every (months)", min_value=1, max_value=12)
    next_review_date = forms.DateField(label="Date of the first review", widget=DateInput())

    def clean_next_review_date(self):
        day = self.cleaned_data["next_review_date"]
        if day <= timezone.localdate():
            raise forms.ValidationError("The first review must be in the future.")
        return day


class ReasonForm(NHSFormMixin, VersionMixin):
    reason = forms.CharField(label="Reason", widget=forms.Textarea)


class ModifyForm(NHSFormMixin, VersionMixin):
    description = forms.CharField(label="What the rule is now, in plain language", widget=forms.Textarea)
    reason = forms.CharField(label="Why it is changing", widget=forms.Textarea)


class ReviewForm(NHSFormMixin, VersionMixin):
    held_on = forms.DateField(label="Date of the review", widget=DateInput())
    participants = forms.CharField(
        label="Who took part", widget=forms.Textarea, help_text="Names and roles, one per line."
    )
    service_user_representative = forms.CharField(
        label="Service-user representative",
        max_length=200,
        help_text="Who spoke for the people on the ward, for example a patient representative or advocate.",
    )
    findings = forms.CharField(label="What the review found", widget=forms.Textarea)
    outcome = forms.ChoiceField(label="Outcome", choices=Outcome.choices, widget=forms.RadioSelect)
    outcome_reason = forms.CharField(label="Reasons for the outcome", widget=forms.Textarea)
    new_description = forms.CharField(
        label="If changing the rule: what it will be, in plain language",
        widget=forms.Textarea,
        required=False,
    )

    def clean_held_on(self):
        day = self.cleaned_data["held_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("The date of the review cannot be in the future.")
        return day

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("outcome") == Outcome.MODIFY and not cleaned.get("new_description", "").strip():
            self.add_error("new_description", "Describe the rule as it will be after the change.")
        return cleaned


class ChallengeForm(NHSFormMixin, forms.Form):
    rule = forms.ModelChoiceField(
        label="The rule you are challenging", queryset=None, empty_label="Choose a rule"
    )
    service_user = forms.ModelChoiceField(
        label="Who is this challenge for?", queryset=None, required=False, empty_label="Choose a person"
    )
    in_own_words = forms.CharField(
        label="What is wrong with this rule, in your own words",
        widget=forms.Textarea,
        help_text="Say how it affects you or the person you support.",
    )
    would_like_instead = forms.CharField(label="What you would like instead", widget=forms.Textarea)
    withhold_name = forms.BooleanField(
        label="Do not show my name to other patients",
        required=False,
        help_text="The ward team will still know who raised it, so they can reply.",
    )
    source_label = forms.CharField(widget=forms.HiddenInput, required=False, max_length=200)
    source_url = forms.CharField(widget=forms.HiddenInput, required=False, max_length=500)

    def __init__(self, *args, rules, people, person_required: bool, fixed_person=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].queryset = rules
        self.fields["service_user"].queryset = people
        self.fixed_person = fixed_person
        if fixed_person is not None:
            # A service user always challenges for themself: no choice to make.
            del self.fields["service_user"]
        else:
            self.fields["service_user"].required = person_required
            if not person_required:
                self.fields["service_user"].empty_label = "Nobody in particular (I am raising it myself)"

    def clean(self):
        cleaned = super().clean()
        if self.fixed_person is not None:
            cleaned["service_user"] = self.fixed_person
        return cleaned


class DecideForm(NHSFormMixin, VersionMixin):
    decision = forms.ChoiceField(label="Your decision", choices=Outcome.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        label="Reasons for the decision",
        widget=forms.Textarea,
        help_text="Write to the person who challenged, in plain words. They will read this.",
    )
    new_description = forms.CharField(
        label="If changing the rule: what it will be, in plain language",
        widget=forms.Textarea,
        required=False,
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == Outcome.MODIFY and not cleaned.get("new_description", "").strip():
            self.add_error("new_description", "Describe the rule as it will be after the change.")
        return cleaned


class LookAgainForm(NHSFormMixin, forms.Form):
    reason = forms.CharField(
        label="Why should the recovery lead look at this decision again?", widget=forms.Textarea
    )


class ReconsiderForm(NHSFormMixin, VersionMixin):
    uphold = forms.TypedChoiceField(
        label="What happens next",
        choices=[
            ("yes", "The decision stands"),
            ("no", "Send it back to the ward manager for a new decision"),
        ],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    response = forms.CharField(
        label="Your response", widget=forms.Textarea, help_text="The person who challenged will read this."
    )
