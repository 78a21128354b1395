"""The one write the trends make: a ward's target rate, drawn as the target line on its chart."""

from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction

from rrp.models import Ward


@transaction.atomic
def ward_target_set(*, ward: Ward, target_rate: Decimal | None, by: User | None, reason: str = "") -> Ward:
    """Set (or clear, with None) the ward's target in interventions per 1,000 occupied bed days."""
    # Accept floats from calculations: store exactly two decimal places, as the field holds.
    ward.target_rate = None if target_rate is None else Decimal(str(target_rate)).quantize(Decimal("0.01"))
    ward._history_user = by
    ward._change_reason = reason or "trend target changed"
    ward.full_clean()
    ward.save()
    return ward
