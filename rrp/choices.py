"""The choices of model choice fields (select boxes of wards, people, divisions), read by one plain
query.

Django reads them with `queryset.iterator()`, which on PostgreSQL opens a server-side cursor
(DECLARE ... WITH HOLD, FETCH, CLOSE), a way of reading meant for results too big to hold in
memory; a select box's choices are a few rows. Read as a plain query the annual statistics page,
with two such select boxes, took 13.5 ms instead of 14.8, and the incident list 20.4 instead of
21.1 (benchmarks/README.md, change 45). The CSV and MHSDS exports still stream their rows through
server-side cursors (`iterator()` in incidents.exports).

`install()` (from rrp.apps) sets these as the iterators of Django's and django-filter's model
choice fields, so every form and filter in the project reads its choices this way.
"""

from django import forms
from django.forms.models import ModelChoiceIterator
from django_filters import fields as filter_fields


class PlainChoices(ModelChoiceIterator):
    """Django's iterator, reading the rows with one plain query."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        # A copy of the queryset: the field's own keeps no rows, so each rendering reads them
        # afresh, as Django's does.
        for obj in self.queryset.all():
            yield self.choice(obj)


class PlainFilterChoices(filter_fields.ModelChoiceIterator, PlainChoices):
    """django-filter's iterator (which adds its "null" choice), over `PlainChoices`."""


def install() -> None:
    forms.ModelChoiceField.iterator = PlainChoices  # and ModelMultipleChoiceField, its subclass
    filter_fields.ModelChoiceField.iterator = PlainFilterChoices
    filter_fields.ModelMultipleChoiceField.iterator = PlainFilterChoices
