"""Incident events that other parts of the system react to."""

from django.dispatch import Signal

# Sent inside the submit transaction with `incident` and `by` once an incident is submitted.
# Post incident reviews are created from it.
incident_submitted = Signal()
