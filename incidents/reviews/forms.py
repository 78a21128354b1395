"""Forms for the review pages; the services hold the rules, the forms hold the words."""

from django import forms
from django.contrib.auth.models import User

from incidents.reviews.models import Debrief, LearningPoint, PathwayEntry, Review, ReviewAction
from rrp.forms import DateInput, DateTimeInput, NHSFormMixin, not_in_future


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        staff = getattr(obj, "staff", None)
        name = obj.get_full_name() or obj.username
        return f"{name} ({staff.job_title})" if staff else name


class AccountForm(NHSFormMixin, forms.Form):
    what_happened = forms.CharField(widget=forms.Textarea(attrs={"rows": 10}), required=False)
    what_would_have_helped = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), required=False)
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, person: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if person:
            self.fields["what_happened"].label = "Tell us what happened from your side"
            self.fields["what_happened"].help_text = (
                "In your own words. You can save a draft and come back to it; "
                "the team sees it only when you share it."
            )
            self.fields["what_would_have_helped"].label = "What would have helped you"
        else:
            self.fields["what_happened"].label = "Your account of what happened"
            self.fields["what_happened"].help_text = "Saved as a draft until you share it with the review."
            self.fields["what_would_have_helped"].label = "What would have helped, from your side"


class ParticipationForm(NHSFormMixin, forms.Form):
    participation = forms.ChoiceField(
        label="Do you want to take part in this review?",
        choices=[
            (Review.Participation.TAKING_PART, "Yes, I want to take part"),
            (Review.Participation.DECLINED, "No, I do not want to take part"),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label="If not, can you tell us why?",
        help_text="This is kept with the review. You can change your mind while the review is open.",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("participation") == Review.Participation.DECLINED
            and not cleaned.get("reason", "").strip()
        ):
            self.add_error("reason", "Say why you do not want to take part.")
        return cleaned


class SupporterForm(NHSFormMixin, forms.Form):
    supporter = UserChoiceField(
        label="Who would you like to support you?",
        help_text="They will be able to see this review and help you write your account until it closes.",
        queryset=User.objects.none(),
        empty_label="Choose someone",
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supporter"].queryset = candidates


class FacilitatorForm(NHSFormMixin, forms.Form):
    facilitator = UserChoiceField(
        label="Facilitator",
        help_text="Someone from the ward's team who was not involved in the incident.",
        queryset=User.objects.none(),
        empty_label="Choose a facilitator",
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facilitator"].queryset = candidates


class DebriefForm(NHSFormMixin, forms.ModelForm):
    class Meta:
        model = Debrief
        fields = ["held_at", "who_attended", "how_the_person_was", "physical_check", "notes"]
        widgets = {"held_at": DateTimeInput()}

    def clean_held_at(self):
        held_at = self.cleaned_data["held_at"]
        not_in_future(held_at, "The debrief time")
        return held_at


class MeetingForm(NHSFormMixin, forms.Form):
    held_at = forms.DateTimeField(
        label="When was the review meeting with the person held?", widget=DateTimeInput()
    )

    def clean_held_at(self):
        held_at = self.cleaned_data["held_at"]
        not_in_future(held_at, "The meeting")
        return held_at


class PathwayForm(NHSFormMixin, forms.ModelForm):
    class Meta:
        model = PathwayEntry
        fields = ["phase", "text", "happened_at"]
        labels = {"phase": "Which part of the pathway is this?"}
        widgets = {"happened_at": DateTimeInput(), "phase": forms.RadioSelect}

    def clean_happened_at(self):
        value = self.cleaned_data.get("happened_at")
        not_in_future(value, "The time")
        return value


class LearningForm(NHSFormMixin, forms.Form):
    text = forms.CharField(label="What should we learn from this?", widget=forms.Textarea(attrs={"rows": 4}))
    view = forms.CharField(
        label="Why you think so (optional)", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class LearningResponseForm(NHSFormMixin, forms.Form):
    response = forms.ChoiceField(
        label="Do you agree?",
        choices=[
            (LearningPoint.Response.AGREED, "I agree"),
            (LearningPoint.Response.DISAGREED, "I disagree"),
        ],
        widget=forms.RadioSelect,
    )
    view = forms.CharField(
        label="Your view",
        help_text="If you disagree, say what you think instead. Both views are kept side by side.",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("response") == LearningPoint.Response.DISAGREED
            and not cleaned.get("view", "").strip()
        ):
            self.add_error("view", "Say what you think instead, so both views are kept.")
        return cleaned


class ActionForm(NHSFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label="Kind of action", choices=ReviewAction.Kind.choices, widget=forms.RadioSelect
    )
    description = forms.CharField(label="What will be done", widget=forms.Textarea(attrs={"rows": 4}))
    owner = UserChoiceField(label="Who owns this action", queryset=User.objects.none(), empty_label="Choose")
    due_date = forms.DateField(label="Due by", widget=DateInput())

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners


class ActionUpdateForm(NHSFormMixin, forms.Form):
    status = forms.ChoiceField(label="Status", choices=ReviewAction.Status.choices, widget=forms.RadioSelect)
    outcome = forms.CharField(label="What happened", widget=forms.Textarea(attrs={"rows": 4}), required=False)
    due_date = forms.DateField(label="Due by", widget=DateInput())
    version = forms.CharField(widget=forms.HiddenInput)


class SummaryForm(NHSFormMixin, forms.Form):
    summary = forms.CharField(
        label="Summary of the review",
        help_text="What happened, what we learned and what will change, in plain words. "
        "If you change it, the person and the facilitator are asked to agree it again.",
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    version = forms.CharField(widget=forms.HiddenInput)


class AgreementForm(NHSFormMixin, forms.Form):
    agreement = forms.ChoiceField(
        label="Do you agree with the summary?",
        choices=[(Review.Agreement.AGREED, "I agree"), (Review.Agreement.DISAGREED, "I disagree")],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label="Your view of the summary",
        help_text="If you disagree, say what you would change. Your view is kept with the review.",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("agreement") == Review.Agreement.DISAGREED and not cleaned.get("note", "").strip():
            self.add_error("note", "Say what you disagree with, so your view is kept.")
        return cleaned


class PanelLearningForm(NHSFormMixin, forms.Form):
    text = forms.CharField(
        label="What the panel learned",
        help_text="What could have been done better, from the point of view of people with lived experience.",
        widget=forms.Textarea(attrs={"rows": 5}),
    )
