from django.apps import AppConfig


class BlanketRulesConfig(AppConfig):
    name = "blanket_rules"
    verbose_name = "Blanket rules"

    def ready(self):
        from blanket_rules import services
        from rrp.signals import carer_consent_changed

        carer_consent_changed.connect(
            services.on_carer_consent_changed, dispatch_uid="blanket_rules_carer_consent"
        )
