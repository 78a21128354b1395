"""Keep ward-round access in step with the person's ward and their carer's consent."""

from django.dispatch import receiver

from rrp.signals import carer_consent_changed, service_user_transferred
from ward_rounds import services


@receiver(service_user_transferred, dispatch_uid="ward_rounds_follow_transfer")
def follow_transfer(sender, service_user, from_ward, to_ward, by=None, **kwargs):
    services.appointments_follow_transfer(
        service_user=service_user, from_ward=from_ward, to_ward=to_ward, by=by
    )


@receiver(carer_consent_changed, dispatch_uid="ward_rounds_carer_consent")
def sync_carer(sender, link, by=None, **kwargs):
    services.carer_access_sync(link=link, by=by)
