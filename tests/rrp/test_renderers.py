"""rrp.renderers.FormRenderer writes the same HTML as Django's template renderer, only faster."""

import datetime

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.test import override_settings
from django.urls import reverse
from django.utils.safestring import mark_safe

from rrp.forms import DateInput, DateTimeInput
from rrp.renderers import FormRenderer
from tests.incidents.factories import make_incident

STOCK = "django.forms.renderers.DjangoTemplates"

CHOICES = [("a", "Apples & pears"), ("b", mark_safe("<b>Bold</b>")), (3, 'Three "quoted"')]
GROUPED = [("Fruit", [("a", "Apple"), ("b", "Banana")]), ("Other", [("c", "Cake <1>")]), ("d", "Alone")]


class EveryWidget(forms.Form):
    text = forms.CharField(widget=forms.TextInput(attrs={"class": "nhsuk-input", "spellcheck": False}))
    number = forms.IntegerField(widget=forms.NumberInput(attrs={"inputmode": "numeric", "required": True}))
    email = forms.EmailField()
    hidden = forms.CharField(widget=forms.HiddenInput)
    secret = forms.CharField(widget=forms.PasswordInput(render_value=True))
    day = forms.DateField(widget=DateInput())
    when = forms.DateTimeField(widget=DateTimeInput())
    agree = forms.BooleanField(required=False)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}))
    choice = forms.ChoiceField(choices=CHOICES)
    grouped = forms.ChoiceField(choices=GROUPED)
    many = forms.MultipleChoiceField(choices=GROUPED)
    yes_no = forms.NullBooleanField()
    radio = forms.ChoiceField(choices=CHOICES, widget=forms.RadioSelect)
    ticks = forms.MultipleChoiceField(choices=GROUPED, widget=forms.CheckboxSelectMultiple)


VALUES = [
    {},
    {
        "text": '<script>alert("x")</script> & more',
        "number": "1234567",
        "email": "a@example.nhs.uk",
        "hidden": "x'y",
        "secret": "p<w>",
        "day": "2026-03-29",
        "when": "2026-10-25T01:30",
        "agree": "on",
        "notes": "Line one\n<line two> & three",
        "choice": "3",
        "grouped": "c",
        "many": ["a", "c"],
        "yes_no": "true",
        "radio": "b",
        "ticks": ["b", "d"],
    },
]


def rendered(form, renderer):
    form.renderer = renderer
    return {
        name: (str(form[name]), [(option.tag(), option.tag(wrap_label=True)) for option in form[name]])
        for name in form.fields
    }


@pytest.mark.parametrize("data", VALUES)
def test_every_widget_is_written_as_django_writes_it(data):
    bound = EveryWidget(data or None, initial={"day": datetime.date(2026, 1, 2), "agree": True})
    bound.is_valid()
    ours, django = rendered(bound, FormRenderer()), rendered(bound, DjangoTemplates())
    for name in EveryWidget.base_fields:
        assert ours[name] == django[name], name


@pytest.mark.django_db
def test_the_apps_pages_are_the_same_with_either_renderer(client, nurse, manager, lead, sam):
    """Every kind of form the nurse meets, rendered by both renderers: the same page, byte for byte."""
    incident = make_incident(sam, nurse)
    pages = [
        reverse("incidents:list") + "?ward=999&date_from=not-a-date&prone=yes",
        reverse("incidents:create", args=[sam.pk]),
        reverse("incidents:edit", args=[incident.pk]),
        reverse("service_user_create"),
        reverse("blanket_rules:rule_create"),
        reverse("blanket_rules:challenge_create"),
        reverse("safety_plans:list"),
        reverse("trends:dashboard") + "?start=2026-13-01",
    ]
    for url in pages:
        client.force_login(lead if url.startswith(reverse("trends:dashboard")) else manager)
        with override_settings(FORM_RENDERER=STOCK):
            django = client.get(url)
        ours = client.get(url)
        # The dashboard answers bad dates with 400 and the form showing the error.
        assert ours.status_code == django.status_code and ours.status_code in (200, 400), url
        assert b"<select" in ours.content or b"<input" in ours.content, url
        assert _without_tokens(ours.content) == _without_tokens(django.content), url


def _without_tokens(html: bytes) -> bytes:
    """The page without its CSRF token and CSP nonce, which differ between any two requests."""
    import re

    html = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", html)
    html = re.sub(rb'name="form_token" value="[^"]+"', b"", html)
    return re.sub(rb'nonce="[^"]+"', b"", html)
