"""Domain events other apps react to without the core importing them."""

from django.dispatch import Signal

# Sent inside the transfer's transaction with service_user, from_ward, to_ward and by.
# Apps holding "live" records of the person (safety plans, ward rounds) move access with it.
service_user_transferred = Signal()

# Sent when a person withdraws (or changes) what a carer may see, with link and by.
# Apps that granted the carer access to records revoke it at once.
carer_consent_changed = Signal()
