from django.apps import AppConfig


class SafetyPlansConfig(AppConfig):
    name = "safety_plans"
    verbose_name = "Safety plans"

    def ready(self):
        from rrp.signals import carer_consent_changed, service_user_transferred
        from safety_plans import receivers

        service_user_transferred.connect(
            receivers.move_plan_with_person, dispatch_uid="safety_plans.transfer"
        )
        carer_consent_changed.connect(receivers.revoke_withdrawn_carer, dispatch_uid="safety_plans.carer")
        # Post incident reviews live in another app that may not be installed yet.
        try:
            from incidents.reviews.signals import review_action_created
        except ImportError:
            return
        review_action_created.connect(
            receivers.propose_from_review_action, dispatch_uid="safety_plans.review"
        )
