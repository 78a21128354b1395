from django import forms
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils import timezone

from rrp.forms import DateInput, DateTimeInput, NHSFormMixin
from rrp.models import ServiceUser, Ward
from ward_rounds.models import Action, AgendaItem, Appointment, Outcome, Preparation, WardRound


class VersionField(forms.IntegerField):
    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)


class WardRoundForm(NHSFormMixin, forms.ModelForm):
    ward = forms.ModelChoiceField(queryset=Ward.objects.none(), empty_label="Choose a ward")

    class Meta:
        model = WardRound
        fields = ["ward", "starts_at", "location", "led_by", "purpose"]
        widgets = {"starts_at": DateTimeInput()}

    def __init__(self, *args, wards, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ward"].queryset = wards

    def clean_starts_at(self):
        starts_at = self.cleaned_data["starts_at"]
        if starts_at and starts_at < timezone.now():
            raise ValidationError("A ward round cannot be arranged in the past.")
        return starts_at


class AttendanceFieldsMixin:
    def _limit_peers(self, peers):
        self.fields["peer_worker"].queryset = peers
        self.fields["peer_worker"].label_from_instance = lambda u: u.get_full_name() or u.username
        self.fields["peer_worker"].empty_label = "No peer support worker"


class AppointmentForm(AttendanceFieldsMixin, NHSFormMixin, forms.ModelForm):
    service_user = forms.ModelChoiceField(
        queryset=ServiceUser.objects.none(), label="Person", empty_label="Choose a person"
    )

    class Meta:
        model = Appointment
        fields = [
            "service_user",
            "scheduled_at",
            "attendance_agreed",
            "carer_attending",
            "advocate",
            "peer_worker",
            "named_staff",
        ]
        widgets = {"scheduled_at": DateTimeInput()}

    def __init__(self, *args, people, peers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_user"].queryset = people
        self._limit_peers(peers)

    def clean_scheduled_at(self):
        scheduled_at = self.cleaned_data["scheduled_at"]
        if scheduled_at and scheduled_at < timezone.now():
            raise ValidationError("This time has already passed. Choose a time in the future.")
        return scheduled_at

    def _post_clean(self):
        # The service checks the booking (double-booking, ward, time) with the right messages.
        pass


class AttendanceForm(AttendanceFieldsMixin, NHSFormMixin, forms.ModelForm):
    version = VersionField()

    class Meta:
        model = Appointment
        fields = ["attendance_agreed", "carer_attending", "advocate", "peer_worker", "named_staff"]

    def __init__(self, *args, peers, **kwargs):
        super().__init__(*args, **kwargs)
        self._limit_peers(peers)
        self.fields["version"].initial = self.instance.version

    def _post_clean(self):
        pass


class PreparationForm(NHSFormMixin, forms.ModelForm):
    version = VersionField()

    class Meta:
        model = Preparation
        fields = Preparation.TEXT_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version

    def _post_clean(self):
        pass


class ItemForm(NHSFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label="What kind of item", choices=AgendaItem.Kind.choices, initial=AgendaItem.Kind.TALK
    )
    text = forms.CharField(label="What do you want to talk about?", widget=forms.Textarea, max_length=2000)
    version = VersionField()

    def __init__(self, *args, item=None, **kwargs):
        if item is not None:
            kwargs.setdefault("initial", {"kind": item.kind, "text": item.text, "version": item.version})
        super().__init__(*args, **kwargs)


class MoveOutForm(NHSFormMixin, forms.Form):
    handled_where = forms.CharField(
        label="Where will it be handled instead?",
        max_length=300,
        help_text="The person will see this, for example 'With your named nurse on Thursday'",
    )


class OutcomeForm(NHSFormMixin, forms.ModelForm):
    version = VersionField()

    class Meta:
        model = Outcome
        fields = ["decision", "person_agrees", "person_view"]
        widgets = {"person_agrees": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version if self.instance.pk else None

    def _post_clean(self):
        pass


class ActionForm(NHSFormMixin, forms.ModelForm):
    class Meta:
        model = Action
        fields = ["description", "owner", "due"]
        widgets = {"due": DateInput()}

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["owner"].label_from_instance = lambda u: u.get_full_name() or u.username
        self.fields["owner"].empty_label = "Choose who will do it"

    def clean_due(self):
        due = self.cleaned_data["due"]
        if due and due < timezone.localdate():
            raise ValidationError("The due date cannot be in the past.")
        return due

    def _post_clean(self):
        pass


class DelayForm(NHSFormMixin, forms.Form):
    expected_at = forms.DateTimeField(label="Now expected to start at", widget=DateTimeInput())
    delay_note = forms.CharField(
        label="Reason for the delay (the person and their carer will see this)",
        max_length=300,
        required=False,
    )


class StartForm(NHSFormMixin, forms.Form):
    started_at = forms.DateTimeField(label="Time it actually started", widget=DateTimeInput())


class SummaryForm(NHSFormMixin, forms.Form):
    summary = forms.CharField(
        label="Summary for the person",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Plain words: what was discussed, what was decided and what happens next.",
    )
    version = VersionField()


class CancelForm(NHSFormMixin, forms.Form):
    reason = forms.CharField(label="Why is it cancelled?", max_length=300)


def owner_name(user: User) -> str:
    return user.get_full_name() or user.username
